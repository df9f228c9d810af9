/**
 * The broker's metrics in the Prometheus text exposition format (version 0.0.4), served over a small HTTP
 * endpoint of our own ({@code metrics.prometheus.listener}): {@code PrometheusNames} maps a JMX-style metric name to
 * the name the Prometheus JMX exporter's usual Kafka rules give it, {@code PrometheusText} writes every metric of a
 * registry, and {@code PrometheusEndpoint} answers {@code GET /metrics} on one thread with strict limits on what a
 * client may send. docs/metrics.md describes the endpoint and the names.
 */
package io.zcrx.ingest.broker.metrics.prometheus;
