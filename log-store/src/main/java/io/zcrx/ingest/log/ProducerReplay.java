package io.zcrx.ingest.log;

import io.zcrx.ingest.log.producer.ProducerEntry;
import io.zcrx.ingest.log.producer.ProducerStateTable;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Rebuilding producer state from the log (Kafka's {@code UnifiedLog.rebuildProducerState} replay loop): every
 * idempotent batch of a segment in an offset range is fed to the producer-state table, as if appended again. Used by
 * the loader at start-up and by {@link LogTruncation} after a truncation; runs on the caller's thread with the
 * caller's buffers.
 */
final class ProducerReplay {
    private ProducerReplay() {
    }

    /**
     * Feeds {@code producers} every idempotent batch of {@code s} that holds offsets in [from, end). {@code scratch}
     * (64 bytes) receives each header, {@code body} is the read buffer. Returns the number of batches replayed.
     */
    static int replay(Segment s, long from, long end, ProducerStateTable producers, ByteBuffer scratch,
                      ByteBuffer body) throws IOException {
        final SegmentFiles f = s.acquireFiles();
        try {
            final int size = s.size();
            final SequentialReader reader = new SequentialReader(f.channel, body, size);
            int position = 0;
            int n = 0;
            while (position < size) {
                final int headerBytes = reader.copy(position, RecordBatchLayout.RECORD_BATCH_OVERHEAD, scratch);
                if (headerBytes < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                    break;
                }
                final int batchSize = BatchHeaders.batchSize(scratch);
                if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                    break;
                }
                final long base = BatchHeaders.baseOffset(scratch);
                final long last = BatchHeaders.lastOffset(scratch);
                if (base >= end) {
                    break;
                }
                final long producerId = scratch.getLong(RecordBatchLayout.PRODUCER_ID_OFFSET);
                if (last >= from && producerId >= 0) {
                    final int baseSequence = scratch.getInt(RecordBatchLayout.BASE_SEQUENCE_OFFSET);
                    final int delta = (int) (last - base);
                    producers.update(producerId, scratch.getShort(RecordBatchLayout.PRODUCER_EPOCH_OFFSET),
                        baseSequence < 0 ? ProducerEntry.NO_SEQUENCE
                            : ProducerEntry.incrementSequence(baseSequence, delta),
                        last, delta, BatchHeaders.maxTimestamp(scratch));
                    n++;
                }
                position += batchSize;
            }
            return n;
        } finally {
            s.release();
        }
    }
}
