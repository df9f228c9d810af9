package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.load.ControlClient;
import io.zcrx.ingest.perf.proc.ChildProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka 4.4.0 as the reference: one node in KRaft combined mode
 * ({@code process.roles=broker,controller}), the client listener and a controller listener on two
 * loopback ports, its log directory formatted with a fresh cluster id before every start
 * ({@code kafka.tools.StorageTool format}), then {@code kafka.Kafka} in the foreground with
 * Kafka's own JVM options. Everything else is Kafka's default, as a user would run it.
 */
public final class KafkaReferenceTarget implements Target {
    static final String READY_LINE = "Kafka Server started";
    static final long START_TIMEOUT_MS = 120_000;

    private final Path lib;
    private final String jvmOpts;
    private final boolean jmx;
    private final List<String> extraProperties;

    public KafkaReferenceTarget(Path lib, String jvmOpts) {
        this(lib, jvmOpts, false);
    }

    /** @param jmx open remote JMX on a loopback port ({@link BrokerJmx#jvmOptions}), as Kafka's JMX_PORT does */
    public KafkaReferenceTarget(Path lib, String jvmOpts, boolean jmx) {
        this(lib, jvmOpts, jmx, List.of());
    }

    /**
     * @param extraProperties key=value lines appended to the server.properties (e.g. {@link LogFootprint}'s
     *                        retention settings); a later line of a key wins in a properties file
     */
    public KafkaReferenceTarget(Path lib, String jvmOpts, boolean jmx, List<String> extraProperties) {
        for (String kv : extraProperties) {
            if (kv.indexOf('=') <= 0) {
                throw new IllegalArgumentException("Kafka property must be key=value: at=" + kv);
            }
        }
        this.lib = lib;
        this.jvmOpts = jvmOpts;
        this.jmx = jmx;
        this.extraProperties = List.copyOf(extraProperties);
    }

    @Override
    public String id() {
        return "kafka-" + KafkaReference.VERSION;
    }

    @Override
    public String label() {
        return "Apache Kafka " + KafkaReference.VERSION;
    }

    @Override
    public boolean isBroker() {
        return true;
    }

    /** The server.properties a run uses. */
    static String serverProperties(int port, int controllerPort, Path dataDir, int partitions) {
        return serverProperties(port, controllerPort, dataDir, partitions, List.of());
    }

    /** As {@link #serverProperties(int, int, Path, int)}, with {@code extra} key=value lines at the end. */
    static String serverProperties(int port, int controllerPort, Path dataDir, int partitions, List<String> extra) {
        return String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + dataDir.toAbsolutePath(),
            "num.partitions=" + partitions,
            // A single node cannot host the default replication factor of 3 for internal topics.
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            String.join("\n", extra),
            "");
    }

    static final String LOG4J2 = String.join("\n",
        "status = warn",
        "appender.out.type = Console",
        "appender.out.name = STDOUT",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.out.ref = STDOUT",
        "");

    @Override
    public Started start(Path runDir, Path dataDir, int partitions) throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        final int port = Jvm.freePort();
        final int controllerPort = Jvm.freePortExcept(port);
        final int jmxPort = jmx ? Jvm.freePortExcept(port, controllerPort) : 0;
        final Path props = runDir.resolve("server.properties");
        Files.writeString(props, serverProperties(port, controllerPort, dataDir, partitions, extraProperties),
            StandardCharsets.UTF_8);
        final Path log4j = runDir.resolve("log4j2.properties");
        Files.writeString(log4j, LOG4J2, StandardCharsets.UTF_8);
        final String cp = lib.toAbsolutePath() + "/*";
        final String logOpt = "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath();

        final ChildProcess format = ChildProcess.startToFile("kafka-format",
            Jvm.command(logOpt, cp, "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", props.toString()), runDir, runDir.resolve("kafka-format.log"));
        final int rc = format.waitFor(120_000);
        if (rc != 0) {
            throw new TargetUnavailableException("kafka storage format failed: exit=" + rc + ": " + format.tail(10));
        }
        final ChildProcess broker = ChildProcess.startToFile(id(),
            Jvm.command(jvmOpts + (jmx ? " " + BrokerJmx.jvmOptions(jmxPort) : "") + " " + logOpt, cp,
                "kafka.Kafka", props.toString()), runDir,
            runDir.resolve("broker.log"));
        if (!broker.awaitLine(READY_LINE, START_TIMEOUT_MS)) {
            broker.stop(5_000);
            throw new TargetUnavailableException("Apache Kafka did not start: " + broker.tail(20));
        }
        probe(port);
        return new Started(broker, port, jmxPort);
    }

    /** One ApiVersions round trip: the listener answers Kafka requests. */
    static void probe(int port) throws IOException {
        try (var ch = ControlClient.connect(new InetSocketAddress("127.0.0.1", port))) {
            new ControlClient(ch, "zcrx-perf-probe", 0).apiVersions();
        }
    }

    @Override
    public String describe() {
        return "kafka_2.13 " + KafkaReference.VERSION + " (its own kafka-clients " + KafkaReference.VERSION
            + "), KRaft combined broker+controller, one node, Kafka's defaults otherwise; JVM: " + jvmOpts
            + (jmx ? " plus remote JMX on a loopback port" : "")
            + (extraProperties.isEmpty() ? "" : "; settings: " + String.join(", ", extraProperties));
    }
}
