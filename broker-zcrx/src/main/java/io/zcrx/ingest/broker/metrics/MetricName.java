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
 *
 * <p>A few of Kafka's broker metrics come from Kafka Metrics rather than Yammer: their MBean has no
 * {@code name=} key and carries one attribute per metric, e.g. the attribute {@code connection-count}
 * of {@code kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=0}. Such a
 * metric is named with {@link #attribute}: {@link #name()} is then the attribute's name, and
 * {@link #objectName()} the MBean's, shared by every attribute with the same group, type and tags.
 */
public final class MetricName {
    private final String group;
    private final String type;
    private final String name;
    private final Map<String, String> tags;
    private final boolean attribute;
    /** The MBean's name as text. */
    private final String object;
    /** Identity: the MBean's name, plus the attribute for an attribute-style metric. */
    private final String canonical;

    private MetricName(String group, String type, String name, Map<String, String> tags, boolean attribute) {
        this.group = Objects.requireNonNull(group, "group");
        this.type = Objects.requireNonNull(type, "type");
        this.name = Objects.requireNonNull(name, "name");
        this.tags = Collections.unmodifiableMap(tags);
        this.attribute = attribute;
        final StringBuilder b = new StringBuilder(group).append(":type=").append(type);
        if (!attribute) {
            b.append(",name=").append(name);
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            b.append(',').append(e.getKey()).append('=').append(quoteIfNeeded(e.getValue()));
        }
        this.object = b.toString();
        this.canonical = attribute ? object + "/" + name : object;
    }

    /** A name without tags. */
    public static MetricName of(String group, String type, String name) {
        return new MetricName(group, type, name, new LinkedHashMap<>(), false);
    }

    /** A name with tags given as key, value, key, value... in object-name order. */
    public static MetricName of(String group, String type, String name, String... tagPairs) {
        return new MetricName(group, type, name, tags(tagPairs), false);
    }

    /**
     * A Kafka Metrics style metric: attribute {@code attribute} of the MBean
     * {@code group:type=T[,tag=value...]} (no {@code name=} key), read as a {@link Gauge}.
     */
    public static MetricName attribute(String group, String type, String attribute, String... tagPairs) {
        return new MetricName(group, type, attribute, tags(tagPairs), true);
    }

    private static Map<String, String> tags(String... tagPairs) {
        if (tagPairs.length % 2 != 0) {
            throw new IllegalArgumentException("tags must be key/value pairs: " + tagPairs.length + " strings given");
        }
        final Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < tagPairs.length; i += 2) {
            tags.put(tagPairs[i], tagPairs[i + 1]);
        }
        return tags;
    }

    public String group() {
        return group;
    }

    public String type() {
        return type;
    }

    /** The metric's name: Yammer's {@code name=} value, or the attribute's name for {@link #isAttribute()}. */
    public String name() {
        return name;
    }

    /** True for a Kafka Metrics style name: {@link #name()} is an attribute of {@link #objectName()}. */
    public boolean isAttribute() {
        return attribute;
    }

    /** Tags in object-name order (unmodifiable). */
    public Map<String, String> tags() {
        return tags;
    }

    /** The JMX object name, exactly as Kafka's JmxReporter would register it. */
    public ObjectName objectName() {
        try {
            return new ObjectName(object);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not a valid JMX name: " + object, e);
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

    /** The metric's identity: the object name, followed by {@code /attribute} for an attribute-style name. */
    @Override
    public String toString() {
        return canonical;
    }
}
