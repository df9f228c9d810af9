package io.zcrx.ingest.broker.produce;

import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.runtime.LogFlusher;
import io.zcrx.ingest.broker.runtime.TimerService;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.log.PartitionLog;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One reactor's Produce responses that wait for fsyncs or for replication, and its side of the hand-off with the
 * {@link LogFlusher}: the reactor asks for flushes ({@link #requestFlush}) and parks responses
 * ({@link #park}); after each flusher round the flusher calls {@link #wake} (on its thread), which
 * queues one task on the reactor; that task completes, in arrival order, every parked response
 * whose partitions are now durable (or failed), through the connection's in-order response queue.
 *
 * <p>Repeated requests for a partition within one flusher round are skipped through a small
 * direct-mapped memo (identity hash of the log to the round it was last requested in): a request
 * made in round r is served by a round that starts after it, so a later append in the same round
 * is covered too.
 *
 * <p>Each wake that completes responses records how many into
 * {@code zcrx:type=LogFlusher,name=GroupCommitBatchSize} (the acks one fsync round released on this
 * reactor).
 *
 * <p>Replication (cluster mode, acks=all on a partition whose high watermark waits for followers): the leader side of
 * replication ({@link LeaderPartitions}) wakes this reactor whenever a high watermark moves or a leadership ends
 * ({@link #awaitsReplication}, {@link #wake}); a timer wakes it at the earliest TimeoutMs deadline of the responses
 * still waiting (one timer outstanding at a time: deadlines arrive in order, so a new one is scheduled only when
 * the earliest passes). Receive memory is not held meanwhile: the request frame was released after the local write
 * and only the encoded response waits (followers read the segment files).
 *
 * <p>Cluster mode: the leadership lease ({@link ClusterState#mayLead}) is read once per completion round, before
 * any parked response is released; without it the waiting slots answer NOT_LEADER_OR_FOLLOWER
 * ({@link DeferredProduce#settle(boolean)}), so an acks=all answer never outlives the lease it was appended under.
 *
 * <p>Reactor thread only, except {@link #waiting} and {@link #wake} (flusher thread).
 */
final class DurableAcks implements LogFlusher.Waiters, LeaderPartitions.AckWaiter {
    private static final int MEMO_SIZE = 256;

    private final LogFlusher flusher;
    private final ReactorIo reactor;
    private final Histogram batchSizes;
    /** The reactor's id: its stripe in {@link #batchSizes}. */
    private final int stripe;
    /** Cluster mode: the lease re-checked before a response is released; null standalone (leads for ever). */
    private final ClusterState cluster;
    /** Cluster mode: the ISR check of committed acks=all slots; null standalone. */
    private final LeaderPartitions replicas;
    /** Wakes this reactor at TimeoutMs deadlines; null when nothing waits for replication (standalone). */
    private final TimerService timer;
    private final Runnable completeTask = this::completeDurable;
    private final Runnable timeoutTask = this::wake;
    /** The deadline the outstanding timer fires at, Long.MAX_VALUE when none (reactor thread only). */
    private long timerDeadline = Long.MAX_VALUE;
    private volatile boolean replicationWaiting;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** Parked responses in arrival order: [0, parkedCount). */
    private DeferredProduce[] parked = new DeferredProduce[64];
    private int parkedCount;
    private final ArrayDeque<DeferredProduce> pool = new ArrayDeque<>();
    private final PartitionLog[] memoLogs = new PartitionLog[MEMO_SIZE];
    private final long[] memoRounds = new long[MEMO_SIZE];
    private volatile boolean waiting;
    private long parkedTotal;

    /** @param cluster the broker's cluster state in cluster mode, null standalone */
    DurableAcks(LogFlusher flusher, ReactorIo reactor, Histogram batchSizes, int stripe, ClusterState cluster) {
        this(flusher, reactor, batchSizes, stripe, cluster, null, null);
    }

    /**
     * @param cluster  the broker's cluster state in cluster mode, null standalone
     * @param replicas the leader side of replication in cluster mode (registers this waiter), null standalone
     * @param timer    the broker's timer, for TimeoutMs deadlines of responses waiting for replication
     */
    DurableAcks(LogFlusher flusher, ReactorIo reactor, Histogram batchSizes, int stripe, ClusterState cluster,
                LeaderPartitions replicas, TimerService timer) {
        this.cluster = cluster;
        this.replicas = replicas;
        this.timer = timer;
        this.flusher = flusher;
        this.reactor = reactor;
        this.batchSizes = batchSizes;
        this.stripe = stripe;
    }

    /** Asks the flusher for an fsync of {@code log} covering the append that just returned. */
    void requestFlush(PartitionLog log) {
        final long round = flusher.round();
        final int i = System.identityHashCode(log) & (MEMO_SIZE - 1);
        if (memoLogs[i] == log && memoRounds[i] == round) {
            return;
        }
        memoLogs[i] = log;
        memoRounds[i] = round;
        flusher.request(log);
    }

    /** A response object from the pool (or a new one while the pool is empty). */
    DeferredProduce take() {
        final DeferredProduce d = pool.poll();
        return d != null ? d : new DeferredProduce(this);
    }

    /** Parks {@code d} (its pending response set) until its partitions are durable and committed. */
    void park(DeferredProduce d) {
        if (parkedCount == parked.length) {
            parked = Arrays.copyOf(parked, parkedCount * 2);
        }
        parked[parkedCount++] = d;
        parkedTotal++;
        waiting = true;
        if (d.awaitsReplication()) {
            replicationWaiting = true;
            armTimer(d.deadlineNanos(), System.nanoTime());
            // The leader side wakes only reactors already marked as waiting: a high watermark that moved between
            // the append's check and the flag above woke nobody. One re-check after the flag closes that window
            // (one queued task per reactor turn, however many answers park in it).
            wake();
        }
    }

    /** Makes sure a timer wakes this reactor by {@code deadline}. Reactor thread. */
    private void armTimer(long deadline, long nowNanos) {
        if (timer == null || deadline == Long.MAX_VALUE
            || (timerDeadline != Long.MAX_VALUE && deadline - timerDeadline >= 0)) {
            return;
        }
        timerDeadline = deadline;
        // Rounded up, so the wake finds the deadline passed.
        final long delayMs = Math.max(0L, (deadline - nowNanos + 999_999L) / 1_000_000L);
        timer.schedule(delayMs, timeoutTask);
    }

    @Override
    public boolean awaitsReplication() {
        return replicationWaiting;
    }

    void recycle(DeferredProduce d) {
        d.clear();
        pool.addLast(d);
    }

    @Override
    public boolean waiting() {
        return waiting;
    }

    @Override
    public void wake() {
        if (wakeQueued.compareAndSet(false, true) && !reactor.execute(completeTask)) {
            // The reactor has stopped: its connections are closed and nobody waits any more.
            wakeQueued.set(false);
        }
    }

    /** On the reactor: completes every parked response that is settled. */
    void completeDurable() {
        wakeQueued.set(false);
        final long now = System.nanoTime();
        final boolean mayLead = cluster == null || cluster.mayLead(now);
        if (timerDeadline != Long.MAX_VALUE && now - timerDeadline >= 0) {
            // The outstanding timer fired (or is about to: one spurious wake at most).
            timerDeadline = Long.MAX_VALUE;
        }
        int kept = 0;
        int released = 0;
        long earliest = Long.MAX_VALUE;
        boolean replicating = false;
        for (int i = 0; i < parkedCount; i++) {
            final DeferredProduce d = parked[i];
            parked[i] = null;
            if (d.pending.isAbandoned()) {
                recycle(d);
            } else if (d.settle(mayLead, now, replicas)) {
                // Written (and recycled) when every earlier response on its connection has gone out.
                d.pending.completeWith(d);
                released++;
            } else {
                parked[kept++] = d;
                if (d.awaitsReplication()) {
                    replicating = true;
                    // nanoTime values compare by difference; MAX_VALUE stands for "none yet".
                    earliest = earliest == Long.MAX_VALUE || d.deadlineNanos() - earliest < 0 ? d.deadlineNanos()
                        : earliest;
                }
            }
        }
        parkedCount = kept;
        waiting = kept > 0;
        replicationWaiting = replicating;
        armTimer(earliest, now);
        if (released > 0) {
            batchSizes.record(stripe, released);
        }
        assert checkInvariants();
    }

    /** Parked entries are dense, each with its pending response; the pool holds only idle ones. */
    boolean checkInvariants() {
        if (parkedCount < 0 || parkedCount > parked.length) {
            throw new IllegalStateException("parked count outside its array: parkedCount=" + parkedCount
                + ", capacity=" + parked.length);
        }
        for (int i = 0; i < parked.length; i++) {
            final DeferredProduce d = parked[i];
            if ((i < parkedCount) != (d != null) || (d != null && d.pending == null)) {
                throw new IllegalStateException("parked responses not dense or without a pending response: index="
                    + i + ", parkedCount=" + parkedCount);
            }
        }
        for (DeferredProduce d : pool) {
            if (d.pending != null || d.slotCount() != 0) {
                throw new IllegalStateException("pooled response still in use: slots=" + d.slotCount());
            }
        }
        return true;
    }

    /** Responses parked now (tests). */
    int parkedCount() {
        return parkedCount;
    }

    /** Responses parked since start. */
    long parkedTotal() {
        return parkedTotal;
    }
}
