package io.zcrx.ingest.broker.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;

/**
 * One metric as a JMX MBean with exactly the attribute names and types of the Yammer MBeans that
 * Kafka's brokers register (its {@code JmxReporter}): a meter has {@code Count}, {@code EventType},
 * {@code RateUnit}, {@code MeanRate}, {@code OneMinuteRate}, {@code FiveMinuteRate},
 * {@code FifteenMinuteRate}; a histogram {@code Count}, {@code Min}, {@code Max}, {@code Mean},
 * {@code StdDev}, {@code 50thPercentile} .. {@code 999thPercentile}; a timer both plus
 * {@code LatencyUnit} and {@code DurationUnit}; a gauge {@code Value}. Tools written against
 * Kafka (JmxTool, the Prometheus JMX exporter's Kafka rules, Datadog's Kafka check) need nothing
 * else. Read-only.
 */
final class MetricMBean extends ReadOnlyMBean {
    private static final String[] METER = {"Count", "EventType", "RateUnit", "MeanRate", "OneMinuteRate",
        "FiveMinuteRate", "FifteenMinuteRate"};
    private static final String[] HISTOGRAM = {"Count", "Min", "Max", "Mean", "StdDev", "50thPercentile",
        "75thPercentile", "95thPercentile", "98thPercentile", "99thPercentile", "999thPercentile"};

    private final Metric metric;
    private final MBeanInfo info;

    MetricMBean(Metric metric) {
        this.metric = metric;
        this.info = new MBeanInfo(metric.getClass().getName(), "zcrx-ingest metric", attributeInfos(), null, null,
            null);
    }

    private MBeanAttributeInfo[] attributeInfos() {
        final List<MBeanAttributeInfo> out = new ArrayList<>();
        for (String a : attributeNames(metric)) {
            out.add(new MBeanAttributeInfo(a, typeOf(a), a, true, false, false));
        }
        return out.toArray(new MBeanAttributeInfo[0]);
    }

    static List<String> attributeNames(Metric m) {
        final List<String> names = new ArrayList<>();
        if (m instanceof Gauge) {
            names.add("Value");
        } else if (m instanceof Meter) {
            names.addAll(List.of(METER));
        } else if (m instanceof Histogram) {
            names.addAll(List.of(HISTOGRAM));
        } else if (m instanceof Timer) {
            names.addAll(List.of(METER));
            for (String h : HISTOGRAM) {
                if (!h.equals("Count")) {
                    names.add(h);
                }
            }
            names.add("LatencyUnit");
            names.add("DurationUnit");
        }
        return names;
    }

    private static String typeOf(String attribute) {
        switch (attribute) {
            case "Count":
                return "long";
            case "EventType":
            case "DurationUnit":
                return String.class.getName();
            case "RateUnit":
            case "LatencyUnit":
                return TimeUnit.class.getName();
            default:
                return "double";
        }
    }

    @Override
    Object valueOf(String attribute) {
        return value(metric, attribute);
    }

    /** The attribute's value, or null if this kind of metric has no such attribute. */
    static Object value(Metric m, String attribute) {
        if (m instanceof Gauge) {
            return attribute.equals("Value") ? ((Gauge) m).value() : null;
        }
        if (m instanceof Meter) {
            return meterValue((Meter) m, attribute);
        }
        if (m instanceof Histogram) {
            return attribute.equals("Count") ? ((Histogram) m).count() : histogramValue((Histogram) m, attribute);
        }
        if (m instanceof Timer) {
            final Timer t = (Timer) m;
            final Object v = meterValue(t.meter(), attribute);
            if (v != null) {
                return v;
            }
            if (attribute.equals("LatencyUnit")) {
                return TimeUnit.MILLISECONDS;
            }
            if (attribute.equals("DurationUnit")) {
                return "milliseconds";
            }
            return histogramValue(t.histogram(), attribute);
        }
        return null;
    }

    private static Object meterValue(Meter m, String attribute) {
        switch (attribute) {
            case "Count":
                return m.count();
            case "EventType":
                return m.eventType();
            case "RateUnit":
                return TimeUnit.SECONDS;
            case "MeanRate":
                return m.meanRate(System.nanoTime());
            case "OneMinuteRate":
                return m.oneMinuteRate();
            case "FiveMinuteRate":
                return m.fiveMinuteRate();
            case "FifteenMinuteRate":
                return m.fifteenMinuteRate();
            default:
                return null;
        }
    }

    private static Object histogramValue(Histogram h, String attribute) {
        switch (attribute) {
            case "Min":
                return h.min();
            case "Max":
                return h.max();
            case "Mean":
                return h.mean();
            case "StdDev":
                return h.stdDev();
            case "50thPercentile":
                return h.percentile(0);
            case "75thPercentile":
                return h.percentile(1);
            case "95thPercentile":
                return h.percentile(2);
            case "98thPercentile":
                return h.percentile(3);
            case "99thPercentile":
                return h.percentile(4);
            case "999thPercentile":
                return h.percentile(5);
            default:
                return null;
        }
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
