package io.zcrx.ingest.log;

import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.log.index.TimeIndex;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.LibC;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log (docs/kafka-protocol-notes.md#segments; Kafka's {@code LogSegment}): the
 * {@code .log} file of concatenated record batches plus its {@code .index} and {@code .timeindex}.
 *
 * <pre>
 *   .log:  [ batch | batch | ... | batch ]                size (published) = end of the last complete batch
 *           ^ 0                            ^ size          file length &gt;= size (preallocation, failed write)
 *   index entries: added before a batch when more than index.interval.bytes were written since the
 *   last entry (so the first batch never gets one), pointing at that batch: (lastOffset, position)
 * </pre>
 *
 * <p>Files and memory: the {@code .log} is open twice, through a {@link FileChannel} (reads,
 * truncate, fsync) and, while the segment is active, through a raw write descriptor for
 * {@code pwritev}; both name the same inode. Indexes are memory-mapped (see {@link OffsetIndex}).
 *
 * <p>Threads: writes (append, roll, recovery, close) happen under the owning partition's append
 * lock. Readers on any thread use {@link #size()}, {@link #nextOffset()}, the channel for
 * positional reads and index lookups; a batch becomes visible to them only when the published size
 * covers it, which happens after its write has completed.
 */
final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    /** Kafka's LegacyRecord.RECORD_OVERHEAD_V0: a declared batch size below this is file-level corruption. */
    static final int MIN_BATCH_SIZE = 14;
    private static final long UNKNOWN_TIMESTAMP = Long.MIN_VALUE;

    final long baseOffset;
    private final Path dir;
    private Path logFile;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final int indexIntervalBytes;
    private final boolean preallocate;
    private final int preallocateBytes;

    private int writeFd = -1;
    private volatile int size;
    private volatile long nextOffset;
    /** Largest batch max timestamp in this segment and the last offset of the batch holding it. */
    private long maxTimestampSoFar = TimeIndex.NO_TIMESTAMP;
    private long offsetOfMaxTimestampSoFar;
    /** Max timestamp of the first batch, what segment.ms measures age from (Kafka's rollingBasedTimestamp). */
    private long rollingBasedTimestamp = UNKNOWN_TIMESTAMP;
    private long createdMs;
    private int bytesSinceLastIndexEntry;
    private boolean active;
    /** True when bytes past {@code size} may remain after a failed write whose truncate also failed. */
    private boolean tailDirty;
    /** True after the segment stopped being active until a flush synced its trimmed files. */
    private volatile boolean sealedUnsynced;
    private boolean deleted;
    private volatile boolean released;
    /** True when {@link #open} found an index file missing (it was created empty). */
    private boolean indexesMissing;

    private Segment(Path dir, long baseOffset, FileChannel channel, OffsetIndex offsetIndex, TimeIndex timeIndex,
                    LogConfig config, long nowMs) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.logFile = LogFiles.logFile(dir, baseOffset);
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = config.indexIntervalBytes;
        this.preallocate = config.preallocate;
        this.preallocateBytes = config.segmentBytes;
        this.createdMs = nowMs;
        this.offsetOfMaxTimestampSoFar = baseOffset;
        this.nextOffset = baseOffset;
    }

    /** A new, empty, active segment; stale files with the same base offset are replaced. */
    static Segment create(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
        final Path log = LogFiles.logFile(dir, baseOffset);
        final FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        OffsetIndex offsetIndex = null;
        try {
            if (config.preallocate) {
                preallocate(ch, config.segmentBytes);
            }
            offsetIndex = OffsetIndex.create(LogFiles.indexFile(dir, baseOffset), baseOffset, config.segmentIndexBytes);
            final TimeIndex timeIndex = TimeIndex.create(LogFiles.timeIndexFile(dir, baseOffset), baseOffset,
                config.segmentIndexBytes);
            final Segment s = new Segment(dir, baseOffset, ch, offsetIndex, timeIndex, config, nowMs);
            s.size = 0;
            s.openForAppend();
            return s;
        } catch (IOException | RuntimeException e) {
            if (offsetIndex != null) {
                offsetIndex.close();
            }
            ch.close();
            throw e;
        }
    }

    /**
     * An existing segment, as found on disk. Its indexes are opened as they are (every slot an
     * entry), or created empty when missing; {@link #indexesNeedRebuild} then says so. Call
     * {@link #loadNextOffset} or {@link #recover} before use.
     */
    static Segment open(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
        final Path log = LogFiles.logFile(dir, baseOffset);
        final FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
        OffsetIndex offsetIndex = null;
        try {
            final long length = ch.size();
            if (length > Integer.MAX_VALUE) {
                throw new IOException("segment larger than 2 GiB: file=" + log + ", length=" + length);
            }
            final Path indexPath = LogFiles.indexFile(dir, baseOffset);
            final Path timeIndexPath = LogFiles.timeIndexFile(dir, baseOffset);
            final boolean indexMissing = !Files.exists(indexPath);
            final boolean timeIndexMissing = !Files.exists(timeIndexPath);
            offsetIndex = indexMissing
                ? OffsetIndex.create(indexPath, baseOffset, config.segmentIndexBytes)
                : OffsetIndex.open(indexPath, baseOffset, config.segmentIndexBytes);
            final TimeIndex timeIndex = timeIndexMissing
                ? TimeIndex.create(timeIndexPath, baseOffset, config.segmentIndexBytes)
                : TimeIndex.open(timeIndexPath, baseOffset, config.segmentIndexBytes);
            final Segment s = new Segment(dir, baseOffset, ch, offsetIndex, timeIndex, config, nowMs);
            s.size = (int) length;
            s.indexesMissing = indexMissing || timeIndexMissing;
            return s;
        } catch (IOException | RuntimeException e) {
            if (offsetIndex != null) {
                offsetIndex.close();
            }
            ch.close();
            throw e;
        }
    }

    /** True if an index file was missing or does not look like a trimmed, consistent index. */
    boolean indexesNeedRebuild() {
        return indexesMissing || !offsetIndex.isSane(size) || !timeIndex.isSane(Long.MAX_VALUE);
    }

    /** Opens the raw write descriptor; the segment becomes the partition's active one. */
    void openForAppend() throws IOException {
        if (writeFd < 0) {
            final int fd = LibC.open(logFile.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                final int errno = LibC.errno();
                throw new IOException("open for append failed: file=" + logFile + ", errno=" + errno
                    + " (" + Errno.name(errno) + ")");
            }
            writeFd = fd;
        }
        active = true;
    }

    long baseOffset() {
        return baseOffset;
    }

    /** Bytes of complete batches; readers never look past it. */
    int size() {
        return size;
    }

    /** Offset after this segment's last batch ({@link #baseOffset} when empty). */
    long nextOffset() {
        return nextOffset;
    }

    FileChannel channel() {
        return channel;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    Path logFile() {
        return logFile;
    }

    boolean isActive() {
        return active;
    }

    long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    long offsetOfMaxTimestampSoFar() {
        return offsetOfMaxTimestampSoFar;
    }

    /** What retention compares with retention.ms: the largest timestamp, else the file's mtime (Kafka). */
    long largestTimestamp() throws IOException {
        if (maxTimestampSoFar >= 0) {
            return maxTimestampSoFar;
        }
        return Files.getLastModifiedTime(logFile).toMillis();
    }

    boolean sealedUnsynced() {
        return sealedUnsynced;
    }

    // ---------------------------------------------------------------------------------------------
    // Append path (append lock held)

    /** True if {@code offset} fits this segment's relative INT32 index entries. */
    boolean canConvertToRelativeOffset(long offset) {
        return offsetIndex.canAppendOffset(offset);
    }

    /**
     * Kafka's LogSegment.shouldRoll: the batch would push the segment past segment.bytes; or the
     * segment is non-empty and older than segment.ms (measured between the first batch's timestamp
     * and this batch's, or by the wall clock when the first batch has none); or an index is full; or
     * the batch's last offset does not fit a relative offset.
     */
    boolean shouldRoll(int batchSize, long batchMaxTimestamp, long batchLastOffset, long nowMs,
            LogConfig config) throws IOException {
        final int s = size;
        return s > config.segmentBytes - batchSize
            || (s > 0 && timeWaitedForRoll(nowMs, batchMaxTimestamp) > config.segmentMs)
            || offsetIndex.isFull()
            || timeIndex.isFull()
            || !canConvertToRelativeOffset(batchLastOffset);
    }

    long timeWaitedForRoll(long nowMs, long batchMaxTimestamp) throws IOException {
        loadRollingBasedTimestamp();
        if (rollingBasedTimestamp >= 0) {
            return batchMaxTimestamp - rollingBasedTimestamp;
        }
        return nowMs - createdMs;
    }

    /**
     * Writes one batch (its header already patched) at the end, then indexes it and publishes the
     * new size. On failure the file is cut back to where the batch started and nothing changes.
     *
     * @return 0, or the errno of the failed write
     */
    int append(AppendBatch batch, long lastOffset, long maxTimestamp, int batchSize) {
        if (tailDirty) {
            cutTail(size);
        }
        final int position = size;
        final GatherWriter writer = GatherWriter.forCurrentThread();
        final int errno = writer.write(writeFd, position, batch.headerAddress(), AppendBatch.HEADER_LENGTH,
            batch.payload());
        if (errno != 0) {
            cutTail(position);
            return errno;
        }
        if (position == 0) {
            rollingBasedTimestamp = maxTimestamp;
        }
        indexBatch(position, lastOffset, maxTimestamp, batchSize);
        nextOffset = lastOffset + 1;
        size = position + batchSize;
        return 0;
    }

    /** Bytes the calling thread's last failed write left behind before the cut, for the error message. */
    static long lastWriteProgress() {
        return GatherWriter.forCurrentThread().lastBytesWritten();
    }

    /** Kafka's per-batch index rule, shared by append and recovery. */
    private void indexBatch(int position, long lastOffset, long maxTimestamp, int batchSize) {
        if (maxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = maxTimestamp;
            offsetOfMaxTimestampSoFar = lastOffset;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(lastOffset, position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchSize;
    }

    /** Cuts the file back to {@code position} after a failed write; remembers a failed cut. */
    private void cutTail(int position) {
        try {
            if (channel.size() > position) {
                channel.truncate(position);
            }
            if (preallocate) {
                preallocate(channel, preallocateBytes);
            }
            tailDirty = false;
        } catch (IOException e) {
            // The next append overwrites from `position` anyway (pwritev at an explicit offset), and
            // recovery stops at the first invalid batch, so leftover bytes cannot become visible;
            // still retry the cut before the next write and on close.
            tailDirty = true;
            LOG.warn("Cutting a failed write back failed: file={}, position={}: {}", logFile, position, e.toString());
        }
    }

    private static void preallocate(FileChannel ch, int bytes) throws IOException {
        if (ch.size() < bytes) {
            // A sparse file of segment.bytes, like RandomAccessFile.setLength in Kafka's FileRecords.
            ch.write(ByteBuffer.wrap(new byte[1]), bytes - 1L);
        }
    }

    /**
     * The segment stops being active (roll): final time-index entry with the segment's max timestamp,
     * indexes and {@code .log} trimmed to their used sizes, write descriptor closed. The next flush
     * syncs the trimmed files.
     */
    void onBecomeInactive() throws IOException {
        try {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
            offsetIndex.trimToValidSize();
            timeIndex.trimToValidSize();
            if (channel.size() > size) {
                channel.truncate(size);
            }
            tailDirty = false;
        } finally {
            // Even if a trim failed the segment is no longer written; an untrimmed index left behind
            // fails the loader's sanity check and is rebuilt.
            closeWriteFd();
            active = false;
            sealedUnsynced = true;
        }
    }

    /** Expands the indexes back to segment.index.bytes (the active segment after loading). */
    void expandIndexes(int maxIndexSize) throws IOException {
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize);
    }

    // ---------------------------------------------------------------------------------------------
    // Flush (flusher thread)

    /**
     * fdatasync of the {@code .log} and msync of the indexes; a segment sealed since the last flush
     * gets a full fsync of all three files, so its trimmed lengths survive a power loss too.
     */
    void flush() throws IOException {
        final boolean sealed = sealedUnsynced;
        channel.force(sealed);
        offsetIndex.flush();
        timeIndex.flush();
        if (sealed) {
            forceFile(offsetIndex.file());
            forceFile(timeIndex.file());
            sealedUnsynced = false;
        }
    }

    private static void forceFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            // Deleted by retention meanwhile: nothing left to make durable.
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Loading and recovery (single thread, before the log is published)

    /**
     * For a segment trusted as it is (clean shutdown, or below the recovery point): finds the next
     * offset by scanning batch headers from the last index entry, and takes the max timestamp from
     * the time index's last entry (a cleanly closed segment ends with it).
     */
    void loadNextOffset(ByteBuffer scratch) throws IOException {
        final int s = size;
        int position = offsetIndex.entries() == 0 ? 0 : OffsetIndex.positionOf(offsetIndex.lookup(Long.MAX_VALUE));
        long next = baseOffset;
        while (position < s) {
            final int n = BatchHeaders.read(channel, position, s, scratch);
            if (n < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                break;
            }
            final int batchSize = BatchHeaders.batchSize(scratch);
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || (long) position + batchSize > s) {
                break;
            }
            next = BatchHeaders.lastOffset(scratch) + 1;
            position += batchSize;
        }
        if (position != s) {
            throw new IOException("segment does not end on a batch boundary: file=" + logFile + ", position=" + position
                + ", size=" + s);
        }
        nextOffset = next;
        maxTimestampSoFar = timeIndex.lastEntryTimestamp();
        offsetOfMaxTimestampSoFar = timeIndex.lastEntryOffset();
    }

    /** Result of {@link #recover}. */
    static final class RecoveryResult {
        int validBatches;
        int truncatedBytes;
        String reason;
    }

    /**
     * Kafka's LogSegment.recover: rebuilds both indexes from the {@code .log}, checking every batch
     * (complete, size &gt;= 61, magic 2, CRC-32C, offsets increasing, relative offset fits INT32), and
     * cuts the file at the first batch that fails. Indexes end trimmed with the final time-index
     * entry, as after a clean close. {@code scratch} (64 bytes) receives each header; {@code body} is
     * the read buffer.
     */
    RecoveryResult recover(ByteBuffer scratch, ByteBuffer body) throws IOException {
        final RecoveryResult result = new RecoveryResult();
        offsetIndex.resetEntries();
        timeIndex.resetEntries();
        maxTimestampSoFar = TimeIndex.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        bytesSinceLastIndexEntry = 0;
        final long fileSize = channel.size();
        int validBytes = 0;
        int lastIndexEntry = 0;
        long expectedMinOffset = baseOffset;
        final CRC32C crc = new CRC32C();
        final SequentialReader reader = new SequentialReader(channel, body, fileSize);
        while (validBytes < fileSize) {
            final int n = reader.copy(validBytes, RecordBatchLayout.RECORD_BATCH_OVERHEAD, scratch);
            if (n < RecordBatchLayout.LOG_OVERHEAD) {
                result.reason = "incomplete batch header at position " + validBytes;
                break;
            }
            final int batchSize = BatchHeaders.batchSize(scratch);
            if (batchSize < MIN_BATCH_SIZE) {
                result.reason = "batch size " + batchSize + " below " + MIN_BATCH_SIZE + " at position " + validBytes;
                break;
            }
            if (validBytes + (long) batchSize > fileSize) {
                result.reason = "incomplete batch at position " + validBytes + " (size " + batchSize + ", file ends at "
                    + fileSize + ")";
                break;
            }
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || n < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                result.reason = "batch size " + batchSize + " below the v2 header at position " + validBytes;
                break;
            }
            final byte magic = scratch.get(RecordBatchLayout.MAGIC_OFFSET);
            if (magic != RecordBatchLayout.MAGIC_V2) {
                result.reason = "magic " + magic + " at position " + validBytes;
                break;
            }
            final long batchBase = BatchHeaders.baseOffset(scratch);
            final int lastDelta = scratch.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
            final long batchLast = batchBase + lastDelta;
            if (lastDelta < 0 || batchBase < expectedMinOffset || !canConvertToRelativeOffset(batchLast)) {
                result.reason = "offsets out of order at position " + validBytes + " (baseOffset " + batchBase
                    + ", lastOffsetDelta " + lastDelta + ", expected at least " + expectedMinOffset + ")";
                break;
            }
            final long storedCrc = scratch.getInt(RecordBatchLayout.CRC_OFFSET) & 0xFFFF_FFFFL;
            crc.reset();
            reader.crc(validBytes + (long) RecordBatchLayout.CRC_COVERED_OFFSET, validBytes + (long) batchSize, crc);
            if (storedCrc != crc.getValue()) {
                result.reason = "CRC mismatch at position " + validBytes + " (baseOffset " + batchBase + ")";
                break;
            }
            final long batchMaxTimestamp = scratch.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
            if (validBytes == 0) {
                rollingBasedTimestamp = batchMaxTimestamp;
            }
            if (batchMaxTimestamp > maxTimestampSoFar) {
                maxTimestampSoFar = batchMaxTimestamp;
                offsetOfMaxTimestampSoFar = batchLast;
            }
            // Recovery measures the interval from the last entry's position, as Kafka's recover() does.
            if (validBytes - lastIndexEntry > indexIntervalBytes) {
                offsetIndex.append(batchLast, validBytes);
                timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, false);
                lastIndexEntry = validBytes;
            }
            validBytes += batchSize;
            expectedMinOffset = batchLast + 1;
            result.validBatches++;
        }
        result.truncatedBytes = (int) (fileSize - validBytes);
        if (result.truncatedBytes > 0) {
            channel.truncate(validBytes);
        }
        size = validBytes;
        nextOffset = expectedMinOffset;
        // Like a freshly opened Kafka LogSegment, appends after recovery count from zero again.
        bytesSinceLastIndexEntry = 0;
        offsetIndex.trimToValidSize();
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
        timeIndex.trimToValidSize();
        indexesMissing = false;
        return result;
    }

    /** Empties the segment down to its base offset (recovery could not read it). */
    void truncateFully() throws IOException {
        channel.truncate(0);
        offsetIndex.resetEntries();
        timeIndex.resetEntries();
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        size = 0;
        nextOffset = baseOffset;
        maxTimestampSoFar = TimeIndex.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        rollingBasedTimestamp = UNKNOWN_TIMESTAMP;
        bytesSinceLastIndexEntry = 0;
        indexesMissing = false;
    }

    private void loadRollingBasedTimestamp() throws IOException {
        if (rollingBasedTimestamp == UNKNOWN_TIMESTAMP && size >= RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
            final ByteBuffer b = ByteBuffer.allocate(RecordBatchLayout.RECORD_BATCH_OVERHEAD)
                .order(ByteOrder.BIG_ENDIAN);
            while (b.hasRemaining()) {
                if (channel.read(b, b.position()) < 0) {
                    return;
                }
            }
            rollingBasedTimestamp = b.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Close and delete

    /**
     * Clean close: what {@link #onBecomeInactive} does for an active segment, then fsync (data and
     * length) and release every handle.
     */
    void closeClean() throws IOException {
        try {
            if (active) {
                onBecomeInactive();
            }
            channel.force(true);
            forceFile(offsetIndex.file());
            forceFile(timeIndex.file());
        } finally {
            release();
        }
    }

    /** True once {@link #release} ran (the handles are closed). */
    boolean isReleased() {
        return released;
    }

    /** Releases every handle without trimming or syncing (crash simulation, deleted partition). */
    void release() {
        released = true;
        closeWriteFd();
        offsetIndex.close();
        timeIndex.close();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing segment failed: file={}: {}", logFile, e.toString());
        }
    }

    /** Renames the three files to {@code <name>.deleted}; handles stay open for reads in flight. */
    void renameToDeleted() throws IOException {
        closeWriteFd();
        active = false;
        final Path log = logFile;
        Files.move(log, log.resolveSibling(log.getFileName() + LogFiles.DELETED_SUFFIX));
        logFile = log.resolveSibling(log.getFileName() + LogFiles.DELETED_SUFFIX);
        offsetIndex.renameTo(offsetIndex.file().resolveSibling(offsetIndex.file().getFileName()
            + LogFiles.DELETED_SUFFIX));
        timeIndex.renameTo(timeIndex.file().resolveSibling(timeIndex.file().getFileName() + LogFiles.DELETED_SUFFIX));
    }

    /** Closes the handles and deletes the files (after the delete delay). */
    void deleteFiles() throws IOException {
        if (deleted) {
            return;
        }
        deleted = true;
        release();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(offsetIndex.file());
        Files.deleteIfExists(timeIndex.file());
    }

    private void closeWriteFd() {
        if (writeFd >= 0) {
            if (LibC.close(writeFd) != 0) {
                LOG.warn("close of the append descriptor failed: file={}, errno={}", logFile, LibC.errno());
            }
            writeFd = -1;
        }
    }

    /**
     * Test seam for storage-fault tests: replaces the append descriptor with one opened read-only
     * on the same file (every write then fails with EBADF, a real kernel error) or back.
     */
    void reopenWriteFdForTest(boolean readOnly) throws IOException {
        closeWriteFd();
        final int fd = LibC.open(logFile.toString(), (readOnly ? LibC.O_RDONLY : LibC.O_WRONLY) | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("reopen failed: file=" + logFile + ", errno=" + LibC.errno());
        }
        writeFd = fd;
    }

    /** Structural invariants; tests call it under {@code assert}. */
    boolean checkInvariants() throws IOException {
        final int s = size;
        if (s < 0 || (!deleted && channel.isOpen() && channel.size() < s)) {
            throw new IllegalStateException("segment size beyond its file: file=" + logFile + ", size=" + s);
        }
        if (nextOffset < baseOffset || (s == 0) != (nextOffset == baseOffset)) {
            throw new IllegalStateException("segment offsets inconsistent: file=" + logFile + ", baseOffset="
                + baseOffset + ", nextOffset=" + nextOffset + ", size=" + s);
        }
        if (active != (writeFd >= 0) && !deleted) {
            throw new IllegalStateException("active segment without descriptor (or the reverse): file=" + logFile
                + ", active=" + active + ", writeFd=" + writeFd);
        }
        if (!offsetIndex.isClosed()) {
            offsetIndex.checkInvariants();
            timeIndex.checkInvariants();
            if (offsetIndex.entries() > 0 && offsetIndex.lastOffset() >= nextOffset) {
                throw new IllegalStateException("index points past the segment: file=" + logFile + ", lastIndexOffset="
                    + offsetIndex.lastOffset() + ", nextOffset=" + nextOffset);
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Segment(baseOffset=" + baseOffset + ", size=" + size + ", nextOffset=" + nextOffset + ", active="
            + active + ")";
    }
}
