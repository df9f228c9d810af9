package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, follower side, against Apache Kafka: one of our brokers (node 1) follows partitions led by an Apache
 * Kafka 4.4 broker (node 2) under one Kafka controller. A replication-factor-2 partition led by Kafka: our replica
 * joins the ISR (Kafka's leader adds it once our fetches caught up) and its segment ends byte-identical to Kafka's.
 * A single-replica partition reassigned from Kafka to us: we copy it, the controller moves leadership here, and
 * everything produced to Kafka is consumed back from us.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReplicaFollowerIT {
    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess ours;
    private static KafkaBroker kafka;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ReplicaFollowerIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of());
        ours = fixture.startZcrxBroker(1, Map.of());
        kafka = fixture.startKafkaBroker(2, Map.of());
        ClusterClients.awaitBrokers(kafka.bootstrap(), Set.of(1, 2));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * A single-replica topic with an explicit assignment. Replication factor 2 comes by reassignment (straight to
     * the controller, KIP-919): the controller quorum takes no CreateTopics from an Admin, and our CreateTopics
     * refuses replication factor 2 until the leader side of replication is in.
     */
    private static void createTopic(String name, List<Integer> replicas) throws Exception {
        try (Admin admin = ClusterClients.admin(kafka.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(name, Map.of(0, replicas)))).all().get();
        }
    }

    private static void reassign(String topic, List<Integer> replicas) throws Exception {
        ClusterClients.reassign(fixture.controller(), topic, replicas);
    }

    private static List<Integer> isr(Admin admin, String topic) {
        try {
            final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return d.partitions().get(0).isr().stream().map(Node::id).sorted().toList();
        } catch (ExecutionException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static List<Integer> replicas(Admin admin, String topic) {
        try {
            final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return d.partitions().get(0).replicas().stream().map(Node::id).sorted().toList();
        } catch (ExecutionException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Test
    void ourReplicaOfAKafkaLedPartitionJoinsTheIsrAndEndsByteIdentical() throws Exception {
        final String topic = "followed";
        createTopic(topic, List.of(2));
        try (Admin admin = ClusterClients.admin(kafka.bootstrap())) {
            ClusterClients.awaitLeaders(admin, topic, Set.of(2));
            reassign(topic, List.of(2, 1));
            Await.until("our broker to be a replica", ClusterClients.TIMEOUT, () -> replicas(admin, topic),
                l -> l.equals(List.of(1, 2)));
            // acks=all at Kafka's leader: each send waits until our fetcher has copied it (the ISR holds us).
            final List<String> produced = ClusterClients.produceJava(kafka.bootstrap(), topic, 1, 300, "f-", 11);
            assertEquals(300, produced.size());
            assertEquals(List.of(1, 2), Await.until("our replica in the ISR", ClusterClients.TIMEOUT,
                () -> isr(admin, topic), l -> l.equals(List.of(1, 2))));
        }
        final Path theirs = ClusterClients.firstSegment(kafka.logDir(), topic, 0);
        final Path mine = ClusterClients.firstSegment(ours.logDir(), topic, 0);
        final byte[] expected = read(theirs);
        assertTrue(expected.length > 0, "Kafka's segment " + theirs);
        assertArrayEquals(expected, Await.until("our segment to equal Kafka's (" + expected.length + " bytes)",
            ClusterClients.TIMEOUT, () -> read(mine), b -> Arrays.equals(b, expected)));
    }

    @Test
    void aPartitionReassignedFromKafkaToUsIsCopiedThenServedHere() throws Exception {
        final String topic = "moved";
        createTopic(topic, List.of(2));
        final List<String> produced;
        try (Admin admin = ClusterClients.admin(kafka.bootstrap())) {
            ClusterClients.awaitLeaders(admin, topic, Set.of(2));
            produced = ClusterClients.produceJava(kafka.bootstrap(), topic, 1, 200, "m-", 13);
            reassign(topic, List.of(1));
            ClusterClients.awaitLeaders(admin, topic, Set.of(1));
            // Finished: Kafka's replica removed (describeTopics goes to any broker; ours answers Metadata too).
            Await.until("the reassignment to finish", ClusterClients.TIMEOUT,
                () -> replicas(admin, topic), l -> l.equals(List.of(1)));
        }
        final List<String> consumed = ClusterClients.readToEnd(ours.bootstrap(), topic);
        assertEquals(produced.size(), consumed.size(), "duplicates or losses");
        assertEquals(new HashSet<>(produced), new HashSet<>(consumed));
    }

    @Test
    void aReplicaAddedBehindTheLeadersLogStartRestartsThereAndCatchesUp() throws Exception {
        final String topic = "trimmed";
        createTopic(topic, List.of(2));
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = ClusterClients.admin(kafka.bootstrap())) {
            ClusterClients.awaitLeaders(admin, topic, Set.of(2));
            ClusterClients.produceJava(kafka.bootstrap(), topic, 1, 200, "t-", 17);
            // Kafka's log start moves to 150 (maybe inside a batch): our first fetch at 0 is out of range.
            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(150L))).all().get();
            try (Admin controllerAdmin = ClusterClients.controllerAdmin(fixture.controller())) {
                controllerAdmin.alterPartitionReassignments(Map.of(tp,
                    Optional.of(new NewPartitionReassignment(List.of(2, 1))))).all().get();
            }
            assertEquals(List.of(1, 2), Await.until("our replica in the ISR", ClusterClients.TIMEOUT,
                () -> isr(admin, topic), l -> l.equals(List.of(1, 2))));
        }
        try (var files = Files.list(ours.logDir().resolve(topic + "-0"))) {
            final List<String> segments = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log"))
                .sorted().toList();
            assertEquals(1, segments.size(), segments.toString());
            final long base = Long.parseLong(segments.get(0).replace(".log", ""));
            assertTrue(base > 0 && base <= 150, "our log restarted at the leader's start batch: " + segments);
        }
    }
}
