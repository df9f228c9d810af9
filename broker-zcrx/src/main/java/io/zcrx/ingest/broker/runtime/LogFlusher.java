package io.zcrx.ingest.broker.runtime;

import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metrics.Timer;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's one flusher thread ({@code zcrx-log-flusher}, docs/design.md, "Threads"): every fsync of a
 * partition log runs here, never on a reactor.
 *
 * <ul>
 *   <li><b>On request</b> (group commit, and appends that reach {@code flush.messages}): reactors
 *       {@link #request} partitions after appending to them. Each <em>round</em> takes every
 *       partition requested so far, flushes each once ({@link PartitionLog#flush}: fdatasync of the
 *       segment, msync of its indexes, then the recovery point moves past everything appended
 *       before the flush began) and then wakes the reactors that have responses waiting, which
 *       complete those whose batches now lie below their partition's recovery point. Requests
 *       arriving during a round wait for the next one, so one fdatasync covers every batch appended
 *       while the previous one ran: the group commit.</li>
 *   <li><b>On schedule</b>: at least every {@code checkIntervalMs} it runs the flush policy
 *       ({@link LogManager#flushDue}: {@code flush.ms}, rolled segments) as Kafka's log flusher
 *       does.</li>
 * </ul>
 *
 * <p>Every partition fsync, requested or scheduled, is timed into Kafka's
 * {@code kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs} (a rate and a histogram, as Kafka
 * times each log flush) and the broker's own {@code zcrx:type=LogFlusher,name=FsyncLatencyMs}.
 *
 * <p>A failed fsync takes that partition offline ({@link PartitionLog#flush}); its waiting
 * responses then answer KAFKA_STORAGE_ERROR, and the other partitions carry on.
 *
 * <p>Threads: {@link #request} and {@link #round()} from any thread (reactors); the rest from the
 * broker's start/stop thread. {@link #request} allocates nothing unless the pending array grows.
 */
public final class LogFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

    /** A reactor's responses waiting for flushes; {@link #wake} runs after every round. */
    public interface Waiters {
        /** True while responses wait (read by the flusher; a stale true only costs a wake-up). */
        boolean waiting();

        /** Called on the flusher thread after a round: hop to the reactor and complete what is durable. */
        void wake();
    }

    /** Kafka's flush timer: one event per partition flush. */
    public static final MetricName LOG_FLUSH_RATE_AND_TIME = MetricName.of("kafka.log", "LogFlushStats",
        "LogFlushRateAndTimeMs");
    /** The broker's own fsync latency: the same flushes, under the broker's name. */
    public static final MetricName FSYNC_LATENCY = MetricName.of("zcrx", "LogFlusher", "FsyncLatencyMs");
    /** How many parked acks one flusher round releases on one reactor. */
    public static final MetricName GROUP_COMMIT_BATCH_SIZE =
        MetricName.of("zcrx", "LogFlusher", "GroupCommitBatchSize");

    private final LogManager logs;
    private final long checkIntervalMs;
    private final Timer flushTimer;
    private final Histogram fsyncLatency;
    private final Thread thread;
    private final Object lock = new Object();
    private final CopyOnWriteArrayList<Waiters> waiters = new CopyOnWriteArrayList<>();
    /** Guarded by lock: partitions requested since the current round took the previous batch. */
    private PartitionLog[] requested = new PartitionLog[64];
    private int requestedCount;
    /** Guarded by lock: the array the round works on, swapped with {@link #requested}. */
    private PartitionLog[] draining = new PartitionLog[64];
    /** Flusher thread only: partitions already flushed in this round. */
    private final IdentityHashMap<PartitionLog, Boolean> flushedThisRound = new IdentityHashMap<>();
    /** Incremented when a round takes the requested partitions (reactors use it to skip repeats). */
    private volatile long round;
    private volatile boolean running = true;
    /** Written by the flusher thread only. */
    private volatile long rounds;
    private volatile long partitionFlushes;
    private volatile long flushNanos;

    /**
     * @param checkIntervalMs how often the flush policy ({@code flush.ms}, rolls) is checked when no
     *                        request wakes the thread first
     */
    public LogFlusher(LogManager logs, long checkIntervalMs, MetricsRegistry metrics) {
        if (checkIntervalMs < 1) {
            throw new IllegalArgumentException("flush check interval must be >= 1: checkIntervalMs=" + checkIntervalMs);
        }
        this.logs = logs;
        this.flushTimer = metrics.timer(LOG_FLUSH_RATE_AND_TIME, "flushes");
        this.fsyncLatency = metrics.latencyHistogram(FSYNC_LATENCY);
        this.checkIntervalMs = checkIntervalMs;
        this.thread = new Thread(this::run, "zcrx-log-flusher");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Registers a reactor's waiting responses; {@link Waiters#wake} follows every round while it waits. */
    public void attach(Waiters w) {
        waiters.add(w);
    }

    /**
     * The round number: a partition requested in round r is flushed by a round that starts after
     * the request, so a reactor that already requested a partition in the current round need not
     * request it again.
     */
    public long round() {
        return round;
    }

    /**
     * Asks for an fsync of {@code log} covering every append that has returned on the calling
     * thread; any thread. Wakes the flusher.
     */
    public void request(PartitionLog log) {
        synchronized (lock) {
            if (requestedCount == requested.length) {
                requested = Arrays.copyOf(requested, requestedCount * 2);
            }
            requested[requestedCount++] = log;
            if (requestedCount == 1) {
                lock.notifyAll();
            }
        }
    }

    private void run() {
        long nextCheckNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(checkIntervalMs);
        while (running) {
            final int n;
            try {
                synchronized (lock) {
                    while (running && requestedCount == 0) {
                        final long waitNs = nextCheckNs - System.nanoTime();
                        if (waitNs <= 0) {
                            break;
                        }
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNs)));
                    }
                    final PartitionLog[] batch = requested;
                    requested = draining;
                    draining = batch;
                    n = requestedCount;
                    requestedCount = 0;
                    // Published under the lock, after the swap: a request that reads the new value
                    // lands in the next batch.
                    round = round + 1;
                }
                if (n > 0) {
                    flushRequested(n);
                }
                final long now = System.nanoTime();
                if (now - nextCheckNs >= 0) {
                    flushDue(System.currentTimeMillis());
                    nextCheckNs = now + TimeUnit.MILLISECONDS.toNanos(checkIntervalMs);
                }
                wakeWaiters();
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException | Error e) {
                // Never die silently: waiting producers would hang. Log and go on with the next round.
                LOG.error("flusher round failed; continuing", e);
            }
        }
        // Last round for anything requested before the stop (the transport is already closed, so
        // nobody waits for it, but the recovery point then covers it).
        final int n;
        synchronized (lock) {
            final PartitionLog[] batch = requested;
            requested = draining;
            draining = batch;
            n = requestedCount;
            requestedCount = 0;
        }
        if (n > 0) {
            flushRequested(n);
        }
    }

    private void flushRequested(int n) {
        final long t0 = System.nanoTime();
        int flushed = 0;
        for (int i = 0; i < n; i++) {
            final PartitionLog log = draining[i];
            draining[i] = null;
            if (flushedThisRound.put(log, Boolean.TRUE) != null) {
                continue;
            }
            flushed++;
            try {
                timedFlush(log);
            } catch (IOException e) {
                // PartitionLog.flush has taken the partition offline; its waiters answer the error.
                LOG.error("fsync failed, partition offline: partition={}: {}", log.topicPartition(), e.toString());
            }
        }
        flushedThisRound.clear();
        assert checkInvariants();
        rounds++;
        partitionFlushes += flushed;
        flushNanos += System.nanoTime() - t0;
    }

    /** The flush policy (LogManager.flushDue's), each flush timed. */
    private void flushDue(long nowMs) {
        for (PartitionLog log : logs.partitions()) {
            if (log.flushDue(nowMs)) {
                try {
                    timedFlush(log);
                } catch (IOException e) {
                    LOG.error("Flush failed, partition offline: partition={}: {}", log.topicPartition(), e.toString());
                }
            }
        }
    }

    private void timedFlush(PartitionLog log) throws IOException {
        final long t0 = System.nanoTime();
        try {
            log.flush();
        } finally {
            final long micros = (System.nanoTime() - t0) / 1000;
            flushTimer.update(Meter.ANY_THREAD, micros);
            fsyncLatency.record(Meter.ANY_THREAD, micros);
        }
    }

    private void wakeWaiters() {
        for (Waiters w : waiters) {
            if (w.waiting()) {
                w.wake();
            }
        }
    }

    /** Rounds that flushed at least one requested partition. */
    public long rounds() {
        return rounds;
    }

    /** fsyncs of partitions requested by reactors (one per partition per round). */
    public long partitionFlushes() {
        return partitionFlushes;
    }

    /** Rounds that flushed at least one requested partition, partition fsyncs they ran, and their time. */
    public String stats() {
        return "rounds=" + rounds + ", partitionFlushes=" + partitionFlushes + ", flushMs="
            + TimeUnit.NANOSECONDS.toMillis(flushNanos);
    }

    /** Stops the thread after a last round for what was requested; the logs stay open. */
    @Override
    public void close() {
        running = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                LOG.error("log flusher did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("log flusher stopped: {}", stats());
    }

    /** The batch being drained is cleared after a round; the pending batch is dense. */
    boolean checkInvariants() {
        synchronized (lock) {
            if (requestedCount < 0 || requestedCount > requested.length || requested == draining) {
                throw new IllegalStateException("flusher requests out of shape: requestedCount=" + requestedCount
                    + ", capacity=" + requested.length + ", sameArray=" + (requested == draining));
            }
            for (int i = 0; i < requested.length; i++) {
                if ((i < requestedCount) != (requested[i] != null)) {
                    throw new IllegalStateException("flusher requests not dense: index=" + i + ", requestedCount="
                        + requestedCount);
                }
            }
            for (PartitionLog log : draining) {
                if (log != null) {
                    throw new IllegalStateException("flushed batch not cleared: partition=" + log.topicPartition());
                }
            }
        }
        return true;
    }

    /** Test seam: waiters registered (one per reactor that deferred a response). */
    int attachedWaiters() {
        return waiters.size();
    }

    /** For tests: partitions in the batch of the next round. */
    int pendingRequests() {
        synchronized (lock) {
            return requestedCount;
        }
    }
}
