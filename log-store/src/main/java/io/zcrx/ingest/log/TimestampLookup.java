package io.zcrx.ingest.log;

import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * ListOffsets for one partition ({@link PartitionLog#offsetForTimestamp}): the special timestamps
 * from the log's offsets, a timestamp through each segment's time index and a scan of the batch
 * it leads to (Kafka's {@code LogSegment.findOffsetByTimestamp}).
 *
 * <p>Threads: any thread. The per-segment maximum timestamps are writer state and are copied under
 * the append lock; the files are read outside it, each segment acquired while it is searched.
 */
final class TimestampLookup {
    private static final short NOT_LEADER_OR_FOLLOWER = Errors.NOT_LEADER_OR_FOLLOWER.code();
    private static final short KAFKA_STORAGE_ERROR = Errors.KAFKA_STORAGE_ERROR.code();

    private final PartitionLog log;
    private final TopicPartition topicPartition;

    TimestampLookup(PartitionLog log) {
        this.log = log;
        this.topicPartition = log.topicPartition();
    }

    /** See {@link PartitionLog#offsetForTimestamp}. */
    void offsetForTimestamp(long targetTimestamp, OffsetLookup out) {
        out.reset();
        if (log.isClosed()) {
            out.errorCode = NOT_LEADER_OR_FOLLOWER;
            out.errorMessage = "partition closed or deleted: partition=" + topicPartition;
            return;
        }
        if (targetTimestamp == OffsetLookup.LATEST_TIMESTAMP) {
            out.offset = log.logEndOffset();
            return;
        }
        if (targetTimestamp == OffsetLookup.EARLIEST_TIMESTAMP) {
            out.offset = log.logStartOffset();
            return;
        }
        if (targetTimestamp < 0 && targetTimestamp != OffsetLookup.MAX_TIMESTAMP) {
            out.errorCode = Errors.UNSUPPORTED_VERSION.code();
            out.errorMessage = "unsupported special timestamp: partition=" + topicPartition + ", timestamp="
                + targetTimestamp;
            return;
        }
        final Segment[] segs;
        final long[] maxTimestamps;
        final long[] maxTimestampOffsets;
        final long end;
        final long start;
        synchronized (log.appendLock) {
            // The per-segment maximum is writer state; copy it under the lock, scan files outside it.
            segs = log.segments();
            end = log.logEndOffset();
            start = log.logStartOffset();
            maxTimestamps = new long[segs.length];
            maxTimestampOffsets = new long[segs.length];
            for (int i = 0; i < segs.length; i++) {
                maxTimestamps[i] = segs[i].maxTimestampSoFar();
                maxTimestampOffsets[i] = segs[i].offsetOfMaxTimestampSoFar();
            }
        }
        try {
            if (targetTimestamp == OffsetLookup.MAX_TIMESTAMP) {
                int best = -1;
                for (int i = 0; i < segs.length; i++) {
                    if (maxTimestamps[i] >= 0 && (best < 0 || maxTimestamps[i] > maxTimestamps[best])) {
                        best = i;
                    }
                }
                if (best >= 0) {
                    searchRecords(segs[best], maxTimestampOffsets[best], false, maxTimestamps[best], start, end, true,
                        out);
                }
                return;
            }
            for (int i = 0; i < segs.length; i++) {
                if (maxTimestamps[i] >= targetTimestamp) {
                    searchRecords(segs[i], start, true, targetTimestamp, start, end, false, out);
                    if (out.offset >= 0) {
                        return;
                    }
                }
            }
        } catch (IOException | IllegalStateException e) {
            out.errorCode = log.isClosed() ? NOT_LEADER_OR_FOLLOWER : KAFKA_STORAGE_ERROR;
            out.errorMessage = "offset lookup failed: partition=" + topicPartition + ", timestamp=" + targetTimestamp
                + ": " + e;
        }
    }

    /**
     * Scans batches of {@code s} from the one the offset index gives for {@code fromOffset} (with
     * {@code viaTimeIndex}: for the larger of {@code fromOffset} and the time index's offset for
     * {@code timestamp}); in the first batch whose max timestamp qualifies, finds the first record
     * with timestamp &gt;= (or, for MAX_TIMESTAMP, ==) {@code timestamp} and offset &gt;=
     * {@code minOffset}.
     */
    private static void searchRecords(Segment s, long fromOffset, boolean viaTimeIndex, long timestamp,
                                      long minOffset, long end, boolean exact, OffsetLookup out) throws IOException {
        final SegmentFiles f = s.acquireFiles();
        try {
            final long from = viaTimeIndex ? Math.max(f.timeIndex.lookup(timestamp), fromOffset) : fromOffset;
            final ByteBuffer scratch = ByteBuffer.allocate(RecordBatchLayout.RECORD_BATCH_OVERHEAD)
                .order(ByteOrder.BIG_ENDIAN);
            final int size = s.size();
            int position = OffsetIndex.positionOf(f.offsetIndex.lookup(from));
            while (position < size) {
                if (BatchHeaders.read(f.channel, position, size, scratch) < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                    return;
                }
                final int batchSize = BatchHeaders.batchSize(scratch);
                if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || (long) position + batchSize > size
                        || BatchHeaders.baseOffset(scratch) >= end) {
                    return;
                }
                final long batchMax = BatchHeaders.maxTimestamp(scratch);
                if ((exact ? batchMax == timestamp : batchMax >= timestamp)
                        && BatchHeaders.lastOffset(scratch) >= minOffset) {
                    final ByteBuffer whole = ByteBuffer.allocate(batchSize);
                    while (whole.hasRemaining()) {
                        if (f.channel.read(whole, position + (long) whole.position()) < 0) {
                            throw new IOException("short read: file=" + s.logFile() + ", position=" + position);
                        }
                    }
                    whole.flip();
                    for (RecordBatch batch : MemoryRecords.readableRecords(whole).batches()) {
                        for (Record record : batch) {
                            final long ts = record.timestamp();
                            if ((exact ? ts == timestamp : ts >= timestamp) && record.offset() >= minOffset) {
                                out.offset = record.offset();
                                out.timestamp = ts;
                                return;
                            }
                        }
                    }
                }
                position += batchSize;
            }
        } finally {
            s.release();
        }
    }
}
