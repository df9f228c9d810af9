package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.LeadershipListener;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.runtime.TimerService;
import io.zcrx.ingest.log.PartitionLog;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker leads, on the leader side of replication (Kafka's {@code ReplicaManager} for its
 * leader partitions): a {@link LeaderPartition} per partition from {@link #onBecomeLeader} to {@link #onResign},
 * looked up by follower fetches ({@link #leaderOf}); the ISR-expiration check ({@link #maybeShrinkIsr}, every
 * {@code replica.lag.time.max.ms / 2} on the log scheduler, as Kafka's {@code isr-expiration} task); wakes of the
 * consumer long polls when a high watermark moves.
 *
 * <p>High watermarks that survived a restart ({@link HighWatermarkCheckpoints}) are the starting point of a
 * replicated partition's high watermark the first time it is led after start, as Kafka's log loads it; later
 * leaderships keep the log's own value.
 *
 * <p>Metrics, Kafka's {@code kafka.server:type=ReplicaManager} names: gauges {@code UnderReplicatedPartitions} (ISR
 * smaller than the replica set), {@code UnderMinIsrPartitionCount}, {@code AtMinIsrPartitionCount} over the
 * partitions led here ({@link #underReplicatedCount} and friends, registered by the lifecycle), and meters
 * {@code IsrShrinksPerSec}, {@code IsrExpandsPerSec} (counted when the controller commits the change, as Kafka's
 * {@code AlterPartitionListener}) and {@code FailedIsrUpdatesPerSec}.
 *
 * <p>Thread-safe.
 */
public final class LeaderPartitions implements LeadershipListener {
    public static final MetricName ISR_SHRINKS = replicaManager("IsrShrinksPerSec");
    public static final MetricName ISR_EXPANDS = replicaManager("IsrExpandsPerSec");
    public static final MetricName FAILED_ISR_UPDATES = replicaManager("FailedIsrUpdatesPerSec");

    private static final Logger LOG = LoggerFactory.getLogger(LeaderPartitions.class);

    private final BrokerContext ctx;
    private final long replicaLagTimeMaxMs;
    /** By log identity: a fetch has the log in hand, and a recreated log is another partition. */
    private final Map<PartitionLog, LeaderPartition> led = new ConcurrentHashMap<>();
    /** The checkpointed high watermarks, each used by the first leadership after start only. */
    private final Map<TopicPartition, Long> checkpointed;
    private final Set<TopicPartition> ledSinceStart = ConcurrentHashMap.newKeySet();
    private final IsrUpdater isrUpdater;
    /** The reactors' acks=all waiters (one per reactor), woken when a high watermark moves or a leader resigns. */
    private final List<AckWaiter> ackWaiters = new CopyOnWriteArrayList<>();
    /** DeleteRecords answers waiting for the followers' log starts (Kafka's DelayedDeleteRecords purgatory). */
    private final Set<DelayedDeleteRecords> deleteRecordsWaiters = ConcurrentHashMap.newKeySet();
    private final Meter isrShrinks;
    private final Meter isrExpands;
    private final Meter failedIsrUpdates;

    /**
     * Produce responses waiting for replication (one per reactor: the produce package's parked acks=all answers).
     * Woken, from any thread, whenever a high watermark moves or a leadership ends; the waiter re-checks its
     * responses on its own thread.
     */
    public interface AckWaiter {
        /** True while a response waits for a high watermark (a stale true only costs a wake-up). */
        boolean awaitsReplication();

        /** Hop to the waiter's thread and complete what is now settled. */
        void wake();
    }

    /**
     * @param checkpointed the high watermarks of {@code replication-offset-checkpoint}, read at start
     */
    public LeaderPartitions(BrokerContext ctx, Map<TopicPartition, Long> checkpointed) {
        this.ctx = ctx;
        this.replicaLagTimeMaxMs = ctx.config().getLong(BrokerConfig.REPLICA_LAG_TIME_MAX_MS);
        this.checkpointed = new ConcurrentHashMap<>(checkpointed);
        this.isrShrinks = ctx.metrics().meter(ISR_SHRINKS, "shrinks");
        this.isrExpands = ctx.metrics().meter(ISR_EXPANDS, "expands");
        this.failedIsrUpdates = ctx.metrics().meter(FAILED_ISR_UPDATES, "failedUpdates");
        this.isrUpdater = new IsrUpdater(ctx.nodeId(), () -> ctx.cluster().brokerEpoch(), ctx::controller,
            ctx.timer(), ctx::nowMs, p -> onHighWatermarkAdvanced(p.log()));
    }

    @Override
    public void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, int leaderEpoch) {
        final PartitionState st = topic.state(partition);
        onBecomeLeader(topic, partition, log, st != null && st.leaderEpoch() == leaderEpoch ? st
            : new PartitionState(ctx.nodeId(), leaderEpoch, 0, new int[] {ctx.nodeId()}, new int[] {ctx.nodeId()}));
    }

    /**
     * Starts leading with the partition's new state (its replicas and ISR), which the registry
     * publishes in the TopicInfo only after this returns: the high watermark is right from the first
     * client request (a single-replica partition's is its log end at once).
     */
    @Override
    public void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, PartitionState state) {
        final int leaderEpoch = state.leaderEpoch();
        final LeaderPartition old = led.get(log);
        final TopicPartition tp = log.topicPartition();
        final boolean first = ledSinceStart.add(tp);
        final Long saved = checkpointed.remove(tp);
        // Kafka's log keeps its high watermark across a change of role: a follower taking over starts
        // from the one its fetches learnt; a log led first since the start from its checkpoint (0, the
        // log start, when none); a leader in a new epoch keeps its own.
        final long initialHw;
        if (old == null && log.followerHighWatermark() >= 0) {
            initialHw = saved != null ? Math.max(saved, log.followerHighWatermark()) : log.followerHighWatermark();
        } else if (first) {
            initialHw = saved != null ? saved : 0L;
        } else {
            initialHw = -1L;
        }
        final LeaderPartition p = new LeaderPartition(this, topic, partition, log, leaderEpoch, state, initialHw,
            ctx.nowMs());
        // Replaced, never removed first: a Produce between the two would find no leader state (no min-ISR check).
        led.put(log, p);
        if (old != null) {
            old.resign();
        }
        synchronized (p) {
            p.maybeIncrementHighWatermark(ctx.nowMs());
        }
        LOG.debug("Leading partition {} in epoch {}: {}", tp, leaderEpoch, state);
    }

    @Override
    public void onResign(TopicInfo topic, int partition, int newLeaderEpoch) {
        // Parked acks=all answers for the partition become NOT_LEADER_OR_FOLLOWER now, not at their timeout; so do
        // parked DeleteRecords answers.
        try {
            resignLeaderships(topic, partition);
        } finally {
            wakeAckWaiters();
            wakeDeleteRecordsWaiters();
        }
    }

    @Override
    public void onLeaderStateChanged(TopicInfo topic, int partition, PartitionLog log, PartitionState state) {
        final LeaderPartition p = log == null ? null : led.get(log);
        if (p != null && p.onMetadataChanged(ctx.nowMs())) {
            onHighWatermarkAdvanced(log);
        }
        // A replica set change may drop the follower a DeleteRecords answer waits for.
        wakeDeleteRecordsWaiters();
    }

    private void resignLeaderships(TopicInfo topic, int partition) {
        led.entrySet().removeIf(e -> {
            final LeaderPartition p = e.getValue();
            if (p.topic() == topic && p.partition() == partition) {
                p.resign();
                // A follower's high watermark is its own (PartitionLog.followerHighWatermark), starting from the
                // committed one it had as leader (what the checkpoint keeps meanwhile, never the log end); the next
                // leadership holds it again from there.
                p.log().updateFollowerHighWatermark(p.log().highWatermark());
                p.log().releaseHighWatermark();
                return true;
            }
            return false;
        });
    }

    /**
     * The high watermark {@code replication-offset-checkpoint} keeps for {@code log}: the leader's where it is led
     * here, else the one its follower fetches learnt, else (never replicated) its own.
     */
    public long checkpointValue(PartitionLog log) {
        if (led.containsKey(log) || log.followerHighWatermark() < 0) {
            return log.highWatermark();
        }
        return log.followerHighWatermark();
    }

    /**
     * The leader state of {@code log} in {@code leaderEpoch}, or null when this broker does not lead it in that
     * epoch (not yet told, or it moved on).
     */
    public LeaderPartition leaderOf(PartitionLog log, int leaderEpoch) {
        final LeaderPartition p = led.get(log);
        return p != null && p.leaderEpoch() == leaderEpoch ? p : null;
    }

    /** The ISR-expiration task: shrinks the ISR of every partition with followers out of sync. */
    public void maybeShrinkIsr() {
        final long now = ctx.nowMs();
        for (LeaderPartition p : led.values()) {
            try {
                p.maybeShrinkIsr(now);
            } catch (RuntimeException e) {
                LOG.error("ISR check of partition {} failed", p.log().topicPartition(), e);
            }
        }
    }

    /**
     * Kafka's {@code lowWatermarkIfLeader} for {@code log}'s partition ({@link LeaderPartition#lowWatermark}), empty
     * when it is not led here.
     */
    public OptionalLong lowWatermark(PartitionLog log) {
        final LeaderPartition p = led.get(log);
        return p == null ? OptionalLong.empty() : p.lowWatermark();
    }

    /**
     * Parks a DeleteRecords answer ({@link DelayedDeleteRecords}) until {@link #onFollowerLogStartMoved} or a
     * leadership change wakes it; it unregisters itself when done.
     */
    void register(DelayedDeleteRecords waiter) {
        deleteRecordsWaiters.add(waiter);
    }

    void unregister(DelayedDeleteRecords waiter) {
        deleteRecordsWaiters.remove(waiter);
    }

    /** A follower reported a new log start offset: parked DeleteRecords answers re-check (on the timer thread). */
    void onFollowerLogStartMoved() {
        wakeDeleteRecordsWaiters();
    }

    private void wakeDeleteRecordsWaiters() {
        if (deleteRecordsWaiters.isEmpty()) {
            return;
        }
        for (DelayedDeleteRecords w : deleteRecordsWaiters) {
            w.wake();
        }
    }

    /** The control plane's timer (DeleteRecords timeouts and re-checks). */
    TimerService timer() {
        return ctx.timer();
    }

    /** The broker is registered and not fenced (Kafka's {@code metadataCache.hasAliveBroker}). */
    boolean isAlive(int brokerId) {
        return ctx.cluster().view().broker(brokerId) != null;
    }

    /** Partitions led here (tests, metrics). */
    public int size() {
        return led.size();
    }

    /** {@code replica.lag.time.max.ms}. */
    public long replicaLagTimeMaxMs() {
        return replicaLagTimeMaxMs;
    }

    int selfId() {
        return ctx.nodeId();
    }

    long selfBrokerEpoch() {
        return ctx.cluster().brokerEpoch();
    }

    IsrUpdater isrUpdater() {
        return isrUpdater;
    }

    /**
     * Kafka's {@code isReplicaIsrEligible} (KRaft): the follower is registered and not fenced, not in controlled
     * shutdown, and the broker epoch its fetches carry is the one it registered with (a broker that restarted must
     * be known under its new registration first; -1, from a follower that sends no epoch, is accepted). The
     * controller checks the same again and answers INELIGIBLE_REPLICA.
     *
     * @param fetchBrokerEpoch the broker epoch the follower's last fetch carried
     */
    boolean isEligible(int brokerId, long fetchBrokerEpoch) {
        final ClusterView view = ctx.cluster().view();
        if (view.broker(brokerId) == null || view.isShuttingDown(brokerId)) {
            return false;
        }
        final long registered = view.brokerEpoch(brokerId);
        return fetchBrokerEpoch == -1L || registered == -1L || fetchBrokerEpoch == registered;
    }

    /** The broker's configuration as it stands: the properties file with the dynamic layers (kafka-configs). */
    BrokerConfig brokerConfig() {
        return ctx.dynamicConfig() == null ? ctx.config() : ctx.dynamicConfig().current();
    }

    /** The topic's {@code min.insync.replicas}, else the broker's (dynamic default included). */
    int minInsyncReplicas(TopicInfo topic) {
        final String v = topic.overrides().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        if (v != null) {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                LOG.warn("Topic {}: {}={} is not a number; using the broker's", topic.name(),
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, v);
            }
        }
        return brokerConfig().getInt(BrokerConfig.MIN_INSYNC_REPLICAS);
    }

    /**
     * A high watermark moved: consumer long polls on the partition re-read, and the reactors with acks=all answers
     * waiting re-check them. Any thread.
     */
    public void onHighWatermarkAdvanced(PartitionLog log) {
        ctx.fetchWaiters().onAppend(log);
        wakeAckWaiters();
    }

    private void wakeAckWaiters() {
        for (AckWaiter w : ackWaiters) {
            if (w.awaitsReplication()) {
                w.wake();
            }
        }
    }

    static MetricName replicaManager(String name) {
        return MetricName.of("kafka.server", "ReplicaManager", name);
    }

    /** The controller committed an ISR change of a partition led here: {@code grew} for an expansion. */
    void onIsrCommitted(boolean grew) {
        (grew ? isrExpands : isrShrinks).mark(Meter.ANY_THREAD, 1);
    }

    /** The controller refused an ISR change, or it could not be sent. */
    void onIsrUpdateFailed() {
        failedIsrUpdates.mark(Meter.ANY_THREAD, 1);
    }

    /** Partitions led here whose ISR is smaller than their replica set (Kafka's UnderReplicatedPartitions). */
    public int underReplicatedCount() {
        int n = 0;
        for (LeaderPartition p : led.values()) {
            if (p.isUnderReplicated()) {
                n++;
            }
        }
        return n;
    }

    /** Partitions led here whose ISR is under the effective min.insync.replicas. */
    public int underMinIsrCount() {
        int n = 0;
        for (LeaderPartition p : led.values()) {
            if (p.minIsrShortfall() > 0) {
                n++;
            }
        }
        return n;
    }

    /** Partitions led here (with more than one replica) whose ISR is exactly the effective min.insync.replicas. */
    public int atMinIsrCount() {
        int n = 0;
        for (LeaderPartition p : led.values()) {
            if (p.isAtMinIsr()) {
                n++;
            }
        }
        return n;
    }

    /** Registers a reactor's acks=all waiter (once, when the reactor first parks an answer). */
    public void register(AckWaiter waiter) {
        ackWaiters.add(waiter);
    }

    /**
     * How many in-sync replicas {@code log}'s partition lacks for its effective {@code min.insync.replicas}: above 0
     * means an acks=all Produce must be refused (NOT_ENOUGH_REPLICAS before the append,
     * NOT_ENOUGH_REPLICAS_AFTER_APPEND once its batch is committed), as Kafka's {@code Partition} checks. 0 when
     * the partition is not led here (the append path answers that). Lock-free: one map lookup and one volatile read,
     * cheap enough for the Produce path of acks=all requests.
     */
    public int minIsrShortfall(PartitionLog log) {
        final LeaderPartition p = led.get(log);
        return p == null ? 0 : p.minIsrShortfall();
    }

    /** Kafka's NOT_ENOUGH_REPLICAS message for {@code log}'s partition (error path only). */
    public String minIsrMessage(PartitionLog log) {
        final LeaderPartition p = led.get(log);
        return p == null ? "Not enough in-sync replicas for partition " + log.topicPartition() : p.minIsrMessage();
    }
}
