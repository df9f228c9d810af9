package io.zcrx.ingest.broker.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * A metric's identity in Kafka's JMX scheme: {@code group:type=T,name=N[,tag=value...]}, for
 * example {@code kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=logs}. Kafka's
 * dashboards, alerts, {@code JmxTool} and the Prometheus JMX exporter's Kafka rules all key on
 * these strings, so a metric that Kafka also has uses Kafka's exact group, type, name and tag
 * names (docs/metrics.md lists them). Tags keep their insertion order, which is the order they
 * appear in the object name, as in Kafka.
 */
public final class MetricName {
    private final String group;
    private final String type;
    private final String name;
    private final Map<String, String> tags;
    private final String canonical;

    private MetricName(String group, String type, String name, Map<String, String> tags) {
        this.group = Objects.requireNonNull(group, "group");
        this.type = Objects.requireNonNull(type, "type");
        this.name = Objects.requireNonNull(name, "name");
        this.tags = Collections.unmodifiableMap(tags);
        final StringBuilder b = new StringBuilder(group).append(":type=").append(type).append(",name=").append(name);
        for (Map.Entry<String, String> e : tags.entrySet()) {
            b.append(',').append(e.getKey()).append('=').append(quoteIfNeeded(e.getValue()));
        }
        this.canonical = b.toString();
    }

    /** A name without tags. */
    public static MetricName of(String group, String type, String name) {
        return new MetricName(group, type, name, new LinkedHashMap<>());
    }

    /** A name with tags given as key, value, key, value... in object-name order. */
    public static MetricName of(String group, String type, String name, String... tagPairs) {
        if (tagPairs.length % 2 != 0) {
            throw new IllegalArgumentException("tags must be key/value pairs: " + tagPairs.length + " strings given");
        }
        final Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < tagPairs.length; i += 2) {
            tags.put(tagPairs[i], tagPairs[i + 1]);
        }
        return new MetricName(group, type, name, tags);
    }

    public String group() {
        return group;
    }

    public String type() {
        return type;
    }

    public String name() {
        return name;
    }

    /** Tags in object-name order (unmodifiable). */
    public Map<String, String> tags() {
        return tags;
    }

    /** The JMX object name, exactly as Kafka's JmxReporter would register it. */
    public ObjectName objectName() {
        try {
            return new ObjectName(canonical);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not a valid JMX name: " + canonical, e);
        }
    }

    /** Values with characters that JMX reserves are quoted, as ObjectName.quote does. */
    private static String quoteIfNeeded(String v) {
        for (int i = 0; i < v.length(); i++) {
            final char c = v.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') {
                return ObjectName.quote(v);
            }
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricName && ((MetricName) o).canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    @Override
    public String toString() {
        return canonical;
    }
}
