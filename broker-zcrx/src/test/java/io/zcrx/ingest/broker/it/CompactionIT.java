package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.SegmentReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log compaction end to end (docs/compaction.md): the broker as its own process (Main, NIO, one reactor), a real
 * idempotent kafka-clients producer writing many updates per key and tombstones to a {@code cleanup.policy=compact}
 * topic with small segments, a real consumer reading it from the beginning, Kafka's {@code DumpLogSegments} over the
 * cleaned files, and a SIGKILL in the middle of a (throttled) clean. The cleaning logic itself, including the
 * throttle's rate, is tested in-process by log-store's {@code CompactionTest}; here the broker's wiring (settings,
 * topic configs, threads, recovery at start-up) and the clients' view are.
 */
class CompactionIT {
    private static final String TOPIC = "compacted";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int SEGMENT_BYTES = 16 * 1024;
    /** The kill test's segments: a throttled clean of a few of them takes seconds. */
    private static final int KILL_SEGMENT_BYTES = 64 * 1024;
    private static final String FENCE = "fence";

    @TempDir
    Path tmp;

    private final List<BrokerProcess> spawned = new ArrayList<>();
    /** The broker's port, the same across restarts (picked free at the first start). */
    private int port;
    private final Random random = new Random(20_260_611L);
    /** key to the last value the producer wrote (null: a tombstone), in first-write order. */
    private final Map<String, String> model = new LinkedHashMap<>();

    @AfterEach
    void stopBrokers() throws Exception {
        for (BrokerProcess b : spawned) {
            b.close();
        }
    }

