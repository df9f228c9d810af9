package io.zcrx.ingest.protocol.record;

import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.ByteBuffer;

/**
 * Checks, in place over slices, that a Produce partition's Records field is exactly one record
 * batch that Apache Kafka would accept from a client (kafka-protocol.md §3.1 step 4, §4.5): size,
 * magic 2, baseOffset 0, codec allowed at this Produce version, {@code max.message.bytes}, CRC-32C
 * across slices, record count, no control batch, producer fields, every record's framing, offset
 * deltas and timestamps. Compressed batches are decompressed into scratch for the record checks;
 * the bytes written to the log are always the ones received.
 *
 * <p>On success the 61-byte header has been copied to the caller's direct buffer (indices 0..60),
 * ready for the log to patch baseOffset and partitionLeaderEpoch; if the header's maxTimestamp or
 * timestamp type had to change (LogAppendTime topics, or a maxTimestamp that does not match the
 * records) the copy is patched and its CRC recomputed over the copy plus the payload slices.
 *
 * <p>One per reactor thread. Allocates nothing for uncompressed batches. Not thread-safe.
 */
public final class BatchValidator {
    // Implementation owned by the protocol work package.

    /**
     * @param decompressedBytesMax largest decompressed records section accepted from a compressed
     *                             batch (a bound against decompression bombs)
     */
    public BatchValidator(int decompressedBytesMax) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * @param frameBody      the request frame
     * @param position       frame position of the Records field's bytes
     * @param length         length of the Records field, -1 if null
     * @param produceVersion the request's version (zstd needs 7+)
     * @param nowMs          broker wall clock, for timestamp checks and LogAppendTime
     * @param header         direct buffer of at least 61 bytes; receives the (possibly patched) header
     * @return 0 (NONE) or a Kafka error code; see {@link #errorMessage()} and {@link #recordIndex()}
     */
    public short validate(SliceList frameBody, int position, int length, short produceVersion,
                          BatchValidationConfig config, long nowMs, ByteBuffer header) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Message for the last failure (null after success). */
    public String errorMessage() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Index of the record at fault in the last failure, or -1. */
    public int recordIndex() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
