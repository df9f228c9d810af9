package io.zcrx.ingest.broker.metrics;

/** A registered metric: a {@link Meter}, a {@link Histogram}, a {@link Timer} or a {@link Gauge}. */
public interface Metric {

    /** Called on the registry's ticker thread every tick; a metric without periodic work ignores it. */
    default void tick() {
    }
}
