package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.PrometheusScrape;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/zcrx-broker-start.sh's remote JMX, as Kafka's kafka-run-class.sh sets it up: {@code JMX_PORT}
 * opens JMX (and pins RMI to the same port) with the default options, {@code KAFKA_JMX_OPTS} replaces
 * the defaults; a JMX client on that port reads Kafka's MBeans, and the Prometheus endpoint of the
 * same broker answers. The script runs the jar the build packaged (the integration tests run after
 * the package phase).
 */
class StartScriptJmxIT {
    private static final String JMX = "-Dcom.sun.management.jmxremote";

    @TempDir
    Path tmp;

    @Test
    void jmxPortOpensRemoteJmxWithKafkasDefaults() throws Exception {
        final int jmx = BrokerProcess.freePort();
        final List<String> args = runAndInspect("defaults", Map.of("JMX_PORT", String.valueOf(jmx)), jmx);
        assertTrue(args.contains(JMX + "=true"), args.toString());
        assertTrue(args.contains(JMX + ".authenticate=false"), args.toString());
        assertTrue(args.contains(JMX + ".ssl=false"), args.toString());
        assertTrue(args.contains(JMX + ".port=" + jmx), args.toString());
        assertTrue(args.contains(JMX + ".rmi.port=" + jmx), "RMI pinned to the JMX port: " + args);
    }

    @Test
    void kafkaJmxOptsReplacesTheDefaults() throws Exception {
        final int jmx = BrokerProcess.freePort();
        final int rmi = BrokerProcess.freePort();
        final String opts = JMX + ".authenticate=false " + JMX + ".ssl=false " + JMX + ".rmi.port=" + rmi;
        final List<String> args = runAndInspect("replaced", Map.of("JMX_PORT", String.valueOf(jmx),
            "KAFKA_JMX_OPTS", opts), jmx);
        assertFalse(args.contains(JMX + "=true"), "the defaults are replaced: " + args);
        assertTrue(args.contains(JMX + ".port=" + jmx), args.toString());
        assertTrue(args.contains(JMX + ".rmi.port=" + rmi), args.toString());
        assertFalse(args.contains(JMX + ".rmi.port=" + jmx), "an RMI port given is kept: " + args);
    }

    /**
     * Starts the broker with the script and {@code env}, connects over JMX on {@code jmxPort},
     * checks one of Kafka's MBeans and a scrape, stops the broker with SIGTERM; returns the JVM's
     * arguments as the broker's own RuntimeMXBean reports them over JMX.
     */
    private List<String> runAndInspect(String name, Map<String, String> env, int jmxPort) throws Exception {
        final Path dir = Files.createDirectories(tmp.resolve(name));
        final int kafka = BrokerProcess.freePort();
        final int http = BrokerProcess.freePort();
        final Path script = Paths.get("..", "bin", "zcrx-broker-start.sh").toAbsolutePath().normalize();
        final ProcessBuilder pb = new ProcessBuilder("bash", script.toString(),
            "--override", "listeners=PLAINTEXT://127.0.0.1:" + kafka, "--override", "log.dirs=" + dir.resolve("data"),
            "--override", "transport=nio", "--override", "num.network.threads=1",
            "--override", "metrics.prometheus.listener=127.0.0.1:" + http);
        pb.environment().putAll(env);
        pb.environment().put("ZCRX_HEAP_OPTS", "-Xmx256m");
        // The RMI stub must name an address this test reaches, whatever the host name resolves to.
        pb.environment().put("ZCRX_JVM_OPTS", "-Djava.rmi.server.hostname=127.0.0.1");
        pb.environment().put("ZCRX_LOGS_DIR", dir.resolve("logs").toString());
        final Path out = dir.resolve("console.out");
        final Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile())
            .redirectInput(new File("/dev/null")).start();
        try {
            Await.until("the broker started by the script logs that it listens", Duration.ofSeconds(120),
                () -> Files.readString(out), o -> o.contains("started: listening on") || !p.isAlive());
            assertTrue(p.isAlive(), "the broker exited:\n" + Files.readString(out));
            final JMXServiceURL url =
                new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            try (JMXConnector c = JMXConnectorFactory.connect(url)) {
                final MBeanServerConnection mbs = c.getMBeanServerConnection();
                final ObjectName idle =
                    new ObjectName("kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent");
                final double overJmx = ((Number) mbs.getAttribute(idle, "Value")).doubleValue();
                assertTrue(overJmx >= 0 && overJmx <= 1, "Kafka's idle gauge over remote JMX: " + overJmx);
                final PrometheusScrape s = PrometheusScrape.of(new InetSocketAddress("127.0.0.1", http));
                assertEquals(200, s.status());
                assertTrue(s.value("kafka_network_socketserver_networkprocessoravgidlepercent") != null, s.body());
                return ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.RUNTIME_MXBEAN_NAME,
                    RuntimeMXBean.class).getInputArguments();
            }
        } finally {
            // The script execs java, but while it is still building (mvn) the JVM is a child:
            // stop whatever it started too, so no port stays bound when the test fails early.
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
