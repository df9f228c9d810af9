package io.zcrx.ingest.broker.metrics.prometheus;

import io.zcrx.ingest.broker.metrics.Gauge;
import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.Metric;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.Timer;
import java.util.Locale;

/**
 * The one place that turns a metric's JMX-style name into its Prometheus name, following the
 * rules that the Prometheus JMX exporter's widely used Kafka configuration applies (with
 * {@code lowercaseOutputName: true}), so dashboards and alerts written for Kafka behind that
 * exporter work against this broker unchanged:
 * <ul>
 *   <li>the family is {@code <group>_<type>_<name>}, lower case, with every character that a
 *       Prometheus name cannot hold replaced by {@code _} (and no doubled {@code _}):
 *       {@code kafka.server:type=ReplicaManager,name=PartitionCount} becomes
 *       {@code kafka_server_replicamanager_partitioncount};</li>
 *   <li>a meter is a counter of its {@code Count}: a trailing {@code PerSec} (and what follows it)
 *       is dropped and {@code _total} added, so {@code BytesInPerSec} becomes {@code bytesin_total};
 *       a meter without {@code PerSec} keeps its name and gains {@code _total} (the exporter would
 *       call it {@code _count}; {@code _total} is what Prometheus expects of a counter);</li>
 *   <li>a histogram or timer is a summary: its percentiles as {@code quantile="0.50"} ..
 *       {@code "0.999"} (the exporter's spelling of {@code 50thPercentile} .. {@code 999thPercentile})
 *       plus {@code _count}; no {@code _sum}, because the recorded sum is not exact (it is rebuilt
 *       from bucketed values) and the exporter does not give one either;</li>
 *   <li>a gauge is a gauge of its {@code Value};</li>
 *   <li>every tag becomes a label of the same name (with the same character rule), in order.</li>
 * </ul>
 * The broker's own domain {@code zcrx} follows the same rule:
 * {@code zcrx:type=ReceiveMemory,name=InUseBytes,reactor=0} is
 * {@code zcrx_receivememory_inusebytes{reactor="0"}}.
 */
public final class PrometheusNames {
    /** The suffix that Kafka's meter names end with (the exporter's {@code (.+)PerSec\w*}). */
    private static final String PER_SEC = "PerSec";

    /** Prometheus's metric types, as the {@code # TYPE} line spells them. */
    public enum Type {
        COUNTER("counter"), GAUGE("gauge"), SUMMARY("summary");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * The quantile labels of a summary, in {@link Histogram#percentile(int)} order: the exporter's
     * {@code "0.$N"} for {@code NthPercentile}.
     */
    static final String[] QUANTILES = {"0.50", "0.75", "0.95", "0.98", "0.99", "0.999"};

    private PrometheusNames() {
    }

    /** The Prometheus type a metric is exposed as. */
    public static Type type(Metric m) {
        if (m instanceof Meter) {
            return Type.COUNTER;
        }
        if (m instanceof Histogram || m instanceof Timer) {
            return Type.SUMMARY;
        }
        if (m instanceof Gauge) {
            return Type.GAUGE;
        }
        throw new IllegalArgumentException("unknown metric kind " + m.getClass().getName());
    }

    /**
     * The family name: {@code kafka_server_brokertopicmetrics_bytesin_total} for the meter
     * {@code kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec}; the summary's {@code _count}
     * sample adds {@code _count} to its family name.
     */
    public static String family(MetricName name, Type type) {
        String n = name.name();
        if (type == Type.COUNTER) {
            final int perSec = n.lastIndexOf(PER_SEC);
            if (perSec > 0 && isWordTail(n, perSec + PER_SEC.length())) {
                n = n.substring(0, perSec);
            }
        }
        final String base = sanitize(name.group() + "_" + name.type() + "_" + n).toLowerCase(Locale.ROOT);
        return type == Type.COUNTER ? base + "_total" : base;
    }

    /** A tag key as a label name: characters outside {@code [a-zA-Z0-9_]} become {@code _}. */
    public static String label(String tagKey) {
        final String s = sanitize(tagKey);
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    /** The exporter's {@code \w*}: letters, digits and {@code _} only, from {@code from} to the end. */
    private static boolean isWordTail(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces what a Prometheus name may not contain with {@code _}, without two {@code _} in a row
     * (the exporter's safeName); {@code :} is legal in metric names but reserved for recording
     * rules, so it is replaced too.
     */
    static String sanitize(String s) {
        final StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            final boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_');
            final char out = ok ? c : '_';
            if (out == '_' && b.length() > 0 && b.charAt(b.length() - 1) == '_') {
                continue;
            }
            b.append(out);
        }
        return b.toString();
    }
}
