package io.zcrx.ingest.log.cleaner;

import io.zcrx.ingest.log.LogManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log cleaner of a {@link LogManager} (Kafka's {@code LogCleaner}): {@code log.cleaner.threads} background
 * threads, each with its own offset map and I/O buffers, that repeatedly take the filthiest compacted log
 * ({@link LogCleanerManager}), clean it ({@link Cleaner}) and record how far they got, sleeping
 * {@code log.cleaner.backoff.ms} when no log needs cleaning. All their I/O shares one {@link Throttler}.
 *
 * <p>Never on a reactor and never holding a partition's append lock except for the swap of a cleaned segment
 * (renames only). Stopping ({@link #close}) sets a flag the threads poll between chunks and wakes them; it never
 * interrupts them (an interrupt would close the segment channels they read, which Fetch shares).
 *
 * <p>The getters are Kafka's cleaner metrics ({@code kafka.log:type=LogCleaner} and {@code LogCleanerManager});
 * the broker registers them. Thread-safe.
 */
public final class LogCleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    private final CleanerConfig config;
    private final LongSupplier clock;
    private final LogCleanerManager manager;
    private final Throttler throttler;
    private final List<Thread> threads = new ArrayList<>();
    private final Object backoff = new Object();
    private volatile boolean stopped;
    private Cleaner foregroundCleaner;

    private volatile long lastRunMs;
    private volatile CleanerStats lastStats;
    private volatile double maxBufferUtilization;
    private volatile long cleans;

    public LogCleaner(LogManager logs, CleanerConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.manager = new LogCleanerManager(logs);
        this.throttler = new Throttler(config.maxIoBytesPerSecond(), System::nanoTime,
            config.throttleCheckIntervalMs());
        this.lastRunMs = clock.getAsLong();
    }

    /** Starts the threads ({@code log.cleaner.enable=false}: none). */
    public synchronized void start() {
        if (!config.enabled() || !threads.isEmpty()) {
            return;
        }
        for (int i = 0; i < config.threads(); i++) {
            final Cleaner cleaner = new Cleaner(i, config, throttler, clock, () -> stopped);
            final Thread t = new Thread(() -> run(cleaner), "zcrx-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        for (Thread t : threads) {
            t.start();
        }
        LOG.info("Log cleaner started: threads={}, dedupeBufferSize={}, ioBufferSize={}, maxIoBytesPerSecond={}, "
                + "backoffMs={}", config.threads(), config.dedupeBufferSize(), config.ioBufferSize(),
            config.maxIoBytesPerSecond(), config.backoffMs());
    }

    private void run(Cleaner cleaner) {
        while (!stopped) {
            boolean cleaned;
            try {
                cleaned = cleanFilthiest(cleaner);
            } catch (RuntimeException e) {
                LOG.error("Log cleaner thread error, backing off", e);
                cleaned = false;
            }
            if (!cleaned) {
                synchronized (backoff) {
                    if (!stopped) {
                        try {
                            backoff.wait(Math.max(1, config.backoffMs()));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /**
     * Cleans the filthiest log that needs it, if any, on the calling thread (tests and the benchmark; the broker
     * uses the threads). Returns true if a clean ran to its end.
     */
    public boolean cleanOnce() {
        final Cleaner cleaner;
        synchronized (this) {
            if (foregroundCleaner == null) {
                foregroundCleaner = new Cleaner(-1, config, throttler, clock, () -> stopped);
            }
            cleaner = foregroundCleaner;
        }
        synchronized (cleaner) {
            return cleanFilthiest(cleaner);
        }
    }

    private boolean cleanFilthiest(Cleaner cleaner) {
        final LogToClean ltc = manager.grabFilthiest(clock.getAsLong());
        lastRunMs = clock.getAsLong();
        if (ltc == null) {
            return false;
        }
        final TopicPartition tp = ltc.log().topicPartition();
        final CleanerStats stats = new CleanerStats();
        try {
            final long end = cleaner.clean(ltc, stats);
            manager.doneCleaning(ltc.log(), end);
            lastStats = stats;
            maxBufferUtilization = stats.bufferUtilization;
            cleans++;
            LOG.info("Cleaned log {} up to offset {} (dirty ratio was {}): {}", tp, end,
                String.format("%.3f", ltc.cleanableRatio()), stats);
            return true;
        } catch (Cleaner.AbortedException | Cleaner.LogChangedException e) {
            manager.abortCleaning(tp);
            LOG.info("Cleaning of log {} stopped: {}", tp, e.getMessage());
            return false;
        } catch (IOException | RuntimeException e) {
            if (ltc.log().isOnline() && !stopped) {
                manager.markUncleanable(tp);
                LOG.error("Cleaning of log {} failed; it stays uncleaned until the broker restarts", tp, e);
            } else {
                manager.abortCleaning(tp);
                LOG.info("Cleaning of log {} stopped (log closed or offline): {}", tp, e.toString());
            }
            return false;
        } finally {
            lastRunMs = clock.getAsLong();
        }
    }

    /** The first dirty offset recorded for a log (its cleaner checkpoint), or null. */
    public Long cleanedUpTo(TopicPartition tp) {
        return manager.lastCleanOffset(tp);
    }

    /** {@code kafka.log:type=LogCleanerManager,name=max-dirty-percent}. */
    public int maxDirtyPercent() {
        return (int) (100 * manager.dirtiestRatio());
    }

    /** {@code kafka.log:type=LogCleanerManager,name=time-since-last-run-ms}. */
    public long timeSinceLastRunMs() {
        return Math.max(0, clock.getAsLong() - lastRunMs);
    }

    /** {@code kafka.log:type=LogCleaner,name=cleaner-recopy-percent}: bytes written over read by the last clean. */
    public int cleanerRecopyPercent() {
        final CleanerStats s = lastStats;
        return s == null || s.bytesRead == 0 ? 0 : (int) (100 * s.bytesWritten / s.bytesRead);
    }

    /** {@code kafka.log:type=LogCleaner,name=max-clean-time-secs}: duration of the last clean. */
    public int maxCleanTimeSecs() {
        final CleanerStats s = lastStats;
        return s == null ? 0 : (int) s.elapsedSecs();
    }

    /** {@code kafka.log:type=LogCleaner,name=max-buffer-utilization-percent}. */
    public int maxBufferUtilizationPercent() {
        return (int) (100 * maxBufferUtilization);
    }

    /** {@code kafka.log:type=LogCleanerManager,name=uncleanable-partitions-count}. */
    public int uncleanablePartitionsCount() {
        return manager.uncleanableCount();
    }

    /** Cleans completed since start. */
    public long cleans() {
        return cleans;
    }

    /** The last completed clean's statistics, or null. */
    public CleanerStats lastStats() {
        return lastStats;
    }

    /** Times the throttle made a cleaner sleep, and for how long in all (tests, logs). */
    public long throttleSleeps() {
        return throttler.sleeps();
    }

    public long throttleSleptMs() {
        return throttler.sleptMs();
    }

    /** Bytes the cleaners read and wrote since start (what the throttle counts). */
    public long ioBytes() {
        return throttler.observedBytes();
    }

    /** Stops the threads (a clean in progress stops at its next chunk and deletes its files) and waits for them. */
    @Override
    public void close() {
        stopped = true;
        throttler.wakeUp();
        synchronized (backoff) {
            backoff.notifyAll();
        }
        final List<Thread> ts;
        synchronized (this) {
            ts = new ArrayList<>(threads);
        }
        for (Thread t : ts) {
            try {
                t.join(30_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.warn("Log cleaner thread did not stop within 30 s: {}", t.getName());
            }
        }
        if (!ts.isEmpty()) {
            LOG.info("Log cleaner stopped");
        }
    }
}
