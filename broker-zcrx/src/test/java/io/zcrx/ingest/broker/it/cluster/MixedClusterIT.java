package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11's mixed cluster: one of our brokers (node 1) and one Apache Kafka 4.4.0 broker (node 2)
 * under one Kafka controller. Each leads partitions of a topic that every client produces to and a
 * group reads back; Kafka's tools work through either broker; a group coordinated by our broker and
 * one coordinated by Kafka's commit offsets, and those offsets survive moving their
 * {@code __consumer_offsets} partitions to the other kind of broker (a reassignment with the Admin
 * API: the new leader reads the other's records, Kafka's format in both directions).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MixedClusterIT {
    private static final String TOPIC = "mixed";
    private static final int PARTITIONS = 4;
    private static final String OFFSETS = "__consumer_offsets";
    private static ClusterFixture fixture;
    /** What the earlier ordered tests made: a later test skips (its reason says why) without it. */
    private static boolean topicReady;
    private static boolean produced;
    private static boolean groupsCommitted;
    private static ZcrxBrokerProcess ours;
    private static KafkaBroker kafka;
    private static final List<String> PRODUCED = new ArrayList<>();
    /** group id -> the broker id that coordinated it when it committed. */
    private static final Map<String, Integer> GROUPS = new HashMap<>();
    private static final Map<String, Map<TopicPartition, OffsetAndMetadata>> COMMITTED = new HashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(MixedClusterIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of());
        ours = fixture.startZcrxBroker(1, Map.of());
        kafka = fixture.startKafkaBroker(2, Map.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String bootstrap() {
        return ours.bootstrap() + "," + kafka.bootstrap();
    }

    @Test
    @Order(1)
    void bothKindsLeadPartitionsAndEveryClientProducesAndReadsAcrossBoth() throws Exception {
        ClusterClients.awaitBrokers(kafka.bootstrap(), Set.of(1, 2));
        fixture.tools().topics(ours.bootstrap(), "--create", "--topic", TOPIC, "--partitions",
            String.valueOf(PARTITIONS), "--replication-factor", "1").ok();
        final Map<Integer, Integer> leaders;
        try (Admin admin = ClusterClients.admin(ours.bootstrap())) {
            leaders = ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1, 2));
        }
        assertEquals(Set.of(1, 2), new HashSet<>(leaders.values()), "leaders on both brokers: " + leaders);
        topicReady = true;

        PRODUCED.addAll(ClusterClients.produceJava(bootstrap(), TOPIC, PARTITIONS, 80, "java-", 7));
        final List<String> kcatLines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            kcatLines.add("kcat-" + i + ":kcat value " + i);
            PRODUCED.add(ClusterClients.line(0, "kcat-" + i, "kcat value " + i));
        }
        fixture.kcat().produce(bootstrap(), TOPIC, 0, kcatLines).ok();
        final List<KafkaJs.Record> js = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            js.add(new KafkaJs.Record("js-" + i, "kafkajs value " + i, i % PARTITIONS));
            PRODUCED.add(ClusterClients.line(i % PARTITIONS, "js-" + i, "kafkajs value " + i));
        }
        fixture.kafkaJs().produce(bootstrap(), TOPIC, js).ok();
        produced = true;

        final List<String> consumed = ClusterClients.consumeGroup(bootstrap(), "mixed-readers", TOPIC,
            PRODUCED.size());
        assertEquals(PRODUCED.size(), consumed.size(), "duplicates or extras: " + consumed);
        assertEquals(new HashSet<>(PRODUCED), new HashSet<>(consumed));
    }

    @Test
    @Order(2)
    void kafkasToolsWorkThroughEitherBroker() throws Exception {
        assumeTrue(topicReady, "no topic led by both brokers: the first test failed");
        final KafkaTools tools = fixture.tools();
        final List<Executable> checks = new ArrayList<>();
        // Every tool through every broker, all reported together: one gap must not hide the others.
        for (String via : List.of(ours.bootstrap(), kafka.bootstrap())) {
            checks.add(() -> {
                final String describe = tools.topics(via, "--describe", "--topic", TOPIC).ok();
                assertTrue(describe.matches("(?s).*Leader: 1\\b.*") && describe.matches("(?s).*Leader: 2\\b.*"),
                    "kafka-topics via " + via + ":\n" + describe);
            });
            checks.add(() -> {
                final String quorum = tools.metadataQuorum(via, "describe", "--status").ok();
                assertTrue(quorum.contains("LeaderId:               " + fixture.controller().nodeId()),
                    "kafka-metadata-quorum via " + via + ":\n" + quorum);
            });
            checks.add(() -> {
                final String versions = tools.brokerApiVersions(via).ok();
                assertTrue(versions.contains(ours.bootstrap() + " (id: 1") && versions.contains(kafka.bootstrap()
                    + " (id: 2"), "kafka-broker-api-versions via " + via + ":\n" + versions);
            });
            checks.add(() -> {
                final String groups = tools.consumerGroups(via, "--describe", "--group", "mixed-readers").ok();
                assertTrue(groups.contains(TOPIC), "kafka-consumer-groups via " + via + ":\n" + groups);
            });
        }
        assertAll(checks);
    }

    @Test
    @Order(3)
    void groupsCoordinatedByEachKindCommitOffsets() throws Exception {
        assumeTrue(produced, "nothing was produced: the first test failed");
        final Map<Integer, Integer> offsetsLeaders;
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            // The first FindCoordinator (the group above) created __consumer_offsets.
            offsetsLeaders = ClusterClients.awaitLeaders(admin, OFFSETS, Set.of(1, 2));
        }
        assertEquals(Set.of(1, 2), new HashSet<>(offsetsLeaders.values()),
            "__consumer_offsets partitions on both brokers: " + offsetsLeaders);
        for (int coordinator : List.of(1, 2)) {
            final String group = groupLedBy(offsetsLeaders, coordinator);
            GROUPS.put(group, coordinator);
            ClusterClients.consumeGroup(bootstrap(), group, TOPIC, PRODUCED.size());
            COMMITTED.put(group, committed(group));
            assertEquals(PARTITIONS, COMMITTED.get(group).size(), group + ": " + COMMITTED.get(group));
        }
        groupsCommitted = true;
    }

    @Test
    @Order(4)
    void committedOffsetsSurviveMovingTheirOffsetsPartitionsToTheOtherKindOfBroker() throws Exception {
        assumeTrue(groupsCommitted, "no group committed offsets: the previous test failed");
        final int offsetsPartitions;
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            offsetsPartitions = ClusterClients.leaders(admin, OFFSETS).size();
            final Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
            for (Map.Entry<String, Integer> g : GROUPS.entrySet()) {
                final int partition = Utils.abs(g.getKey().hashCode()) % offsetsPartitions;
                final int target = g.getValue() == 1 ? 2 : 1;
                moves.put(new TopicPartition(OFFSETS, partition),
                    Optional.of(new NewPartitionReassignment(List.of(target))));
            }
            // Straight to the controller (KIP-919's bootstrap.controllers), as kafka-reassign-partitions
            // --bootstrap-controller does: this test is about the offsets, not about forwarding.
            try (Admin controllerAdmin = ClusterClients.controllerAdmin(fixture.controller())) {
                controllerAdmin.alterPartitionReassignments(moves).all().get();
            }
            Await.until("the __consumer_offsets partitions of both groups to move to the other broker",
                ClusterClients.TIMEOUT, () -> ClusterClients.leaders(admin, OFFSETS), m -> GROUPS.entrySet().stream()
                    .allMatch(g -> m.getOrDefault(Utils.abs(g.getKey().hashCode()) % offsetsPartitions, -1)
                        == (g.getValue() == 1 ? 2 : 1)));
        }
        for (String group : GROUPS.keySet()) {
            assertEquals(COMMITTED.get(group), Await.until(group + "'s offsets from its new coordinator",
                ClusterClients.TIMEOUT, () -> committed(group), m -> m.size() == PARTITIONS), group);
        }
    }

    /** A group id whose __consumer_offsets partition (Kafka's hash) is led by {@code broker}. */
    private static String groupLedBy(Map<Integer, Integer> offsetsLeaders, int broker) {
        for (int i = 0; ; i++) {
            final String group = "group-" + i;
            if (offsetsLeaders.get(Utils.abs(group.hashCode()) % offsetsLeaders.size()) == broker) {
                return group;
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) {
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        } catch (ExecutionException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }
}
