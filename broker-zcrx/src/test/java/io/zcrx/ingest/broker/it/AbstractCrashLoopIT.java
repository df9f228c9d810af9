package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.RawClient;
import io.zcrx.ingest.broker.testkit.SegmentReader;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crash safety end to end, transport-neutral: the broker runs as its own process and is killed with
 * SIGKILL at random moments while idempotent acks=all producers write records that carry their own
 * sequence numbers; afterwards every acknowledged record must be in the log exactly once and in
 * order, Kafka's DumpLogSegments must find every batch valid, and producer ids must never repeat.
 */
public abstract class AbstractCrashLoopIT extends TransportSuite {
    private static final String TOPIC = "crash";
    private static final int PARTITIONS = 3;
    private static final int PRODUCERS = 2;
    private static final int CYCLES = 10;
    /** Records per second per producer: enough to keep batches in flight at every kill. */
    private static final int RATE = 1500;

    /** Every broker process this test spawned: a failing test must not leave one running. */
    private final List<BrokerProcess> spawned = new ArrayList<>();
    /** Set when the test passed: a failed run keeps its log dir and broker output for inspection. */
    private boolean passed;

    @AfterEach
    void stopSpawnedBrokers() throws Exception {
        for (BrokerProcess b : spawned) {
            b.close();
        }
    }

    @Override
    protected boolean keepTempDir() {
        return !passed;
    }

