package io.zcrx.ingest.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {
    private static final MetricName BYTES_IN = MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec",
        "topic", "registry-test");

    @Test
    void meterSumsStripesAndReadsLikeKafkasOverJmx() throws Exception {
        try (MetricsRegistry r = new MetricsRegistry(2, true)) {
            final Meter m = r.meter(BYTES_IN, "bytes");
            final Thread other = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    m.mark(1, 3);
                }
            });
            other.start();
            for (int i = 0; i < 1000; i++) {
                m.mark(0, 2);
                m.mark(Meter.ANY_THREAD, 1);
            }
            other.join();
            assertEquals(6000, m.count());
            r.tickNow();
            assertEquals(6000.0 / MetricsRegistry.TICK_SECONDS, m.oneMinuteRate(), 1e-9,
                "the first tick starts the average at the tick's rate");

            final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            final ObjectName on = new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,"
                + "topic=registry-test");
            assertEquals(6000L, jmx.getAttribute(on, "Count"));
            assertEquals("bytes", jmx.getAttribute(on, "EventType"));
            assertEquals(TimeUnit.SECONDS, jmx.getAttribute(on, "RateUnit"));
            assertTrue((Double) jmx.getAttribute(on, "MeanRate") > 0);
            r.remove(BYTES_IN);
            assertFalse(jmx.isRegistered(on), "removed metrics leave JMX");
        }
    }

    @Test
    void histogramPercentilesInMillisecondsAfterATick() throws Exception {
        // A request name of its own: a broker elsewhere in this JVM may hold Kafka's real one.
        final MetricName name = MetricName.of("kafka.network", "RequestMetrics", "TotalTimeMs", "request",
            "Produce-registry-test");
        try (MetricsRegistry r = new MetricsRegistry(1, true)) {
            final Histogram h = r.latencyHistogram(name);
            for (int i = 1; i <= 1000; i++) {
                h.record(0, i * 10L); // 10 us .. 10 ms
            }
            h.record(Meter.ANY_THREAD, 10_000L);
            assertEquals(0, h.count(), "values become visible at the tick");
            r.tickNow();
            assertEquals(1001, h.count());
            assertEquals(5.0, h.percentile(0), 0.05, "p50 = 5 ms within HdrHistogram's 1 %");
            assertEquals(9.9, h.percentile(4), 0.1, "p99");
            assertEquals(0.01, h.min(), 0.0001);
            assertEquals(10.0, h.max(), 0.1);
            final ObjectName on = name.objectName();
            final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            assertEquals(1001L, jmx.getAttribute(on, "Count"));
            assertEquals(h.percentile(4), (Double) jmx.getAttribute(on, "99thPercentile"), 1e-9);
            // The window forgets: after a minute of ticks without values the percentiles are 0,
            // while the all-time count stays.
            for (int i = 0; i < Histogram.WINDOW_TICKS; i++) {
                r.tickNow();
            }
            assertEquals(0.0, h.percentile(4));
            assertEquals(1001, h.count());
        }
    }

    @Test
    void outOfRangeValuesAreClampedNotThrown() {
        try (MetricsRegistry r = new MetricsRegistry(1, false)) {
            final Histogram h = r.latencyHistogram(MetricName.of("g", "t", "n"));
            h.record(0, -5);
            h.record(0, Long.MAX_VALUE);
            r.tickNow();
            assertEquals(2, h.count());
            assertEquals(MetricsRegistry.LATENCY_MICROS_MAX / 1000.0, h.max(), MetricsRegistry.LATENCY_MICROS_MAX
                / 1000.0 * 0.01);
        }
    }

    @Test
    void gaugesAndTimers() throws Exception {
        final AtomicLong v = new AtomicLong(7);
        try (MetricsRegistry r = new MetricsRegistry(1, true)) {
            r.gauge(MetricName.of("kafka.server", "KafkaServer", "BrokerState-test"), v::get);
            final Timer t = r.timer(MetricName.of("kafka.log", "LogFlushStats", "LogFlushRateAndTimeMs-test"),
                "flushes");
            t.update(Meter.ANY_THREAD, 2_000);
            r.tickNow();
            final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            assertEquals(7.0, jmx.getAttribute(new ObjectName("kafka.server:type=KafkaServer,name=BrokerState-test"),
                "Value"));
            final ObjectName flush = new ObjectName("kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs-test");
            assertEquals(1L, jmx.getAttribute(flush, "Count"));
            assertEquals(2.0, (Double) jmx.getAttribute(flush, "Max"), 0.02);
            assertEquals(TimeUnit.MILLISECONDS, jmx.getAttribute(flush, "LatencyUnit"));
        }
    }

    @Test
    void recordingAllocatesNothing() {
        try (MetricsRegistry r = new MetricsRegistry(1, false)) {
            final Meter m = r.meter(MetricName.of("g", "t", "m"), "events");
            final Histogram h = r.latencyHistogram(MetricName.of("g", "t", "h"));
            final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long id = Thread.currentThread().getId();
            for (int i = 0; i < 200_000; i++) { // warm up (JIT, lazily sized internals)
                m.mark(0, 1);
                h.record(0, i & 4095);
            }
            final long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 1_000_000; i++) {
                m.mark(0, 1);
                h.record(0, i & 4095);
            }
            final long allocated = threads.getThreadAllocatedBytes(id) - before;
            assertTrue(allocated < 10_000, "a million records allocated " + allocated + " bytes");
        }
    }

    @Test
    void attributeStyleNamesShareOneMBeanWithOneAttributeEach() throws Exception {
        // Kafka Metrics MBeans (no name= key, one attribute per metric), as Kafka's socket server registers them.
        final MetricName count = MetricName.attribute("kafka.server", "socket-server-metrics", "connection-count",
            "listener", "PLAINTEXT", "networkProcessor", "7");
        final MetricName rate = MetricName.attribute("kafka.server", "socket-server-metrics",
            "connection-creation-rate", "listener", "PLAINTEXT", "networkProcessor", "7");
        final ObjectName on = new ObjectName("kafka.server:type=socket-server-metrics,listener=PLAINTEXT,"
            + "networkProcessor=7");
        assertEquals(on, count.objectName());
        assertEquals("connection-count", count.name());
        assertTrue(count.isAttribute());
        final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        try (MetricsRegistry r = new MetricsRegistry(1, true)) {
            r.gauge(count, () -> 3);
            r.gauge(rate, () -> 0.5);
            assertEquals(3.0, jmx.getAttribute(on, "connection-count"));
            assertEquals(0.5, jmx.getAttribute(on, "connection-creation-rate"));
            assertEquals(2, jmx.getMBeanInfo(on).getAttributes().length);
            r.remove(count);
            assertTrue(jmx.isRegistered(on), "one attribute left");
            assertEquals(1, jmx.getMBeanInfo(on).getAttributes().length);
            r.remove(rate);
            assertFalse(jmx.isRegistered(on), "the last attribute takes the MBean with it");
            assertThrows(IllegalArgumentException.class, () -> r.meter(count, "connections"));
        }
    }

    @Test
    void aRegistryThatDoesNotRecordDropsMarksAndValues() {
        try (MetricsRegistry r = new MetricsRegistry(1, false, false)) {
            final Meter m = r.meter(BYTES_IN, "bytes");
            final Histogram h = r.latencyHistogram(MetricName.of("zcrx", "Log", "AppendLatencyMs"));
            m.mark(0, 10);
            m.mark(Meter.ANY_THREAD, 10);
            h.record(0, 5);
            r.tickNow();
            assertFalse(r.recording());
            assertEquals(0, m.count());
            assertEquals(0, h.count());
        }
    }
}
