package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11's first cluster test: a Kafka 4.4.0 controller-only node and two of our brokers. A
 * 6-partition topic is spread over both; the Java producer (idempotent, acks=all), librdkafka
 * (kcat) and KafkaJS produce; a consumer group reads everything back byte for byte; Kafka's
 * {@code kafka-topics --describe} shows leaders on both brokers, {@code DumpLogSegments} finds every
 * batch valid, and {@code kafka-metadata-quorum}, {@code kafka-broker-api-versions} and
 * {@code kafka-consumer-groups} work through our brokers. The tests run in order on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ZcrxClusterIT {
    private static final String TOPIC = "spread";
    private static final int PARTITIONS = 6;
    private static final String GROUP = "readers";
    private static ClusterFixture fixture;
    /** What the earlier ordered tests made: a later test skips (its reason says why) without it. */
    private static boolean topicReady;
    private static boolean produced;
    private static ZcrxBrokerProcess broker1;
    private static ZcrxBrokerProcess broker2;
    /** Every record produced so far, as ClusterClients lines. */
    private static final List<String> PRODUCED = new ArrayList<>();
    private static Map<Integer, Integer> leaders;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ZcrxClusterIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of());
        broker1 = fixture.startZcrxBroker(1, Map.of());
        // One log dir formatted by Kafka's kafka-storage, the other by our zcrx-storage.sh: both must do.
        broker2 = fixture.startZcrxBroker(2, ZcrxBrokerProcess.Format.ZCRX_STORAGE, Map.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String bootstrap() {
        return broker1.bootstrap() + "," + broker2.bootstrap();
    }

    @Test
    @Order(1)
    void bothBrokersJoinAndATopicIsSpreadOverThem() throws Exception {
        ClusterClients.awaitBrokers(broker1.bootstrap(), Set.of(1, 2));
        fixture.tools().topics(broker1.bootstrap(), "--create", "--topic", TOPIC, "--partitions",
            String.valueOf(PARTITIONS), "--replication-factor", "1").ok();
        try (Admin admin = ClusterClients.admin(broker2.bootstrap())) {
            leaders = ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1, 2));
        }
        assertEquals(PARTITIONS, leaders.size(), leaders.toString());
        assertEquals(Set.of(1, 2), new HashSet<>(leaders.values()), "leaders on both brokers: " + leaders);
        final String describe = fixture.tools().topics(broker2.bootstrap(), "--describe", "--topic", TOPIC).ok();
        assertTrue(describe.matches("(?s).*Leader: 1\\b.*") && describe.matches("(?s).*Leader: 2\\b.*"), describe);
        topicReady = true;
    }

    @Test
    @Order(2)
    void javaKcatAndKafkaJsProduceAndAGroupReadsEverythingBack() throws Exception {
        assumeTrue(topicReady, "no topic spread over both brokers: the first test failed");
        PRODUCED.addAll(ClusterClients.produceJava(bootstrap(), TOPIC, PARTITIONS, 120, "java-", 11));

        final Kcat kcat = fixture.kcat();
        for (int p = 0; p < 2; p++) {
            final List<String> lines = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                lines.add("kcat-" + p + "-" + i + ":kcat value " + i);
                PRODUCED.add(ClusterClients.line(p, "kcat-" + p + "-" + i, "kcat value " + i));
            }
            kcat.produce(bootstrap(), TOPIC, p, lines).ok();
        }

        final List<KafkaJs.Record> js = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            final int p = 2 + i % 4;
            js.add(new KafkaJs.Record("js-" + i, "kafkajs value " + i, p));
            PRODUCED.add(ClusterClients.line(p, "js-" + i, "kafkajs value " + i));
        }
        fixture.kafkaJs().produce(bootstrap(), TOPIC, js).ok();
        produced = true;

        final List<String> consumed = ClusterClients.consumeGroup(bootstrap(), GROUP, TOPIC, PRODUCED.size());
        assertEquals(PRODUCED.size(), consumed.size(), "duplicates or extras: " + consumed);
        assertEquals(new HashSet<>(PRODUCED), new HashSet<>(consumed));

        // librdkafka reads the same records back from both brokers.
        final String kcatRead = kcat.consumeAll(bootstrap(), TOPIC).ok();
        assertEquals(PRODUCED.size(), kcatRead.lines().filter(l -> l.matches("\\d+ \\d+ .*")).count(), kcatRead);
    }

    @Test
    @Order(3)
    void dumpLogSegmentsFindsEveryBatchValid() throws Exception {
        assumeTrue(produced, "nothing was produced: an earlier test failed");
        long records = 0;
        for (Map.Entry<Integer, Integer> e : leaders.entrySet()) {
            final ZcrxBrokerProcess leader = e.getValue() == 1 ? broker1 : broker2;
            records += ClusterClients.assertBatchesValid(fixture.tools()
                .dumpLogSegments(ClusterClients.firstSegment(leader.logDir(), TOPIC, e.getKey())).ok());
        }
        assertEquals(PRODUCED.size(), records);
    }

    @Test
    @Order(4)
    void kafkasToolsWorkThroughOurBrokers() throws Exception {
        assumeTrue(topicReady, "no topic spread over both brokers: the first test failed");
        final KafkaTools tools = fixture.tools();
        // All reported together: one tool's gap must not hide the others'.
        assertAll(() -> {
            final String quorum = tools.metadataQuorum(broker1.bootstrap(), "describe", "--status").ok();
            assertTrue(quorum.contains("ClusterId:              " + fixture.controller().clusterId()), quorum);
            assertTrue(quorum.contains("LeaderId:               " + fixture.controller().nodeId()), quorum);
        }, () -> {
            final String versions = tools.brokerApiVersions(broker2.bootstrap()).ok();
            assertTrue(versions.contains(broker1.bootstrap() + " (id: 1") && versions.contains(broker2.bootstrap()
                + " (id: 2"), versions);
            assertTrue(versions.contains("Produce(0):"), versions);
        }, () -> {
            final String list = tools.consumerGroups(broker2.bootstrap(), "--list").ok();
            assertTrue(list.lines().anyMatch(GROUP::equals), list);
            final String describe = tools.consumerGroups(broker1.bootstrap(), "--describe", "--group", GROUP).ok();
            // Every partition's committed offset is its log end: lag 0 on all six.
            final long atEnd = describe.lines()
                .filter(l -> l.startsWith(GROUP + " ") && l.contains(" " + TOPIC + " "))
                .filter(l -> l.trim().split("\\s+")[5].equals("0")).count();
            assertEquals(PARTITIONS, atEnd, describe);
        });
    }
}
