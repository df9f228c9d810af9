package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 12, leader side: an Apache Kafka 4.4 broker (node 2) follows our broker (node 1). A topic with replication
 * factor 2 led by ours: Kafka's replica fetcher copies it, joins the ISR through our AlterPartition, and its segment
 * file ends byte-identical to ours; a consumer reads everything (the high watermark advanced). A single-replica
 * partition moved from ours to Kafka with a reassignment completes (the new replica copies it from us, joins the
 * ISR, the controller moves leadership), and Kafka's copy is byte-identical to what ours held.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReplicationLeaderIT {
    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess ours;
    private static KafkaBroker kafka;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ReplicationLeaderIT.class);
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

    private static String bootstrap() {
        return ours.bootstrap() + "," + kafka.bootstrap();
    }

    /**
     * Creates a one-partition topic led by {@code replicas.get(0)} with the given replicas: created
     * with that one replica (our CreateTopics refuses more than one until replication is complete,
     * and an Admin may send CreateTopics to either broker), then given the others by a reassignment
     * sent straight to the controller (KIP-919); the first replica keeps the leadership.
     */
    private static void create(String topic, List<Integer> replicas) throws Exception {
        try (Admin admin = ClusterClients.admin(kafka.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(replicas.get(0)))))).all().get();
            ClusterClients.awaitLeaders(admin, topic, Set.of(replicas.get(0)));
        }
        if (replicas.size() > 1) {
            ClusterClients.reassign(fixture.controller(), topic, replicas);
        }
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

    private static byte[] read(Path file) {
        try {
            return Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Goal: Kafka's follower fetches from our leader, joins the ISR, and its log ends byte-identical to ours.
    @Test
    void aKafkaBrokerFollowsOurLeaderJoinsTheIsrAndEndsByteIdentical() throws Exception {
        final String topic = "replicated";
        create(topic, List.of(1, 2));
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            assertEquals(Map.of(0, 1), ClusterClients.awaitLeaders(admin, topic, Set.of(1)));
            final List<String> produced = ClusterClients.produceJava(ours.bootstrap(), topic, 1, 300, "r-", 11);
            assertEquals(List.of(1, 2), Await.until("Kafka's replica to join the ISR", ClusterClients.TIMEOUT,
                () -> isr(admin, topic), l -> l.equals(List.of(1, 2))));
            final Path mine = ClusterClients.firstSegment(ours.logDir(), topic, 0);
            final Path theirs = ClusterClients.firstSegment(kafka.logDir(), topic, 0);
            final byte[] expected = read(mine);
            assertArrayEquals(expected, Await.until("Kafka's segment to equal ours (" + expected.length + " bytes)",
                ClusterClients.TIMEOUT, () -> read(theirs), b -> b.length == expected.length));
            assertEquals(new HashSet<>(produced), new HashSet<>(ClusterClients.readToEnd(ours.bootstrap(), topic)));
        }
    }

    // Goal: a single-replica partition led by ours moves to Kafka with a reassignment: the reassignment
    // completes, Kafka leads it, and its copy is byte-identical to ours.
    @Test
    void aReassignmentFromOursToKafkaCompletes() throws Exception {
        final String topic = "moving";
        create(topic, List.of(1));
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            ClusterClients.awaitLeaders(admin, topic, Set.of(1));
            final List<String> produced = ClusterClients.produceJava(ours.bootstrap(), topic, 1, 200, "m-", 12);
            final byte[] ourCopy = read(ClusterClients.firstSegment(ours.logDir(), topic, 0));
            try (Admin controllerAdmin = ClusterClients.controllerAdmin(fixture.controller())) {
                controllerAdmin.alterPartitionReassignments(Map.of(new TopicPartition(topic, 0),
                    Optional.of(new NewPartitionReassignment(List.of(2))))).all().get();
                Await.until("the reassignment to complete", ClusterClients.TIMEOUT,
                    () -> controllerAdmin.listPartitionReassignments().reassignments().get(), Map::isEmpty);
            }
            assertEquals(Map.of(0, 2), ClusterClients.awaitLeaders(admin, topic, Set.of(2)));
            assertArrayEquals(ourCopy, read(ClusterClients.firstSegment(kafka.logDir(), topic, 0)));
            assertEquals(new HashSet<>(produced), new HashSet<>(ClusterClients.readToEnd(kafka.bootstrap(), topic)));
        }
    }
}
