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

    void onResign(TopicInfo topic, int partition, int newLeaderEpoch);
}
