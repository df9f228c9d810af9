package io.zcrx.ingest.broker.metrics;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.NotCompliantMBeanException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every metric of one broker, by name: created on first use, registered as a JMX MBean with the
 * attributes Kafka's metrics have (so {@code JmxTool}, jconsole and the Prometheus JMX exporter
 * read them as they read Kafka's), listed in name order for the Prometheus endpoint and the status
 * line, and ticked every {@value #TICK_SECONDS} seconds on one daemon thread
 * ({@code zcrx-metrics}) that advances the meters' moving averages and swaps the histograms'
 * intervals.
 *
 * <p>Creation and removal take the map's locks and allocate; they happen when a topic, a request
 * type or a reactor first appears, never per request. The hot path holds the metric objects and
 * calls their allocation-free record methods with its reactor's stripe.
 */
public final class MetricsRegistry implements AutoCloseable {
    /** Seconds between ticks: Yammer's (and so Kafka's) meter tick. */
    public static final int TICK_SECONDS = 5;
    /** Highest latency a histogram keeps, in microseconds (longer values count as this). */
    public static final long LATENCY_MICROS_MAX = 3_600_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(MetricsRegistry.class);

    private final int writers;
    private final boolean jmx;
    private final boolean recording;
    /** Guarded by itself: the shared MBeans of attribute-style names, by object name. */
    private final Map<String, AttributesMBean> attributeBeans = new HashMap<>();
    private final MBeanServer server;
    private final Map<MetricName, Metric> metrics = new ConcurrentSkipListMap<>(
        (a, b) -> a.toString().compareTo(b.toString()));
    private final Map<MetricName, Object> locks = new ConcurrentHashMap<>();
    private final Thread ticker;
    private volatile boolean closed;

    /**
     * @param writers the number of reactor threads: stripes {@code 0..writers-1} belong to them
     * @param jmx     whether to register MBeans in the platform MBean server (tests that start
     *                several brokers in one JVM turn it off for all but one)
     */
    public MetricsRegistry(int writers, boolean jmx) {
        this(writers, jmx, true);
    }

    /**
     * @param recording false ({@code metrics.enable=false}) makes every meter and histogram drop
     *                  what is recorded, to measure what recording costs; gauges still read
     */
    public MetricsRegistry(int writers, boolean jmx, boolean recording) {
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be at least 1: " + writers);
        }
        this.writers = writers;
        this.jmx = jmx;
        this.recording = recording;
        this.server = jmx ? ManagementFactory.getPlatformMBeanServer() : null;
        this.ticker = new Thread(this::tickLoop, "zcrx-metrics");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** False when {@code metrics.enable=false}: recording is a no-op, so callers may skip measuring too. */
    public boolean recording() {
        return recording;
    }

    /** The number of reactor stripes. */
    public int writers() {
        return writers;
    }

    /** The meter of this name, created on first use. */
    public Meter meter(MetricName name, String eventType) {
        return get(name, Meter.class, n -> new Meter(writers, eventType, System.nanoTime(), recording));
    }

    /** A histogram of latencies recorded in microseconds and shown in milliseconds. */
    public Histogram latencyHistogram(MetricName name) {
        return get(name, Histogram.class, n -> new Histogram(writers, LATENCY_MICROS_MAX, 0.001, recording));
    }

    /** A histogram of plain values (sizes, counts) up to {@code highest}, shown as recorded. */
    public Histogram histogram(MetricName name, long highest) {
        return get(name, Histogram.class, n -> new Histogram(writers, highest, 1.0, recording));
    }

    /** A rate and latency pair (microseconds, shown in milliseconds), as Kafka's timers. */
    public Timer timer(MetricName name, String eventType) {
        return get(name, Timer.class, n -> new Timer(new Meter(writers, eventType, System.nanoTime(), recording),
            new Histogram(writers, LATENCY_MICROS_MAX, 0.001, recording)));
    }

    /**
     * Registers (or replaces) a gauge; the supplier runs on reading threads. The only kind an
     * attribute-style name ({@link MetricName#attribute}) may have.
     */
    public Gauge gauge(MetricName name, DoubleSupplier value) {
        final Gauge g = new Gauge(value);
        final Metric old = metrics.put(name, g);
        if (old != null) {
            unregister(name);
        }
        register(name, g);
        return g;
    }

    /** Removes a metric (a deleted topic's), unregistering its MBean. */
    public void remove(MetricName name) {
        if (metrics.remove(name) != null) {
            unregister(name);
        }
    }

    /** Removes every metric whose tags contain {@code key=value} (all of a topic's, for example). */
    public void removeTagged(String key, String value) {
        for (MetricName n : new ArrayList<>(metrics.keySet())) {
            if (value.equals(n.tags().get(key))) {
                remove(n);
            }
        }
    }

    /** Visits every metric in name order (a weakly consistent view). */
    public void forEach(BiConsumer<MetricName, Metric> visitor) {
        metrics.forEach(visitor);
    }

    /** The metric of this name, or null. */
    public Metric find(MetricName name) {
        return metrics.get(name);
    }

    /** All names, in order (tests, diagnostics). */
    public List<MetricName> names() {
        return Collections.unmodifiableList(new ArrayList<>(metrics.keySet()));
    }

    /** Advances every metric now (tests; the ticker does it every {@value #TICK_SECONDS} s). */
    public synchronized void tickNow() {
        metrics.values().forEach(Metric::tick);
    }

    private <T extends Metric> T get(MetricName name, Class<T> type, Function<MetricName, T> make) {
        Metric m = metrics.get(name);
        if (m == null) {
            synchronized (locks.computeIfAbsent(name, k -> new Object())) {
                m = metrics.get(name);
                if (m == null) {
                    m = make.apply(name);
                    register(name, m);
                    metrics.put(name, m);
                }
            }
        }
        if (!type.isInstance(m)) {
            throw new IllegalStateException(name + " is a " + m.getClass().getSimpleName() + ", not a "
                + type.getSimpleName());
        }
        return type.cast(m);
    }

    private void register(MetricName name, Metric m) {
        if (name.isAttribute() && !(m instanceof Gauge)) {
            metrics.remove(name, m);
            throw new IllegalArgumentException(name + ": an attribute-style name must be a gauge");
        }
        if (!jmx) {
            return;
        }
        if (name.isAttribute()) {
            registerAttribute(name, (Gauge) m);
            return;
        }
        try {
            server.registerMBean(new MetricMBean(m), name.objectName());
        } catch (InstanceAlreadyExistsException e) {
            // Another broker in this JVM (tests) got there first: its MBean stays, ours is not
            // visible over JMX but still counts and reaches the Prometheus endpoint.
            LOG.debug("MBean {} already registered in this JVM", name);
        } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
            LOG.warn("could not register MBean {}: {}", name, e.toString());
        }
    }

    private void registerAttribute(MetricName name, Gauge g) {
        synchronized (attributeBeans) {
            AttributesMBean bean = attributeBeans.get(name.objectName().toString());
            if (bean == null) {
                bean = new AttributesMBean();
                try {
                    server.registerMBean(bean, name.objectName());
                } catch (InstanceAlreadyExistsException e) {
                    LOG.debug("MBean {} already registered in this JVM", name.objectName());
                    return;
                } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
                    LOG.warn("could not register MBean {}: {}", name.objectName(), e.toString());
                    return;
                }
                attributeBeans.put(name.objectName().toString(), bean);
            }
            bean.put(name.name(), g);
        }
    }

    private void unregister(MetricName name) {
        if (!jmx) {
            return;
        }
        if (name.isAttribute()) {
            synchronized (attributeBeans) {
                final String key = name.objectName().toString();
                final AttributesMBean bean = attributeBeans.get(key);
                if (bean == null || !bean.remove(name.name())) {
                    return;
                }
                attributeBeans.remove(key);
            }
        }
        try {
            server.unregisterMBean(name.objectName());
        } catch (InstanceNotFoundException e) {
            // never registered (see register) or already gone
        } catch (MBeanRegistrationException e) {
            LOG.warn("could not unregister MBean {}: {}", name, e.toString());
        }
    }

    private void tickLoop() {
        long next = System.nanoTime() + TICK_SECONDS * 1_000_000_000L;
        while (!closed) {
            final long waitNs = next - System.nanoTime();
            if (waitNs > 0) {
                try {
                    Thread.sleep(waitNs / 1_000_000L, (int) (waitNs % 1_000_000L));
                } catch (InterruptedException e) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                continue;
            }
            next += TICK_SECONDS * 1_000_000_000L;
            try {
                tickNow();
            } catch (RuntimeException e) {
                LOG.error("metrics tick failed; metrics may be stale until the next tick", e);
            }
        }
    }

    /** Stops the ticker and unregisters every MBean. */
    @Override
    public void close() {
        closed = true;
        ticker.interrupt();
        for (MetricName n : new ArrayList<>(metrics.keySet())) {
            remove(n);
        }
    }
}
