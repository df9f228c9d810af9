package io.zcrx.ingest.log;

import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.log.index.TimeIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open handles of one segment: the {@code .log} channel and the two memory-mapped indexes. A
 * segment holds one of these while it is open; the open-segment cache may close an inactive
 * segment's handles (one descriptor and two mappings) and the segment opens a new set when it is
 * read again, so this is the unit the cache counts.
 *
 * <p>Not thread-safe on its own: {@link SegmentHandles} decides when it may be closed (when no
 * reader holds it).
 */
final class SegmentFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentFiles.class);

    final FileChannel channel;
    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    /** True when an index file was missing on open and was created empty. */
    final boolean indexesCreated;

    private SegmentFiles(FileChannel channel, OffsetIndex offsetIndex, TimeIndex timeIndex, boolean indexesCreated) {
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexesCreated = indexesCreated;
    }

    /** New, empty files for a new active segment; stale files with the same names are replaced. */
    static SegmentFiles create(Path log, Path index, Path timeIndexFile, long baseOffset, LogConfig config)
            throws IOException {
        final FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        OffsetIndex offsetIndex = null;
        try {
            if (config.preallocate) {
                preallocate(ch, config.segmentBytes);
            }
            offsetIndex = OffsetIndex.create(index, baseOffset, config.segmentIndexBytes);
            final TimeIndex timeIndex = TimeIndex.create(timeIndexFile, baseOffset, config.segmentIndexBytes);
            return new SegmentFiles(ch, offsetIndex, timeIndex, false);
        } catch (IOException | RuntimeException e) {
            if (offsetIndex != null) {
                offsetIndex.close();
            }
            ch.close();
            throw e;
        }
    }

    /**
     * Existing files. A missing index is created empty ({@link #indexesCreated} says so).
     *
     * @param offsetEntries entries of the {@code .index}; -1: every slot of the file (a file found
     *                      on disk), otherwise the count the segment had when it was closed
     * @param timeEntries   the same for the {@code .timeindex}
     */
    static SegmentFiles open(Path log, Path index, Path timeIndexFile, long baseOffset, int maxIndexSize,
                             int offsetEntries, int timeEntries) throws IOException {
        final FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
        OffsetIndex offsetIndex = null;
        try {
            final long length = ch.size();
            if (length > Integer.MAX_VALUE) {
                throw new IOException("segment larger than 2 GiB: file=" + log + ", length=" + length);
            }
            final boolean indexMissing = !Files.exists(index);
            final boolean timeIndexMissing = !Files.exists(timeIndexFile);
            offsetIndex = indexMissing
                ? OffsetIndex.create(index, baseOffset, maxIndexSize)
                : OffsetIndex.reopen(index, baseOffset, maxIndexSize, offsetEntries);
            final TimeIndex timeIndex = timeIndexMissing
                ? TimeIndex.create(timeIndexFile, baseOffset, maxIndexSize)
                : TimeIndex.reopen(timeIndexFile, baseOffset, maxIndexSize, timeEntries);
            return new SegmentFiles(ch, offsetIndex, timeIndex, indexMissing || timeIndexMissing);
        } catch (IOException | RuntimeException e) {
            if (offsetIndex != null) {
                offsetIndex.close();
            }
            ch.close();
            throw e;
        }
    }

    /** A sparse {@code .log} of {@code bytes}, like RandomAccessFile.setLength in Kafka's FileRecords. */
    static void preallocate(FileChannel ch, int bytes) throws IOException {
        if (ch.size() < bytes) {
            ch.write(ByteBuffer.wrap(new byte[1]), bytes - 1L);
        }
    }

    /** Unmaps the indexes and closes the channel (nothing is trimmed or synced). */
    void close(Path logFile) {
        offsetIndex.close();
        timeIndex.close();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing segment failed: file={}: {}", logFile, e.toString());
        }
    }
}
