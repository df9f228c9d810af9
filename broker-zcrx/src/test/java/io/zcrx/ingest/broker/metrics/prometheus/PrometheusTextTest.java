package io.zcrx.ingest.broker.metrics.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metrics.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private final MetricsRegistry registry = new MetricsRegistry(2, false);

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void everyKindOfMetricInTextFormat004() {
        // Goal: the exact exposition of a counter, a gauge and a summary, with HELP and TYPE once
        // per family and tags as labels in order. Method: a registry with one of each, values
        // recorded from a reactor stripe and from another thread, ticked once for the histogram.
        final Meter all = registry.meter(MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec"), "bytes");
        final Meter topic = registry.meter(
            MetricName.of("kafka.server", "BrokerTopicMetrics", "BytesInPerSec", "topic", "t"), "bytes");
        all.mark(0, 100);
        all.mark(Meter.ANY_THREAD, 23);
        topic.mark(1, 123);
        registry.gauge(MetricName.of("zcrx", "ReceiveMemory", "InUseBytes", "reactor", "0"), () -> 65536);
        registry.gauge(MetricName.of("zcrx", "Reactor", "BusyShare", "reactor", "1"), () -> 0.25);
        final Histogram h = registry.latencyHistogram(
            MetricName.of("kafka.network", "RequestMetrics", "TotalTimeMs", "request", "Produce"));
        // 200 us: below 256, where two significant digits hold every value exactly.
        for (int i = 0; i < 100; i++) {
            h.record(0, 200);
        }
        registry.tickNow();
        final StringBuilder out = new StringBuilder();
        assertEquals(0, PrometheusText.write(registry, out));
        assertEquals(""
            + "# HELP kafka_network_requestmetrics_totaltimems kafka.network:type=RequestMetrics,name=TotalTimeMs "
            + "percentiles over the last minute and Count (milliseconds)\n"
            + "# TYPE kafka_network_requestmetrics_totaltimems summary\n"
            + "kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.50\"} 0.2\n"
            + "kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.75\"} 0.2\n"
            + "kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.95\"} 0.2\n"
            + "kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.98\"} 0.2\n"
            + "kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.99\"} 0.2\n"
            + "kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.999\"} 0.2\n"
            + "kafka_network_requestmetrics_totaltimems_count{request=\"Produce\"} 100\n"
            + "# HELP kafka_server_brokertopicmetrics_bytesin_total "
            + "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec Count (bytes)\n"
            + "# TYPE kafka_server_brokertopicmetrics_bytesin_total counter\n"
            + "kafka_server_brokertopicmetrics_bytesin_total 123\n"
            + "kafka_server_brokertopicmetrics_bytesin_total{topic=\"t\"} 123\n"
            + "# HELP zcrx_reactor_busyshare zcrx:type=Reactor,name=BusyShare Value\n"
            + "# TYPE zcrx_reactor_busyshare gauge\n"
            + "zcrx_reactor_busyshare{reactor=\"1\"} 0.25\n"
            + "# HELP zcrx_receivememory_inusebytes zcrx:type=ReceiveMemory,name=InUseBytes Value\n"
            + "# TYPE zcrx_receivememory_inusebytes gauge\n"
            + "zcrx_receivememory_inusebytes{reactor=\"0\"} 65536\n", out.toString());
    }

    @Test
    void aTimerIsASummaryCountedByItsMeter() {
        final Timer t = registry.timer(MetricName.of("kafka.log", "LogFlushStats", "LogFlushRateAndTimeMs"), "flushes");
        t.update(0, 1500);
        t.update(1, 1500);
        // Before a tick: the count is live, the percentiles wait for the tick.
        final StringBuilder out = new StringBuilder();
        PrometheusText.write(registry, out);
        assertTrue(out.toString().contains("\nkafka_log_logflushstats_logflushrateandtimems_count 2\n"),
            out.toString());
        assertTrue(out.toString().contains("\nkafka_log_logflushstats_logflushrateandtimems{quantile=\"0.99\"} 0\n"),
            out.toString());
        registry.tickNow();
        out.setLength(0);
        PrometheusText.write(registry, out);
        assertTrue(out.toString().contains("\nkafka_log_logflushstats_logflushrateandtimems{quantile=\"0.99\"} 1.5"),
            out.toString());
    }

    @Test
    void labelValuesAreEscaped() {
        registry.gauge(MetricName.of("zcrx", "T", "G", "topic", "a\\b\"c\nd"), () -> 1);
        final StringBuilder out = new StringBuilder();
        PrometheusText.write(registry, out);
        assertTrue(out.toString().contains("zcrx_t_g{topic=\"a\\\\b\\\"c\\nd\"} 1\n"), out.toString());
    }

    @Test
    void specialValuesAsPrometheusSpellsThem() {
        final StringBuilder b = new StringBuilder();
        PrometheusText.number(Double.NaN, b.append(' '));
        PrometheusText.number(Double.POSITIVE_INFINITY, b.append(' '));
        PrometheusText.number(Double.NEGATIVE_INFINITY, b.append(' '));
        PrometheusText.number(-0.0, b.append(' '));
        PrometheusText.number(1e20, b.append(' '));
        PrometheusText.number(1.5e-7, b.append(' '));
        assertEquals(" NaN +Inf -Inf 0 1.0E20 1.5E-7", b.toString());
    }

    @Test
    void aFamilysSamplesStayTogetherAndAFailingGaugeCostsOnlyItself() {
        // Goal: one HELP/TYPE per family even when two JMX names of one family sort apart, a family
        // name claimed with another type is left out (not emitted twice with two types), and a gauge
        // that throws leaves the rest of the scrape intact. Method: meters "P" and "PPerSec" (both
        // p_total) around a gauge "P-Q", a gauge also named "P" with PerSec, and a throwing gauge.
        registry.meter(MetricName.of("zcrx", "T", "P", "t", "1"), "events").mark(0, 1);
        registry.gauge(MetricName.of("zcrx", "T", "P-Q"), () -> 7);
        registry.meter(MetricName.of("zcrx", "T", "PPerSec", "t", "2"), "events").mark(0, 2);
        registry.gauge(MetricName.of("zcrx", "T", "P_total"), () -> 3);
        registry.gauge(MetricName.of("zcrx", "T", "Broken"), () -> {
            throw new IllegalStateException("gone");
        });
        final StringBuilder out = new StringBuilder();
        assertEquals(2, PrometheusText.write(registry, out), "the type clash and the throwing gauge");
        assertEquals(""
            + "# HELP zcrx_t_p_q zcrx:type=T,name=P-Q Value\n"
            + "# TYPE zcrx_t_p_q gauge\n"
            + "zcrx_t_p_q 7\n"
            + "# HELP zcrx_t_p_total zcrx:type=T,name=P Count (events)\n"
            + "# TYPE zcrx_t_p_total counter\n"
            + "zcrx_t_p_total{t=\"1\"} 1\n"
            + "zcrx_t_p_total{t=\"2\"} 2\n", out.toString());
    }
}
