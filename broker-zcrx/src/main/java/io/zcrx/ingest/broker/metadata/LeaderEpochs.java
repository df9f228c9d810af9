package io.zcrx.ingest.broker.metadata;

import org.apache.kafka.common.protocol.Errors;

/**
 * Leader epoch fencing (KIP-320) as Kafka's {@code Partition.checkCurrentLeaderEpoch} does it: Fetch,
 * ListOffsets and OffsetForLeaderEpoch compare a request's CurrentLeaderEpoch with the partition's
 * own ({@link PartitionState#leaderEpoch()}), so clients that validate their position after a
 * leader change see a consistent story. A standalone broker's partitions have had one leader (this
 * node) and one epoch, 0, since they were created ({@link PartitionState#standalone}).
 */
public final class LeaderEpochs {
    /** A request that names no epoch (Kafka's {@code RecordBatch.NO_PARTITION_LEADER_EPOCH}). */
    public static final int NONE = -1;

    private LeaderEpochs() {
    }

    /**
     * CurrentLeaderEpoch fencing: -1 (not given) and the partition's epoch pass; a newer epoch means
     * this node has not seen the change yet (UNKNOWN_LEADER_EPOCH, retriable), an older one that the
     * client's view is stale (FENCED_LEADER_EPOCH).
     *
     * @param requested the request's CurrentLeaderEpoch
     * @param current   the partition's leader epoch as this broker knows it
     */
    public static Errors check(int requested, int current) {
        if (requested == NONE || requested == current) {
            return Errors.NONE;
        }
        return requested > current ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
    }

    /**
     * The epoch check in Kafka's order ({@code Partition.localLogWithEpochOrThrow}): for a partition this broker
     * holds a replica of, CurrentLeaderEpoch is fenced ({@link #check}) <em>before</em> leadership is looked at, so
     * a client whose epoch is newer than this broker's learns UNKNOWN_LEADER_EPOCH (wait for metadata) and one whose
     * epoch is older FENCED_LEADER_EPOCH, not NOT_LEADER_OR_FOLLOWER. A broker without a replica has no partition
     * to compare with (Kafka answers NOT_LEADER_OR_FOLLOWER from the metadata cache): NONE here.
     *
     * @param requested the request's CurrentLeaderEpoch
     * @param state     the partition's state as this broker knows it (not null)
     * @param self      this broker's node id
     */
    public static Errors checkLocalReplica(int requested, PartitionState state, int self) {
        if (requested == NONE) {
            return Errors.NONE;
        }
        for (int r : state.replicas()) {
            if (r == self) {
                return check(requested, state.leaderEpoch());
            }
        }
        return Errors.NONE;
    }
}
