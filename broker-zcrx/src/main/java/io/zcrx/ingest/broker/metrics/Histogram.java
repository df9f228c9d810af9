package io.zcrx.ingest.broker.metrics;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.PackedHistogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A distribution of values (latencies in microseconds, batch sizes), with the attributes of the
 * Yammer histogram Kafka registers: {@code Count}, {@code Min}, {@code Max}, {@code Mean},
 * {@code StdDev} and the 50th..99.9th percentiles.
 *
 * <p>Recording is per writer stripe: each reactor records into its own HdrHistogram
 * {@code SingleWriterRecorder} (wait-free, no allocation, no cache line shared with another
 * reactor); other threads share one more stripe, whose recorder they enter one at a time. The
 * registry's ticker swaps every stripe's interval histogram out each tick and folds it into:
 * <ul>
 *   <li>the all-time {@code Count}, {@code Min}, {@code Max}, {@code Mean} and {@code StdDev}
 *       (as Yammer keeps them);</li>
 *   <li>a sliding window of the last {@value #WINDOW_TICKS} ticks for the percentiles. Yammer
 *       biases its sample to the last five minutes with exponential decay; a fixed one-minute
 *       window answers "what is p99 now" with less history and no sampling error.</li>
 * </ul>
 * Values are recorded in a base unit (microseconds for latencies) and presented multiplied by
 * {@code scale} (0.001 presents microseconds as Kafka's milliseconds, with three decimals of
 * resolution that Kafka's whole-millisecond histograms lack).
 *
 * <p>HdrHistogram's own class shares this class's simple name, so it is spelled out in full here.
 */
public final class Histogram implements Metric {
    /** Ticks the percentile window spans. */
    static final int WINDOW_TICKS = 60 / MetricsRegistry.TICK_SECONDS;
    /** Two significant digits: a percentile is within 1 % of the true value. */
    private static final int DIGITS = 2;

    /** A stripe's recorder appears at its first value: most histograms see one or two reactors. */
    private final AtomicReferenceArray<SingleWriterRecorder> stripes;
    /** False under {@code metrics.enable=false}: values are dropped. */
    private final boolean recording;
    private final long highest;
    private final double scale;
    private final org.HdrHistogram.Histogram[] window = new org.HdrHistogram.Histogram[WINDOW_TICKS];
    private final org.HdrHistogram.Histogram windowSum;
    private final org.HdrHistogram.Histogram scratch;
    private int windowHead;

    // All-time figures, written by the ticker and read by anyone.
    private volatile long count;
    private volatile long min = Long.MAX_VALUE;
    private volatile long max;
    private volatile double sum;
    private volatile double sumSquares;
    // A summary of the window, refreshed each tick, so readers never touch a histogram the
    // ticker is changing.
    private volatile double[] percentiles = new double[PERCENTILES.length];

    /** The percentiles Kafka's histograms expose, in attribute order. */
    static final double[] PERCENTILES = {50, 75, 95, 98, 99, 99.9};

    Histogram(int writers, long highestValue, double scale) {
        this(writers, highestValue, scale, true);
    }

    Histogram(int writers, long highestValue, double scale, boolean recording) {
        this.recording = recording;
        this.highest = highestValue;
        this.scale = scale;
        this.stripes = new AtomicReferenceArray<>(writers + 1);
        // Reader-side histograms are packed (memory in proportion to the buckets in use: a
        // latency distribution touches a few hundred of the thousands a full one allocates);
        // only the recorders, written on the hot path, are full arrays that never resize.
        this.windowSum = new PackedHistogram(1, highestValue, DIGITS);
        this.scratch = new PackedHistogram(1, highestValue, DIGITS);
    }

    /**
     * Records one value (in the base unit; clamped to [0, highest]: a value out of range is a
     * measurement glitch, not a reason to throw on a reactor). {@code stripe}: the calling
     * reactor's id, or {@link Meter#ANY_THREAD}.
     */
    public void record(int stripe, long value) {
        if (!recording) {
            return;
        }
        final long v = value < 0 ? 0 : Math.min(value, highest);
        final int last = stripes.length() - 1;
        if (stripe >= 0 && stripe < last) {
            SingleWriterRecorder r = stripes.getPlain(stripe);
            if (r == null) {
                r = recorder(stripe);
            }
            r.recordValue(v);
        } else {
            final SingleWriterRecorder shared = recorder(last);
            synchronized (shared) {
                shared.recordValue(v);
            }
        }
    }

    /** The stripe's recorder, made on its first value (once per stripe, not per value). */
    private SingleWriterRecorder recorder(int stripe) {
        SingleWriterRecorder r = stripes.get(stripe);
        if (r == null) {
            stripes.compareAndSet(stripe, null, new SingleWriterRecorder(1, highest, DIGITS));
            r = stripes.get(stripe);
        }
        return r;
    }

    @Override
    public void tick() {
        org.HdrHistogram.Histogram interval = window[windowHead];
        if (interval == null) {
            interval = new PackedHistogram(1, highest, DIGITS);
            window[windowHead] = interval;
        } else {
            windowSum.subtract(interval);
            interval.reset();
        }
        windowHead = (windowHead + 1) % window.length;
        // The reading side of a recorder is safe beside its writer, shared stripe included: the
        // lock in record() only keeps the shared stripe's writers apart from each other.
        for (int i = 0; i < stripes.length(); i++) {
            final SingleWriterRecorder stripe = stripes.get(i);
            if (stripe != null) {
                stripe.getIntervalHistogramInto(scratch);
                interval.add(scratch);
            }
        }
        windowSum.add(interval);
        final double[] p = new double[PERCENTILES.length];
        if (windowSum.getTotalCount() > 0) {
            for (int i = 0; i < p.length; i++) {
                p[i] = present(windowSum.getValueAtPercentile(PERCENTILES[i]));
            }
        }
        // Published before the count: a reader that reads Count first and sees this tick's values also sees
        // this tick's percentiles (never a count with the percentiles of an empty window).
        percentiles = p;
        final long n = interval.getTotalCount();
        if (n > 0) {
            final double mean = interval.getMean();
            final double sd = interval.getStdDeviation();
            sum += mean * n;
            sumSquares += n * (sd * sd + mean * mean);
            min = Math.min(min, interval.getMinValue());
            max = Math.max(max, interval.getMaxValue());
            count += n;
        }
    }

    /** Values recorded up to the last tick. */
    public long count() {
        return count;
    }

    public double min() {
        return count == 0 ? 0.0 : present(min);
    }

    public double max() {
        return present(max);
    }

    public double mean() {
        final long n = count;
        return n == 0 ? 0.0 : present(sum / n);
    }

    public double stdDev() {
        final long n = count;
        if (n < 2) {
            return 0.0;
        }
        final double mean = sum / n;
        return present(Math.sqrt(Math.max(0.0, sumSquares / n - mean * mean)));
    }

    /**
     * A value in the presentation unit. A downscale divides by the whole factor (1000 for
     * microseconds to milliseconds) instead of multiplying by its inexact reciprocal, so 172 us
     * reads 0.172 ms, not 0.17200000000000001.
     */
    private double present(double v) {
        return scale < 1.0 ? v / Math.rint(1.0 / scale) : v * scale;
    }

    /** The value at {@code PERCENTILES[i]} over the last minute, scaled; 0 with no values. */
    public double percentile(int i) {
        return percentiles[i];
    }
}
