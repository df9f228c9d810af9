package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, divergence: a leader that wrote batches no follower fetched is killed, a new leader takes writes,
 * and the old leader, back, truncates its log to the new leader's. Two of our brokers, a replication-factor-2
 * partition led by broker 1 with both replicas in the ISR. Broker 2 is frozen with SIGSTOP (it stays in the ISR:
 * the pause is far shorter than {@code replica.lag.time.max.ms} and the session timeout), broker 1 acknowledges
 * acks=1 writes that only it holds, and is killed with SIGKILL; broker 2 continues, is elected cleanly from the
 * ISR when the controller fences broker 1, and takes acks=all writes at the next leader epoch. Broker 1 restarts
 * as its follower.
 *
 * <p>The proof of the truncation: broker 1's segment files (read with kafka-clients' record classes) hold the
 * acks=1 records after the kill and before the restart, at offsets the new leader fills with other batches;
 * after the restart they are gone, broker 1's batches are byte-identical to broker 2's, and broker 1 logged the
 * truncation to exactly the offset where its log had diverged.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplicationDivergenceIT {
    private static final String TOPIC = "diverging";
    /** Longer than broker 2's pause (a few hundred ms of acks=1 writes), short enough for a quick failover. */
    private static final String SESSION_MS = "6000";
    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess first;
    private static ZcrxBrokerProcess second;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ReplicationDivergenceIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of("broker.session.timeout.ms", SESSION_MS));
        final Map<String, String> settings = Map.of("broker.session.timeout.ms", SESSION_MS,
            "replica.lag.time.max.ms", "30000");
        first = fixture.startZcrxBroker(1, settings);
        second = fixture.startZcrxBroker(2, settings);
        ClusterClients.awaitBrokers(first.bootstrap(), Set.of(1, 2));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String bootstrap() {
        return first.bootstrap() + "," + second.bootstrap();
    }

    private static Path dir(ZcrxBrokerProcess b) {
        return ReplicaLogs.partitionDir(b.logDir(), TOPIC, 0);
    }

    private static void produce(KafkaProducer<byte[], byte[]> p, String prefix, int count) throws Exception {
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final String key = prefix + i;
            acks.add(p.send(new ProducerRecord<>(TOPIC, 0, key.getBytes(StandardCharsets.UTF_8),
                ("value of " + key).getBytes(StandardCharsets.UTF_8))));
            if (i % 10 == 9) {
                p.flush(); // several batches, not one
            }
        }
        for (Future<RecordMetadata> f : acks) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> acksOne() {
        final Map<String, Object> c = ClusterClients.producerConfig(first.bootstrap());
        c.put(ProducerConfig.ACKS_CONFIG, "1");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        c.put(ProducerConfig.RETRIES_CONFIG, 0);
        return new KafkaProducer<>(c);
    }

    private static Set<String> keys(List<ReplicaLogs.Batch> batches) {
        return ReplicaLogs.keyCounts(batches).keySet();
    }

    @Test
    void theOldLeaderTruncatesWhatOnlyItHadWrittenToTheNewLeadersLog() throws Exception {
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2))))).all().get();
            ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1));
            Await.until("both replicas in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, TOPIC, 0),
                List.of(1, 2)::equals);
        }
        try (KafkaProducer<byte[], byte[]> all = ClusterClients.producer(bootstrap())) {
            produce(all, "committed-", 60);
        }
        final List<ReplicaLogs.Batch> committed = ReplicaLogs.batches(dir(first));
        Await.until("broker 2 to hold broker 1's " + committed.size() + " batches", ClusterClients.TIMEOUT,
            () -> ReplicaLogs.wholeBatches(dir(second)), committed::equals);
        final int oldEpoch = committed.get(committed.size() - 1).leaderEpoch();
        final long divergence = ReplicaLogs.logEnd(committed);

        // Producer connected first, so that the pause only spans the writes and the kill.
        try (KafkaProducer<byte[], byte[]> one = acksOne()) {
            produce(one, "warmup-", 1);
            Await.until("broker 2 to hold the warm-up record", ClusterClients.TIMEOUT,
                () -> ReplicaLogs.wholeBatches(dir(second)), b -> b.equals(ReplicaLogs.wholeBatches(dir(first))));
            second.pause();
            try {
                produce(one, "unreplicated-", 40);
                first.kill();
            } finally {
                second.resume();
            }
        }
        final List<ReplicaLogs.Batch> oldLeaderLog = ReplicaLogs.batches(dir(first));
        assertTrue(keys(oldLeaderLog).contains("unreplicated-39"), "the acks=1 records are on broker 1's disk");
        try (Admin admin = ClusterClients.admin(second.bootstrap())) {
            ClusterClients.awaitLeaders(admin, TOPIC, Set.of(2));
        }
        // Broker 2 leads: its fetcher stopped. A fetch it had sent before the pause may have brought the first
        // acks=1 batch (the leader answers a waiting fetch as soon as data comes); the later ones never came.
        final List<ReplicaLogs.Batch> newLeaderStart = ReplicaLogs.batches(dir(second));
        final long start = ReplicaLogs.logEnd(newLeaderStart);
        final long oldLeaderEnd = ReplicaLogs.logEnd(oldLeaderLog);
        assertTrue(oldLeaderEnd > start, "broker 1's log end " + oldLeaderEnd + " beyond broker 2's " + start);
        assertFalse(keys(newLeaderStart).contains("unreplicated-39"), "broker 2 never fetched the last batch");
        assertEquals(newLeaderStart, oldLeaderLog.stream().filter(b -> b.baseOffset() < start).toList(),
            "below the divergence both logs are the same");

        try (KafkaProducer<byte[], byte[]> all = ClusterClients.producer(second.bootstrap())) {
            produce(all, "new-leader-", 80); // more than the diverged records: the offsets are reused
        }
        final List<ReplicaLogs.Batch> newLeaderLog = ReplicaLogs.batches(dir(second));
        assertTrue(ReplicaLogs.logEnd(newLeaderLog) > oldLeaderEnd, "the new leader wrote past the old log end");
        assertTrue(newLeaderLog.get(newLeaderLog.size() - 1).leaderEpoch() > oldEpoch, "a new leader epoch");

        first.restart();
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            Await.until("broker 1 back in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, TOPIC, 0),
                List.of(1, 2)::equals);
        }
        final List<ReplicaLogs.Batch> truncated = Await.until("broker 1's log to equal broker 2's",
            ClusterClients.TIMEOUT, () -> ReplicaLogs.wholeBatches(dir(first)), newLeaderLog::equals);
        assertEquals(newLeaderLog, truncated);
        final Set<String> survivors = keys(newLeaderStart).stream().filter(k -> k.startsWith("unreplicated-"))
            .collect(Collectors.toSet());
        assertEquals(survivors, keys(truncated).stream().filter(k -> k.startsWith("unreplicated-"))
            .collect(Collectors.toSet()), "broker 1 still holds records only it had written");
        assertEquals(List.of(dir(second).resolve("00000000000000000000.log")), ReplicaLogs.segments(dir(second)));
        assertArrayEquals(ReplicaLogs.read(dir(second).resolve("00000000000000000000.log")),
            ReplicaLogs.read(dir(first).resolve("00000000000000000000.log")), "the segment files, byte for byte");
        final Matcher m = Pattern.compile("Truncating partition " + TOPIC + "-0 to offset (\\d+)")
            .matcher(first.outputAndLog());
        assertTrue(m.find(), "broker 1 logged no truncation of " + TOPIC + "-0");
        assertEquals(start, Long.parseLong(m.group(1)), "truncated to where the logs diverged");
        assertTrue(start > divergence, "the warm-up record (offset " + divergence + ") was replicated: kept");

        final List<String> read = ClusterClients.readToEnd(bootstrap(), TOPIC).stream()
            .map(l -> l.split(" ")[1]).toList();
        final int expected = 60 + 1 + survivors.size() + 80;
        assertEquals(expected, read.size(), "records read: " + read);
        assertEquals(expected, new HashSet<>(read).size());
        assertEquals(survivors, read.stream().filter(k -> k.startsWith("unreplicated-")).collect(Collectors.toSet()));
    }

    /**
     * The unclean case (Kafka's {@code EpochDrivenReplicationProtocolAcceptanceTest} scenario): with broker 2 dead
     * and out of the ISR, broker 1 alone commits records (min.insync.replicas=1), then dies too; broker 2 comes back
     * and is made leader by an explicit unclean election ({@code kafka-leader-election --election-type UNCLEAN}),
     * takes new writes at a new epoch, and broker 1, restarted, truncates the records only it had to broker 2's
     * log. The records lost are acknowledged ones: what an unclean election costs, and why it must be asked for.
     */
    @Test
    void afterAnUncleanElectionTheOldLeaderTruncatesToTheNewLeadersLog() throws Exception {
        final String topic = "unclean";
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2))))).all().get();
            ClusterClients.awaitLeaders(admin, topic, Set.of(1));
            Await.until("both replicas in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, topic, 0),
                List.of(1, 2)::equals);
        }
        final Path oldDir = ReplicaLogs.partitionDir(first.logDir(), topic, 0);
        final Path newDir = ReplicaLogs.partitionDir(second.logDir(), topic, 0);
        ClusterClients.produceJava(bootstrap(), topic, 1, 30, "both-", 31);
        final List<ReplicaLogs.Batch> shared = ReplicaLogs.batches(oldDir);
        Await.until("broker 2 to hold broker 1's batches", ClusterClients.TIMEOUT,
            () -> ReplicaLogs.wholeBatches(newDir), shared::equals);

        second.kill();
        try (Admin admin = ClusterClients.admin(first.bootstrap())) {
            Await.until("the ISR to shrink to broker 1", ClusterClients.TIMEOUT,
                () -> ClusterClients.isr(admin, topic, 0), List.of(1)::equals);
        }
        ClusterClients.produceJava(first.bootstrap(), topic, 1, 30, "only-on-1-", 32);
        first.kill();
        final List<ReplicaLogs.Batch> oldLeaderLog = ReplicaLogs.batches(oldDir);
        final long divergence = ReplicaLogs.logEnd(shared);
        assertEquals(divergence + 30, ReplicaLogs.logEnd(oldLeaderLog));
        assertEquals(shared, ReplicaLogs.batches(newDir), "broker 2 stopped before the second records");

        second.restart();
        final String elected = fixture.tools().leaderElection(second.bootstrap(), "--election-type", "UNCLEAN",
            "--topic", topic, "--partition", "0").output();
        try (Admin admin = ClusterClients.admin(second.bootstrap())) {
            assertEquals(Map.of(0, 2), Await.until("broker 2 to lead " + topic + " (election: " + elected + ")",
                ClusterClients.TIMEOUT, () -> ClusterClients.leaders(admin, topic), Map.of(0, 2)::equals));
        }
        ClusterClients.produceJava(second.bootstrap(), topic, 1, 50, "after-", 33);

        first.restart();
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            Await.until("broker 1 back in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, topic, 0),
                List.of(1, 2)::equals);
        }
        final List<ReplicaLogs.Batch> newLeaderLog = ReplicaLogs.batches(newDir);
        assertEquals(divergence + 50, ReplicaLogs.logEnd(newLeaderLog));
        final List<ReplicaLogs.Batch> truncated = Await.until("broker 1's log to equal broker 2's",
            ClusterClients.TIMEOUT, () -> ReplicaLogs.wholeBatches(oldDir), newLeaderLog::equals);
        assertFalse(keys(truncated).stream().anyMatch(k -> k.startsWith("only-on-1-")),
            "broker 1 still holds records only it had written");
        final Matcher m = Pattern.compile("Truncating partition " + topic + "-0 to offset (\\d+)")
            .matcher(first.outputAndLog());
        assertTrue(m.find(), "broker 1 logged no truncation of " + topic + "-0");
        assertEquals(divergence, Long.parseLong(m.group(1)), "truncated to where the logs diverged");
        final List<String> read = ClusterClients.readToEnd(bootstrap(), topic).stream()
            .map(l -> l.split(" ")[1]).toList();
        assertEquals(30 + 50, read.size(), "records read: " + read);
        assertFalse(read.stream().anyMatch(k -> k.startsWith("only-on-1-")));
    }
}
