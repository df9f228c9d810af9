package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording a metric costs the hot path, as the broker records (broker-zcrx's
 * {@code metrics} package): {@link Meter#mark} and {@link Histogram#record} on a reactor's stripe
 * (a plain add to the reactor's own cell; HdrHistogram's wait-free single-writer recorder) and
 * with {@link Meter#ANY_THREAD} (an atomic add; the shared recorder entered under its lock), from
 * one thread, so uncontended. Histogram values cycle through 64 latencies from 20 us to 200 ms so
 * that the recorder's bucket index varies as in a broker.
 *
 * <p>{@code tick}: the registry's tick (every 5 s on its own thread, never on a reactor) over
 * {@code meters} meters and {@code meters / 4} latency histograms, each with values recorded in the
 * interval, so each tick folds non-empty intervals into the one-minute window and recomputes its
 * percentiles. Expected allocation: 0 B/op for the record calls; the tick allocates a small array
 * per histogram for the percentiles it publishes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsRecordBenchmark {
    static final int REACTORS = 2;
    private static final int VALUES = 64;

    private MetricsRegistry registry;
    private Meter meter;
    private Histogram histogram;
    private final long[] values = new long[VALUES];
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        // No JMX: the MBeans are for readers and do not change what a record call does.
        registry = new MetricsRegistry(REACTORS, false);
        meter = registry.meter(MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec"), "bytes");
        histogram = registry.latencyHistogram(MetricName.of("kafka.network", "RequestMetrics", "TotalTimeMs",
            "request", "Produce"));
        // 20 us .. 200 ms, geometric.
        for (int i = 0; i < VALUES; i++) {
            values[i] = Math.round(20 * Math.pow(10_000, i / (double) (VALUES - 1)));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.close();
    }

    private long nextValue() {
        final long v = values[next];
        next = (next + 1) & (VALUES - 1);
        return v;
    }

    @Benchmark
    public void meterMarkReactorStripe() {
        meter.mark(1, 16_384);
    }

    @Benchmark
    public void meterMarkAnyThread() {
        meter.mark(Meter.ANY_THREAD, 16_384);
    }

    @Benchmark
    public void histogramRecordReactorStripe() {
        histogram.record(1, nextValue());
    }

    @Benchmark
    public void histogramRecordAnyThread() {
        histogram.record(Meter.ANY_THREAD, nextValue());
    }

    /** The registry's tick, with every metric's interval non-empty. */
    @State(Scope.Thread)
    public static class TickState {
        @Param({"100", "1000"})
        public int meters;

        MetricsRegistry registry;
        Meter[] allMeters;
        Histogram[] histograms;

        @Setup(Level.Trial)
        public void setUp() {
            registry = new MetricsRegistry(REACTORS, false);
            allMeters = new Meter[meters];
            histograms = new Histogram[meters / 4];
            for (int i = 0; i < meters; i++) {
                allMeters[i] = registry.meter(MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec",
                    "topic", "t" + i), "bytes");
            }
            for (int i = 0; i < histograms.length; i++) {
                histograms[i] = registry.latencyHistogram(MetricName.of("zcrx", "Log", "AppendTimeMs",
                    "topic", "t" + i));
            }
        }

        /** Something to fold: each meter marked and each histogram given a few values since the last tick. */
        void record() {
            for (Meter m : allMeters) {
                m.mark(0, 1);
            }
            for (Histogram h : histograms) {
                h.record(0, 150);
                h.record(1, 900);
                h.record(Meter.ANY_THREAD, 4_000);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            registry.close();
        }
    }

    /** One tick of {@code meters} meters and {@code meters / 4} histograms (the records before it included). */
    @Benchmark
    public void tick(TickState s) {
        s.record();
        s.registry.tickNow();
    }
}
