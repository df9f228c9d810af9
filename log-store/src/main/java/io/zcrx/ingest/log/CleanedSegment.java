package io.zcrx.ingest.log;

import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.log.index.TimeIndex;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment a clean writes (Kafka's {@code UnifiedLog.createNewCleanedSegment}): {@code <base>.log.cleaned} with its
 * {@code .index.cleaned} and {@code .timeindex.cleaned}, filled with the retained batches of a group of old segments
 * ({@link #append}, Kafka's index rule per batch), then sealed and fsynced ({@link #seal}) and handed to
 * {@link PartitionLog#replaceSegments}, which renames it to {@code .swap} and then to the final names under the
 * partition's append lock (see docs/compaction.md for the whole protocol and what recovery does with leftovers).
 *
 * <p>Owned by one cleaner thread; nothing else sees the files until the swap.
 */
public final class CleanedSegment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CleanedSegment.class);

    private final Path dir;
    private final long baseOffset;
    private final int indexIntervalBytes;
    final Path logFile;
    final Path indexFile;
    final Path timeIndexFile;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private int size;
    private long nextOffset;
    private long maxTimestamp = TimeIndex.NO_TIMESTAMP;
    private long offsetOfMaxTimestamp;
    private int bytesSinceLastIndexEntry;
    private boolean closed;

    private CleanedSegment(Path dir, long baseOffset, LogConfig config) throws IOException {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.indexIntervalBytes = config.indexIntervalBytes;
        this.logFile = cleanedName(LogFiles.logFile(dir, baseOffset));
        this.indexFile = cleanedName(LogFiles.indexFile(dir, baseOffset));
        this.timeIndexFile = cleanedName(LogFiles.timeIndexFile(dir, baseOffset));
        this.nextOffset = baseOffset;
        this.offsetOfMaxTimestamp = baseOffset;
        // A leftover of an abandoned clean (the loader deletes them at start-up; a clean abandoned at run time too).
        Files.deleteIfExists(indexFile);
        Files.deleteIfExists(timeIndexFile);
        this.channel = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        OffsetIndex oi = null;
        try {
            oi = OffsetIndex.create(indexFile, baseOffset, config.segmentIndexBytes);
            this.timeIndex = TimeIndex.create(timeIndexFile, baseOffset, config.segmentIndexBytes);
            this.offsetIndex = oi;
        } catch (IOException | RuntimeException e) {
            if (oi != null) {
                oi.close();
            }
            channel.close();
            throw e;
        }
    }

    static CleanedSegment create(Path dir, long baseOffset, LogConfig config) throws IOException {
        return new CleanedSegment(dir, baseOffset, config);
    }

    static Path cleanedName(Path file) {
        return file.resolveSibling(file.getFileName() + LogFiles.CLEANED_SUFFIX);
    }

    static Path swapName(Path file) {
        return file.resolveSibling(file.getFileName() + LogFiles.SWAP_SUFFIX);
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Bytes written so far. */
    public int sizeInBytes() {
        return size;
    }

    /** The offset after the last batch written (the base offset while empty). */
    public long nextOffset() {
        return nextOffset;
    }

    Path dir() {
        return dir;
    }

    /**
     * Appends the whole v2 batches in {@code batches} (position to limit; offsets increasing, all at or above the
     * base offset and within 2^31 of it), indexing them as an append does. {@code batches}' position is not changed.
     *
     * @throws IOException a write failed; the caller abandons the clean ({@link #close} deletes the files)
     */
    public void append(ByteBuffer batches) throws IOException {
        int pos = batches.position();
        final int limit = batches.limit();
        final int start = size;
        while (pos < limit) {
            if (limit - pos < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                throw new IllegalArgumentException("partial batch header handed to the cleaned segment: file="
                    + logFile + ", remaining=" + (limit - pos));
            }
            final int batchSize = batches.getInt(pos + RecordBatchLayout.BATCH_LENGTH_OFFSET)
                + RecordBatchLayout.LOG_OVERHEAD;
            final long base = batches.getLong(pos + RecordBatchLayout.BASE_OFFSET_OFFSET);
            final long last = base + batches.getInt(pos + RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || batchSize > limit - pos || base < nextOffset
                    || last - baseOffset > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("bad batch handed to the cleaned segment: file=" + logFile
                    + ", baseOffset=" + base + ", lastOffset=" + last + ", batchSize=" + batchSize + ", nextOffset="
                    + nextOffset);
            }
            final long batchMaxTimestamp = batches.getLong(pos + RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
            final int position = start + (pos - batches.position());
            // An emptied batch (kept for its producer or offsets) has no record to carry its timestamp: Kafka's
            // DumpLogSegments checks time-index entries against records, so it never becomes one.
            final boolean empty = batches.getInt(pos + RecordBatchLayout.RECORDS_COUNT_OFFSET) == 0;
            if (!empty && batchMaxTimestamp > maxTimestamp) {
                maxTimestamp = batchMaxTimestamp;
                offsetOfMaxTimestamp = last;
            }
            if (bytesSinceLastIndexEntry > indexIntervalBytes) {
                offsetIndex.reserve(1);
                timeIndex.reserve(2);
                offsetIndex.append(last, position);
                timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, false);
                bytesSinceLastIndexEntry = 0;
            }
            bytesSinceLastIndexEntry += batchSize;
            nextOffset = last + 1;
            pos += batchSize;
        }
        final ByteBuffer src = batches.duplicate();
        long at = start;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
        size = (int) at;
    }

    /**
     * Kafka's {@code onBecomeInactiveSegment} plus {@code flush} for the cleaned segment: final time-index entry,
     * trimmed indexes, everything fsynced, and the {@code .log}'s mtime set to {@code lastModifiedMs} (the newest
     * old segment's, as Kafka keeps it: the next clean's tombstone horizon and time retention measure from it).
     */
    public void seal(long lastModifiedMs) throws IOException {
        timeIndex.reserve(1);
        timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, true);
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        if (channel.size() > size) {
            channel.truncate(size);
        }
        channel.force(true);
        offsetIndex.flush();
        timeIndex.flush();
        for (Path p : new Path[] {indexFile, timeIndexFile}) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
        Files.setLastModifiedTime(logFile, FileTime.fromMillis(lastModifiedMs));
    }

    /** Closes the handles (the swap reopened the files as a live segment, or the clean is abandoned). */
    void closeHandles() {
        if (closed) {
            return;
        }
        closed = true;
        offsetIndex.close();
        timeIndex.close();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing cleaned segment failed: file={}: {}", logFile, e.toString());
        }
    }

    /**
     * Abandons the clean: closes the handles and deletes the {@code .cleaned} (and any {@code .swap}) files of this
     * base offset. Called after a successful swap it finds nothing left to delete.
     */
    @Override
    public void close() {
        closeHandles();
        for (Path p : new Path[] {logFile, indexFile, timeIndexFile}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("Deleting abandoned cleaned file failed (the next start deletes it): file={}: {}", p,
                    e.toString());
            }
        }
    }

    /** fsync of the partition directory after the renames. */
    void syncDir() throws IOException {
        AtomicFiles.fsyncDirectory(dir);
    }

    @Override
    public String toString() {
        return "CleanedSegment(baseOffset=" + baseOffset + ", size=" + size + ", nextOffset=" + nextOffset + ")";
    }
}
