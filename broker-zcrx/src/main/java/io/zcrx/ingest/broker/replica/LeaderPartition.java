package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.log.PartitionLog;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition this broker leads in one leader epoch, on the leader side of replication (Kafka's {@code Partition}
 * as leader): the followers' states, the ISR the leader works with, and the high watermark rule.
 *
 * <p>ISR: the controller's committed ISR and partition epoch (from the metadata, or from an AlterPartition answer,
 * which Kafka applies at once), and at most one change in flight. While an expansion is in flight the
 * <em>maximal</em> ISR (committed plus the joining replica) bounds the high watermark, as Kafka's
 * {@code PendingExpandIsr} does; while a shrink is in flight the maximal ISR is still the committed one. A metadata
 * update with a newer partition epoch replaces all of it.
 *
 * <p>High watermark (Kafka's {@code maybeIncrementLeaderHW}): not advanced while the committed ISR is below the
 * effective {@code min.insync.replicas} (min of the setting and the replica count); otherwise the smallest log end
 * offset over the leader, the maximal ISR, and the followers that are caught up and eligible to join (the leader
 * waits for them so that they can join). When the leader waits for nobody, every append is committed at once: the
 * log's high watermark follows its log end ({@link PartitionLog#releaseHighWatermark}), so acks=1 writes to an
 * under-replicated partition stay readable without a follower.
 *
 * <p>Thread-safe: one lock per partition, taken by follower fetches (any reactor), the ISR-expiration task and the
 * controller's answers; never by the Produce path. AlterPartition is sent outside the lock.
 */
public final class LeaderPartition {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderPartition.class);

    private final LeaderPartitions owner;
    private final TopicInfo topic;
    private final int partition;
    private final PartitionLog log;
    private final int leaderEpoch;
    /** Where this leader's epoch starts in the log: a follower must pass it to join the ISR. */
    private final long leaderEpochStartOffset;
    private final Map<Integer, FollowerState> followers = new HashMap<>();
    private int[] replicas;
    private int[] isr;
    private int partitionEpoch;
    /** The ISR change in flight (sent, not answered), or null. */
    private int[] pendingIsr;
    /** The maximal ISR while a change is in flight (see the class comment). */
    private int[] pendingMaximalIsr;
    /** Bumped by every change sent and every metadata override: an answer to an older one is ignored. */
    private long alterGeneration;
    private boolean resigned;
    /** Where the first hold of the high watermark puts it (the checkpointed value), -1 for "where it is". */
    private long initialHighWatermark;
    /**
     * The effective {@code min.insync.replicas} minus the committed ISR size: above 0 while the partition is under
     * its minimum ISR. Published for the Produce path, which reads it without the lock
     * ({@link LeaderPartitions#minIsrShortfall}); refreshed whenever the ISR changes and at every ISR check (a
     * topic's min.insync.replicas changed through the metadata applies from the next check).
     */
    private volatile int minIsrShortfall;
    /** The topic settings and broker settings {@link #minIsrShortfall} was computed from (identity). */
    private volatile Map<String, String> seenOverrides;
    private volatile BrokerConfig seenBrokerConfig;

    LeaderPartition(LeaderPartitions owner, TopicInfo topic, int partition, PartitionLog log, int leaderEpoch,
                    PartitionState state, long initialHighWatermark, long nowMs) {
        this.initialHighWatermark = initialHighWatermark;
        this.owner = owner;
        this.topic = topic;
        this.partition = partition;
        this.log = log;
        this.leaderEpoch = leaderEpoch;
        this.leaderEpochStartOffset = log.logEndOffset();
        this.replicas = state.replicas();
        this.isr = state.isr();
        this.partitionEpoch = state.partitionEpoch();
        updateFollowers(nowMs);
        refreshMinIsr();
    }

    TopicInfo topic() {
        return topic;
    }

    int partition() {
        return partition;
    }

    PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /**
     * Kafka's {@code followerReplicaOrThrow}: NONE when {@code replicaId} is one of the partition's replicas (other
     * than this broker); else UNKNOWN_LEADER_EPOCH when the fetch named the (matching) leader epoch, so the
     * follower retries (a reassignment adding it may not have reached this broker), NOT_LEADER_OR_FOLLOWER when not.
     */
    public synchronized Errors checkFollower(int replicaId, boolean epochGiven, long nowMs) {
        syncWithMetadata(nowMs);
        if (replicaId != owner.selfId() && followers.containsKey(replicaId)) {
            return Errors.NONE;
        }
        return epochGiven ? Errors.UNKNOWN_LEADER_EPOCH : Errors.NOT_LEADER_OR_FOLLOWER;
    }

    /**
     * Kafka's {@code updateFollowerFetchState} after a follower fetch from {@code fetchOffset} (its log end) while
     * the leader's log ended at {@code leaderEndOffset}: records the follower's state, maybe expands the ISR
     * (AlterPartition) and maybe advances the high watermark.
     *
     * @return true if the high watermark moved (the caller wakes consumer long polls)
     */
    public boolean onFollowerFetch(int replicaId, long fetchOffset, long followerLogStart, long brokerEpoch,
                            long leaderEndOffset, long nowMs) {
        final IsrUpdater.Change change;
        final boolean advanced;
        final boolean startMoved;
        synchronized (this) {
            syncWithMetadata(nowMs);
            final FollowerState f = followers.get(replicaId);
            if (f == null || resigned) {
                return false;
            }
            final long prevEnd = f.logEndOffset();
            startMoved = f.logStartOffset() != followerLogStart;
            f.onFetch(fetchOffset, followerLogStart, nowMs, leaderEndOffset, brokerEpoch);
            change = maybeExpandIsr(f);
            advanced = prevEnd != fetchOffset && maybeIncrementHighWatermark(nowMs);
        }
        if (change != null) {
            owner.isrUpdater().submit(this, change);
        }
        if (startMoved) {
            owner.onFollowerLogStartMoved();
        }
        return advanced;
    }

    /**
     * Kafka's {@code Partition.lowWatermarkIfLeader}: the smallest log start offset over the leader and the
     * followers on live brokers (-1 for one that has not reported its log start yet), what DeleteRecords answers
     * and waits on. Empty once this leadership ended.
     */
    public synchronized OptionalLong lowWatermark() {
        if (resigned) {
            return OptionalLong.empty();
        }
        long low = log.logStartOffset();
        for (FollowerState f : followers.values()) {
            if (f.logStartOffset() < low && owner.isAlive(f.brokerId())) {
                low = f.logStartOffset();
            }
        }
        return OptionalLong.of(low);
    }

    /** Kafka's {@code maybeExpandIsr}: a follower at the high watermark and within this leader's epoch joins. */
    private IsrUpdater.Change maybeExpandIsr(FollowerState f) {
        if (pendingIsr != null || contains(isr, f.brokerId()) || !owner.isEligible(f.brokerId(), f.brokerEpoch())) {
            return null;
        }
        final long end = f.logEndOffset();
        if (end < log.highWatermark() || end < leaderEpochStartOffset) {
            return null;
        }
        final int[] next = Arrays.copyOf(isr, isr.length + 1);
        next[isr.length] = f.brokerId();
        Arrays.sort(next);
        LOG.info("Expanding ISR: partition={}, leaderEpoch={}, isr={}, newIsr={}, follower={}", log.topicPartition(),
            leaderEpoch, Arrays.toString(isr), Arrays.toString(next), f);
        return prepare(next, next);
    }

    /**
     * Kafka's {@code maybeShrinkIsr} (run every {@code replica.lag.time.max.ms / 2}): the ISR followers that have
     * not caught up with the leader's log end within {@code replica.lag.time.max.ms} are removed.
     */
    void maybeShrinkIsr(long nowMs) {
        final IsrUpdater.Change change;
        synchronized (this) {
            syncWithMetadata(nowMs);
            refreshMinIsr();
            if (resigned || pendingIsr != null) {
                return;
            }
            final long leaderEnd = log.logEndOffset();
            int[] next = isr;
            final StringBuilder outOfSync = new StringBuilder();
            for (int id : isr) {
                if (id == owner.selfId()) {
                    continue;
                }
                final FollowerState f = followers.get(id);
                if (f == null || !f.isCaughtUp(leaderEnd, nowMs, owner.replicaLagTimeMaxMs())) {
                    next = remove(next, id);
                    outOfSync.append(f == null ? "(brokerId: " + id + ", unknown)" : f.toString());
                }
            }
            if (next == isr) {
                // Also lets a follower that stopped being caught up stop holding the high watermark.
                if (maybeIncrementHighWatermark(nowMs)) {
                    owner.onHighWatermarkAdvanced(log);
                }
                return;
            }
            LOG.info("Shrinking ISR: partition={}, leaderEpoch={}, isr={}, newIsr={}, highWatermark={}, "
                + "logEndOffset={}, outOfSync={}", log.topicPartition(), leaderEpoch, Arrays.toString(isr),
                Arrays.toString(next), log.highWatermark(), leaderEnd, outOfSync);
            change = prepare(next, isr);
        }
        owner.isrUpdater().submit(this, change);
    }

    /** Records a change as in flight; the caller sends it outside the lock. */
    private IsrUpdater.Change prepare(int[] newIsr, int[] maximal) {
        pendingIsr = newIsr;
        pendingMaximalIsr = maximal;
        alterGeneration++;
        final long[] epochs = new long[newIsr.length];
        for (int i = 0; i < newIsr.length; i++) {
            final int id = newIsr[i];
            final FollowerState f = followers.get(id);
            epochs[i] = id == owner.selfId() ? owner.selfBrokerEpoch() : f == null ? -1L : f.brokerEpoch();
        }
        return new IsrUpdater.Change(topic.id(), partition, leaderEpoch, partitionEpoch, newIsr, epochs,
            alterGeneration);
    }

    /**
     * The controller accepted a change (Kafka's {@code handleAlterPartitionUpdate}): its ISR and partition epoch
     * apply at once, unless the answer is for another leader epoch or older than what this leader knows.
     *
     * @return true if the high watermark moved
     */
    synchronized boolean onAlterPartitionAccepted(long generation, int answerLeaderEpoch, int answerPartitionEpoch,
                                                  int[] answerIsr, long nowMs) {
        if (generation != alterGeneration || resigned) {
            return false;
        }
        if (answerLeaderEpoch != leaderEpoch || answerPartitionEpoch < partitionEpoch) {
            LOG.debug("Ignoring AlterPartition answer: partition={}, leaderEpoch={}/{}, partitionEpoch={}/{}",
                log.topicPartition(), answerLeaderEpoch, leaderEpoch, answerPartitionEpoch, partitionEpoch);
            return false;
        }
        final boolean grew = answerIsr.length > isr.length;
        final boolean changed = !Arrays.equals(answerIsr, isr);
        isr = answerIsr;
        partitionEpoch = answerPartitionEpoch;
        pendingIsr = null;
        pendingMaximalIsr = null;
        refreshMinIsr();
        if (changed) {
            owner.onIsrCommitted(grew);
        }
        LOG.info("ISR updated: partition={}, leaderEpoch={}, isr={}, partitionEpoch={}{}", log.topicPartition(),
            leaderEpoch, Arrays.toString(isr), partitionEpoch, isUnderMinIsr() ? " (under min ISR)" : "");
        return maybeIncrementHighWatermark(nowMs);
    }

    /**
     * The controller refused a change (Kafka's {@code handleAlterPartitionError}). OPERATION_NOT_ATTEMPTED and
     * INELIGIBLE_REPLICA: the controller says it was not applied and the partition epoch is right, so the pending
     * change is dropped and the next fetch or check may try again. FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION,
     * NEW_LEADER_ELECTED, UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, INVALID_REQUEST: this leader's state is
     * stale, it stays pending until the metadata brings the new partition state. Anything else: sent again.
     *
     * @return true if the change should be sent again
     */
    synchronized boolean onAlterPartitionFailed(long generation, Errors error) {
        if (generation != alterGeneration || resigned) {
            return false;
        }
        owner.onIsrUpdateFailed();
        switch (error) {
            case OPERATION_NOT_ATTEMPTED, INELIGIBLE_REPLICA -> {
                LOG.info("AlterPartition refused, back to the committed ISR: partition={}, proposedIsr={}, isr={}, "
                    + "error={}", log.topicPartition(), Arrays.toString(pendingIsr), Arrays.toString(isr), error);
                pendingIsr = null;
                pendingMaximalIsr = null;
                return false;
            }
            case FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION, NEW_LEADER_ELECTED, UNKNOWN_TOPIC_OR_PARTITION,
                 UNKNOWN_TOPIC_ID, INVALID_REQUEST -> {
                LOG.info("AlterPartition refused, waiting for the metadata: partition={}, proposedIsr={}, error={}",
                    log.topicPartition(), Arrays.toString(pendingIsr), error);
                return false;
            }
            default -> {
                LOG.warn("AlterPartition failed, sending it again: partition={}, proposedIsr={}, error={}",
                    log.topicPartition(), Arrays.toString(pendingIsr), error);
                return true;
            }
        }
    }

    /** Still the change to send (a retry is pointless once another change or the metadata replaced it). */
    synchronized boolean isCurrent(long generation) {
        return generation == alterGeneration && !resigned;
    }

    /** This broker stopped leading the partition in this epoch. */
    synchronized void resign() {
        resigned = true;
        // A resigned leader's appends fail NOT_LEADER_OR_FOLLOWER anyway: no stale NOT_ENOUGH_REPLICAS.
        minIsrShortfall = 0;
        pendingIsr = null;
        pendingMaximalIsr = null;
        alterGeneration++;
    }

    /**
     * The controller changed this partition in the current leader epoch (the registry published the new state):
     * the ISR and replicas apply now, not at the next follower fetch or ISR check, so that acks=all is refused
     * (NOT_ENOUGH_REPLICAS) and the high watermark stops waiting for a removed follower at once.
     *
     * @return true if the high watermark moved
     */
    synchronized boolean onMetadataChanged(long nowMs) {
        if (resigned) {
            return false;
        }
        syncWithMetadata(nowMs);
        return maybeIncrementHighWatermark(nowMs);
    }

    /**
     * The metadata (the controller's committed state, read live from the TopicInfo) wins over this leader's view
     * when its partition epoch is newer, as Kafka's {@code makeLeader} replaces the partition state: the ISR, the
     * replicas (followers added and dropped) and any change in flight. Lock held.
     */
    private void syncWithMetadata(long nowMs) {
        final PartitionState st = topic.state(partition);
        if (st == null || st.leaderEpoch() != leaderEpoch || st.partitionEpoch() <= partitionEpoch) {
            return;
        }
        isr = st.isr();
        partitionEpoch = st.partitionEpoch();
        replicas = st.replicas();
        pendingIsr = null;
        pendingMaximalIsr = null;
        alterGeneration++;
        updateFollowers(nowMs);
        refreshMinIsr();
    }

    private void updateFollowers(long nowMs) {
        for (int id : replicas) {
            if (id != owner.selfId()) {
                followers.computeIfAbsent(id, k -> new FollowerState(k, contains(isr, k), nowMs));
            }
        }
        followers.keySet().removeIf(id -> !contains(replicas, id));
    }

    /** Kafka's {@code maybeIncrementLeaderHW} (see the class comment). Lock held. */
    boolean maybeIncrementHighWatermark(long nowMs) {
        if (resigned) {
            return false;
        }
        final long before = log.highWatermark();
        final long initial = initialHighWatermark;
        // Only the first evaluation may start from the checkpoint: after that the log has served reads.
        initialHighWatermark = -1L;
        if (isUnderMinIsr()) {
            log.holdHighWatermark(initial);
            return false;
        }
        final long leaderEnd = log.logEndOffset();
        final int[] maximal = maximalIsr();
        long candidate = leaderEnd;
        boolean waits = false;
        for (FollowerState f : followers.values()) {
            final boolean counts = contains(maximal, f.brokerId())
                || (f.isCaughtUp(leaderEnd, nowMs, owner.replicaLagTimeMaxMs())
                    && owner.isEligible(f.brokerId(), f.brokerEpoch()));
            if (counts) {
                waits = true;
                candidate = Math.min(candidate, f.logEndOffset());
            }
        }
        if (!waits) {
            log.releaseHighWatermark();
        } else {
            log.holdHighWatermark(initial);
            log.maybeIncrementHighWatermark(candidate);
        }
        return log.highWatermark() > before;
    }

    /** The committed ISR is smaller than the effective min.insync.replicas. Lock held. */
    private boolean isUnderMinIsr() {
        return isr.length < effectiveMinIsr();
    }

    /**
     * Kafka's {@code effectiveMinIsr}: the topic's (else the broker's) {@code min.insync.replicas}, capped at the
     * replica count, so a partition with fewer replicas than the setting can still commit. Lock held.
     */
    private int effectiveMinIsr() {
        return Math.min(owner.minInsyncReplicas(topic), replicas.length);
    }

    /** Publishes {@link #minIsrShortfall} for the Produce path. Lock held. */
    private void refreshMinIsr() {
        seenOverrides = topic.overrides();
        seenBrokerConfig = owner.brokerConfig();
        minIsrShortfall = effectiveMinIsr() - isr.length;
    }

    /**
     * Above 0 while the committed ISR is under the effective min.insync.replicas; any thread. Lock-free unless the
     * topic's settings or the broker's dynamic settings were replaced since the last look (two reference compares),
     * so a changed {@code min.insync.replicas} applies from the next Produce, as Kafka reads the log config.
     */
    int minIsrShortfall() {
        if (topic.overrides() != seenOverrides || owner.brokerConfig() != seenBrokerConfig) {
            synchronized (this) {
                if (!resigned) {
                    refreshMinIsr();
                }
            }
        }
        return minIsrShortfall;
    }

    /** The committed ISR is smaller than the replica set. */
    synchronized boolean isUnderReplicated() {
        return !resigned && isr.length < replicas.length;
    }

    /** A replicated partition whose committed ISR is exactly its effective min.insync.replicas (Kafka's AtMinIsr). */
    synchronized boolean isAtMinIsr() {
        return !resigned && replicas.length > 1 && isr.length == effectiveMinIsr();
    }

    /** Kafka's NotEnoughReplicasException message for this partition (error path only). */
    synchronized String minIsrMessage() {
        return "The size of the current ISR " + Arrays.toString(isr) + " is insufficient to satisfy the min.isr"
            + " requirement of " + effectiveMinIsr() + " for partition " + log.topicPartition();
    }

    /** The ISR that bounds the high watermark: with an expansion in flight, the committed one plus the joiner. */
    private int[] maximalIsr() {
        return pendingMaximalIsr != null ? pendingMaximalIsr : isr;
    }

    /** The ISR this leader works with (tests): the committed one. */
    public synchronized int[] isr() {
        return isr.clone();
    }

    public synchronized int partitionEpoch() {
        return partitionEpoch;
    }

    /** The change in flight (tests), or null. */
    public synchronized int[] pendingIsr() {
        return pendingIsr == null ? null : pendingIsr.clone();
    }

    static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    private static int[] remove(int[] ids, int id) {
        final int[] out = new int[ids.length - 1];
        int n = 0;
        for (int x : ids) {
            if (x != id) {
                out[n++] = x;
            }
        }
        return out;
    }
}
