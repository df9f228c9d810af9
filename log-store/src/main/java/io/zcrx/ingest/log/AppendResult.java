package io.zcrx.ingest.log;

/**
 * Outcome of one {@link PartitionLog#append}: the Kafka error code (0 = NONE) and, on success, the
 * first offset assigned (or, for a duplicate of one of the producer's last five batches, the offset
 * originally assigned), the append time for LogAppendTime topics (-1 otherwise) and the log start
 * offset. Reused; not thread-safe.
 */
public final class AppendResult {
    public short errorCode;
    public long baseOffset = -1L;
    public long logAppendTimeMs = -1L;
    public long logStartOffset = -1L;
    /** True when the batch was recognised as a retry and not written again. */
    public boolean duplicate;
    /** Null, or why the append failed (ErrorMessage in the response, and the log line). */
    public String errorMessage;

    public void reset() {
        errorCode = 0;
        baseOffset = -1L;
        logAppendTimeMs = -1L;
        logStartOffset = -1L;
        duplicate = false;
        errorMessage = null;
    }

    public void fail(short code, String message) {
        errorCode = code;
        baseOffset = -1L;
        logAppendTimeMs = -1L;
        logStartOffset = -1L;
        duplicate = false;
        errorMessage = message;
    }
}
