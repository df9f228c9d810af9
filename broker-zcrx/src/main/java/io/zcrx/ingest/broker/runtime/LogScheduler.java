package io.zcrx.ingest.broker.runtime;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's background maintenance thread ({@code zcrx-log-scheduler}): periodic log work that
 * must not run on a reactor (retention deletes files; the offsets journal fsyncs; offset expiry
 * walks every group). Tasks run with a fixed delay between runs, one at a time; a task that throws
 * is logged and runs again at its next turn.
 *
 * <p>Stopped by the broker's close after the transport and before the log manager, so no task
 * touches a closed log. Thread-safe.
 */
public final class LogScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogScheduler.class);

    private final ScheduledThreadPoolExecutor executor;

    public LogScheduler(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            final Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code task} every {@code periodMs} (after the previous run ends), first after {@code initialDelayMs}. */
    public void schedule(String name, long initialDelayMs, long periodMs, Runnable task) {
        if (initialDelayMs < 0 || periodMs < 1) {
            throw new IllegalArgumentException("log scheduler task " + name + ": initialDelayMs=" + initialDelayMs
                + ", periodMs=" + periodMs);
        }
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("background task {} failed; it runs again in {} ms", name, periodMs, e);
            }
        }, initialDelayMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Stops scheduling and waits (bounded) for a running task, e.g. a retention pass, to finish. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("log scheduler did not stop within 30 s; interrupting it");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
