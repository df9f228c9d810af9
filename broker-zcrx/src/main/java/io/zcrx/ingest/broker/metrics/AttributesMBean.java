package io.zcrx.ingest.broker.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;

/**
 * The MBean of Kafka Metrics style names ({@link MetricName#attribute}): one object name, one
 * {@code double} attribute per gauge, as Kafka's {@code JmxReporter} for its Kafka Metrics
 * registers them ({@code kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=0}
 * with {@code connection-count}). Attributes come and go with their gauges; the registry
 * unregisters the MBean when its last attribute goes. Read-only.
 */
final class AttributesMBean extends ReadOnlyMBean {
    private final Map<String, Gauge> attributes = new ConcurrentSkipListMap<>();

    void put(String attribute, Gauge g) {
        attributes.put(attribute, g);
    }

    /** Removes the attribute; true when none is left. */
    boolean remove(String attribute) {
        attributes.remove(attribute);
        return attributes.isEmpty();
    }

    @Override
    Object valueOf(String attribute) {
        final Gauge g = attributes.get(attribute);
        return g == null ? null : g.value();
    }

    /** Built on each call: the attribute set changes while the MBean is registered. */
    @Override
    public MBeanInfo getMBeanInfo() {
        final MBeanAttributeInfo[] infos = attributes.keySet().stream()
            .map(a -> new MBeanAttributeInfo(a, "double", a, true, false, false)).toArray(MBeanAttributeInfo[]::new);
        return new MBeanInfo(AttributesMBean.class.getName(), "zcrx-ingest metrics (Kafka Metrics style)", infos, null,
            null, null);
    }
}
