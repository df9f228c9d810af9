package io.zcrx.ingest.log;

/**
 * The answer to one {@link PartitionLog#offsetForTimestamp} (a ListOffsets partition): the offset
 * and timestamp to return, or -1/-1 when no record qualifies, and an error code. Reused; not
 * thread-safe.
 */
public final class OffsetLookup {
    /** ListOffsets special timestamps (docs/kafka-protocol-notes.md#listoffsets). */
    public static final long LATEST_TIMESTAMP = -1L;
    public static final long EARLIEST_TIMESTAMP = -2L;
    public static final long MAX_TIMESTAMP = -3L;

    public short errorCode;
    public long offset = -1L;
    public long timestamp = -1L;
    /** Null, or why the lookup failed. */
    public String errorMessage;

    public void reset() {
        errorCode = 0;
        offset = -1L;
        timestamp = -1L;
        errorMessage = null;
    }

    @Override
    public String toString() {
        return "OffsetLookup(errorCode=" + errorCode + ", offset=" + offset + ", timestamp=" + timestamp
            + ", errorMessage=" + errorMessage + ")";
    }
}
