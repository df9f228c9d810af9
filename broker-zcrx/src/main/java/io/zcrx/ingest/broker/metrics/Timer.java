package io.zcrx.ingest.broker.metrics;

/**
 * A rate and a distribution of durations together, as Kafka's Yammer timers
 * ({@code LogFlushRateAndTimeMs}): the meter counts the events, the histogram holds their
 * durations in microseconds, presented in milliseconds.
 */
public final class Timer implements Metric {
    private final Meter meter;
    private final Histogram histogram;

    Timer(Meter meter, Histogram histogram) {
        this.meter = meter;
        this.histogram = histogram;
    }

    /** One event that took {@code micros}; {@code stripe} as for {@link Meter#mark}. */
    public void update(int stripe, long micros) {
        meter.mark(stripe, 1);
        histogram.record(stripe, micros);
    }

    public Meter meter() {
        return meter;
    }

    public Histogram histogram() {
        return histogram;
    }

    @Override
    public void tick() {
        meter.tick();
        histogram.tick();
    }
}
