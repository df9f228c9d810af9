package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.RawClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * Our broker in cluster mode ({@code process.roles=broker}) as a separate JVM, the way
 * {@code bin/zcrx-broker-start.sh server.properties} runs it: {@code java -cp <the test class path>
 * io.zcrx.ingest.broker.Main server.properties}, with the repository's {@code config/log4j2.xml}.
 * Its log dir is formatted first, with Kafka's own {@code kafka-storage format
 * --no-initial-controllers} or with our {@code bin/zcrx-storage.sh format} (see {@link Format}).
 *
 * <p>{@link #stop} sends SIGTERM ({@code Process.destroy()}: the shutdown hook's controlled
 * shutdown), {@link #kill} SIGKILL ({@code destroyForcibly()}: a crash); {@link #restart} starts it
 * again on the same log dir, port and node id. Files under {@code dir}: {@code server.properties},
 * {@code logs/} (the log dir), {@code server.out} (stdout and stderr of every run),
 * {@code server-logs/server.log}.
 */
final class ZcrxBrokerProcess implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String MAIN = "io.zcrx.ingest.broker.Main";
    /** What {@code bin/zcrx-storage.sh} runs. */
    private static final String STORAGE_TOOL = "io.zcrx.ingest.broker.cluster.StorageTool";

    /** Which tool formats the log dir: the issue asks that both produce a dir our broker accepts. */
    enum Format {
        /** Kafka's {@code kafka-storage format -t ID -c FILE --no-initial-controllers}. */
        KAFKA_STORAGE_TOOL,
        /** Ours: {@code bin/zcrx-storage.sh format -t ID -c server.properties}. */
        ZCRX_STORAGE
    }

    private final int nodeId;
    private final int port;
    private final Path dir;
    private final Path logDir;
    private final Path properties;
    private ManagedProcess process;

    private ZcrxBrokerProcess(int nodeId, int port, Path dir, Path logDir, Path properties) {
        this.nodeId = nodeId;
        this.port = port;
        this.dir = dir;
        this.logDir = logDir;
        this.properties = properties;
    }

    /**
     * The settings of a cluster-mode broker {@code nodeId} joining {@code controller} on
     * {@code port}: Kafka's names, NIO with one reactor (the cheapest transport on a shared CI
     * machine), heartbeats every 500 ms.
     */
    static Map<String, String> clusterSettings(int nodeId, int port, Path logDir, KafkaController controller) {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("process.roles", "broker");
        settings.put("node.id", String.valueOf(nodeId));
        settings.put("controller.quorum.bootstrap.servers", controller.quorumBootstrap());
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("log.dirs", logDir.toString());
        settings.put("broker.heartbeat.interval.ms", "500");
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "4");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("transport", "nio");
        settings.put("num.network.threads", "1");
        return settings;
    }

    /**
     * Writes {@code server.properties} (the settings above, then {@code overrides}) and formats the
     * log dir ({@code overrides} may give {@code listeners}: the first listener's port is then
     * {@link #port}); {@link #restart} starts the broker (a test expecting a refused start uses {@link #spawn}).
     */
    static ZcrxBrokerProcess create(KafkaTools tools, Path dir, int nodeId, KafkaController controller,
            Format format, Map<String, String> overrides) throws IOException, InterruptedException {
        // A test giving its own listeners (several, e.g. SASL) picks their ports; the first is the one waited on.
        final String listeners = overrides.get("listeners");
        final int port = listeners == null ? BrokerProcess.freePort()
            : Integer.parseInt(listeners.split(",")[0].replaceAll(".*:", "").trim());
        final Path logDir = dir.resolve("logs");
        final Map<String, String> settings = clusterSettings(nodeId, port, logDir, controller);
        settings.putAll(overrides);
        final Path props = PropertiesFiles.write(dir.resolve("server.properties"), settings);
        if (format == Format.KAFKA_STORAGE_TOOL) {
            // Kafka's tool validates the whole file as a Kafka broker config: give it the Kafka keys only.
            final Map<String, String> kafkaOnly = new LinkedHashMap<>(settings);
            kafkaOnly.keySet().removeIf(k -> k.startsWith("transport") || k.startsWith("nio.")
                || k.startsWith("uring.") || k.startsWith("zcrx."));
            final Path formatProps = PropertiesFiles.write(dir.resolve("format.properties"), kafkaOnly);
            tools.storage("format", "-t", controller.clusterId(), "-c", formatProps.toString(),
                "--no-initial-controllers").ok();
        } else {
            formatWithOurTool(dir, controller.clusterId(), props);
        }
        return new ZcrxBrokerProcess(nodeId, port, dir, logDir, props);
    }

    /** {@code bin/zcrx-storage.sh format -t ID -c server.properties}: its main class on the test class path. */
    private static void formatWithOurTool(Path dir, String clusterId, Path props)
            throws IOException, InterruptedException {
        final List<String> cmd = List.of(KafkaDistribution.javaBinary(), "-Xmx256m", "-cp",
            System.getProperty("java.class.path"), STORAGE_TOOL, "format", "-t", clusterId, "-c", props.toString());
        try (ManagedProcess p = ManagedProcess.start("zcrx-storage", cmd, dir, dir.resolve("zcrx-storage.out"))) {
            final int rc = p.awaitExit(Duration.ofSeconds(90));
            if (rc != 0) {
                throw new AssertionError("zcrx-storage.sh format exited with " + rc + ":\n" + p.output());
            }
        }
    }

    /** Starts the JVM (again) and waits until the listener answers ApiVersions. */
    void restart() throws IOException, InterruptedException {
        spawn();
        awaitApiVersions();
    }

    /** Starts the JVM without waiting for anything. */
    void spawn() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("broker " + nodeId + " is running");
        }
        final List<String> cmd = new ArrayList<>(List.of(KafkaDistribution.javaBinary(), "-Xmx256m",
            "-XX:+UseSerialGC", "-XX:AutoBoxCacheMax=65536"));
        final Path log4j = KafkaDistribution.repoRoot().resolve("config/log4j2.xml");
        if (Files.isRegularFile(log4j)) {
            cmd.add("-Dlog4j2.configurationFile=" + log4j);
        }
        cmd.add("-Dzcrx.logs.dir=" + dir.resolve("server-logs"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN);
        cmd.add(properties.toString());
        process = ManagedProcess.start("zcrx-broker-" + nodeId, cmd, dir, dir.resolve("server.out"));
    }

    /**
     * Waits until the broker's listener answers an ApiVersions request without error; fails with
     * the broker's output if it exits first.
     */
    void awaitApiVersions() throws InterruptedException {
        Await.until("broker " + nodeId + " to answer ApiVersions on port " + port + " (or to exit)", START_TIMEOUT,
            () -> !process.isAlive() || answersApiVersions(), ok -> ok);
        if (!process.isAlive()) {
            throw new AssertionError("broker " + nodeId + " exited with " + awaitExit(Duration.ofSeconds(5))
                + " before it answered ApiVersions; output (" + process.outputFile() + "):\n"
                + ManagedProcess.tail(process.output(), 6000));
        }
    }

    private boolean answersApiVersions() {
        try (RawClient c = new RawClient(port)) {
            final ApiVersionsResponse r = c.roundTrip(new ApiVersionsRequest.Builder((short) 3), (short) 3);
            return r.data().errorCode() == Errors.NONE.code();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** SIGTERM ({@code Process.destroy()}): controlled shutdown; returns the exit code. */
    int stop() throws InterruptedException {
        return process.terminate(STOP_TIMEOUT);
    }

    /** SIGKILL ({@code Process.destroyForcibly()}). */
    void kill() throws InterruptedException {
        process.kill();
    }

    /**
     * SIGSTOP: the JVM freezes (no fetches, no heartbeats) without closing a socket, as a stalled
     * machine does; {@link #resume} continues it.
     */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        final Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
            .redirectErrorStream(true).start();
        final String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed: " + out);
        }
    }

    /** Waits for the process to exit by itself (e.g. a refused start); returns the exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.awaitExit(timeout);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int nodeId() {
        return nodeId;
    }

    /** The running JVM's pid (for signals such as SIGSTOP). */
    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    Path logDir() {
        return logDir;
    }

    /** This run's stdout and stderr. */
    String output() {
        return process == null ? "" : process.output();
    }

    /** This run's output plus {@code server-logs/server.log} (everything the broker logged, all runs). */
    String outputAndLog() {
        final Path log = dir.resolve("server-logs").resolve("server.log");
        String serverLog = "";
        try {
            if (Files.exists(log)) {
                serverLog = Files.readString(log);
            }
        } catch (IOException e) {
            serverLog = "<cannot read " + log + ": " + e + ">";
        }
        return output() + "\n" + serverLog;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.close();
        }
    }
}
