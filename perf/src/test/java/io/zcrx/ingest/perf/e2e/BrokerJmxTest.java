package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import java.lang.management.ManagementFactory;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import org.junit.jupiter.api.Test;

class BrokerJmxTest {

    /** The attributes of the Yammer histogram MBean Apache Kafka registers (its JmxReporter's HistogramMBean). */
    public interface KafkaHistogramMBean {
        long getCount();

        double get50thPercentile();

        double get99thPercentile();

        double get999thPercentile();
    }

    /** Kafka's histogram as its MBean shows it: whole milliseconds as doubles, a long count. */
    public static final class KafkaHistogram implements KafkaHistogramMBean {
        private final long count;

        KafkaHistogram(long count) {
            this.count = count;
        }

        @Override
        public long getCount() {
            return count;
        }

        @Override
        public double get50thPercentile() {
            return 1.0;
        }

        @Override
        public double get99thPercentile() {
            return 3.0;
        }

        @Override
        public double get999thPercentile() {
            return 12.0;
        }
    }

    @Test
    void readsKafkasHistogramAttributesFromAnMBeanServer() throws Exception {
        // Goal: the reader takes Kafka's TotalTimeMs attributes as Kafka's Yammer MBean types them
        // (doubles and a long), and says why when the MBean is missing or empty instead of failing.
        // Method: an in-process MBean server, first empty, then with an MBean of Kafka's interface
        // under Kafka's name, then with one whose count is 0.
        final MBeanServer server = MBeanServerFactory.newMBeanServer();
        final BrokerJmx.ProduceLatency none = BrokerJmx.read(server);
        assertFalse(none.present());
        assertTrue(none.absent().contains("no MBean " + BrokerJmx.PRODUCE_TOTAL_TIME), none.absent());
        assertTrue(Double.isNaN(none.p99Ms()));
        assertTrue(none.describe().startsWith("n/a ("), none.describe());

        final ObjectName name = new ObjectName(BrokerJmx.PRODUCE_TOTAL_TIME);
        server.registerMBean(new KafkaHistogram(4242), name);
        final BrokerJmx.ProduceLatency l = BrokerJmx.read(server);
        assertTrue(l.present(), l.describe());
        assertEquals(new BrokerJmx.ProduceLatency(1.0, 3.0, 12.0, 4242, null), l);
        assertEquals("p50 1.00 / p99 3.00 / p99.9 12.00 ms over 4242 requests", l.describe());

        server.unregisterMBean(name);
        server.registerMBean(new KafkaHistogram(0), name);
        final BrokerJmx.ProduceLatency empty = BrokerJmx.read(server);
        assertFalse(empty.present());
        assertTrue(empty.absent().contains("Count 0"), empty.absent());
    }

    @Test
    void readsOurBrokersHistogramOverRemoteJmx() throws Exception {
        // Goal: the harness reads our broker's Produce histogram (the metrics registry's MBean under
        // Kafka's name) through remote JMX, the path it takes against a broker process: a JMX
        // connector on a loopback RMI port, BrokerJmx.connect. Method: a registry that registers in
        // this JVM's platform MBean server, a latency histogram under Kafka's name with 1000 values
        // 0.1..100 ms, exported by an RMI connector server; read before the registry's first tick
        // (empty: absent), then through the connector, which waits for that tick.
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        final int port = Jvm.freePort();
        final Registry rmiRegistry = LocateRegistry.createRegistry(port);
        final JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(BrokerJmx.url(port), null,
            ManagementFactory.getPlatformMBeanServer());
        connector.start();
        try (MetricsRegistry metrics = new MetricsRegistry(2, true);
             BrokerJmx jmx = BrokerJmx.connect(port)) {
            final Histogram h = metrics.latencyHistogram(
                MetricName.of("kafka.network", "RequestMetrics", "TotalTimeMs", "request", "Produce"));
            for (int i = 1; i <= 1000; i++) {
                h.record(i % 2, i * 100L);
            }
            // Before the registry's first tick the values are not published yet: one read says so...
            final BrokerJmx.ProduceLatency before = BrokerJmx.read(ManagementFactory.getPlatformMBeanServer());
            assertFalse(before.present(), before.describe());

            // ...and produceLatency() waits for the registry's own ticker (every 5 s) to publish them.
            final BrokerJmx.ProduceLatency l = jmx.produceLatency();
            assertTrue(l.present(), l.describe());
            assertEquals(1000, l.count());
            // HdrHistogram with two significant digits: each percentile within 1 % of the exact value.
            assertEquals(50.0, l.p50Ms(), 50.0 * 0.011, l.describe());
            assertEquals(99.0, l.p99Ms(), 99.0 * 0.011, l.describe());
            assertEquals(99.9, l.p999Ms(), 99.9 * 0.011, l.describe());
        } finally {
            connector.stop();
            UnicastRemoteObject.unexportObject(rmiRegistry, true);
        }
    }

    @Test
    void jvmOptionsOpenOneLoopbackPortWithoutAuthentication() {
        // Goal: both brokers get the same remote-JMX options, agent and RMI objects on one port, as
        // Kafka's JMX_PORT sets them. Method: the option string for one port.
        final String o = BrokerJmx.jvmOptions(9999);
        assertTrue(o.contains("-Dcom.sun.management.jmxremote.port=9999")
            && o.contains("-Dcom.sun.management.jmxremote.rmi.port=9999")
            && o.contains("-Dcom.sun.management.jmxremote.authenticate=false")
            && o.contains("-Dcom.sun.management.jmxremote.ssl=false")
            && o.contains("-Djava.rmi.server.hostname=127.0.0.1"), o);
        assertEquals("service:jmx:rmi:///jndi/rmi://127.0.0.1:9999/jmxrmi", BrokerJmx.url(9999).toString());
    }
}
