/**
 * The broker's metrics: {@code MetricsRegistry} (names in Kafka's JMX scheme, MBeans with the attributes of Kafka's
 * Yammer metrics, a {@code zcrx-metrics} ticker thread), {@code Meter}, {@code Histogram}, {@code Timer} and
 * {@code Gauge}. Recording is allocation-free and lock-free on a reactor: every reactor writes its own stripe (a
 * padded cell, an HdrHistogram single-writer recorder) and readers sum or swap. Depends on nothing of the broker,
 * so every layer may record; docs/metrics.md lists the names.
 */
package io.zcrx.ingest.broker.metrics;
