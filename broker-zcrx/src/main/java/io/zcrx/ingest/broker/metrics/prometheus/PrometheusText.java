package io.zcrx.ingest.broker.metrics.prometheus;

import io.zcrx.ingest.broker.metrics.Gauge;
import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.Metric;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metrics.Timer;
import io.zcrx.ingest.broker.metrics.prometheus.PrometheusNames.Type;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes every metric of a registry in the Prometheus text exposition format, version 0.0.4: for
 * each family one {@code # HELP} and one {@code # TYPE} line, then its samples, label values
 * escaped ({@code \\}, {@code \"}, {@code \n}). Names follow {@link PrometheusNames}.
 *
 * <p>The format wants every sample of a family together; the registry lists metrics in JMX-name
 * order, which groups them nearly always but not by rule (two JMX names may map to one family), so
 * the samples are collected per family first. One scrape builds a few strings per metric: scrapes
 * come every few seconds at most, on the endpoint's thread, never on a reactor.
 */
public final class PrometheusText {
    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /** One family's header and its samples so far. */
    private static final class Family {
        final Type type;
        final String help;
        final StringBuilder samples = new StringBuilder(128);

        Family(Type type, String help) {
            this.type = type;
            this.help = help;
        }
    }

    /**
     * Appends the exposition of every metric in {@code registry} to {@code out}.
     *
     * @return how many metrics were left out: a gauge whose supplier threw, or a metric whose
     *         family name another metric of a different type already took
     */
    public static int write(MetricsRegistry registry, StringBuilder out) {
        final Map<String, Family> families = new TreeMap<>();
        final int[] skipped = new int[1];
        registry.forEach((name, metric) -> {
            try {
                if (!add(families, name, metric)) {
                    skipped[0]++;
                }
            } catch (RuntimeException e) {
                // A gauge's supplier runs here; one that fails must not cost the other metrics.
                skipped[0]++;
            }
        });
        for (Map.Entry<String, Family> e : families.entrySet()) {
            final Family f = e.getValue();
            out.append("# HELP ").append(e.getKey()).append(' ');
            escapeHelp(f.help, out);
            out.append('\n');
            out.append("# TYPE ").append(e.getKey()).append(' ').append(f.type.text()).append('\n');
            out.append(f.samples);
        }
        return skipped[0];
    }

    private static boolean add(Map<String, Family> families, MetricName name, Metric metric) {
        final Type type = PrometheusNames.type(metric);
        final String family = PrometheusNames.family(name, type);
        // Read the values before touching the family: a gauge that throws leaves nothing behind.
        final StringBuilder samples = new StringBuilder(96);
        switch (type) {
            case COUNTER:
                sample(samples, family, name, null, ((Meter) metric).count());
                break;
            case GAUGE:
                sample(samples, family, name, null, ((Gauge) metric).value());
                break;
            default:
                final Histogram h = metric instanceof Timer ? ((Timer) metric).histogram() : (Histogram) metric;
                for (int i = 0; i < PrometheusNames.QUANTILES.length; i++) {
                    sample(samples, family, name, PrometheusNames.QUANTILES[i], h.percentile(i));
                }
                // A timer's count is its meter's, which is live; a histogram's is as of the last tick.
                final long count = metric instanceof Timer ? ((Timer) metric).meter().count() : h.count();
                sample(samples, family + "_count", name, null, count);
                break;
        }
        Family f = families.get(family);
        if (f == null) {
            f = new Family(type, help(name, metric, type));
            families.put(family, f);
        } else if (f.type != type) {
            return false;
        }
        f.samples.append(samples);
        return true;
    }

    /** {@code group:type=T,name=N} and what the value is, e.g. "Count (bytes)". */
    private static String help(MetricName name, Metric metric, Type type) {
        final String jmx = name.isAttribute() ? name.group() + ":type=" + name.type() + " attribute " + name.name()
            : name.group() + ":type=" + name.type() + ",name=" + name.name();
        switch (type) {
            case COUNTER:
                return jmx + " Count (" + ((Meter) metric).eventType() + ")";
            case GAUGE:
                return jmx + " Value";
            default:
                return jmx + " percentiles over the last minute and Count"
                    + (metric instanceof Timer || name.name().endsWith("Ms") ? " (milliseconds)" : "");
        }
    }

    private static void sample(StringBuilder out, String family, MetricName name, String quantile, double value) {
        labels(out.append(family), name, quantile);
        out.append(' ');
        number(value, out);
        out.append('\n');
    }

    private static void sample(StringBuilder out, String family, MetricName name, String quantile, long value) {
        labels(out.append(family), name, quantile);
        out.append(' ').append(value).append('\n');
    }

    private static void labels(StringBuilder out, MetricName name, String quantile) {
        if (name.tags().isEmpty() && quantile == null) {
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> t : name.tags().entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(PrometheusNames.label(t.getKey())).append("=\"");
            escapeLabelValue(t.getValue(), out);
            out.append('"');
        }
        if (quantile != null) {
            out.append(first ? "" : ",").append("quantile=\"").append(quantile).append('"');
        }
        out.append('}');
    }

    /** A sample value: integers without a fraction, NaN and the infinities as Prometheus spells them. */
    static void number(double v, StringBuilder out) {
        if (Double.isNaN(v)) {
            out.append("NaN");
        } else if (Double.isInfinite(v)) {
            out.append(v > 0 ? "+Inf" : "-Inf");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.append((long) v);
        } else {
            out.append(v);
        }
    }

    /** Label values: backslash, double quote and line feed escaped. */
    static void escapeLabelValue(String v, StringBuilder out) {
        for (int i = 0; i < v.length(); i++) {
            final char c = v.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '"') {
                out.append("\\\"");
            } else if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(c);
            }
        }
    }

    /** HELP text: backslash and line feed escaped. */
    private static void escapeHelp(String v, StringBuilder out) {
        for (int i = 0; i < v.length(); i++) {
            final char c = v.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(c);
            }
        }
    }
}
