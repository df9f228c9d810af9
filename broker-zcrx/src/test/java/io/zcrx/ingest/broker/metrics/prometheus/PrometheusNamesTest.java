package io.zcrx.ingest.broker.metrics.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metrics.prometheus.PrometheusNames.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusNamesTest {
    private final MetricsRegistry registry = new MetricsRegistry(1, false);

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void kafkaNamesMapAsTheJmxExporterKafkaRulesMapThem() {
        // Goal: the names dashboards written for Kafka behind the Prometheus JMX exporter query.
        // Method: one example of each kind of metric, against the exporter's generic Kafka rules
        // (lowercaseOutputName) written out by hand.
        assertEquals("kafka_server_brokertopicmetrics_bytesin_total", familyOfMeter(
            MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec", "topic", "t")));
        assertEquals("kafka_server_brokertopicmetrics_totalproducerequests_total", familyOfMeter(
            MetricName.of("kafka.server", "BrokerTopicMetrics", "TotalProduceRequestsPerSec")));
        assertEquals("kafka_network_requestmetrics_requests_total", familyOfMeter(
            MetricName.of("kafka.network", "RequestMetrics", "RequestsPerSec", "request", "Produce", "version", "9")));
        final MetricName totalTime =
            MetricName.of("kafka.network", "RequestMetrics", "TotalTimeMs", "request", "Produce");
        assertEquals(Type.SUMMARY, PrometheusNames.type(registry.latencyHistogram(totalTime)));
        assertEquals("kafka_network_requestmetrics_totaltimems", PrometheusNames.family(totalTime, Type.SUMMARY));
        final MetricName flush = MetricName.of("kafka.log", "LogFlushStats", "LogFlushRateAndTimeMs");
        assertEquals(Type.SUMMARY, PrometheusNames.type(registry.timer(flush, "flushes")));
        assertEquals("kafka_log_logflushstats_logflushrateandtimems", PrometheusNames.family(flush, Type.SUMMARY));
        final MetricName partitions = MetricName.of("kafka.server", "ReplicaManager", "PartitionCount");
        assertEquals(Type.GAUGE, PrometheusNames.type(registry.gauge(partitions, () -> 1)));
        assertEquals("kafka_server_replicamanager_partitioncount", PrometheusNames.family(partitions, Type.GAUGE));
        assertEquals("kafka_log_log_logendoffset", PrometheusNames.family(
            MetricName.of("kafka.log", "Log", "LogEndOffset", "topic", "t", "partition", "0"), Type.GAUGE));
        assertEquals("kafka_network_socketserver_networkprocessoravgidlepercent", PrometheusNames.family(
            MetricName.of("kafka.network", "SocketServer", "NetworkProcessorAvgIdlePercent"), Type.GAUGE));
        // A Kafka Metrics attribute: the exporter's kafka_server_$1_$4 with listener and networkProcessor labels.
        assertEquals("kafka_server_socket_server_metrics_connection_count", PrometheusNames.family(
            MetricName.attribute("kafka.server", "socket-server-metrics", "connection-count", "listener", "PLAINTEXT",
                "networkProcessor", "0"), Type.GAUGE));
        assertEquals("0.99", PrometheusNames.QUANTILES[4], "99thPercentile is quantile 0.99");
        assertEquals("0.999", PrometheusNames.QUANTILES[5], "999thPercentile is quantile 0.999");
    }

    @Test
    void ourDomainFollowsTheSameRule() {
        assertEquals("zcrx_receivememory_inusebytes", PrometheusNames.family(
            MetricName.of("zcrx", "ReceiveMemory", "InUseBytes", "transport", "uring", "reactor", "0"), Type.GAUGE));
        // A meter without PerSec keeps its name and is still a counter.
        assertEquals("zcrx_receivememory_pauses_total",
            familyOfMeter(MetricName.of("zcrx", "ReceiveMemory", "Pauses")));
        // Only a PerSec followed by word characters is the rate suffix.
        assertEquals("zcrx_x_bytesinpersec_2_total", familyOfMeter(MetricName.of("zcrx", "X", "BytesInPerSec-2")));
        assertEquals("zcrx_x_bytesin_total", familyOfMeter(MetricName.of("zcrx", "X", "BytesInPerSecond")));
    }

    @Test
    void charactersPrometheusCannotHoldBecomeOneUnderscore() {
        assertEquals("a_b_c_d", PrometheusNames.sanitize("a.b--c:d"));
        assertEquals("kafka_server_fetch_queue_size", PrometheusNames.family(
            MetricName.of("kafka.server", "Fetch", "queue-size"), Type.GAUGE));
        assertEquals("client_id", PrometheusNames.label("client-id"));
        assertEquals("networkProcessor", PrometheusNames.label("networkProcessor"), "label names keep their case");
        assertEquals("_0", PrometheusNames.label("0"), "a label name cannot start with a digit");
    }

    private String familyOfMeter(MetricName n) {
        assertEquals(Type.COUNTER, PrometheusNames.type(registry.meter(n, "events")));
        return PrometheusNames.family(n, Type.COUNTER);
    }
}
