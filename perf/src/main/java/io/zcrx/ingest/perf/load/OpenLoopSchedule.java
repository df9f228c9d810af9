package io.zcrx.ingest.perf.load;

/**
 * The fixed schedule of an open-loop run: record {@code i} (0-based) is due at
 * {@code startNs + ceil(i * 1e9 / rate)}, whatever happened to the records before it. Pure arithmetic on
 * {@code long} nanoseconds (exact up to rate x seconds of about 9e9, far beyond any run), so the tests can drive it
 * with a fake clock.
 *
 * <p>The two functions are each other's inverse: {@code dueCount(scheduledNs(i)) == i + 1}, and
 * {@code dueCount(scheduledNs(i) - 1) == i}. Immutable.
 */
public final class OpenLoopSchedule {
    private static final long NANOS = 1_000_000_000L;

    private final long startNs;
    private final long rate;

    /** @param rate records per second, at least 1 */
    public OpenLoopSchedule(long startNs, long rate) {
        if (rate < 1 || rate > 100_000_000) {
            throw new IllegalArgumentException("open-loop rate out of range 1..100000000: rate=" + rate);
        }
        this.startNs = startNs;
        this.rate = rate;
    }

    /** When record {@code index} is due: the moment its latency is measured from. */
    public long scheduledNs(long index) {
        return startNs + (index * NANOS + rate - 1) / rate;
    }

    /** How many records are due at {@code nowNs} (those with {@code scheduledNs(i) <= nowNs}). */
    public long dueCount(long nowNs) {
        final long elapsed = nowNs - startNs;
        return elapsed < 0 ? 0 : elapsed * rate / NANOS + 1;
    }

    public long startNs() {
        return startNs;
    }

    public long rate() {
        return rate;
    }

    /** Records in {@code seconds} at this rate (rounded to the nearest record). */
    public long recordsIn(double seconds) {
        return Math.round(seconds * rate);
    }
}
