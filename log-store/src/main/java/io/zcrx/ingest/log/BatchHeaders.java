package io.zcrx.ingest.log;

import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads record batch headers (the first 61 bytes, {@link RecordBatchLayout}) out of a segment file
 * into a caller's scratch buffer, with positional reads (safe beside appends and other readers).
 */
final class BatchHeaders {
    private BatchHeaders() {
    }

    /**
     * Reads up to 61 bytes at {@code position}, not past {@code end}, into {@code scratch} (absolute
     * indices 0..n-1, big-endian).
     *
     * @return the number of bytes read (fewer than 61 at the end of the data)
     */
    static int read(FileChannel channel, long position, long end, ByteBuffer scratch) throws IOException {
        final int want = (int) Math.min(RecordBatchLayout.RECORD_BATCH_OVERHEAD, end - position);
        if (want <= 0) {
            return 0;
        }
        scratch.clear();
        scratch.limit(want);
        while (scratch.hasRemaining()) {
            final int n = channel.read(scratch, position + scratch.position());
            if (n < 0) {
                break;
            }
        }
        return scratch.position();
    }

    /** Whole batch size: batchLength + 12. */
    static int batchSize(ByteBuffer header) {
        return header.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET) + RecordBatchLayout.LOG_OVERHEAD;
    }

    static long baseOffset(ByteBuffer header) {
        return header.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET);
    }

    static long lastOffset(ByteBuffer header) {
        return header.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET)
            + header.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
    }

    static long maxTimestamp(ByteBuffer header) {
        return header.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
    }
}
