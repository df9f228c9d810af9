package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metadata.LeadershipListener;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.log.PartitionLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.utils.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of replication (Kafka's {@code ReplicaFetcherManager} / {@code AbstractFetcherManager}): told
 * by the topic registry which partitions this broker follows and from which leader, it hands each to the
 * {@link ReplicaFetcher} of (leader, fetcher id), {@code num.replica.fetchers} of them per leader, a partition
 * always to the same one ({@code |31 * topic.hashCode() + partition| % num.replica.fetchers}, Kafka's
 * {@code getFetcherId}), starts fetchers on demand and stops those left without partitions.
 *
 * <p>Called on the metadata thread: adding only records the partition (the fetcher starts fetching it at its
 * next round); removing waits at most for the append of one answer in progress, never for a fetch in flight, so
 * that the caller may then make the log leader ({@code becomeLeader}) or delete it. Gauge
 * {@code kafka.server:type=ReplicaFetcherManager,name=MaxLag,clientId=Replica}: the largest lag (leader's high
 * watermark minus our log end) over the followed partitions.
 *
 * <p>Thread-safe: the methods are synchronized (metadata thread, shutdown); the fetchers run on their own threads.
 */
public final class ReplicaFetcherManager implements LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcherManager.class);
    /** Kafka's gauge of the follower's lag. */
    public static final MetricName MAX_LAG =
        MetricName.of("kafka.server", "ReplicaFetcherManager", "MaxLag", "clientId", "Replica");

    private final BrokerConfig config;
    private final ClusterState cluster;
    private final MetricsRegistry metrics;
    private final Function<LogContext, ChannelBuilder> channels;
    private final int numFetchers;
    /** (leader id, fetcher id) to its thread. */
    private final Map<Long, ReplicaFetcher> fetchers = new HashMap<>();
    /** Which fetcher holds each followed partition. */
    private final Map<TopicPartition, ReplicaFetcher> owner = new HashMap<>();
    private boolean closed;

    /**
     * @param channels builds each fetcher's client channel builder for the inter-broker listener (the cluster
     *                 member's: PLAINTEXT or SASL, Kafka's channel builders)
     */
    public ReplicaFetcherManager(BrokerConfig config, ClusterState cluster, MetricsRegistry metrics,
                                 Function<LogContext, ChannelBuilder> channels) {
        this.config = config;
        this.channels = channels;
        this.cluster = cluster;
        this.metrics = metrics;
        this.numFetchers = config.getInt(BrokerConfig.NUM_REPLICA_FETCHERS);
        metrics.gauge(MAX_LAG, this::maxLag);
    }

    @Override
    public void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, int leaderEpoch) {
        // The registry stopped the fetcher (onStopFollowing) before it made the log leader.
    }

    @Override
    public void onResign(TopicInfo topic, int partition, int newLeaderEpoch) {
        // A resigned leader that stays a replica is added with onBecomeFollower.
    }

    /**
     * Follows {@code log} from {@code state.leader()} in {@code state.leaderEpoch()} (Kafka's
     * {@code Partition.makeFollower} + {@code addFetcherForPartitions}); a partition already followed under an older
     * leadership moves to the new leader's fetcher. No truncation here: with Fetch v12+ the leader's DivergingEpoch
     * answer tells the fetcher where our log went its own way.
     */
    @Override
    public synchronized void onBecomeFollower(TopicInfo topic, int partition, PartitionLog log, PartitionState state) {
        if (closed || !state.hasLeader()) {
            onStopFollowing(topic.name(), partition);
            return;
        }
        final TopicPartition tp = new TopicPartition(topic.name(), partition);
        final int fetcherId = Math.abs((31 * tp.topic().hashCode() + partition) % numFetchers);
        final long key = ((long) state.leader() << 32) | fetcherId;
        ReplicaFetcher fetcher = fetchers.get(key);
        if (fetcher == null) {
            fetcher = new ReplicaFetcher(state.leader(), fetcherId, config, cluster, channels);
            fetchers.put(key, fetcher);
            fetcher.start();
        }
        final ReplicaFetcher previous = owner.put(tp, fetcher);
        if (previous != null && previous != fetcher) {
            previous.removePartition(tp);
        }
        fetcher.addPartition(new FollowerPartition(tp, topic.id(), log, state.leader(), state.leaderEpoch()));
        LOG.info("Following partition {} from leader {} in leader epoch {} at log end offset {}", tp, state.leader(),
            state.leaderEpoch(), log.logEndOffset());
        shutdownIdleFetchers();
    }

    /** Stops fetching a partition (before it becomes leader here, moves away or is deleted); no-op if not followed. */
    @Override
    public synchronized void onStopFollowing(String topic, int partition) {
        final TopicPartition tp = new TopicPartition(topic, partition);
        final ReplicaFetcher fetcher = owner.remove(tp);
        if (fetcher != null) {
            fetcher.removePartition(tp);
            LOG.info("Stopped following partition {} (leader was {})", tp, fetcher.sourceBrokerId());
            shutdownIdleFetchers();
        }
    }

    private void shutdownIdleFetchers() {
        final List<Long> idle = new ArrayList<>();
        for (Map.Entry<Long, ReplicaFetcher> e : fetchers.entrySet()) {
            if (e.getValue().partitionCount() == 0) {
                idle.add(e.getKey());
            }
        }
        for (Long key : idle) {
            // Not joined: a fetch may still be in flight (up to replica.fetch.wait.max.ms); the thread holds no
            // partition any more and closes its connection on its way out.
            fetchers.remove(key).initiateShutdown();
        }
    }

    /** Partitions followed now (tests, status). */
    public synchronized int followedPartitions() {
        return owner.size();
    }

    private double maxLag() {
        final List<ReplicaFetcher> all;
        synchronized (this) {
            all = new ArrayList<>(fetchers.values());
        }
        long max = 0;
        for (ReplicaFetcher f : all) {
            max = Math.max(max, f.maxLag());
        }
        return max;
    }

    /** Stops every fetcher (before the logs close at shutdown). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ReplicaFetcher f : fetchers.values()) {
            f.shutdown();
        }
        fetchers.clear();
        owner.clear();
        metrics.remove(MAX_LAG);
    }
}
