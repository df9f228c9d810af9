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
 * <p>Files and memory: while open, the {@code .log} is open through a {@link FileChannel} (reads,
 * truncate, fsync) and, while the segment is active, through a raw write descriptor for
 * {@code pwritev}; both name the same inode. Indexes are memory-mapped (see {@link OffsetIndex}).
 * What the segment knows about itself (size, offsets, timestamps) stays in memory; its handles may
 * be closed by the open-segment cache while it is inactive ({@link SegmentHandles}).
 *
 * <p>Threads: writes (append, roll, recovery, close) happen under the owning partition's append
 * lock. Readers on any thread use {@link #size()}, {@link #nextOffset()} and, between
 * {@link #acquireFiles} and {@link #release}, the channel for positional reads and index lookups;
 * a batch becomes visible to them only when the published size covers it, which happens after its
 * write has completed.
 *
 * <p>Somewhat over the project's 500 lines on purpose: what is left here is one job, the life of
 * one segment's content (append with Kafka's index rule, roll conditions, seal, flush, close and
 * delete), each step touching the same size, offsets and timestamps. The separable parts are
 * elsewhere: the handles and their reference count ({@link SegmentHandles}, {@link SegmentFiles})
 * and start-up loading and recovery ({@link SegmentRecovery}).
 */
final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    /** Kafka's LegacyRecord.RECORD_OVERHEAD_V0: a declared batch size below this is file-level corruption. */
    static final int MIN_BATCH_SIZE = 14;
    static final long UNKNOWN_TIMESTAMP = Long.MIN_VALUE;

    final long baseOffset;
    private final SegmentHandles handles;
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
    /** True when bytes past {@code size} may remain after a failed write whose truncate also failed. */
    private boolean tailDirty;
    /** True after the segment stopped being active until a flush synced its trimmed files. */
    private volatile boolean sealedUnsynced;
    private boolean deleted;
    /** True when {@link #open} found an index file missing (it was created empty). */
    private boolean indexesMissing;

    private Segment(Path dir, long baseOffset, SegmentFiles files, LogConfig config, long nowMs,
                    OpenSegmentCache cache) {
        this.baseOffset = baseOffset;
        this.handles = new SegmentHandles(dir, baseOffset, config.segmentIndexBytes, files, cache);
        this.indexIntervalBytes = config.indexIntervalBytes;
        this.preallocate = config.preallocate;
        this.preallocateBytes = config.segmentBytes;
        this.createdMs = nowMs;
        this.offsetOfMaxTimestampSoFar = baseOffset;
        this.nextOffset = baseOffset;
    }

    /** A new, empty, active segment; stale files with the same base offset are replaced. */
    static Segment create(Path dir, long baseOffset, LogConfig config, long nowMs, OpenSegmentCache cache)
            throws IOException {
        final SegmentFiles f = SegmentFiles.create(LogFiles.logFile(dir, baseOffset),
            LogFiles.indexFile(dir, baseOffset), LogFiles.timeIndexFile(dir, baseOffset), baseOffset, config);
        final Segment s = new Segment(dir, baseOffset, f, config, nowMs, cache);
        try {
            s.size = 0;
            s.openForAppend();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * An existing segment, as found on disk, with its handles open and outside the cache until the
     * loader parks it ({@link SegmentHandles#park}) or makes it active. Its indexes are opened as they are (every
     * slot an entry), or created empty when missing; {@link #indexesNeedRebuild} then says so. Load
     * its state ({@link SegmentRecovery}) before use.
     */
    static Segment open(Path dir, long baseOffset, LogConfig config, long nowMs, OpenSegmentCache cache)
            throws IOException {
        final SegmentFiles f = SegmentFiles.open(LogFiles.logFile(dir, baseOffset), LogFiles.indexFile(dir, baseOffset),
            LogFiles.timeIndexFile(dir, baseOffset), baseOffset, config.segmentIndexBytes, -1, -1);
        final Segment s = new Segment(dir, baseOffset, f, config, nowMs, cache);
        try {
            s.size = (int) f.channel.size();
        } catch (IOException e) {
            f.close(s.logFile());
            throw e;
        }
        s.indexesMissing = f.indexesCreated;
        return s;
    }

    /**
     * A segment the log cleaner wrote ({@link CleanedSegment}), opened from its {@code .cleaned} files before the swap
     * renames them ({@link SegmentSwap}): the handles already name the final files, the open channel and mappings
     * follow the renames (they hold the inodes). Trimmed and fsynced by the cleaner; load its state
     * ({@link SegmentRecovery#loadNextOffset}) before use.
     */
    static Segment openCleaned(Path dir, long baseOffset, LogConfig config, long nowMs, OpenSegmentCache cache,
                               Path log, Path index, Path timeIndex) throws IOException {
        final SegmentFiles f = SegmentFiles.open(log, index, timeIndex, baseOffset, config.segmentIndexBytes, -1, -1);
        final Segment s = new Segment(dir, baseOffset, f, config, nowMs, cache);
        try {
            s.size = (int) f.channel.size();
        } catch (IOException e) {
            f.close(log);
            throw e;
        }
        return s;
    }

    /** True if an index file was missing or does not look like a trimmed, consistent index. */
    boolean indexesNeedRebuild() {
        final SegmentFiles f = files();
        return indexesMissing || !f.offsetIndex.isSane(size) || !f.timeIndex.isSane(Long.MAX_VALUE);
    }

    /** Opens the raw write descriptor; the segment becomes the partition's active one (out of the cache). */
    void openForAppend() throws IOException {
        handles.activate();
        if (writeFd < 0) {
            final int fd = LibC.open(logFile().toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                final int errno = LibC.errno();
                throw new IOException("open for append failed: file=" + logFile() + ", errno=" + errno
                    + " (" + Errno.name(errno) + ")");
            }
            writeFd = fd;
        }
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

    /** The open handles without a reference: writer, loader and tests (see {@link SegmentHandles#files}). */
    SegmentFiles files() {
        return handles.files();
    }

    SegmentHandles handles() {
        return handles;
    }

    /** Pins the handles open for a reader; pair with {@link #release} (see {@link SegmentHandles}). */
    SegmentFiles acquireFiles() throws IOException {
        return handles.acquireFiles();
    }

    void release() {
        handles.release();
    }

    OffsetIndex offsetIndex() {
        return files().offsetIndex;
    }

    Path logFile() {
        return handles.logFile();
    }

    int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    boolean isActive() {
        return handles.isActive();
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
        return Files.getLastModifiedTime(logFile()).toMillis();
    }

    boolean sealedUnsynced() {
        return sealedUnsynced;
    }

    // ---------------------------------------------------------------------------------------------
    // Append path (append lock held)

    /** True if {@code offset} fits this segment's relative INT32 index entries. */
    boolean canConvertToRelativeOffset(long offset) {
        final long relative = offset - baseOffset;
        return relative >= 0 && relative <= Integer.MAX_VALUE;
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
        final SegmentFiles f = files();
        return s > config.segmentBytes - batchSize
            || (s > 0 && timeWaitedForRoll(nowMs, batchMaxTimestamp) > config.segmentMs)
            || f.offsetIndex.isFull()
            || f.timeIndex.isFull()
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
     * Real blocks for the index entries the next batch may add (see {@link #indexBatch}): one
     * offset-index slot, and two time-index slots (its entry and the final one written when the
     * segment is sealed). Called before the batch is written, so that a full disk is refused while
     * nothing has changed; usually it only compares two numbers.
     *
     * @throws IOException the reservation failed (ENOSPC when the disk is full)
     */
    void reserveIndexSpace() throws IOException {
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            final SegmentFiles f = files();
            f.offsetIndex.reserve(1);
            f.timeIndex.reserve(2);
        }
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

    /** Kafka's per-batch index rule ({@link #reserveIndexSpace} ran before the write). */
    private void indexBatch(int position, long lastOffset, long maxTimestamp, int batchSize) {
        if (maxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = maxTimestamp;
            offsetOfMaxTimestampSoFar = lastOffset;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            final SegmentFiles f = files();
            f.offsetIndex.append(lastOffset, position);
            f.timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchSize;
    }

    /** Cuts the file back to {@code position} after a failed write; remembers a failed cut. */
    private void cutTail(int position) {
        final FileChannel channel = files().channel;
        try {
            if (channel.size() > position) {
                channel.truncate(position);
            }
            if (preallocate) {
                SegmentFiles.preallocate(channel, preallocateBytes);
            }
            tailDirty = false;
        } catch (IOException e) {
            // The next append overwrites from `position` anyway (pwritev at an explicit offset), and
            // recovery stops at the first invalid batch, so leftover bytes cannot become visible;
            // still retry the cut before the next write and on close.
            tailDirty = true;
            LOG.warn("Cutting a failed write back failed: file={}, position={}: {}", logFile(), position, e.toString());
        }
    }

    /**
     * The segment stops being active (roll): final time-index entry with the segment's max timestamp,
     * indexes and {@code .log} trimmed to their used sizes, write descriptor closed; it then enters
     * the open-segment cache. The next flush syncs the trimmed files.
     */
    void onBecomeInactive() throws IOException {
        seal(true);
    }

    private void seal(boolean park) throws IOException {
        final SegmentFiles f = files();
        try {
            f.timeIndex.reserve(1);
            f.timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar, true);
            f.offsetIndex.trimToValidSize();
            f.timeIndex.trimToValidSize();
            if (f.channel.size() > size) {
                f.channel.truncate(size);
            }
            tailDirty = false;
        } finally {
            // Even if a trim failed the segment is no longer written; an untrimmed index left behind
            // fails the loader's sanity check and is rebuilt (and a reopen uses the entry counts).
            closeWriteFd();
            sealedUnsynced = true;
            handles.deactivate(park);
        }
    }

    /** Expands the indexes back to segment.index.bytes (the active segment after loading). */
    void expandIndexes(int maxIndexSize) throws IOException {
        final SegmentFiles f = files();
        f.offsetIndex.resize(maxIndexSize);
        f.timeIndex.resize(maxIndexSize);
    }

    /**
     * Kafka's {@code LogSegment.truncateTo} for a log truncated to {@code target} (append lock held; rare, not a hot
     * path): drops every batch holding offsets at or after {@code target} (a batch that straddles it goes whole, as
     * in Kafka), rebuilds both indexes from the batches that stay ({@link SegmentRecovery#recover}, which also
     * validates them), and makes the segment the active one again: indexes expanded to {@code maxIndexSize}, append
     * descriptor open. Costs one read of the segment. {@code scratch} (64 bytes) and {@code body} are the caller's
     * buffers.
     */
    void truncateToAndActivate(long target, int maxIndexSize, ByteBuffer scratch, ByteBuffer body)
            throws IOException {
        final SegmentFiles f = handles.activate();
        final int oldSize = size;
        final SequentialReader reader = new SequentialReader(f.channel, body, oldSize);
        int position = 0;
        while (position < oldSize) {
            if (reader.copy(position, RecordBatchLayout.RECORD_BATCH_OVERHEAD, scratch)
                    < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                break;
            }
            final int batchSize = BatchHeaders.batchSize(scratch);
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || BatchHeaders.lastOffset(scratch) >= target) {
                break;
            }
            position += batchSize;
        }
        // Readers never look past `size`: shrink it before the bytes go.
        size = position;
        f.channel.truncate(position);
        tailDirty = false;
        SegmentRecovery.recover(this, scratch, body, null);
        expandIndexes(maxIndexSize);
        openForAppend();
        // The shorter length is metadata: the next flush fsyncs the files fully, as after a seal.
        sealedUnsynced = true;
    }

    private void loadRollingBasedTimestamp() throws IOException {
        if (rollingBasedTimestamp == UNKNOWN_TIMESTAMP && size >= RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
            final FileChannel channel = files().channel;
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

    /**
     * Sets what loading or recovery found in the files ({@link SegmentRecovery}); index entries are
     * counted from zero again, as in a freshly opened Kafka LogSegment.
     */
    void restoreState(int size, long nextOffset, long maxTimestamp, long offsetOfMaxTimestamp,
                      long rollingBasedTimestamp, boolean indexesRebuilt) {
        this.size = size;
        this.nextOffset = nextOffset;
        this.maxTimestampSoFar = maxTimestamp;
        this.offsetOfMaxTimestampSoFar = offsetOfMaxTimestamp;
        if (rollingBasedTimestamp != UNKNOWN_TIMESTAMP || size == 0) {
            this.rollingBasedTimestamp = rollingBasedTimestamp;
        }
        this.bytesSinceLastIndexEntry = 0;
        if (indexesRebuilt) {
            this.indexesMissing = false;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Flush (flusher thread)

    /**
     * fdatasync of the {@code .log} and msync of the indexes; a segment sealed since the last flush
     * gets a full fsync of all three files, so its trimmed lengths survive a power loss too. Opens
     * the handles again if the cache closed them (dirty pages stay in the page cache meanwhile).
     */
    void flush() throws IOException {
        final SegmentFiles f = acquireFiles();
        try {
            final boolean sealed = sealedUnsynced;
            f.channel.force(sealed);
            f.offsetIndex.flush();
            f.timeIndex.flush();
            if (sealed) {
                forceFile(f.offsetIndex.file());
                forceFile(f.timeIndex.file());
                sealedUnsynced = false;
            }
        } finally {
            release();
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
    // Close and delete

    /**
     * Clean close: what {@link #onBecomeInactive} does for an active segment, then fsync (data and
     * length) and close for good.
     */
    void closeClean() throws IOException {
        try {
            final SegmentFiles f = acquireFiles();
            try {
                if (isActive()) {
                    seal(false);
                }
                f.channel.force(true);
                forceFile(f.offsetIndex.file());
                forceFile(f.timeIndex.file());
            } finally {
                release();
            }
        } finally {
            close();
        }
    }

    /** True once {@link #close} ran: no reader can acquire the segment any more. */
    boolean isClosed() {
        return handles.isClosed();
    }

    /**
     * Closes for good without trimming or syncing (crash simulation, deleted partition, deleted
     * files): the handles go now, or when the last reader releases them.
     */
    void close() {
        closeWriteFd();
        handles.close();
    }

    /** Renames the three files to {@code <name>.deleted}; readers may still acquire it meanwhile. */
    void renameToDeleted() throws IOException {
        closeWriteFd();
        handles.deactivate(false);
        handles.renameToDeleted();
    }

    /** Closes for good and deletes the files (after the delete delay). */
    void deleteFiles() throws IOException {
        if (deleted) {
            return;
        }
        deleted = true;
        closeWriteFd();
        handles.deleteFiles();
    }

    private void closeWriteFd() {
        if (writeFd >= 0) {
            if (LibC.close(writeFd) != 0) {
                LOG.warn("close of the append descriptor failed: file={}, errno={}", logFile(), LibC.errno());
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
        final int fd = LibC.open(logFile().toString(), (readOnly ? LibC.O_RDONLY : LibC.O_WRONLY) | LibC.O_CLOEXEC,
            0);
        if (fd < 0) {
            throw new IOException("reopen failed: file=" + logFile() + ", errno=" + LibC.errno());
        }
        writeFd = fd;
    }

    /** Structural invariants; tests call it under {@code assert}. */
    boolean checkInvariants() throws IOException {
        final int s = size;
        final SegmentFiles f = handles.checkInvariants();
        final boolean active = isActive();
        final Path logFile = logFile();
        if (s < 0 || (!deleted && f != null && f.channel.isOpen() && f.channel.size() < s)) {
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
        if (f != null && !f.offsetIndex.isClosed()) {
            f.offsetIndex.checkInvariants();
            f.timeIndex.checkInvariants();
            if (f.offsetIndex.entries() > 0 && f.offsetIndex.lastOffset() >= nextOffset) {
                throw new IllegalStateException("index points past the segment: file=" + logFile + ", lastIndexOffset="
                    + f.offsetIndex.lastOffset() + ", nextOffset=" + nextOffset);
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Segment(baseOffset=" + baseOffset + ", size=" + size + ", nextOffset=" + nextOffset + ", active="
            + isActive() + ")";
    }
}
