package io.zcrx.ingest.broker.metadata;

import org.apache.kafka.common.protocol.Errors;

/**
 * Leader epochs as a single node knows them: every partition has had one leader (this node) and
 * one epoch, 0, since it was created. Metadata, Fetch, ListOffsets and OffsetForLeaderEpoch all
 * answer with this epoch and fence a request's CurrentLeaderEpoch against it, so clients that
 * validate their position after a leader change (KIP-320) see a consistent story.
 */
public final class LeaderEpochs {
    /** The epoch of every partition's only leader. */
    public static final int CURRENT = 0;

    private LeaderEpochs() {
    }

    /**
     * CurrentLeaderEpoch fencing: -1 (not given) and the current epoch pass; a newer epoch means
     * this node has not seen the change yet (UNKNOWN_LEADER_EPOCH, retriable), an older one that
     * the client's view is stale (FENCED_LEADER_EPOCH).
     */
    public static Errors check(int currentLeaderEpoch) {
        if (currentLeaderEpoch == -1 || currentLeaderEpoch == CURRENT) {
            return Errors.NONE;
        }
        return currentLeaderEpoch > CURRENT ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
    }
}
