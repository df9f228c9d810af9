package io.zcrx.ingest.broker.runtime;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TimerService} on one daemon thread ({@code zcrx-timer}). A task that throws is logged and
 * the thread carries on (one bad group must not stop every other group's timers). Cancelled tasks
 * are removed from the queue at once, so a Fetch long-poll answered early leaves nothing behind.
 *
 * <p>Thread-safe.
 */
public final class ScheduledTimerService implements TimerService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledTimerService.class);

    private final ScheduledThreadPoolExecutor executor;

    public ScheduledTimerService(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            final Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("timer delay: delayMs=" + delayMs);
        }
        final ScheduledFuture<?> f;
        try {
            f = executor.schedule(() -> runLogged(task), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Shutting down: the task would never run, and nothing waits for it any more.
            return () -> { };
        }
        return () -> f.cancel(false);
    }

    private static void runLogged(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("timer task failed: task={}", task, e);
        }
    }

    @Override
    public long nowMs() {
        return System.currentTimeMillis();
    }

    /** Drops every pending task and waits (bounded) for a running one to finish. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("timer thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