    @Test
    void everyAcknowledgedRecordSurvivesKill9ExactlyOnceAndInOrder() throws Exception {
        // Goal: survive a crash loop. After SIGKILL at any moment (during recovery, between and in the
        // middle of appends, during rolls and checkpoints) a restart recovers: every record whose
        // acknowledgement the producer received is present once, in send order; nothing torn
        // survives (DumpLogSegments: every batch valid, indexes consistent); producer state is
        // rebuilt (the idempotent producers never see a sequence error); producer ids are never
        // handed out twice. Method: Main in a child JVM on a fixed port, 128 KiB segments (many rolls
        // and producer snapshots), checkpoints every second; 2 idempotent acks=all producers each
        // sending records "producer:sequence" round-robin over 3 partitions at 1500/s; 10 cycles of
        // spawn + SIGKILL after a random 0.4-3.4 s (seeded; the seed is printed); then a last start,
        // producers flushed, a Java consumer reads every partition from the start.
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        System.out.println("crash loop seed=" + seed + " transport=" + transport());
        final int port = BrokerProcess.freePort();
        final List<String> settings = new ArrayList<>(List.of(
            "listeners", "PLAINTEXT://127.0.0.1:" + port, "log.dirs", tmp.resolve("logs").toString(),
            "transport", transport(), "num.network.threads", "1",
            "log.flush.offset.checkpoint.interval.ms", "1000", "auto.create.topics.enable", "false"));
        settings.addAll(List.of(transportOverrides()));
        final String[] overrides = settings.toArray(new String[0]);
        final String bootstrap = "127.0.0.1:" + port;

        BrokerProcess broker = spawn("broker-0.out", overrides);
        broker.awaitStarted(60_000);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)
                .configs(Map.of("segment.bytes", String.valueOf(128 * 1024))))).all().get(30, TimeUnit.SECONDS);
        }
        final List<Long> producerIds = new ArrayList<>();
        producerIds.add(initProducerId(port));

        final Sender[] senders = new Sender[PRODUCERS];
        for (int i = 0; i < PRODUCERS; i++) {
            senders[i] = new Sender(i, bootstrap);
            senders[i].start();
        }
        final List<String> cycles = new ArrayList<>();
        final List<Long> recoveryMs = new ArrayList<>();
        try {
            // The first kill comes once the producers are well under way (a second's worth of
            // acknowledged records), so it lands among batches in flight.
            Await.until("the producers' first acknowledgements", Duration.ofSeconds(60),
                () -> ackedTotal(senders) >= RATE);
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                broker.kill9();
                final long acked = ackedTotal(senders);
                broker = spawn("broker-" + cycle + ".out", overrides);
                final long killAfterMs = 400 + random.nextInt(3000);
                // Deliberate: the kill lands at a random moment (recovery, appends, rolls,
                // checkpoints); a fixed random delay is what the test is about.
                Thread.sleep(killAfterMs);
                final long[] opened = broker.openedSummary();
                final boolean started = broker.started();
                if (started) {
                    producerIds.add(initProducerId(port));
                }
                if (opened != null) {
                    recoveryMs.add(opened[1]);
                }
                cycles.add(String.format("cycle %d: killed %d ms after spawn (%s), recovery %s, acked so far %d",
                    cycle, killAfterMs, started ? "serving" : "still starting",
                    opened == null ? "not finished" : opened[1] + " ms for " + opened[2] + " partition(s), "
                        + opened[3] + " bytes truncated", acked));
            }
            broker.kill9();
            broker = spawn("broker-final.out", overrides);
            broker.awaitStarted(60_000);
            final long[] opened = broker.openedSummary();
            recoveryMs.add(opened[1]);
            cycles.add("final start: recovery " + opened[1] + " ms for " + opened[2] + " partition(s), " + opened[3]
                + " bytes truncated");
            producerIds.add(initProducerId(port));
            // The producers resume on the final broker: records appended after the last recovery
            // are part of what is read back.
            final long ackedAtFinalStart = ackedTotal(senders);
            Await.until("acknowledgements from the final broker", Duration.ofSeconds(60),
                () -> ackedTotal(senders) >= ackedAtFinalStart + RATE);
        } finally {
            for (Sender s : senders) {
                s.stopAndClose();
            }
        }
        for (Sender s : senders) {
            assertTrue(s.errors.isEmpty(), () -> "producer " + s.index + " saw failed sends: " + s.errors);
        }

        // Read everything back through the broker (Fetch), then stop it cleanly.
        final Map<Integer, BitSet> found = new HashMap<>();
        long foundTotal = 0;
        final Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            final Map<Integer, int[]> lastSeqPerPartition = new HashMap<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!reachedEnd(consumer, ends)) {
                assertTrue(System.nanoTime() < deadline, "consumer did not reach the log end");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    final ByteBuffer v = ByteBuffer.wrap(r.value());
                    final int producer = v.getInt();
                    final int seq = v.getInt();
                    assertEquals(seq % PARTITIONS, r.partition(), "record in the wrong partition");
                    final BitSet seen = found.computeIfAbsent(producer, k -> new BitSet());
                    assertFalse(seen.get(seq), "duplicate record: producer=" + producer + ", seq=" + seq
                        + ", offset=" + r.offset());
                    seen.set(seq);
                    final int[] last = lastSeqPerPartition.computeIfAbsent(producer, k -> new int[] {-1, -1, -1});
                    assertTrue(seq > last[r.partition()], "out of order: producer=" + producer + ", partition="
                        + r.partition() + ", seq=" + seq + " after " + last[r.partition()]);
                    last[r.partition()] = seq;
                    foundTotal++;
                }
            }
        }
        long ackedTotal = 0;
        for (Sender s : senders) {
            final BitSet seen = found.getOrDefault(s.index, new BitSet());
            final BitSet missing = (BitSet) s.acked.clone();
            missing.andNot(seen);
            assertTrue(missing.isEmpty(), "acknowledged records missing: producer=" + s.index + ", count="
                + missing.cardinality() + ", first=" + missing.nextSetBit(0));
            ackedTotal += s.acked.cardinality();
        }
        final int exit = broker.stop();
        // The JVM exits with 128 + SIGTERM after running the shutdown hook.
        assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM: " + exit);
        assertTrue(broker.output().contains("shut down"), "no clean shutdown logged:\n" + broker.output());

        // Kafka's own tool over every segment, index, time index and snapshot.
        int batches = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            final List<File> files = SegmentReader.allFiles(tmp.resolve("logs"), TOPIC, p);
            final String dump = SegmentReader.dumpAndCheck(files, 180);
            batches += (int) dump.lines().filter(l -> l.contains("isvalid: true")).count();
        }
        for (int i = 1; i < producerIds.size(); i++) {
            assertTrue(producerIds.get(i) > producerIds.get(i - 1), "producer id reused or reordered: " + producerIds);
        }
        final String summary = String.format("crash loop (%s): %d kill -9 cycles, %d records acknowledged, %d found "
                + "(%d sent but unacknowledged found once), %d valid batches, recovery ms %s, producer ids %s%n  %s",
            transport(), CYCLES, ackedTotal, foundTotal, foundTotal - ackedTotal, batches, recoveryMs, producerIds,
            String.join("\n  ", cycles));
        System.out.println(summary);
        Files.writeString(Path.of("target", getClass().getSimpleName() + "-summary.txt"), summary);
        assertTrue(ackedTotal > 1000, "too few records acknowledged to mean anything: " + ackedTotal);
        passed = true;
    }

    private BrokerProcess spawn(String output, String[] overrides) throws IOException {
        final BrokerProcess b = BrokerProcess.spawn(tmp.resolve(output), "-Xmx384m", overrides);
        spawned.add(b);
        return b;
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static long initProducerId(int port) throws Exception {
        try (RawClient c = new RawClient(port)) {
            final InitProducerIdResponse r =
                c.roundTrip(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null).setTransactionTimeoutMs(60_000)), (short) 4);
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            return r.data().producerId();
        }
    }

    private static long ackedTotal(Sender[] senders) {
        long n = 0;
        for (Sender s : senders) {
            n += s.ackedCount();
        }
        return n;
    }

    /** One idempotent producer on its own thread; value = INT32 producer index, INT32 sequence, padding. */
    private static final class Sender extends Thread {
        final int index;
        final BitSet acked = new BitSet();
        final Map<String, Integer> errors = new ConcurrentHashMap<>();
        private final KafkaProducer<byte[], byte[]> producer;
        private final AtomicBoolean running = new AtomicBoolean(true);

        Sender(int index, String bootstrap) {
            super("crash-loop-producer-" + index);
            this.index = index;
            final Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, "8192");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "180000");
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "180000");
            p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
            p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
            p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "250");
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, index == 0 ? "none" : "lz4");
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public void run() {
            final long startNs = System.nanoTime();
            int seq = 0;
            while (running.get()) {
                final long dueNs = startNs + seq * (1_000_000_000L / RATE);
                final long waitNs = dueNs - System.nanoTime();
                if (waitNs > 0) {
                    try {
                        // Pacing at RATE records per second: the point is a steady load, not a wait.
                        Thread.sleep(waitNs / 1_000_000, (int) (waitNs % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                final int s = seq++;
                final byte[] value = ByteBuffer.allocate(64).putInt(index).putInt(s).array();
                producer.send(new ProducerRecord<>(TOPIC, s % PARTITIONS, null, value), (md, e) -> {
                    if (e == null) {
                        synchronized (acked) {
                            acked.set(s);
                        }
                    } else {
                        errors.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                    }
                });
            }
        }

        long ackedCount() {
            synchronized (acked) {
                return acked.cardinality();
            }
        }

        void stopAndClose() throws InterruptedException {
            running.set(false);
            join(60_000);
            producer.close(Duration.ofSeconds(120));
        }
    }
}
