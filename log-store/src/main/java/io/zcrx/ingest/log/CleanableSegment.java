package io.zcrx.ingest.log;

import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.log.index.TimeIndex;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

/**
 * What the log cleaner ({@code io.zcrx.ingest.log.cleaner}) may see of one inactive segment: its offsets, sizes and
 * times, and positional reads of its bytes. A handle on one segment <em>as it was</em> when
 * {@link PartitionLog#cleanableSegments} listed it: {@link PartitionLog#replaceSegments} checks by identity that the
 * segments a clean read are still the log's before it swaps the cleaned one in.
 *
 * <p>Reads pin the segment's files for their duration only ({@link Segment#acquireFiles}), so the open-segment cache
 * and retention may close or rename it in between; a segment closed for good (deleted by retention
 * {@code file.delete.delay.ms} ago) fails the read with an IOException, and the clean of that log is abandoned.
 * Any thread.
 */
public final class CleanableSegment {
    final Segment segment;

    CleanableSegment(Segment segment) {
        this.segment = segment;
    }

    public long baseOffset() {
        return segment.baseOffset();
    }

    /** Bytes of whole batches. */
    public int sizeInBytes() {
        return segment.size();
    }

    /** The offset after the last batch (the base offset when empty). */
    public long nextOffset() {
        return segment.nextOffset();
    }

    /** Kafka's {@code LogSegment.largestTimestamp}: the largest batch timestamp, else the file's mtime. */
    public long largestTimestamp() throws IOException {
        return segment.largestTimestamp();
    }

    /** The {@code .log} file's mtime (Kafka's {@code LogSegment.lastModified}). */
    public long lastModifiedMs() throws IOException {
        return Files.getLastModifiedTime(segment.logFile()).toMillis();
    }

    /** Bytes of offset-index entries (what Kafka's cleaner sums when it groups segments). */
    public long offsetIndexBytes() throws IOException {
        final SegmentFiles f = segment.acquireFiles();
        try {
            return (long) f.offsetIndex.entries() * OffsetIndex.ENTRY_LENGTH;
        } finally {
            segment.release();
        }
    }

    /** Bytes of time-index entries. */
    public long timeIndexBytes() throws IOException {
        final SegmentFiles f = segment.acquireFiles();
        try {
            return (long) f.timeIndex.entries() * TimeIndex.ENTRY_LENGTH;
        } finally {
            segment.release();
        }
    }

    /**
     * Kafka's {@code LogSegment.getFirstBatchTimestamp}: the max timestamp of the first batch (what
     * {@code max.compaction.lag.ms} measures from), or {@link Long#MAX_VALUE} for an empty segment.
     */
    public long firstBatchTimestamp() throws IOException {
        if (segment.size() < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
            return Long.MAX_VALUE;
        }
        final ByteBuffer header = ByteBuffer.allocate(RecordBatchLayout.RECORD_BATCH_OVERHEAD)
            .order(ByteOrder.BIG_ENDIAN);
        read(header, 0);
        return header.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
    }

    /**
     * The position of the batch holding {@code offset} or an earlier one (the offset index's floor entry; 0 without
     * one), where a scan for {@code offset} may start.
     */
    public int positionAtOrBefore(long offset) throws IOException {
        final SegmentFiles f = segment.acquireFiles();
        try {
            return OffsetIndex.positionOf(f.offsetIndex.lookup(offset));
        } finally {
            segment.release();
        }
    }

    /**
     * Reads from {@code position} into {@code dst} until it is full or the segment's whole batches end; returns the
     * bytes read (0 at the end). {@code dst}'s position advances by that much.
     */
    public int read(ByteBuffer dst, int position) throws IOException {
        final int size = segment.size();
        final SegmentFiles f = segment.acquireFiles();
        try {
            final int want = Math.min(dst.remaining(), Math.max(0, size - position));
            final ByteBuffer window = dst.duplicate();
            window.limit(window.position() + want);
            long at = position;
            while (window.hasRemaining()) {
                final int n = f.channel.read(window, at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
            final int read = window.position() - dst.position();
            dst.position(window.position());
            return read;
        } finally {
            segment.release();
        }
    }

    @Override
    public String toString() {
        return segment.toString();
    }
}
