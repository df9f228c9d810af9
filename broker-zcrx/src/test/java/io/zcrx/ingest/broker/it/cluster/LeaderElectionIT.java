package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, mixed leadership changes: one of our brokers (node 1) and an Apache Kafka 4.4 broker (node 2), one
 * replication-factor-2 partition. Leadership moves back and forth with Kafka's own tools, as an operator moves it:
 * {@code kafka-reassign-partitions --execute} with the replica list reordered (same replicas: it completes at once
 * and only changes the preferred leader; the tool asks every replica's broker for DescribeLogDirs first), then
 * {@code kafka-leader-election --election-type PREFERRED}. The moves go through either broker's listener (our
 * broker forwards AlterPartitionReassignments and ElectLeaders to the controller).
 * Records are produced while each broker leads; in the end a consumer reads every record exactly once, and the
 * segment files of Kafka's replica and ours are byte-identical, both valid to Kafka's {@code DumpLogSegments}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LeaderElectionIT {
    private static final String TOPIC = "elected";
    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess ours;
    private static KafkaBroker kafka;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(LeaderElectionIT.class);
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
     * Makes {@code leader} the preferred replica with kafka-reassign-partitions and elects it with
     * kafka-leader-election, both through {@code via}; waits until it leads.
     */
    private static void moveLeadership(Admin admin, int leader, String via) throws Exception {
        final int other = leader == 1 ? 2 : 1;
        // An election needs the preferred replica in the ISR (else PREFERRED_LEADER_NOT_AVAILABLE).
        Await.until("both replicas in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, TOPIC, 0),
            List.of(1, 2)::equals);
        final Path plan = fixture.workDir().resolve("reassign-" + leader + "-" + System.nanoTime() + ".json");
        Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + TOPIC + "\",\"partition\":0,"
            + "\"replicas\":[" + leader + "," + other + "]}]}");
        final KafkaTools tools = fixture.tools();
        tools.reassignPartitions(via, "--reassignment-json-file", plan.toString(), "--execute").ok();
        Await.until("the replicas of " + TOPIC + "-0 to be [" + leader + ", " + other + "]", ClusterClients.TIMEOUT,
            () -> {
                final TopicPartitionInfo p = ClusterClients.partitions(admin, TOPIC).get(0);
                return p == null ? List.of() : p.replicas().stream().map(Node::id).toList();
            }, List.of(leader, other)::equals);
        final String elected = tools.leaderElection(via, "--election-type", "PREFERRED", "--topic", TOPIC,
            "--partition", "0").ok();
        assertTrue(elected.contains("Successfully completed leader election (PREFERRED) for partitions " + TOPIC
            + "-0"), elected);
        ClusterClients.awaitLeaders(admin, TOPIC, Set.of(leader));
    }

    @Test
    void leadershipMovesBackAndForthBetweenKafkaAndOursWithKafkasTools() throws Exception {
        final List<String> produced = new ArrayList<>();
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2))))).all().get();
            assertEquals(Map.of(0, 1), ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1)));
            produced.addAll(ClusterClients.produceJava(bootstrap(), TOPIC, 1, 150, "ours-a-", 21));
            moveLeadership(admin, 2, ours.bootstrap());
            produced.addAll(ClusterClients.produceJava(bootstrap(), TOPIC, 1, 150, "kafka-a-", 22));
            moveLeadership(admin, 1, kafka.bootstrap());
            produced.addAll(ClusterClients.produceJava(bootstrap(), TOPIC, 1, 150, "ours-b-", 23));
            moveLeadership(admin, 2, kafka.bootstrap());
            produced.addAll(ClusterClients.produceJava(bootstrap(), TOPIC, 1, 150, "kafka-b-", 24));
            moveLeadership(admin, 1, ours.bootstrap());
            produced.addAll(ClusterClients.produceJava(bootstrap(), TOPIC, 1, 150, "ours-c-", 25));
            Await.until("both replicas in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, TOPIC, 0),
                List.of(1, 2)::equals);
        }
        final List<String> consumed = ClusterClients.consumeGroup(bootstrap(), "elected-readers", TOPIC,
            produced.size());
        assertEquals(produced.size(), consumed.size(), "duplicates or extras");
        assertEquals(new HashSet<>(produced), new HashSet<>(consumed));

        final Path mine = ClusterClients.firstSegment(ours.logDir(), TOPIC, 0);
        final Path theirs = ClusterClients.firstSegment(kafka.logDir(), TOPIC, 0);
        final byte[] expected = ReplicaLogs.read(mine);
        // Our broker leads: Kafka's follower may still be fetching the last batches.
        assertArrayEquals(expected, Await.until("Kafka's segment to equal ours (" + expected.length + " bytes)",
            ClusterClients.TIMEOUT, () -> ReplicaLogs.read(theirs), b -> b.length >= expected.length));
        final List<ReplicaLogs.Batch> batches = ReplicaLogs.batches(ReplicaLogs.partitionDir(ours.logDir(), TOPIC, 0));
        assertTrue(batches.stream().map(ReplicaLogs.Batch::leaderEpoch).distinct().count() >= 5,
            "batches of five leader epochs: " + batches);
        for (Path segment : List.of(mine, theirs)) {
            assertEquals(produced.size(), ClusterClients.assertBatchesValid(
                fixture.tools().dumpLogSegments(segment, "--deep-iteration").ok()), segment.toString());
        }
    }
}
