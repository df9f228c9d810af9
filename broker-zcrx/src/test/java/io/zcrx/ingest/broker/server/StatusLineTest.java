package io.zcrx.ingest.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

class StatusLineTest {

    @Test
    void formatsRatesMemoryAndCountsForPeople() {
        assertEquals("status: in 812.4 MB/s, out 0.0 MB/s, 51,230 req/s, produce p99 1.9 ms, receive memory 12.5 MiB "
                + "in use, 16 connections, 8 partitions",
            StatusLine.format(812.4e6, 0, 51_230.2, 1.94, 12.5 * 1024 * 1024, 16, 8));
    }

    @Test
    void receiveMemoryIsTheSumOfTheTransportsInUseGaugesOrZero() {
        try (MetricsRegistry r = new MetricsRegistry(2, false)) {
            assertEquals(0.0, StatusLine.receiveMemoryInUse(r));
            r.gauge(inUse("0"), () -> 1000);
            r.gauge(inUse("1"), () -> 24);
            r.gauge(MetricName.of("zcrx", "ReceiveMemory", "CapacityBytes", "transport", "uring", "reactor", "0"),
                () -> 1 << 20);
            assertEquals(1024.0, StatusLine.receiveMemoryInUse(r));
        }
    }

    private static MetricName inUse(String reactor) {
        return MetricName.of("zcrx", "ReceiveMemory", "InUseBytes", "transport", "uring", "reactor", reactor);
    }
}
