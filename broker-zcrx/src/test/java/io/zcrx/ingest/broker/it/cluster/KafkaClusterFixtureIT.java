package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster fixture proves itself on a pure Apache Kafka 4.4.0 cluster (a controller-only node
 * formatted with the compatible feature levels and one Kafka broker), before any test relies on it
 * against our brokers: Kafka's tools, kcat, KafkaJS, the Java clients and DumpLogSegments all work
 * through it. If this test fails, the cluster tests' failures say nothing about our broker.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaClusterFixtureIT {
    private static final String TOPIC = "fixture";
    private static ClusterFixture fixture;
    private static KafkaBroker broker;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(KafkaClusterFixtureIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of());
        broker = fixture.startKafkaBroker(1, Map.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void kafkasToolsAndThreeClientsWorkOnAPureKafkaCluster() throws Exception {
        final KafkaTools tools = fixture.tools();
        final String bootstrap = broker.bootstrap();
        tools.topics(bootstrap, "--create", "--topic", TOPIC, "--partitions", "2", "--replication-factor", "1").ok();
        final String describe = tools.topics(bootstrap, "--describe", "--topic", TOPIC).ok();
        assertTrue(describe.contains("PartitionCount: 2"), describe);
        assertTrue(describe.matches("(?s).*Partition: 0\\s+Leader: 1\\b.*"), describe);

        final String quorum = tools.metadataQuorum(bootstrap, "describe", "--status").ok();
        assertTrue(quorum.contains("ClusterId:              " + fixture.controller().clusterId()), quorum);
        assertTrue(quorum.contains("LeaderId:               " + fixture.controller().nodeId()), quorum);

        final List<String> expected = new ArrayList<>();
        final List<String> kcatLines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            kcatLines.add("kcat-" + i + ":value-" + i);
            expected.add(ClusterClients.line(0, "kcat-" + i, "value-" + i));
        }
        final Kcat kcat = fixture.kcat();
        kcat.produce(bootstrap, TOPIC, 0, kcatLines).ok();

        final List<KafkaJs.Record> jsRecords = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jsRecords.add(new KafkaJs.Record("js-" + i, "value-" + i, 1));
            expected.add(ClusterClients.line(1, "js-" + i, "value-" + i));
        }
        fixture.kafkaJs().produce(bootstrap, TOPIC, jsRecords).ok();

        expected.addAll(ClusterClients.produceJava(bootstrap, TOPIC, 2, 20, "java-", 42));

        final List<String> consumed = ClusterClients.consumeGroup(bootstrap, "fixture-group", TOPIC, expected.size());
        assertEquals(new HashSet<>(expected), new HashSet<>(consumed));
        assertEquals(expected.size(), consumed.size(), "duplicates: " + consumed);

        final String kcatRead = kcat.consumeAll(bootstrap, TOPIC).ok();
        assertEquals(expected.size(), kcatRead.lines().filter(l -> l.matches("\\d+ \\d+ .*")).count(), kcatRead);

        final String versions = tools.brokerApiVersions(bootstrap).ok();
        assertTrue(versions.contains(bootstrap + " (id: 1") && versions.contains("Produce(0):"), versions);

        final String groups = tools.consumerGroups(bootstrap, "--describe", "--group", "fixture-group").ok();
        assertTrue(groups.contains(TOPIC), groups);

        long records = 0;
        for (int p = 0; p < 2; p++) {
            records += ClusterClients.assertBatchesValid(
                tools.dumpLogSegments(ClusterClients.firstSegment(broker.logDir(), TOPIC, p)).ok());
        }
        assertEquals(expected.size(), records);

        try (Admin admin = ClusterClients.admin(bootstrap)) {
            assertEquals(Set.of(1), new HashSet<>(ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1)).values()));
        }
    }
}
