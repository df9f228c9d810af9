package io.zcrx.ingest.broker.metadata;

import java.util.Arrays;

/**
 * One partition's replica assignment and leadership as the controller last published it
 * (Kafka's {@code PartitionRegistration}, the parts a broker serves from): the leader's node id
 * ({@link #NO_LEADER} when none), the leader epoch clients and followers fence against, the
 * partition epoch (bumped by every change, AlterPartition's optimistic lock), the replicas and the
 * in-sync replicas. In standalone mode every partition has one replica, this node, epoch 0.
 *
 * <p>Immutable; the arrays must not be modified after construction.
 */
public record PartitionState(int leader, int leaderEpoch, int partitionEpoch, int[] replicas, int[] isr) {
    /** Kafka's "no leader" node id. */
    public static final int NO_LEADER = -1;

    /** A partition of a standalone broker: led by {@code nodeId} since its creation, epoch 0. */
    public static PartitionState standalone(int nodeId) {
        final int[] self = {nodeId};
        return new PartitionState(nodeId, 0, 0, self, self);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionState s && s.leader == leader && s.leaderEpoch == leaderEpoch
            && s.partitionEpoch == partitionEpoch && Arrays.equals(s.replicas, replicas) && Arrays.equals(s.isr, isr);
    }

    @Override
    public int hashCode() {
        return ((leader * 31 + leaderEpoch) * 31 + partitionEpoch) * 31 + Arrays.hashCode(replicas);
    }

    @Override
    public String toString() {
        return "leader=" + leader + ", leaderEpoch=" + leaderEpoch + ", partitionEpoch=" + partitionEpoch
            + ", replicas=" + Arrays.toString(replicas) + ", isr=" + Arrays.toString(isr);
    }
}
