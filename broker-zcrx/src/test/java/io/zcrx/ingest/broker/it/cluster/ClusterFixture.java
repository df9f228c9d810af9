package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Everything one cluster test class starts, in one place: the Kafka distribution and tools, a work
 * directory {@code target/cluster-it/<TestClass>-<time>/} holding every node's files and every
 * process's output, and the nodes themselves. {@link #close} (a test class's {@code @AfterAll})
 * kills what is still running, newest first, whether the tests passed or not; a
 * {@link ManagedProcess} shutdown hook covers a test JVM that dies before that.
 *
 * <p>Public (with {@link #create}, {@link #startController(ControllerFeatures, Map)},
 * {@link #controller}, {@link #formatWithKafkaStorage} and {@link #close}) for the in-JVM cluster tests
 * of {@code io.zcrx.ingest.broker.cluster}, which run our {@code Broker} in the test JVM against this
 * fixture's controller.
 */
public final class ClusterFixture implements AutoCloseable {
    private final KafkaDistribution dist;
    private final Path workDir;
    private final KafkaTools tools;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private KafkaController controller;

    private ClusterFixture(KafkaDistribution dist, Path workDir, KafkaTools tools) {
        this.dist = dist;
        this.workDir = workDir;
        this.tools = tools;
    }

    /** A fixture for {@code testClass}; skips the class (reason logged) when Kafka 4.4.0 cannot be had. */
    public static ClusterFixture create(Class<?> testClass) throws IOException, InterruptedException {
        final KafkaDistribution dist = KafkaDistribution.require();
        final Path dir = Paths.get("target", "cluster-it", testClass.getSimpleName() + "-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"))).toAbsolutePath();
        Files.createDirectories(dir);
        return new ClusterFixture(dist, dir, new KafkaTools(dist, dir.resolve("tools")));
    }

    KafkaDistribution distribution() {
        return dist;
    }

    KafkaTools tools() {
        return tools;
    }

    Path workDir() {
        return workDir;
    }

    /** Starts the class's controller (node id 3000: out of the brokers' way). */
    public KafkaController startController(ControllerFeatures features, Map<String, String> overrides)
            throws IOException, InterruptedException {
        return startController("controller", features, overrides);
    }

    /** Starts another controller (another cluster) in {@code <work>/<name>}; the first one is {@link #controller}. */
    KafkaController startController(String name, ControllerFeatures features, Map<String, String> overrides)
            throws IOException, InterruptedException {
        final KafkaController c = KafkaController.start(dist, tools, workDir.resolve(name), 3000, features, overrides);
        started.push(c);
        if (controller == null) {
            controller = c;
        }
        return c;
    }

    public KafkaController controller() {
        if (controller == null) {
            throw new IllegalStateException("no controller started");
        }
        return controller;
    }

    /**
     * Formats a broker's storage for the class's controller with Kafka's own tool, as Kafka's brokers
     * are formatted: {@code kafka-storage format -t ID -c FILE --no-initial-controllers}.
     */
    public void formatWithKafkaStorage(Path brokerProperties) throws IOException, InterruptedException {
        tools.storage("format", "-t", controller().clusterId(), "-c", brokerProperties.toString(),
            "--no-initial-controllers").ok();
    }

    /** An Apache Kafka broker joining the class's controller, files in {@code <work>/kafka-<id>}. */
    KafkaBroker startKafkaBroker(int nodeId, Map<String, String> overrides) throws IOException, InterruptedException {
        final KafkaBroker b = KafkaBroker.start(dist, tools, workDir.resolve("kafka-" + nodeId), nodeId, controller(),
            overrides);
        started.push(b);
        return b;
    }

    /**
     * One of our brokers joining the class's controller, its log dir formatted with Kafka's storage
     * tool; files in {@code <work>/zcrx-<id>}.
     */
    ZcrxBrokerProcess startZcrxBroker(int nodeId, Map<String, String> overrides)
            throws IOException, InterruptedException {
        return startZcrxBroker(nodeId, ZcrxBrokerProcess.Format.KAFKA_STORAGE_TOOL, overrides);
    }

    /** As above, formatted with {@code format}'s tool. */
    ZcrxBrokerProcess startZcrxBroker(int nodeId, ZcrxBrokerProcess.Format format, Map<String, String> overrides)
            throws IOException, InterruptedException {
        final ZcrxBrokerProcess b = createZcrxBroker(nodeId, controller(), format, overrides);
        b.restart();
        return b;
    }

    /** Formats (but does not start) one of our brokers joining {@code joining}. */
    ZcrxBrokerProcess createZcrxBroker(int nodeId, KafkaController joining, ZcrxBrokerProcess.Format format,
            Map<String, String> overrides) throws IOException, InterruptedException {
        final ZcrxBrokerProcess b = ZcrxBrokerProcess.create(tools, workDir.resolve("zcrx-" + nodeId), nodeId, joining,
            format, overrides);
        started.push(b);
        return b;
    }

    /** Kcat writing its files here; skips the test where kcat is not installed. */
    Kcat kcat() throws IOException {
        final Path dir = workDir.resolve("kcat");
        Files.createDirectories(dir);
        return Kcat.require(dir);
    }

    /** KafkaJS, installed once under {@code target/kafkajs}; skips the test where node/npm cannot provide it. */
    KafkaJs kafkaJs() throws IOException, InterruptedException {
        final Path dir = workDir.resolve("kafkajs");
        Files.createDirectories(dir);
        return KafkaJs.require(Paths.get("target", "kafkajs").toAbsolutePath(), dir);
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
