package io.zcrx.ingest.log.epoch;

/**
 * The answer to OffsetForLeaderEpoch for one partition (Kafka's {@code LeaderEpochFileCache.endOffsetFor}): the
 * largest epoch at or below the requested one and the offset where it ended (the start of the next epoch, or the log
 * end offset for the latest epoch); {@link #UNDEFINED} (-1, -1) when the log cannot tell.
 *
 * @param epoch     the leader epoch found, or -1
 * @param endOffset the end offset of that epoch (exclusive), or -1
 */
public record EpochEndOffset(int epoch, long endOffset) {
    /** Kafka's {@code UNDEFINED_EPOCH}. */
    public static final int UNDEFINED_EPOCH = -1;
    /** Kafka's {@code UNDEFINED_EPOCH_OFFSET}. */
    public static final long UNDEFINED_EPOCH_OFFSET = -1L;
    /** Unknown epoch: the follower or consumer falls back to other means (high watermark, reset policy). */
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);

    public boolean isUndefined() {
        return endOffset == UNDEFINED_EPOCH_OFFSET;
    }
}
