package io.zcrx.ingest.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.it.cluster.ClusterFixture;
import io.zcrx.ingest.broker.it.cluster.ControllerFeatures;
import io.zcrx.ingest.broker.it.cluster.KafkaController;
import io.zcrx.ingest.broker.server.Broker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What stops a broker from joining: a controller formatted with Kafka 4.4's default features
 * (metadata.version 4.4-IV2, group.version 1, transaction.version 2, ...) finalizes levels this
 * broker does not implement, so the start fails naming the feature and the kafka-storage arguments
 * of a compatible cluster; and storage that is not formatted stops the start with the command to run.
 */
class ClusterRefusalIT {
    @TempDir
    Path dir;

    @Test
    void aClusterWithFeaturesBeyondOursIsRefusedWithTheFix() throws Exception {
        try (ClusterFixture fixture = ClusterFixture.create(ClusterRefusalIT.class)) {
            final KafkaController controller = fixture.startController(ControllerFeatures.KAFKA_DEFAULTS,
                ClusterMemberIT.CONTROLLER_SETTINGS);
            final Map<String, String> props = ClusterMemberIT.brokerProps(controller, dir.resolve("broker"), 7);
            ClusterMemberIT.format(dir, props, controller.clusterId());
            final long t0 = System.nanoTime();
            try (Broker broker = new Broker(new BrokerConfig(props))) {
                final IOException e = assertThrows(IOException.class, broker::start);
                final String m = e.getMessage();
                assertTrue(m.contains("the cluster finalized feature") && m.contains("metadata.version"), m);
                assertTrue(m.contains("kafka-storage format --release-version 4.3-IV0 --feature group.version=0 "
                    + "--feature transaction.version=0 --feature share.version=0 --feature streams.version=0 "
                    + "--feature eligible.leader.replicas.version=0"), m);
            }
            // Stopped on the answer, not after initial.broker.registration.timeout.ms (30 s here).
            assertTrue(System.nanoTime() - t0 < 25_000_000_000L, "refused promptly");
        }
    }

    @Test
    void unformattedStorageStopsTheStartWithTheCommand() throws Exception {
        final Map<String, String> props = Map.of("process.roles", "broker", "node.id", "3",
            "controller.quorum.bootstrap.servers", "127.0.0.1:9", "controller.listener.names", "CONTROLLER",
            "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.resolve("unformatted").toString(),
            "transport", "nio", "metrics.jmx.enable", "false");
        Files.createDirectories(dir.resolve("unformatted"));
        try (Broker broker = new Broker(new BrokerConfig(props))) {
            final IOException e = assertThrows(IOException.class, broker::start);
            assertTrue(e.getMessage().contains("not formatted") && e.getMessage().contains("zcrx-storage.sh format -t"),
                e.getMessage());
        }
        assertTrue(Files.notExists(dir.resolve("unformatted").resolve("meta.properties")), "nothing formatted");

        // Formatted, but for another node: named, with the way out.
        final Map<String, String> other = new HashMap<>(props);
        other.put("node.id", "4");
        ClusterMemberIT.format(dir, other, "Qk3b0aX2R0qfY3u3B0m2mA");
        try (Broker broker = new Broker(new BrokerConfig(props))) {
            final IOException e = assertThrows(IOException.class, broker::start);
            assertTrue(e.getMessage().contains("node.id=3") && e.getMessage().contains("zcrx-storage.sh format"),
                e.getMessage());
        }
    }
}
