package io.zcrx.ingest.perf.e2e;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The harness's JMX client: reads a broker's own Produce latency, Kafka's
 * {@code kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce} (attributes
 * {@code 50thPercentile}, {@code 99thPercentile}, {@code 999thPercentile}, {@code Count}), from
 * Apache Kafka and from our broker alike, which registers its histogram under Kafka's name and
 * attributes. Both brokers are started with remote JMX on a loopback port ({@link #jvmOptions}),
 * the JDK's own agent, so the reading goes through the path an operator's tool takes.
 *
 * <p>The two histograms are not the same instrument: Kafka's is a Yammer histogram, an
 * exponentially decaying sample (biased to the last five minutes) of whole milliseconds; ours is
 * a one-minute window of exact values at microsecond resolution, refreshed every five seconds.
 * The report says so beside the figures.
 *
 * <p>Nothing here fails a run: a broker without the MBean (ours before it registered it), a
 * refused connection or a slow answer gives a {@link ProduceLatency} that is absent, with why.
 */
public final class BrokerJmx implements AutoCloseable {
    /** Kafka's MBean of the time a Produce request spends in the broker, receive to response sent. */
    public static final String PRODUCE_TOTAL_TIME =
        "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce";
    // Count first: the histogram publishes its percentiles before its count, so a non-zero count read first
    // comes with the percentiles of the same tick.
    static final List<String> ATTRIBUTES = List.of("Count", "50thPercentile", "99thPercentile", "999thPercentile");
    /** Longest wait for an answer: a stuck broker must not stall the harness. */
    static final int TIMEOUT_MS = 10_000;

    static {
        // An RMI call waits for its answer forever by default. The property is read once, when
        // RMI's transport classes load, which in the harness (the only RMI user there) is after
        // this class.
        if (System.getProperty("sun.rmi.transport.tcp.responseTimeout") == null) {
            System.setProperty("sun.rmi.transport.tcp.responseTimeout", Integer.toString(TIMEOUT_MS));
        }
    }

    /**
     * A broker's Produce latency as its own histogram saw it, in milliseconds; or, when it could
     * not be read, NaN figures and {@code absent} saying why.
     */
    public record ProduceLatency(double p50Ms, double p99Ms, double p999Ms, long count, String absent) {
        public static ProduceLatency absent(String why) {
            return new ProduceLatency(Double.NaN, Double.NaN, Double.NaN, -1, why);
        }

        public boolean present() {
            return absent == null;
        }

        /** "p50 0.21 / p99 0.87 / p99.9 2.10 ms over 51234 requests", or "n/a (why)". */
        public String describe() {
            return present() ? String.format(Locale.ROOT, "p50 %.2f / p99 %.2f / p99.9 %.2f ms over %d requests",
                p50Ms, p99Ms, p999Ms, count) : "n/a (" + absent + ")";
        }
    }

    private final JMXConnector connector;
    private final MBeanServerConnection connection;

    private BrokerJmx(JMXConnector connector, MBeanServerConnection connection) {
        this.connector = connector;
        this.connection = connection;
    }

    /**
     * The JVM options that open remote JMX on {@code port} of 127.0.0.1 (registry and RMI
     * objects on the same port, so one port is all a firewall or a test needs), without
     * authentication or TLS: the harness's brokers listen on loopback only.
     */
    public static String jvmOptions(int port) {
        return "-Dcom.sun.management.jmxremote.port=" + port + " -Dcom.sun.management.jmxremote.rmi.port=" + port
            + " -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false"
            + " -Djava.rmi.server.hostname=127.0.0.1";
    }

    /** The URL the JDK's agent answers on for {@link #jvmOptions}. */
    public static JMXServiceURL url(int port) {
        try {
            return new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        } catch (IOException e) {
            throw new IllegalArgumentException("bad JMX port: port=" + port, e);
        }
    }

    /** Connects to the agent on 127.0.0.1:{@code port}. */
    public static BrokerJmx connect(int port) throws IOException {
        final JMXConnector c = JMXConnectorFactory.connect(url(port));
        try {
            return new BrokerJmx(c, c.getMBeanServerConnection());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The broker's Produce latency now; absent (with why) when it cannot be read. Our broker
     * publishes a histogram's values at its metrics tick (every 5 s), so a window shorter than a
     * tick can end before its requests are visible: while the MBean exists but counts nothing,
     * this polls for up to {@link #TICK_WAIT_MS} (after the measured window, so nothing is billed).
     */
    public ProduceLatency produceLatency() {
        final long deadline = System.nanoTime() + TICK_WAIT_MS * 1_000_000L;
        ProduceLatency l = read(connection);
        while (!l.present() && l.absent().contains("Count 0") && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return l;
            }
            l = read(connection);
        }
        return l;
    }

    /** A metrics tick (5 s) plus a margin. */
    static final long TICK_WAIT_MS = 6_000;

    /** Reads {@link #PRODUCE_TOTAL_TIME} from any MBean server connection (remote, or in-process in tests). */
    static ProduceLatency read(MBeanServerConnection c) {
        final ObjectName name;
        try {
            name = new ObjectName(PRODUCE_TOTAL_TIME);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
        final AttributeList list;
        try {
            list = c.getAttributes(name, ATTRIBUTES.toArray(new String[0]));
        } catch (InstanceNotFoundException e) {
            return ProduceLatency.absent("the broker has no MBean " + PRODUCE_TOTAL_TIME);
        } catch (JMException | IOException | RuntimeException e) {
            return ProduceLatency.absent("JMX read failed: " + e);
        }
        final Map<String, Object> values = new HashMap<>();
        for (Attribute a : list.asList()) {
            values.put(a.getName(), a.getValue());
        }
        for (String a : ATTRIBUTES) {
            if (!(values.get(a) instanceof Number)) {
                return ProduceLatency.absent(PRODUCE_TOTAL_TIME + " has no numeric attribute " + a + ": " + values);
            }
        }
        final long count = ((Number) values.get("Count")).longValue();
        if (count == 0) {
            // Percentiles of nothing read as 0 ms; ours stays empty until its first tick after the
            // first Produce request.
            return ProduceLatency.absent("no Produce request in " + PRODUCE_TOTAL_TIME + " yet (Count 0)");
        }
        return new ProduceLatency(number(values, "50thPercentile"), number(values, "99thPercentile"),
            number(values, "999thPercentile"), count, null);
    }

    private static double number(Map<String, Object> values, String attribute) {
        return ((Number) values.get(attribute)).doubleValue();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // The broker is going away anyway; nothing to release on this side.
        }
    }
}
