package io.zcrx.ingest.broker.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metrics.Gauge;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReactorMetricsTest {
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(ReactorMetrics.WINDOW_SECONDS);

    private static MetricName own(String type, String name, String transport) {
        return MetricName.of("zcrx", type, name, "transport", transport, "reactor", "1");
    }

    @Test
    void idleShareIsTheBlockedPartOfEachWindow() {
        try (MetricsRegistry r = new MetricsRegistry(2, false)) {
            final ReactorMetrics m = new ReactorMetrics(r, "uring", 1, ReactorMetrics.Kind.URING);
            assertEquals(1.0, m.idleShare(), "before the first window: nothing measured, nothing busy");
            final long start = System.nanoTime();
            m.atLoopTop(start + WINDOW_NS);
            // The first window began at construction: whatever it was, the next one is exact.
            m.idle(WINDOW_NS / 4);
            m.atLoopTop(start + 2 * WINDOW_NS - 1);
            m.idle(WINDOW_NS / 4);
            m.atLoopTop(start + 2 * WINDOW_NS);
            assertEquals(0.5, m.idleShare(), 1e-9);
            assertEquals(0.5, ((Gauge) r.find(own("Reactor", "BusyShare", "uring"))).value(), 1e-9);
            final Gauge kafka = (Gauge) r.find(MetricName.of("kafka.network", "Processor", "IdlePercent",
                "networkProcessor", "1"));
            assertEquals(0.5, kafka.value(), 1e-9);
        }
    }

    @Test
    void ringTotalsBecomeMeterCountsAcrossTheKernelsU32Wrap() {
        try (MetricsRegistry r = new MetricsRegistry(2, false)) {
            final ReactorMetrics m = new ReactorMetrics(r, "zcrx", 1, ReactorMetrics.Kind.ZCRX);
            m.ring(10, 7, 0xFFFF_FFFEL);
            m.ring(15, 9, 1);
            assertEquals(15, ((Meter) r.find(own("Reactor", "Submissions", "zcrx"))).count());
            assertEquals(9, ((Meter) r.find(own("Reactor", "Completions", "zcrx"))).count());
            assertEquals(0xFFFF_FFFEL + 3, ((Meter) r.find(own("Reactor", "CqOverflow", "zcrx"))).count());
            m.refillRing(5, 2);
            assertEquals(5.0, ((Gauge) r.find(own("RefillRing", "Pending", "zcrx"))).value());
            assertEquals(2.0, ((Gauge) r.find(own("RefillRing", "Stashed", "zcrx"))).value());
            m.remove();
            assertTrue(r.names().isEmpty(), "a stopped transport leaves nothing behind: " + r.names());
        }
    }

    @Test
    void nioHasNoRingMetricsAndAnAverageOverReactors() {
        try (MetricsRegistry r = new MetricsRegistry(2, false)) {
            final ReactorMetrics a = new ReactorMetrics(r, "nio", 0, ReactorMetrics.Kind.NIO);
            final ReactorMetrics b = new ReactorMetrics(r, "nio", 1, ReactorMetrics.Kind.NIO);
            assertNull(r.find(own("Reactor", "Submissions", "nio")));
            assertNull(r.find(own("RefillRing", "Pending", "nio")));
            final MetricName avg = ReactorMetrics.registerAverageIdle(r, new ReactorMetrics[] {a, b});
            final long start = System.nanoTime();
            b.atLoopTop(start + WINDOW_NS);
            b.atLoopTop(start + 2 * WINDOW_NS);
            assertEquals(0.0, b.idleShare(), "a window without any wait is all busy");
            assertEquals(0.5, ((Gauge) r.find(avg)).value(), 1e-9);
            b.receiveMemory(3, 300, 4096);
            b.capacity(8192);
            assertEquals(3.0, ((Gauge) r.find(own("ReceiveMemory", "OutstandingChunks", "nio"))).value());
            assertEquals(300.0, ((Gauge) r.find(own("ReceiveMemory", "OutstandingBytes", "nio"))).value());
            assertEquals(4096.0, ((Gauge) r.find(own("ReceiveMemory", "InUseBytes", "nio"))).value());
            assertEquals(8192.0, ((Gauge) r.find(own("ReceiveMemory", "CapacityBytes", "nio"))).value());
            b.pause();
            b.pause();
            b.resume();
            b.noBuffers();
            assertEquals(2, ((Meter) r.find(own("ReceiveMemory", "Pauses", "nio"))).count());
            assertEquals(1, ((Meter) r.find(own("ReceiveMemory", "Resumes", "nio"))).count());
            assertEquals(1, ((Meter) r.find(own("ReceiveMemory", "NoBuffers", "nio"))).count());
        }
    }

    @Test
    void withoutARegistryItOnlyKeepsThePublishedLevels() {
        final ReactorMetrics m = new ReactorMetrics(null, "uring", 0, ReactorMetrics.Kind.URING);
        m.pause();
        m.noBuffers();
        m.ring(1, 2, 3);
        m.receiveMemory(4, 5, 6);
        assertEquals(4, m.outstandingChunks());
        assertEquals(5, m.outstandingBytes());
        assertNull(ReactorMetrics.registerAverageIdle(null, new ReactorMetrics[] {m}));
        m.remove();
    }
}
