package io.zcrx.ingest.broker.group;

/**
 * One committed offset of a group for one partition, as OffsetCommit stored it and OffsetFetch
 * returns it.
 *
 * @param offset            the committed position (next offset the group will read)
 * @param leaderEpoch       the epoch the consumer saw with it (-1 = none; v6+)
 * @param metadata          the client's free-form string (never null; "" when none)
 * @param commitTimestampMs when it was committed (broker clock)
 * @param expireTimestampMs explicit expiry from OffsetCommit v2-v4 RetentionTimeMs, or -1
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs,
                              long expireTimestampMs) {
    public CommittedOffset {
        if (metadata == null) {
            throw new IllegalArgumentException("committed offset metadata must not be null: offset=" + offset);
        }
    }
}
