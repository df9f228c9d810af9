package io.zcrx.ingest.broker.metrics;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;

/**
 * What every metrics MBean shares: attributes are read through {@link #valueOf} (null: no such
 * attribute), nothing can be set and there are no operations.
 */
abstract class ReadOnlyMBean implements DynamicMBean {

    /** The attribute's current value, or null if this MBean has no such attribute. */
    abstract Object valueOf(String attribute);

    @Override
    public final Object getAttribute(String attribute) throws AttributeNotFoundException {
        final Object v = valueOf(attribute);
        if (v == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return v;
    }

    @Override
    public final AttributeList getAttributes(String[] attributes) {
        final AttributeList out = new AttributeList();
        for (String a : attributes) {
            final Object v = valueOf(a);
            if (v != null) {
                out.add(new Attribute(a, v));
            }
        }
        return out;
    }

    @Override
    public final void setAttribute(Attribute attribute) {
        throw new UnsupportedOperationException("metrics are read-only");
    }

    @Override
    public final AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public final Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("metrics have no operations");
    }
}
