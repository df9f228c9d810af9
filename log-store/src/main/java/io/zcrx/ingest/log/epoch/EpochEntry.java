package io.zcrx.ingest.log.epoch;

/**
 * One line of the leader epoch history (Kafka's {@code EpochEntry}): leader epoch {@code epoch} wrote its first
 * batch at {@code startOffset} (or, for the newest entry of a leader, will write it there).
 *
 * @param epoch       the leader epoch, &gt;= 0
 * @param startOffset the first offset of that epoch, &gt;= 0
 */
public record EpochEntry(int epoch, long startOffset) {
    public EpochEntry {
        if (epoch < 0 || startOffset < 0) {
            throw new IllegalArgumentException("invalid leader epoch entry: epoch=" + epoch + ", startOffset="
                + startOffset);
        }
    }
}
