package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.ChildJvm;
import io.zcrx.ingest.broker.testkit.SegmentReader;
import io.zcrx.ingest.broker.testkit.SegmentReader.StoredRecord;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The producer suite, transport-neutral (Netty's pattern): subclasses name a transport and the
 * whole suite runs against a real broker on 127.0.0.1 using it. Real Kafka clients produce; the
 * segment files are then read back with kafka-clients' own reader and compared byte for byte with
 * what was sent; Kafka's DumpLogSegments and ProducerPerformance run as separate processes. After
 * every test no receive chunk may be outstanding.
 */
public abstract class AbstractProducerIT extends SharedBrokerSuite {
    private static final int PARTITIONS = 3;

    @Override
    protected String[] brokerSettings() {
        return new String[] {"num.partitions", String.valueOf(PARTITIONS)};
    }

    enum Mode {
        ACKS_0("0", false), ACKS_1("1", false), ACKS_ALL("all", false), ACKS_ALL_IDEMPOTENT("all", true);

        final String acks;
        final boolean idempotent;

        Mode(String acks, boolean idempotent) {
            this.acks = acks;
            this.idempotent = idempotent;
        }
    }

    static Stream<Arguments> modesAndCodecs() {
        final List<Arguments> out = new ArrayList<>();
        for (Mode m : Mode.values()) {
            for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
                out.add(Arguments.of(m, codec));
            }
        }
        return out.stream();
    }

    record Sent(int partition, long timestamp, byte[] key, byte[] value, Header[] headers) {
    }

    KafkaProducer<byte[], byte[]> producer(Mode mode, String codec) {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, mode.acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(mode.idempotent));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static List<Sent> records(long seed, String topic, int perPartition) {
        final Random r = new Random(seed);
        final List<Sent> out = new ArrayList<>();
        final long base = System.currentTimeMillis() - 10_000;
        for (int i = 0; i < perPartition * PARTITIONS; i++) {
            final int partition = i % PARTITIONS;
            final byte[] key = r.nextInt(5) == 0 ? null : bytes(r, 1 + r.nextInt(40));
            final byte[] value = r.nextInt(20) == 0 ? null : bytes(r, r.nextInt(r.nextInt(4) == 0 ? 5000 : 300));
            final Header[] headers = new Header[r.nextInt(3)];
            for (int h = 0; h < headers.length; h++) {
                headers[h] = new RecordHeader("h" + h + "-" + topic, r.nextBoolean() ? null : bytes(r, r.nextInt(20)));
            }
            out.add(new Sent(partition, base + i, key, value, headers));
        }
        return out;
    }

    static byte[] bytes(Random r, int n) {
        final byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modesAndCodecs")
    void producesAndReadsBackByteForByte(Mode mode, String codec) throws Exception {
        // Goal: every record a real KafkaProducer sends (acks 0/1/all, idempotence on/off, every
        // codec, two topics of three partitions) is on disk in order, byte for byte, at dense
        // offsets from 0, in batches whose CRC kafka-clients validates. Method: explicit partitions
        // and timestamps, then the segments read back with FileRecords.
        final String[] topics =
            {"t-" + mode.name().toLowerCase() + "-" + codec + "-a",
            "t-" + mode.name().toLowerCase() + "-" + codec + "-b"};
        final Map<String, List<Sent>> sent = new HashMap<>();
        final long seed = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(mode, codec)) {
            final List<Future<RecordMetadata>> futures = new ArrayList<>();
            final List<Sent> order = new ArrayList<>();
            for (String topic : topics) {
                final List<Sent> recs = records(seed ^ topic.hashCode(), topic, 150);
                sent.put(topic, recs);
                for (Sent s : recs) {
                    futures.add(producer.send(
                        new ProducerRecord<>(topic, s.partition(), s.timestamp(), s.key(), s.value(),
                        List.of(s.headers()))));
                    order.add(s);
                }
            }
            producer.flush();
            if (mode != Mode.ACKS_0) {
                final int[][] next = new int[topics.length][PARTITIONS];
                for (int i = 0; i < futures.size(); i++) {
                    final RecordMetadata md = futures.get(i).get(30, TimeUnit.SECONDS);
                    final int t = md.topic().equals(topics[0]) ? 0 : 1;
                    assertEquals(next[t][md.partition()]++, md.offset(), "acknowledged offset, seed=" + seed);
                }
            }
        }
        for (String topic : topics) {
            for (int p = 0; p < PARTITIONS; p++) {
                final int partition = p;
                final List<Sent> expected = sent.get(topic).stream().filter(s -> s.partition() == partition)
                    .collect(Collectors.toList());
                final List<StoredRecord> stored = awaitRecords(topic, p, expected.size());
                assertEquals(expected.size(), stored.size(), topic + "-" + p + " record count, seed=" + seed);
                for (int i = 0; i < expected.size(); i++) {
                    final Sent e = expected.get(i);
                    final StoredRecord s = stored.get(i);
                    final String where = topic + "-" + p + " offset " + i + ", seed=" + seed;
                    assertEquals(i, s.offset(), where);
                    assertEquals(e.timestamp(), s.timestamp(), where);
                    assertArrayEquals(e.key(), s.key(), where);
                    assertArrayEquals(e.value(), s.value(), where);
                    assertEquals(e.headers().length, s.headers().size(), where);
                    for (int h = 0; h < e.headers().length; h++) {
                        assertEquals(e.headers()[h].key(), s.headers().get(h).key(), where);
                        assertArrayEquals(e.headers()[h].value(), s.headers().get(h).value(), where);
                    }
                    assertEquals(0, s.partitionLeaderEpoch(), where);
                    assertEquals(mode.idempotent, s.producerId() >= 0, where);
                }
            }
        }
    }

    /** acks=0 gives no completion signal: wait until the broker has the records. */
    List<StoredRecord> awaitRecords(String topic, int partition, int count) throws Exception {
        return Await.until(count + " records in " + topic + "-" + partition, Duration.ofSeconds(20),
            () -> SegmentReader.read(broker.logDir(), topic, partition), r -> r.size() >= count);
    }

    @Test
    void dumpLogSegmentsFindsEveryBatchValidAcrossRolls() throws Exception {
        // Goal: Kafka's own DumpLogSegments reads our .log, .index, .timeindex and .snapshot files
        // (after segment rolls and a clean shutdown) and reports every batch valid, every record
        // present and no index mismatch. Method: a topic with 64 KiB segments, idempotent lz4 and
        // uncompressed producers, then the tool in a separate JVM.
        try (TestBroker b = startBroker("dump-logs")) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap()))) {
                admin.createTopics(List.of(new NewTopic("dump", 2, (short) 1)
                    .configs(Map.of("segment.bytes", "65536"))))
                    .all().get(30, TimeUnit.SECONDS);
            }
            int records = 0;
            for (String codec : List.of("lz4", "none")) {
                final Properties p = new Properties();
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap());
                p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
                p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
                p.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
                try (KafkaProducer<byte[], byte[]> pr =
                        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                    final Random r = new Random(42);
                    for (int i = 0; i < 3000; i++) {
                        pr.send(new ProducerRecord<>("dump", i % 2, ("k" + i).getBytes(),
                            bytes(r, 100 + r.nextInt(200))));
                        records++;
                    }
                    pr.flush();
                }
            }
            b.assertNoLeaks();
            b.close();
            int batches = 0;
            int recordLines = 0;
            for (int partition = 0; partition < 2; partition++) {
                final List<File> files = SegmentReader.allFiles(b.logDir(), "dump", partition);
                assertTrue(files.stream().filter(f -> f.getName().endsWith(".log")).count() > 1,
                    "segments rolled: " + files);
                assertTrue(files.stream().anyMatch(f -> f.getName().endsWith(".snapshot")),
                    "producer snapshots: " + files);
                final String dump = SegmentReader.dumpAndCheck(files, 120);
                batches += (int) dump.lines().filter(l -> l.contains("isvalid: true")).count();
                recordLines += (int) dump.lines().filter(l -> l.startsWith("| offset:")).count();
                assertTrue(dump.contains("producerId"), dump);
            }
            assertTrue(batches > 10, "batches=" + batches);
            assertEquals(records, recordLines, "every record present in DumpLogSegments --deep-iteration");
        }
    }

    @Test
    void producerPerformanceWithDefaultsCompletes() throws Exception {
        // Goal: kafka-producer-perf-test with its default producer settings (idempotent, acks=all)
        // runs against the broker without an error and every record lands. Method: the tool's main
        // class in a separate JVM, 100000 records of 1 KiB.
        final int n = 100_000;
        final ChildJvm.Result res = ChildJvm.run(300, "org.apache.kafka.tools.ProducerPerformance",
            "--topic", "perf-defaults", "--num-records", String.valueOf(n), "--record-size", "1024",
            "--throughput", "-1", "--producer-props", "bootstrap.servers=" + broker.bootstrap());
        assertEquals(0, res.exitCode(), res.output());
        assertTrue(res.output().contains(n + " records sent"), res.output());
        assertFalse(res.output().contains("ERROR"), res.output());
        long total = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            final List<StoredRecord> stored = SegmentReader.read(broker.logDir(), "perf-defaults", p);
            for (int i = 0; i < stored.size(); i++) {
                assertEquals(i, stored.get(i).offset(), "dense offsets in partition " + p);
                assertTrue(stored.get(i).producerId() >= 0, "idempotent batches");
            }
            total += stored.size();
        }
        assertEquals(n, total);
    }

    @Test
    void restartContinuesOffsetsAndLosesNothing() throws Exception {
        // Goal: produce, stop cleanly, start on the same log dir, produce more: offsets continue
        // where they stopped and every record from both runs is there. Method: a broker of its own.
        try (TestBroker b = startBroker("restart-logs")) {
            final List<byte[]> values = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                final Properties p = new Properties();
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap());
                try (KafkaProducer<byte[], byte[]> pr =
                        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                    for (int i = 0; i < 500; i++) {
                        final byte[] v = ("round " + round + " record " + i).getBytes();
                        values.add(v);
                        final RecordMetadata md = pr.send(new ProducerRecord<>("restart", 0, null, v))
                            .get(30, TimeUnit.SECONDS);
                        assertEquals(values.size() - 1, md.offset());
                    }
                }
                b.assertNoLeaks();
                b.restart();
            }
            final List<StoredRecord> stored = SegmentReader.read(b.logDir(), "restart", 0);
            assertEquals(values.size(), stored.size());
            for (int i = 0; i < values.size(); i++) {
                assertEquals(i, stored.get(i).offset());
                assertArrayEquals(values.get(i), stored.get(i).value());
            }
            // Producer ids are never reused across restarts.
            final List<Long> pids = stored.stream().map(StoredRecord::producerId).distinct()
                .collect(Collectors.toList());
            assertEquals(3, pids.size(), pids.toString());
            assertEquals(pids, pids.stream().sorted().collect(Collectors.toList()));
            assertTrue(Collections.min(pids) >= 0);
        }
    }
}
