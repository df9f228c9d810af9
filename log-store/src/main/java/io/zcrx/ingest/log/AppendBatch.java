package io.zcrx.ingest.log;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.protocol.bytes.GatherList;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One validated record batch on its way into a partition log: a private copy of its 61-byte
 * header (which the log patches: baseOffset, partitionLeaderEpoch) and the rest of the batch as
 * (address, length) ranges still sitting in receive memory. The append writes both with one
 * gather write; the payload is never copied into the heap.
 *
 * <pre>
 *   file:  [ header copy (61 bytes, patched) | payload range 0 | payload range 1 | ... ]
 * </pre>
 *
 * <p>One per reactor thread, reused for every batch. Not thread-safe.
 */
public final class AppendBatch {
    public static final int HEADER_LENGTH = RecordBatchLayout.RECORD_BATCH_OVERHEAD;

    private final ByteBuffer header = ByteBuffer.allocateDirect(64).order(ByteOrder.BIG_ENDIAN);
    private final long headerAddress = Pointer.nativeValue(Native.getDirectBufferPointer(header));
    private final GatherList payload = new GatherList();

    /** The header copy, big-endian, absolute indices 0..60. */
    public ByteBuffer header() {
        return header;
    }

    public long headerAddress() {
        return headerAddress;
    }

    /** Batch bytes [61, batchLength) as native ranges, in order. */
    public GatherList payload() {
        return payload;
    }

    /** Whole batch size in bytes (header + payload), from the header's batchLength field. */
    public int sizeInBytes() {
        return header.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET) + RecordBatchLayout.LOG_OVERHEAD;
    }
}
