package io.zcrx.ingest.log;

import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fetch read path of one partition ({@link PartitionLog#read}): finds the region of a segment
 * file that holds whole batches from the one containing the fetch offset, for a zero-copy send.
 * Also the segment and batch searches the offset lookups share ({@link #floorSegment},
 * {@link #findBatch}).
 *
 * <pre>
 *   segments: [ seg | seg | seg holding fetchOffset | ... | active ]   floorSegment: binary search on bases
 *   segment:  offset index lookup -&gt; a position at or before the batch -&gt; scan headers
 *             -&gt; first batch with lastOffset &gt;= fetchOffset
 *   region:   [ that batch, then whole batches while &lt;= maxBytes )   never past the log end read first
 *             (consumers: never past the high watermark; followers: up to the log end)
 * </pre>
 *
 * <p>Threads: any thread, without the append lock: the log end offset is read first and everything
 * below it is completely written. Each segment is acquired while it is searched; the segment of a
 * returned region stays acquired by the {@link FetchRegion} until its next read or reset, so the
 * open-segment cache cannot close the channel under the caller.
 */
final class LogReader {
    private static final Logger LOG = LoggerFactory.getLogger(LogReader.class);
    private static final short NOT_LEADER_OR_FOLLOWER = Errors.NOT_LEADER_OR_FOLLOWER.code();
    private static final short OFFSET_OUT_OF_RANGE = Errors.OFFSET_OUT_OF_RANGE.code();
    private static final short KAFKA_STORAGE_ERROR = Errors.KAFKA_STORAGE_ERROR.code();

    private final PartitionLog log;
    private final TopicPartition topicPartition;

    LogReader(PartitionLog log) {
        this.log = log;
        this.topicPartition = log.topicPartition();
    }

    /** See {@link PartitionLog#read}. */
    void read(long fetchOffset, int maxBytes, boolean minOneBatch, boolean upToLogEnd, FetchRegion out) {
        out.reset();
        // The high watermark before the end: it never exceeds the end read after it.
        final long hw = log.highWatermark();
        // Read the end first: everything below it is completely written, whatever is read after.
        final long end = log.logEndOffset();
        final long start = log.logStartOffset();
        // Consumers see committed batches only; followers read everything (they make it committed).
        final long limit = upToLogEnd ? end : Math.min(hw, end);
        out.highWatermark = Math.min(hw, end);
        out.logEndOffset = end;
        out.logStartOffset = start;
        if (log.isClosed()) {
            out.fail(NOT_LEADER_OR_FOLLOWER, "partition closed or deleted: partition=" + topicPartition);
            return;
        }
        if (fetchOffset < start || fetchOffset > end) {
            out.fail(OFFSET_OUT_OF_RANGE, "fetch offset outside the log: partition=" + topicPartition + ", fetchOffset="
                + fetchOffset + ", logStartOffset=" + start + ", logEndOffset=" + end);
            return;
        }
        if (fetchOffset >= limit) {
            return;
        }
        final ByteBuffer scratch = out.headerScratch;
        final Segment[] segs = log.segments();
        try {
            for (int i = floorSegment(segs, fetchOffset); i < segs.length; i++) {
                final Segment s = segs[i];
                final SegmentFiles f = s.acquireFiles();
                boolean handedOut = false;
                try {
                    final int size = s.size();
                    final int first = findBatch(f, fetchOffset, size, limit, scratch);
                    if (first < 0) {
                        continue;
                    }
                    final long firstBase = BatchHeaders.baseOffset(scratch);
                    long length = 0;
                    int position = first;
                    while (position < size) {
                        if (position != first && BatchHeaders.read(f.channel, position, size, scratch)
                                < RecordBatchLayout.LOG_OVERHEAD) {
                            break;
                        }
                        final int batchSize = BatchHeaders.batchSize(scratch);
                        if (batchSize < Segment.MIN_BATCH_SIZE || (long) position + batchSize > size
                                || BatchHeaders.baseOffset(scratch) >= limit) {
                            break;
                        }
                        if (length + batchSize > maxBytes) {
                            if (length == 0 && minOneBatch) {
                                length = batchSize;
                            }
                            break;
                        }
                        length += batchSize;
                        position += batchSize;
                    }
                    if (length > 0) {
                        out.hold(s.handles(), f.channel, first, (int) length, firstBase);
                        handedOut = true;
                    }
                    return;
                } finally {
                    if (!handedOut) {
                        s.release();
                    }
                }
            }
        } catch (IOException | IllegalStateException e) {
            failRead(out, fetchOffset, e);
        }
    }

    private void failRead(FetchRegion out, long fetchOffset, Exception e) {
        if (log.isClosed()) {
            out.fail(NOT_LEADER_OR_FOLLOWER, "partition closed or deleted: partition=" + topicPartition);
        } else {
            final String message = "read failed: partition=" + topicPartition + ", fetchOffset=" + fetchOffset + ": "
                + e;
            LOG.warn(message);
            out.fail(KAFKA_STORAGE_ERROR, message);
        }
    }

    /** Index of the segment whose base offset is the largest &lt;= {@code offset} (0 if none). */
    static int floorSegment(Segment[] segs, long offset) {
        int lo = 0;
        int hi = segs.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (segs[mid].baseOffset() <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * Position of the first batch in the acquired segment {@code f} whose last offset is &gt;=
     * {@code target} (its header left in {@code scratch}), looking only at batches inside
     * {@code size} and below {@code end}; -1 if there is none.
     */
    static int findBatch(SegmentFiles f, long target, int size, long end, ByteBuffer scratch) throws IOException {
        int position = OffsetIndex.positionOf(f.offsetIndex.lookup(target));
        while (position < size) {
            if (BatchHeaders.read(f.channel, position, size, scratch) < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                return -1;
            }
            final int batchSize = BatchHeaders.batchSize(scratch);
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || (long) position + batchSize > size
                    || BatchHeaders.baseOffset(scratch) >= end) {
                return -1;
            }
            if (BatchHeaders.lastOffset(scratch) >= target) {
                return position;
            }
            position += batchSize;
        }
        return -1;
    }
}
