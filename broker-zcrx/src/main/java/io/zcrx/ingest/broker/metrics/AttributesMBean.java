package io.zcrx.ingest.broker.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;

/**
 * The MBean of Kafka Metrics style names ({@link MetricName#attribute}): one object name, one
 * {@code double} attribute per gauge, as Kafka's {@code JmxReporter} for its Kafka Metrics
 * registers them ({@code kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=0}
 * with {@code connection-count}). Attributes come and go with their gauges; the registry
 * unregisters the MBean when its last attribute goes. Read-only.
 */
final class AttributesMBean implements DynamicMBean {
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
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        final Gauge g = attributes.get(attribute);
        if (g == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return g.value();
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        final AttributeList out = new AttributeList();
        for (String a : names) {
            final Gauge g = attributes.get(a);
            if (g != null) {
                out.add(new Attribute(a, g.value()));
            }
        }
        return out;
    }

    @Override
    public void setAttribute(Attribute attribute) {
        throw new UnsupportedOperationException("metrics are read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("metrics have no operations");
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
