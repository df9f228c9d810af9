package io.zcrx.ingest.broker.runtime;

/**
 * Delayed tasks for the control plane: group session, rebalance and sync timeouts, the initial
 * rebalance delay, Fetch long-poll expiry. Production runs every task on one daemon thread
 * ({@link ScheduledTimerService}); tests drive a manual clock so state machines are checked
 * without sleeping.
 *
 * <p>Thread-safe: {@link #schedule} may be called from any thread. Tasks must not block for long
 * (they share one thread) and must take whatever lock guards the state they touch.
 */
public interface TimerService {

    /** A scheduled task that may be cancelled; cancelling one that already ran is harmless. */
    interface Cancellable {
        void cancel();
    }

    /** Runs {@code task} once, {@code delayMs} (&gt;= 0) from now. */
    Cancellable schedule(long delayMs, Runnable task);

    /** The clock the delays are measured with, in wall-clock milliseconds. */
    long nowMs();
}
