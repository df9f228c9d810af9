package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's kill loop: three of our brokers under one Kafka controller, a topic with replication factor 3,
 * {@code min.insync.replicas=2} and three partitions, an idempotent acks=all producer at a fixed rate whose
 * records carry a unique sequence number ({@code k-<seq>}, partition {@code seq % 3}). Again and again the leader
 * of a partition (the partitions in turn) is killed with SIGKILL and restarted; before the next kill the test
 * waits until the cluster took writes without it and until it is back in every ISR (so two replicas are always
 * in sync). {@code -Dreplication.kills=N} sets the number of kills (10 by default; the long run uses 100).
 *
 * <p>Afterwards, the producer closed and the replicas converged: a consumer reads every acknowledged record exactly
 * once; the brokers are stopped and each replica's segment files are read with kafka-clients' record classes:
 * every acknowledged record is on every replica exactly once, no record is stored twice, the replicas' batches
 * are byte-identical batch for batch (offsets, epochs, producer ids, CRCs: the bytes), sealed segments that cover
 * the same offsets on every replica are byte-identical files (a replica rolls by its own size rule, so only those
 * line up), and Kafka's {@code DumpLogSegments --deep-iteration} finds every batch of every replica valid. The
 * counts are printed at the end ({@code docs/durability.md} quotes the long run's).
 *
 * <p>No class timeout: every wait has its own deadline, and the loop fails once it ran past
 * {@code 60 s + 60 s per kill}.
 */
class ReplicationKillLoopIT {
    private static final String TOPIC = "killed";
    private static final int PARTITIONS = 3;
    private static final List<Integer> IDS = List.of(1, 2, 3);
    private static final int KILLS = Integer.getInteger("replication.kills", 10);
    /** Records per second: enough that every kill lands on in-flight writes, little for a 2-core CI machine. */
    private static final int RATE = 200;
    private static final String SESSION_MS = "3000";
    private static ClusterFixture fixture;
    private static final Map<Integer, ZcrxBrokerProcess> BROKERS = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ReplicationKillLoopIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of("broker.session.timeout.ms", SESSION_MS));
        final Map<String, String> settings = Map.of("broker.session.timeout.ms", SESSION_MS,
            "replica.lag.time.max.ms", "5000",
            // Small segments, so that each replica rolls many times during the loop (below Kafka's minimum of
            // 1 MiB: formatted with our storage tool, which Kafka's would refuse).
            "log.segment.bytes", "131072");
        for (int id : IDS) {
            BROKERS.put(id, fixture.startZcrxBroker(id, ZcrxBrokerProcess.Format.ZCRX_STORAGE, settings));
        }
        ClusterClients.awaitBrokers(bootstrap(), Set.copyOf(IDS));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String bootstrap() {
        return String.join(",", BROKERS.values().stream().map(ZcrxBrokerProcess::bootstrap).toList());
    }

    /** The producer at a fixed rate, on its own thread; what was acknowledged and what failed. */
    private static final class Load implements Runnable {
        final Set<Long> acked = ConcurrentHashMap.newKeySet();
        final AtomicLong[] ackedPerPartition = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        final AtomicLong sent = new AtomicLong();
        private volatile boolean running = true;
        private final KafkaProducer<byte[], byte[]> producer;

        Load() {
            final Map<String, Object> c = ClusterClients.producerConfig(bootstrap());
            c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
            producer = new KafkaProducer<>(c);
        }

        @Override
        public void run() {
            final Random random = new Random(42);
            final long start = System.nanoTime();
            for (long seq = 0; running; seq++) {
                // Pacing to the fixed rate, not a wait for a condition.
                final long due = start + seq * 1_000_000_000L / RATE;
                final long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    try {
                        Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                final byte[] value = new byte[100 + random.nextInt(200)];
                random.nextBytes(value);
                final long s = seq;
                try {
                    producer.send(new ProducerRecord<>(TOPIC, (int) (seq % PARTITIONS),
                        ("k-" + seq).getBytes(StandardCharsets.UTF_8), value), (md, e) -> {
                            if (e == null) {
                                acked.add(s);
                                ackedPerPartition[(int) (s % PARTITIONS)].incrementAndGet();
                            } else {
                                failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong())
                                    .incrementAndGet();
                            }
                        });
                    sent.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
                }
            }
        }

        /** Stops sending; close() waits for every record sent to be acknowledged or to fail. */
        void stop(Thread thread) throws InterruptedException {
            running = false;
            thread.join();
            producer.close(Duration.ofMinutes(3));
        }
    }

    private static void awaitFullIsrs(Admin admin) throws InterruptedException {
        Await.until("every partition's ISR to be " + IDS, ClusterClients.TIMEOUT, () -> {
            final Map<Integer, List<Integer>> isrs = new TreeMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                isrs.put(p, ClusterClients.isr(admin, TOPIC, p));
            }
            return isrs;
        }, m -> m.values().stream().allMatch(IDS::equals));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static Path dir(int broker, int partition) {
        return ReplicaLogs.partitionDir(BROKERS.get(broker).logDir(), TOPIC, partition);
    }

    @Test
    void everyAcknowledgedRecordSurvivesLeaderKillsOnEveryReplica() throws Exception {
        final long began = System.nanoTime();
        final Duration budget = Duration.ofSeconds(60 + 60L * KILLS);
        final Load load;
        final Thread loader;
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)
                .configs(Map.of("min.insync.replicas", "2")))).all().get();
            ClusterClients.awaitLeaders(admin, TOPIC, Set.copyOf(IDS));
            awaitFullIsrs(admin);
            load = new Load();
            loader = new Thread(load, "kill-loop-producer");
            loader.setDaemon(true); // a failed test must not leave the JVM waiting for it
            loader.start();
            Await.until("the first acknowledgements", ClusterClients.TIMEOUT, () -> load.acked.size(), n -> n >= RATE);
            for (int kill = 0; kill < KILLS; kill++) {
                assertTrue(System.nanoTime() - began < budget.toNanos(), "the loop ran past " + budget + " at kill "
                    + kill);
                final int partition = kill % PARTITIONS;
                final int victim = ClusterClients.awaitLeaders(admin, TOPIC, Set.copyOf(IDS)).get(partition);
                final long ackedBefore = load.ackedPerPartition[partition].get();
                final long killedAt = System.nanoTime();
                BROKERS.get(victim).kill();
                Await.until("a new leader of partition " + partition + " after killing broker " + victim,
                    ClusterClients.TIMEOUT, () -> ClusterClients.leaders(admin, TOPIC).getOrDefault(partition, -1),
                    l -> l != -1 && l != victim);
                final long electedAt = System.nanoTime();
                // Two replicas in sync: the partition keeps taking acks=all writes without the victim.
                Await.until("acknowledgements of partition " + partition + " without broker " + victim,
                    ClusterClients.TIMEOUT, () -> load.ackedPerPartition[partition].get(),
                    n -> n >= ackedBefore + RATE / PARTITIONS);
                final long progressedAt = System.nanoTime();
                BROKERS.get(victim).restart();
                final long restartedAt = System.nanoTime();
                awaitFullIsrs(admin);
                System.out.printf("kill %d/%d: broker %d (leader of partition %d); acknowledged so far %d; ms to a new "
                    + "leader %d, to %d more acks there %d, to restart %d, to full ISRs %d%n", kill + 1, KILLS, victim,
                    partition, load.acked.size(), ms(electedAt - killedAt), RATE / PARTITIONS,
                    ms(progressedAt - electedAt),
                    ms(restartedAt - progressedAt), ms(System.nanoTime() - restartedAt));
            }
            final int ackedAtEnd = load.acked.size();
            Await.until("acknowledgements after the last restart", ClusterClients.TIMEOUT, () -> load.acked.size(),
                n -> n >= ackedAtEnd + RATE);
            load.stop(loader);
            awaitFullIsrs(admin);
        }
        for (int p = 0; p < PARTITIONS; p++) {
            final int partition = p;
            Await.until("the replicas of partition " + p + " to converge", ClusterClients.TIMEOUT, () -> {
                final List<List<ReplicaLogs.Batch>> logs = new ArrayList<>();
                for (int id : IDS) {
                    logs.add(ReplicaLogs.wholeBatches(dir(id, partition)));
                }
                return logs;
            }, logs -> logs.stream().distinct().count() == 1);
        }

        final long checksFrom = System.nanoTime();
        // A consumer reads everything acknowledged, once.
        final Map<String, Integer> consumed = new HashMap<>();
        for (String line : ClusterClients.readToEnd(bootstrap(), TOPIC)) {
            consumed.merge(line.split(" ")[1], 1, Integer::sum);
        }
        final long consumedMissing = load.acked.stream().filter(s -> !consumed.containsKey("k-" + s)).count();
        final long consumedTwice = consumed.values().stream().filter(n -> n > 1).count();

        for (ZcrxBrokerProcess b : BROKERS.values()) {
            b.stop();
        }
        long missing = 0;
        long duplicated = 0;
        long stored = 0;
        long batches = 0;
        int sealedCompared = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            final List<Path> dirs = new ArrayList<>();
            final List<ReplicaLogs.Batch> first = ReplicaLogs.batches(dir(IDS.get(0), p));
            for (int id : IDS) {
                dirs.add(dir(id, p));
                final List<ReplicaLogs.Batch> log = ReplicaLogs.batches(dir(id, p));
                assertEquals(first, log, "partition " + p + ": broker " + id + "'s batches against broker "
                    + IDS.get(0) + "'s");
                final Map<String, Integer> counts = ReplicaLogs.keyCounts(log);
                final int partition = p;
                missing += load.acked.stream().filter(s -> s % PARTITIONS == partition)
                    .filter(s -> counts.getOrDefault("k-" + s, 0) != 1).count();
                duplicated += counts.values().stream().filter(n -> n > 1).count();
            }
            stored += ReplicaLogs.keyCounts(first).size();
            batches += first.size();
            sealedCompared += ReplicaLogs.assertAlignedSealedSegmentsIdentical(dirs);
        }
        final Map<Integer, Long> dumped = new TreeMap<>();
        for (int id : IDS) {
            final List<Path> segments = new ArrayList<>();
            long records = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                segments.addAll(ReplicaLogs.segments(dir(id, p)));
                records += ReplicaLogs.batches(dir(id, p)).stream().mapToLong(b -> b.keys().size()).sum();
            }
            final String dump = fixture.tools().dumpLogSegments(segments, "--deep-iteration").ok();
            dumped.put(id, ClusterClients.assertBatchesValid(dump));
            assertEquals(records, dumped.get(id), "records DumpLogSegments counted on broker " + id);
        }
        System.out.printf("ReplicationKillLoopIT: kills=%d sent=%d acknowledged=%d failed=%s "
                + "stored=%d batches-per-replica=%d acknowledged-missing-on-a-replica=%d duplicated=%d "
                + "consumed=%d consumed-missing=%d consumed-twice=%d sealed-segments-compared=%d dumped=%s "
                + "(loop %d s, checks %d s)%n",
            KILLS, load.sent.get(), load.acked.size(), load.failures, stored, batches, missing, duplicated,
            consumed.size(), consumedMissing, consumedTwice, sealedCompared, dumped, ms(checksFrom - began) / 1000,
            ms(System.nanoTime() - checksFrom) / 1000);
        assertEquals(0, missing, "acknowledged records missing (or stored twice) on a replica");
        assertEquals(0, duplicated, "records stored twice on a replica");
        assertEquals(0, consumedMissing, "acknowledged records the consumer did not read");
        assertEquals(0, consumedTwice, "records the consumer read twice");
    }
}
