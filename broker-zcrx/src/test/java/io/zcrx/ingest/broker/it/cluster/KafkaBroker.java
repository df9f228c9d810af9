package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.BrokerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An Apache Kafka 4.4.0 broker ({@code process.roles=broker}) in the controller's cluster, on a
 * loopback port: formatted like any broker ({@code kafka-storage format -t ID -c broker.properties
 * --no-initial-controllers}), then {@code kafka-server-start.sh broker.properties}. Internal topics
 * get one replica (a test cluster has one or two brokers). Files under {@code dir}:
 * {@code broker.properties}, {@code logs/} (its log dir), {@code server.out}.
 */
final class KafkaBroker implements AutoCloseable {
    private final int nodeId;
    private final int port;
    private final Path logDir;
    private final KafkaServerProcess server;

    private KafkaBroker(int nodeId, int port, Path logDir, KafkaServerProcess server) {
        this.nodeId = nodeId;
        this.port = port;
        this.logDir = logDir;
        this.server = server;
    }

    /** Formats and starts a broker joining {@code controller}; {@code overrides} win over the defaults here. */
    static KafkaBroker start(KafkaDistribution dist, KafkaTools tools, Path dir, int nodeId, KafkaController controller,
            Map<String, String> overrides) throws IOException, InterruptedException {
        final int port = BrokerProcess.freePort();
        final Path logDir = dir.resolve("logs");
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("process.roles", "broker");
        settings.put("node.id", String.valueOf(nodeId));
        settings.put("controller.quorum.bootstrap.servers", controller.quorumBootstrap());
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("log.dirs", logDir.toString());
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "4");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("num.network.threads", "1");
        settings.put("num.io.threads", "2");
        settings.put("broker.heartbeat.interval.ms", "500");
        settings.putAll(overrides);
        final Path props = PropertiesFiles.write(dir.resolve("broker.properties"), settings);
        tools.storage("format", "-t", controller.clusterId(), "-c", props.toString(), "--no-initial-controllers").ok();
        final KafkaServerProcess server = new KafkaServerProcess("kafka-broker-" + nodeId, dist, dir, props);
        try {
            server.start();
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return new KafkaBroker(nodeId, port, logDir, server);
    }

    int nodeId() {
        return nodeId;
    }

    int port() {
        return port;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The broker's log dir: {@code <topic>-<partition>/00000000000000000000.log} etc. */
    Path logDir() {
        return logDir;
    }

    /** SIGTERM: Kafka's controlled shutdown; returns the exit code. */
    int stop() throws InterruptedException {
        return server.stop();
    }

    void kill() throws InterruptedException {
        server.kill();
    }

    /** Starts it again on the same log dir and port. */
    void restart() throws IOException, InterruptedException {
        server.start();
    }

    boolean isAlive() {
        return server.isAlive();
    }

    String output() {
        return server.output();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
