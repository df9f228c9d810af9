package io.zcrx.ingest.protocol.produce;

/**
 * Per-partition outcome of a Produce request, slot-aligned with {@link ProduceRequestView}'s
 * partition slots: error code, base offset, log append time, log start offset, and (rarely) an
 * error message and the index of the record that failed validation (RecordErrors, v8+).
 *
 * Reused per connection. Not thread-safe.
 */
public final class ProduceResults {
    // Implementation owned by the protocol work package.

    /** Prepares {@code partitionCount} slots, all unset. */
    public void reset(int partitionCount) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public void setSuccess(int slot, long baseOffset, long logAppendTimeMs, long logStartOffset) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * @param errorMessage    null or a message for ErrorMessage (v8+)
     * @param recordIndex     -1, or the index of the record at fault (RecordErrors, v8+)
     */
    public void setError(int slot, short errorCode, String errorMessage, int recordIndex) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public short errorCode(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public long baseOffset(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public long logAppendTimeMs(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public long logStartOffset(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public String errorMessage(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int recordIndex(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** True if any slot has a non-zero error code (acks=0 then closes the connection). */
    public boolean anyError() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
