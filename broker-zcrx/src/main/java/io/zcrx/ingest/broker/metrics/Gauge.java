package io.zcrx.ingest.broker.metrics;

import java.util.function.DoubleSupplier;

/**
 * A value read when asked (Kafka's gauges: {@code Value}). The supplier runs on the reading thread
 * (JMX, the Prometheus endpoint, the status line), never on a reactor, so it must be thread-safe
 * and cheap: read a volatile or sum striped cells, never take a lock a reactor takes.
 */
public final class Gauge implements Metric {
    private final DoubleSupplier value;

    Gauge(DoubleSupplier value) {
        this.value = value;
    }

    public double value() {
        return value.getAsDouble();
    }
}
