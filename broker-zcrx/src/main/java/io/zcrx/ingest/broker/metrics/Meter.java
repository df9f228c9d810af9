package io.zcrx.ingest.broker.metrics;

/**
 * A rate of events, with the attributes of the Yammer meter that Kafka's brokers register
 * ({@code Count}, {@code MeanRate}, {@code OneMinuteRate}, {@code FiveMinuteRate},
 * {@code FifteenMinuteRate}, in events per second): the count is live (summed from the writer
 * stripes on every read), the moving averages advance on the registry's tick every
 * {@value MetricsRegistry#TICK_SECONDS} seconds with Yammer's exponential weights, so a dashboard
 * shows the same curves it shows for Kafka.
 *
 * <p>{@link #mark(int, long)} is the hot-path call: reactor {@code stripe} adds without atomics;
 * any other thread passes {@link #ANY_THREAD}.
 */
public final class Meter implements Metric {
    /** The stripe for a thread that is not a reactor. */
    public static final int ANY_THREAD = StripedLong.ANY;

    private final StripedLong count;
    /** False under {@code metrics.enable=false}: marks are dropped (to measure what recording costs). */
    private final boolean recording;
    private final String eventType;
    private final long startNs;
    private final Ewma m1 = new Ewma(1);
    private final Ewma m5 = new Ewma(5);
    private final Ewma m15 = new Ewma(15);
    private long lastTickCount;

    Meter(int stripes, String eventType, long startNs) {
        this(stripes, eventType, startNs, true);
    }

    Meter(int stripes, String eventType, long startNs, boolean recording) {
        this.count = new StripedLong(stripes);
        this.recording = recording;
        this.eventType = eventType;
        this.startNs = startNs;
    }

    /** Adds {@code n} events; {@code stripe} is the calling reactor's id or {@link #ANY_THREAD}. */
    public void mark(int stripe, long n) {
        if (recording) {
            count.add(stripe, n);
        }
    }

    public long count() {
        return count.sum();
    }

    /** What is counted ("bytes", "messages", "requests"), as Kafka's EventType attribute says. */
    public String eventType() {
        return eventType;
    }

    /** Events per second since the meter was created. */
    public double meanRate(long nowNs) {
        final double seconds = (nowNs - startNs) / 1e9;
        return seconds <= 0 ? 0.0 : count() / seconds;
    }

    public double oneMinuteRate() {
        return m1.rate();
    }

    public double fiveMinuteRate() {
        return m5.rate();
    }

    public double fifteenMinuteRate() {
        return m15.rate();
    }

    /** On the registry's ticker thread only. */
    @Override
    public void tick() {
        final long c = count();
        final long delta = c - lastTickCount;
        lastTickCount = c;
        m1.update(delta);
        m5.update(delta);
        m15.update(delta);
    }

    /**
     * An exponentially weighted moving average of the rate, with the weights of the Unix load
     * average and Yammer's meters: each tick moves the average by {@code 1 - e^(-tick/window)} of
     * the way to the last tick's rate. Written by the ticker only; read from any thread.
     */
    private static final class Ewma {
        private final double alpha;
        private volatile double rate;
        private boolean initialized;

        Ewma(int minutes) {
            this.alpha = 1 - Math.exp(-MetricsRegistry.TICK_SECONDS / 60.0 / minutes);
        }

        void update(long delta) {
            final double instant = delta / (double) MetricsRegistry.TICK_SECONDS;
            if (initialized) {
                rate += alpha * (instant - rate);
            } else {
                rate = instant;
                initialized = true;
            }
        }

        double rate() {
            return rate;
        }
    }
}
