package io.zcrx.ingest.broker.replica;

/**
 * What the leader knows of one follower replica of a partition (Kafka's {@code Replica} state): its log end
 * offset (the offset of its last fetch), its log start offset, when it last fetched, when it was last caught up
 * with the leader's log end, and the broker epoch its fetch carried. Updated by its Fetch requests.
 *
 * <p>Guarded by the owning {@link LeaderPartition}'s lock.
 */
final class FollowerState {
    private final int brokerId;
    private long logEndOffset = -1L;
    private long logStartOffset = -1L;
    private long lastFetchTimeMs;
    /** The leader's log end offset at the follower's previous fetch (Kafka's lastFetchLeaderLogEndOffset). */
    private long lastFetchLeaderLogEndOffset;
    private long lastCaughtUpTimeMs;
    /** -1 when the fetch carried none (Fetch before v15). */
    private long brokerEpoch = -1L;

    /**
     * A follower that has not fetched from this leader yet (Kafka's {@code resetReplicaState}): log end unknown; an
     * ISR member counts as caught up at {@code nowMs} (it gets {@code replica.lag.time.max.ms} to fetch), any other
     * replica as never caught up.
     */
    FollowerState(int brokerId, boolean inIsr, long nowMs) {
        this.brokerId = brokerId;
        this.lastCaughtUpTimeMs = inIsr ? nowMs : 0L;
        this.lastFetchTimeMs = nowMs;
    }

    /**
     * Kafka's {@code Replica.updateFetchStateOrThrow}: a fetch from {@code fetchOffset} at {@code nowMs} while the
     * leader's log ended at {@code leaderEndOffset}. Caught up now when it fetched from the leader's end; caught up
     * at its previous fetch when it now asks for everything the leader had then.
     */
    void onFetch(long fetchOffset, long followerLogStart, long nowMs, long leaderEndOffset, long epoch) {
        if (fetchOffset >= leaderEndOffset) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, nowMs);
        } else if (fetchOffset >= lastFetchLeaderLogEndOffset) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, lastFetchTimeMs);
        }
        logEndOffset = fetchOffset;
        logStartOffset = followerLogStart;
        lastFetchLeaderLogEndOffset = Math.max(leaderEndOffset, lastFetchLeaderLogEndOffset);
        lastFetchTimeMs = nowMs;
        brokerEpoch = epoch;
    }

    /** Kafka's {@code isCaughtUp}: at the leader's end, or caught up within the last {@code maxLagMs}. */
    boolean isCaughtUp(long leaderEndOffset, long nowMs, long maxLagMs) {
        return leaderEndOffset == logEndOffset || nowMs - lastCaughtUpTimeMs <= maxLagMs;
    }

    int brokerId() {
        return brokerId;
    }

    long logEndOffset() {
        return logEndOffset;
    }

    long logStartOffset() {
        return logStartOffset;
    }

    long lastCaughtUpTimeMs() {
        return lastCaughtUpTimeMs;
    }

    long brokerEpoch() {
        return brokerEpoch;
    }

    @Override
    public String toString() {
        return "(brokerId: " + brokerId + ", endOffset: " + logEndOffset + ", lastCaughtUpTimeMs: "
            + lastCaughtUpTimeMs + ", brokerEpoch: " + brokerEpoch + ")";
    }
}
