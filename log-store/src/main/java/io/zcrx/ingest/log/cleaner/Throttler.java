package io.zcrx.ingest.log.cleaner;

import java.util.function.LongSupplier;

/**
 * Kafka's cleaner {@code Throttler} ({@code log.cleaner.io.max.bytes.per.second}): every cleaner thread reports the
 * bytes it read or wrote; once per check interval (300 ms, as Kafka's) the observed rate is compared with the
 * limit and, when above it, the reporting thread sleeps until the bytes of that interval fit the limit. Shared by
 * all cleaner threads, so the limit is the cleaners' total. The sleep waits on this object's monitor, never in
 * {@code Thread.sleep} under an interrupt: {@link #wakeUp} ends it at shutdown (an interrupt would close the
 * segment channels the cleaner reads, which readers share).
 *
 * <p>Counts its sleeps and their total, so tests and metrics can see that the throttle acted.
 */
final class Throttler {
    private final long checkIntervalNs;
    private final double bytesPerSecond;
    private final LongSupplier nanoClock;
    private long periodStartNs;
    private double observedSoFar;
    private long sleeps;
    private long sleptMs;
    private long observedTotal;
    private volatile boolean woken;

    Throttler(double bytesPerSecond, LongSupplier nanoClock) {
        this(bytesPerSecond, nanoClock, CleanerConfig.THROTTLE_CHECK_INTERVAL_MS);
    }

    Throttler(double bytesPerSecond, LongSupplier nanoClock, long checkIntervalMs) {
        this.checkIntervalNs = checkIntervalMs * 1_000_000L;
        this.bytesPerSecond = bytesPerSecond;
        this.nanoClock = nanoClock;
        this.periodStartNs = nanoClock.getAsLong();
    }

    /** Reports {@code observed} bytes; sleeps when the rate of this interval is above the limit. */
    synchronized void maybeThrottle(double observed) {
        observedTotal += (long) observed;
        if (bytesPerSecond >= Double.MAX_VALUE || woken) {
            return;
        }
        observedSoFar += observed;
        final long now = nanoClock.getAsLong();
        final long elapsedNs = now - periodStartNs;
        if (elapsedNs > checkIntervalNs && observedSoFar > 0) {
            final double rate = observedSoFar * 1e9 / elapsedNs;
            if (rate > bytesPerSecond) {
                final double elapsedMs = elapsedNs / 1e6;
                final long sleepMs = Math.round(observedSoFar / (bytesPerSecond / 1000.0) - elapsedMs);
                if (sleepMs > 0) {
                    sleeps++;
                    sleptMs += sleepMs;
                    final long until = System.nanoTime() + sleepMs * 1_000_000L;
                    long left = sleepMs;
                    while (left > 0 && !woken) {
                        try {
                            wait(left);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                        left = (until - System.nanoTime()) / 1_000_000L;
                    }
                }
            }
            periodStartNs = nanoClock.getAsLong();
            observedSoFar = 0;
        }
    }

    /** Ends every sleep now and for good (shutdown). */
    synchronized void wakeUp() {
        woken = true;
        notifyAll();
    }

    synchronized long sleeps() {
        return sleeps;
    }

    synchronized long sleptMs() {
        return sleptMs;
    }

    /** Every byte reported since creation. */
    synchronized long observedBytes() {
        return observedTotal;
    }
}
