package io.zcrx.ingest.broker.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waits for a condition the system reaches asynchronously: the one way tests wait, instead of
 * sleeping for a guessed time. A sleep either wastes time or, on a loaded machine, is too short and
 * lets the test assert before the thing happened (or pass without it happening at all). The timeout
 * is a bound on waiting, not a speed check: it only decides when to give up and say what never
 * happened.
 *
 * <p>The condition is checked at once, then with a short back-off (1 ms doubling up to 50 ms), so
 * fast conditions cost little and slow probes (reading a log, asking a broker) are not hammered.
 */
public final class Await {
    /** Long enough for a busy shared CI machine; a condition that is reached at all is reached long before. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private static final long FIRST_PAUSE_MS = 1;
    private static final long MAX_PAUSE_MS = 50;
    /** A failure shows at most this much of the last value seen (its end: where a process's output says why). */
    private static final int MAX_SHOWN_CHARS = 4000;

    /** A probe of the system's state that may fail with a checked exception (I/O, a client call). */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        T get() throws E;
    }

    private Await() {
    }

    /** Waits up to {@link #DEFAULT_TIMEOUT} until {@code condition} holds; fails naming {@code what} otherwise. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /** Waits up to {@code timeout} until {@code condition} holds; fails naming {@code what} otherwise. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        until(what, timeout, condition::getAsBoolean, Boolean::booleanValue);
    }

    /**
     * Probes until {@code done} accepts the probed value, and returns that value; fails naming
     * {@code what} and the last value seen once {@code timeout} has passed.
     */
    public static <T, E extends Exception> T until(String what, Duration timeout, Probe<T, E> probe,
                                                   Predicate<? super T> done) throws E, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMs = FIRST_PAUSE_MS;
        while (true) {
            final T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what
                    + (value instanceof Boolean ? "" : " (last seen: " + tail(String.valueOf(value)) + ")"));
            }
            // The one sleep of the waiting mechanism itself: the pause between two probes.
            Thread.sleep(pauseMs);
            pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2);
        }
    }

    private static String tail(String s) {
        return s.length() <= MAX_SHOWN_CHARS ? s : "..." + s.substring(s.length() - MAX_SHOWN_CHARS);
    }
}
