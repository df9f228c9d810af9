package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * One partition this broker follows (Kafka's {@code PartitionFetchState}): its local log, the leader and leader
 * epoch the controller last published, and the fetcher's own state, when it may fetch again after an error and
 * how far behind the leader's high watermark it was at the last answer.
 *
 * <p>The leader fields are immutable (a new leadership is a new object); the fetch state is touched by the owning
 * {@link ReplicaFetcher} thread only, read by the lag gauge.
 */
final class FollowerPartition {
    final TopicPartition topicPartition;
    final Uuid topicId;
    final PartitionLog log;
    final int leaderId;
    final int leaderEpoch;
    /** Fetcher thread: System.currentTimeMillis() before which this partition is not fetched (after an error). */
    long delayedUntilMs;
    /** Leader's high watermark minus our log end at the last answer (Kafka's FetcherLagMetrics). */
    volatile long lag;

    FollowerPartition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, int leaderId, int leaderEpoch) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.leaderId = leaderId;
        this.leaderEpoch = leaderEpoch;
    }

    @Override
    public String toString() {
        return topicPartition + "(leader=" + leaderId + ", leaderEpoch=" + leaderEpoch + ", logEndOffset="
            + log.logEndOffset() + ")";
    }
}
