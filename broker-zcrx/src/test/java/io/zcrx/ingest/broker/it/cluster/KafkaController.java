package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.BrokerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A controller-only Apache Kafka 4.4.0 KRaft node on loopback (the quorum of one that brokers join),
 * as a user starts it: {@code kafka-storage format -t ID -c controller.properties --standalone}
 * with the chosen feature levels, then {@code kafka-server-start.sh controller.properties}. Its
 * files live under {@code dir}: {@code controller.properties}, {@code metadata/} (the
 * {@code __cluster_metadata} log), {@code server.out}.
 */
public final class KafkaController implements AutoCloseable {
    /** The controller listener's name: a broker's {@code controller.listener.names}. */
    public static final String LISTENER = "CONTROLLER";

    private final int nodeId;
    private final int port;
    private final String clusterId;
    private final KafkaServerProcess server;

    private KafkaController(int nodeId, int port, String clusterId, KafkaServerProcess server) {
        this.nodeId = nodeId;
        this.port = port;
        this.clusterId = clusterId;
        this.server = server;
    }

    /**
     * Formats and starts a controller.
     *
     * @param overrides more controller settings, e.g. {@code broker.session.timeout.ms} (the
     *                  controller fences a broker whose heartbeats stop for that long)
     */
    static KafkaController start(KafkaDistribution dist, KafkaTools tools, Path dir, int nodeId,
            ControllerFeatures features, Map<String, String> overrides) throws IOException, InterruptedException {
        final int port = BrokerProcess.freePort();
        final String clusterId = Uuid.randomUuid().toString();
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("process.roles", "controller");
        settings.put("node.id", String.valueOf(nodeId));
        settings.put("controller.listener.names", LISTENER);
        settings.put("listeners", LISTENER + "://127.0.0.1:" + port);
        settings.put("listener.security.protocol.map", LISTENER + ":PLAINTEXT");
        settings.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + port);
        settings.put("log.dirs", dir.resolve("metadata").toString());
        settings.putAll(overrides);
        final Path props = PropertiesFiles.write(dir.resolve("controller.properties"), settings);
        final List<String> format = new ArrayList<>(List.of("format", "-t", clusterId, "-c", props.toString(),
            "--standalone"));
        format.addAll(features.formatArgs());
        tools.storage(format.toArray(new String[0])).ok();
        final KafkaServerProcess server = new KafkaServerProcess("controller-" + nodeId, dist, dir, props);
        final KafkaController controller = new KafkaController(nodeId, port, clusterId, server);
        try {
            server.start();
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return controller;
    }

    int nodeId() {
        return nodeId;
    }

    public String clusterId() {
        return clusterId;
    }

    /** The value of a broker's {@code controller.quorum.bootstrap.servers}. */
    public String quorumBootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts it again after {@link #kill} or {@link #stop} (same metadata log, same port). */
    void restart() throws IOException, InterruptedException {
        server.start();
    }

    public int stop() throws InterruptedException {
        return server.stop();
    }

    void kill() throws InterruptedException {
        server.kill();
    }

    boolean isAlive() {
        return server.isAlive();
    }

    public String output() {
        return server.output();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
