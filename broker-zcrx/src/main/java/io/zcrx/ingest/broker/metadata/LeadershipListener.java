package io.zcrx.ingest.broker.metadata;

import io.zcrx.ingest.log.PartitionLog;

/**
 * Told when this broker starts or stops leading a partition (cluster mode: from the metadata log;
 * standalone: every partition at start and at creation). The group coordinator uses it for the
 * {@code __consumer_offsets} partitions: load the groups on becoming leader, drop them on resigning.
 *
 * <p>Called on the metadata thread, after the log is open and before (become) or after (resign)
 * the handlers see the change; an implementation must not block for long (hand work to its own
 * thread).
 */
public interface LeadershipListener {
    void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, int leaderEpoch);

    /**
     * As {@link #onBecomeLeader(TopicInfo, int, PartitionLog, int)}, with the partition's new state:
     * the registry tells listeners before it publishes that state in the {@code TopicInfo}, so
     * {@code topic.state(partition)} may still be the previous one here. The registry calls this
     * form; a listener that needs the replicas or the ISR overrides it.
     */
    default void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, PartitionState state) {
        onBecomeLeader(topic, partition, log, state.leaderEpoch());
    }

    void onResign(TopicInfo topic, int partition, int newLeaderEpoch);

    /**
     * Cluster mode: the controller changed a partition this broker keeps leading in the same leader epoch (a new
     * partition epoch: the ISR or the replicas), e.g. it took a fenced or shut-down follower out of the ISR. Called
     * after the new state is published in the {@code TopicInfo}, as Kafka's {@code makeLeader} applies such a
     * change at once.
     */
    default void onLeaderStateChanged(TopicInfo topic, int partition, PartitionLog log, PartitionState state) {
    }

    /**
     * Cluster mode: this broker is a replica of a partition that another broker leads ({@code state.leader()}, in
     * {@code state.leaderEpoch()}; {@link PartitionState#NO_LEADER} when none); {@code log} is the local replica's
     * log, open, never in {@link TopicInfo#partition}. Called again for each new leadership. The replica fetchers
     * act on it; others may ignore it.
     */
    default void onBecomeFollower(TopicInfo topic, int partition, PartitionLog log, PartitionState state) {
    }

    /**
     * Cluster mode: this broker stops following the partition (it becomes its leader, the replica moves away or
     * the topic is deleted). Called before the log is made leader or deleted; when it returns, a fetcher no longer
     * writes the log. A no-op for a partition not followed.
     */
    default void onStopFollowing(String topic, int partition) {
    }
}