    @Test
    void consumersSeeTheLastValueOfEachKeyAndTombstonesUntilTheDeleteRetention() throws Exception {
        // Goal: after cleaning, a reader from the beginning sees exactly the last value of every key, in ascending
        // offsets with the gaps the cleaner left; tombstones stay readable until delete.retention.ms after the clean
        // that first kept them, then go; every batch stays valid for Kafka's DumpLogSegments; the idempotent
        // producer keeps producing across cleans without OutOfOrderSequence. Method: 16 KiB segments, dirty ratio
        // 0.01, cleaner backoff 100 ms, delete.retention.ms 6 s; 3000 lz4-compressed updates over 60 keys (one in
        // ten a tombstone), then a record that fills a segment alone (the active segment is never cleaned);
        // consumer polled until every key appears once; then more updates of the live keys until the tombstones are
        // gone; SIGTERM, DumpLogSegments --deep-iteration over every file.
        final BrokerProcess broker = spawn("broker.out", "log.cleaner.backoff.ms", "100");
        final String bootstrap = "127.0.0.1:" + broker.awaitStarted(60_000);
        createTopic(bootstrap, Map.of(TopicConfig.DELETE_RETENTION_MS_CONFIG, "6000"));
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            produce(producer, 3000, 60, 10, 100);
            fence(bootstrap, SEGMENT_BYTES);
            final long deleted = model.values().stream().filter(v -> v == null).count();
            assertTrue(deleted > 0, "the workload deletes keys");

            // Phase 1: cleaned, tombstones still there (6 s after the clean that kept them).
            final List<ConsumerRecord<byte[], byte[]>> cleaned = awaitEachKeyOnce(broker, bootstrap);
            assertOffsetsAscendingWithGaps(cleaned);
            final Map<String, String> seen = lastValues(cleaned);
            assertEquals(model.keySet(), seen.keySet(), "every key, the deleted ones as tombstones");
            for (Map.Entry<String, String> e : model.entrySet()) {
                assertEquals(e.getValue(), seen.get(e.getKey()), "last value of " + e.getKey());
            }

            // Phase 2: the same producer goes on (its sequences continue across the cleans); the live keys get new
            // values until a clean after the delete horizon removed the tombstones.
            final long round = System.nanoTime();
            Await.until("the tombstones removed by a clean after delete.retention.ms", Duration.ofSeconds(60), () -> {
                produceLive(producer, 200, 100);
                fence(bootstrap, SEGMENT_BYTES);
                return seen(bootstrap);
            }, r -> r.records().stream().noneMatch(c -> c.value() == null));
            System.out.printf("compaction IT: tombstones gone %.1f s after the first check%n",
                (System.nanoTime() - round) / 1e9);
            final List<ConsumerRecord<byte[], byte[]>> final0 = awaitEachKeyOnce(broker, bootstrap);
            assertOffsetsAscendingWithGaps(final0);
            final Map<String, String> live = new HashMap<>(model);
            live.values().removeIf(v -> v == null);
            assertEquals(live, lastValues(final0), "exactly the last value of every live key, no deleted key");
        }
        assertCleanShutdown(broker);
        assertNoCleanerLeftovers();
        final String dump = SegmentReader.dumpAndCheck(SegmentReader.allFiles(logDir(), TOPIC, 0), 120);
        assertTrue(dump.lines().anyMatch(l -> l.contains("isvalid: true")), dump);
    }

    @Test
    void aKill9InTheMiddleOfACleanLosesNoLiveKeyAndLeavesNoCleanerFiles() throws Exception {
        // Goal: a crash while the cleaner writes its .cleaned segments loses nothing: after the restart every live
        // key has its last value, the recovery deleted every .cleaned / .swap file, and the cleaner finishes the job.
        // Method: ~2 MB of incompressible values over ~3,000 keys (most records stay, so the rewrite is most of the
        // clean) written while the topic's min.compaction.lag.ms (1 h) holds the cleaner off; the lag set to 0
        // (IncrementalAlterConfigs); the cleaner throttled to 200 KB/s (log.cleaner.io.max.bytes.per.second): as
        // Kafka's, the throttle first acts 300 ms into a clean, which at this size is within the rewrite, and then
        // sleeps for seconds; SIGKILL once a .cleaned file exists; restart on the same dir with the cleaner off (the
        // check), then unthrottled (the cleaner finishes).
        final String[] settings = {"log.cleaner.backoff.ms", "100", "log.cleaner.io.max.bytes.per.second", "200000"};
        BrokerProcess broker = spawn("broker-0.out", settings);
        String bootstrap = "127.0.0.1:" + broker.awaitStarted(60_000);
        createTopic(bootstrap, Map.of(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "3600000",
            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(KILL_SEGMENT_BYTES)));
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            produce(producer, 5000, 5000, 20, 800);
            fence(bootstrap, KILL_SEGMENT_BYTES);
        }
        final Path dir = SegmentReader.partitionDir(logDir(), TOPIC, 0);
        assertTrue(cleanerFiles(dir).isEmpty(), "no clean before the lag is lifted");
        try (Admin admin = admin(bootstrap)) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC),
                List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0"),
                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
        final List<String> inFlight = Await.until("a .cleaned file (the cleaner rewriting)", Duration.ofSeconds(30),
            () -> cleanerFiles(dir), files -> files.stream().anyMatch(f -> f.endsWith(".cleaned")));
        assertTrue(broker.output().contains("beginning cleaning of log " + TOPIC + "-0"), broker.output());
        broker.kill9();
        System.out.println("compaction IT: killed with " + inFlight);

        // First restart with the cleaner off: a cleaner that starts over at once would write new .cleaned files
        // before the check below could tell them from the crash's leftovers.
        broker = spawn("broker-1.out", "log.cleaner.enable", "false");
        bootstrap = "127.0.0.1:" + broker.awaitStarted(60_000);
        assertEquals(List.of(), cleanerFiles(dir), "recovery removed every .cleaned and .swap file");
        final Map<String, String> live = new HashMap<>(model);
        live.values().removeIf(v -> v == null);
        final Map<String, String> afterCrash = lastValues(readAll(bootstrap));
        afterCrash.values().removeIf(v -> v == null);
        assertEquals(live, afterCrash, "every live key with its last value after the crash");
        assertCleanShutdown(broker);

        // The cleaner starts over after the next restart and completes.
        broker = spawn("broker-2.out", "log.cleaner.backoff.ms", "100");
        bootstrap = "127.0.0.1:" + broker.awaitStarted(60_000);
        final List<ConsumerRecord<byte[], byte[]>> cleaned = awaitEachKeyOnce(broker, bootstrap);
        assertOffsetsAscendingWithGaps(cleaned);
        final Map<String, String> seen = lastValues(cleaned);
        seen.values().removeIf(v -> v == null);
        assertEquals(live, seen);
        assertCleanShutdown(broker);
        assertNoCleanerLeftovers();
        SegmentReader.dumpAndCheck(SegmentReader.allFiles(logDir(), TOPIC, 0), 120);
    }

    // ---- workload ---------------------------------------------------------------------------------------------

    /** {@code count} records over {@code keys} keys, one in {@code tombstoneEvery} a tombstone; sends all, waits. */
    private void produce(KafkaProducer<byte[], byte[]> producer, int count, int keys, int tombstoneEvery,
            int valueBytes) throws Exception {
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final String key = "key-" + random.nextInt(keys);
            final String value = random.nextInt(tombstoneEvery) == 0 ? null : value(key, i, valueBytes);
            acks.add(send(producer, key, value));
        }
        for (Future<RecordMetadata> f : acks) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** {@code count} new values for keys that are live now (the deleted ones stay deleted). */
    private void produceLive(KafkaProducer<byte[], byte[]> producer, int count, int valueBytes) throws Exception {
        final List<String> live = new ArrayList<>();
        model.forEach((k, v) -> {
            if (v != null && !k.equals(FENCE)) {
                live.add(k);
            }
        });
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final String key = live.get(random.nextInt(live.size()));
            acks.add(send(producer, key, value(key, i, valueBytes)));
        }
        for (Future<RecordMetadata> f : acks) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * A record that fills a segment alone, so that the records before it are all in inactive (cleanable) segments.
     * Its own uncompressed producer (the workload's is lz4, which would shrink any value that is cheap to make).
     */
    private void fence(String bootstrap, int segmentBytes) throws Exception {
        // Larger than what is left in any active segment that holds more than a few hundred bytes.
        final int bytes = segmentBytes - 400;
        final StringBuilder v = new StringBuilder(bytes);
        for (int i = 0; i < bytes; i++) {
            v.append((char) ('!' + random.nextInt(90)));
        }
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        try (KafkaProducer<byte[], byte[]> fence = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            send(fence, FENCE, v.toString()).get(60, TimeUnit.SECONDS);
        }
    }

    private Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, String key,
            String value) {
        model.remove(key);
        model.put(key, value);
        return producer.send(new ProducerRecord<>(TOPIC, 0, key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A value of up to {@code bytes} characters, random letters after its prefix: the producer compresses with lz4,
     * and a repeated filler shrank the values so far that the cleaner read and rewrote them in 0.1 s, faster than the
     * kill test can see its .cleaned file (the throttle only acts on cleans longer than 300 ms).
     */
    private String value(String key, int i, int bytes) {
        final StringBuilder v = new StringBuilder(key).append('@').append(i).append('#')
            .append(random.nextInt(1_000_000)).append(':');
        final int length = Math.max(v.length(), random.nextInt(bytes));
        while (v.length() < length) {
            v.append((char) ('a' + random.nextInt(26)));
        }
        return v.toString();
    }

    // ---- checks -----------------------------------------------------------------------------------------------

    /**
     * What a reader from the beginning saw; its text (for a failed wait) names the keys other than the fence seen
     * more than once.
     */
    private record Seen(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<Long>> repeated() {
            final Map<String, List<Long>> offsets = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                offsets.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(r.offset());
            }
            offsets.values().removeIf(l -> l.size() < 2);
            // The last fence is in the active segment, which is never cleaned: the offset map of the clean before
            // the next fence ends below it, so the fence before it stays too (Kafka's rule).
            offsets.remove(FENCE);
            return offsets;
        }

        boolean eachKeyOnce() {
            return repeated().isEmpty();
        }

        @Override
        public String toString() {
            final long tombstones = records.stream().filter(r -> r.value() == null).count();
            final String rep = repeated().toString();
            return records.size() + " records, " + tombstones + " tombstones, last offset "
                + (records.isEmpty() ? -1 : records.get(records.size() - 1).offset()) + ", keys seen more than once "
                + "(offsets): " + rep.substring(0, Math.min(rep.length(), 1500));
        }
    }

    /** Waits until a reader sees every key once (the cleaner covered everything before the fence). */
    private List<ConsumerRecord<byte[], byte[]>> awaitEachKeyOnce(BrokerProcess broker, String bootstrap)
            throws Exception {
        try {
            return Await.until("every key once in the log (the cleaner ran)", Duration.ofSeconds(60),
                () -> seen(bootstrap), Seen::eachKeyOnce).records();
        } catch (AssertionError e) {
            // The broker's cleaner lines and the partition's files say why (not started, stopped, failed).
            final List<String> files = new ArrayList<>();
            try (Stream<Path> f = Files.list(SegmentReader.partitionDir(logDir(), TOPIC, 0))) {
                f.sorted().forEach(x -> files.add(x.getFileName() + ":" + x.toFile().length()));
            }
            files.add(logDir().resolve("cleaner-offset-checkpoint").toFile().exists() ? "checkpoint: "
                + Files.readString(logDir().resolve("cleaner-offset-checkpoint")) : "no cleaner checkpoint");
            final String lines = String.join("\n", broker.output().lines().filter(l -> l.contains("lean")).toList());
            throw new AssertionError(e.getMessage() + "\nbroker's cleaner log lines:\n"
                + lines.substring(Math.max(0, lines.length() - 4000)) + "\nfiles: " + files, e);
        }
    }

    private static Seen seen(String bootstrap) {
        return new Seen(readAll(bootstrap));
    }

    /** key to its last value (null: a tombstone) as a reader from the beginning sees them. */
    private static Map<String, String> lastValues(List<ConsumerRecord<byte[], byte[]>> records) {
        final Map<String, String> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.put(new String(r.key(), StandardCharsets.UTF_8),
                r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void assertOffsetsAscendingWithGaps(List<ConsumerRecord<byte[], byte[]>> records) {
        long last = -1;
        int gaps = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertTrue(r.offset() > last, "offset " + r.offset() + " after " + last);
            if (r.offset() > last + 1) {
                gaps++;
            }
            last = r.offset();
        }
        assertTrue(gaps > 0, "the cleaner left gaps in the offsets");
    }

    private void assertNoCleanerLeftovers() throws IOException {
        assertEquals(List.of(), cleanerFiles(SegmentReader.partitionDir(logDir(), TOPIC, 0)));
    }

    private static List<String> cleanerFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cleaned") || n.endsWith(".swap"))
                .sorted().toList();
        }
    }

    private static void assertCleanShutdown(BrokerProcess broker) throws Exception {
        final int exit = broker.stop();
        assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM: " + exit);
        assertFalse(broker.output().contains("uncleaned until the broker restarts"), broker.output());
    }

    // ---- clients and broker -----------------------------------------------------------------------------------

    private Path logDir() {
        return tmp.resolve("logs");
    }

    private BrokerProcess spawn(String output, String... extra) throws IOException {
        if (port == 0) {
            port = BrokerProcess.freePort();
        }
        final List<String> settings = new ArrayList<>(List.of("listeners", "PLAINTEXT://127.0.0.1:" + port,
            "log.dirs", logDir().toString(), "transport", "nio", "num.network.threads", "1",
            "auto.create.topics.enable", "false"));
        settings.addAll(List.of(extra));
        final BrokerProcess b = BrokerProcess.spawn(tmp.resolve(output), "-Xmx256m", settings.toArray(new String[0]));
        spawned.add(b);
        return b;
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static void createTopic(String bootstrap, Map<String, String> extra) throws Exception {
        final Map<String, String> configs = new HashMap<>(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(SEGMENT_BYTES),
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01"));
        configs.putAll(extra);
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(configs))).all()
                .get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Every record of the partition from its start to the log end offset of now, with a fresh consumer. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.assign(List.of(TP));
            c.seekToBeginning(List.of(TP));
            final long end = c.endOffsets(List.of(TP)).get(TP);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.position(TP) < end) {
                assertTrue(System.nanoTime() < deadline, "consumer did not reach offset " + end);
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }
}
