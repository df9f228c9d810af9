package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.request.FetchWaiters;
import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.ChildJvm;
import io.zcrx.ingest.broker.testkit.RawClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The read path, transport-neutral: the real Java consumer (assign and subscribe), Kafka's
 * console consumer in a child JVM, and raw Fetch requests for the protocol edges (long poll woken
 * by an append, out-of-range offsets, declined sessions), plus retention seen from a consumer.
 * Records are compared with what was produced, byte for byte, in order.
 */
public abstract class AbstractConsumerIT extends SharedBrokerSuite {

    @Override
    protected String[] brokerSettings() {
        return new String[] {"num.partitions", "3",
            "group.initial.rebalance.delay.ms", "0", "log.retention.check.interval.ms", "200"};
    }

    record Sent(int partition, byte[] key, byte[] value) {
    }

    List<Sent> produce(String topic, int partitions, int count, long seed, String codec) throws Exception {
        final Random r = new Random(seed);
        final List<Sent> sent = new ArrayList<>();
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> pr =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                final byte[] key = r.nextInt(4) == 0 ? null : ("k" + i).getBytes();
                final byte[] value = new byte[r.nextInt(r.nextInt(10) == 0 ? 20_000 : 400)];
                r.nextBytes(value);
                final Sent s = new Sent(i % partitions, key, value);
                sent.add(s);
                pr.send(new ProducerRecord<>(topic, s.partition(), key, value));
            }
            pr.flush();
        }
        return sent;
    }

    KafkaConsumer<byte[], byte[]> consumer(String group, Map<String, Object> extra) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536");
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        c.putAll(extra);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls until {@code count} records arrived (or 60 s passed), returning them per partition in order. */
    static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> pollAll(KafkaConsumer<byte[], byte[]> c, int count) {
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> got = new HashMap<>();
        int n = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (n < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                got.computeIfAbsent(rec.partition(), k -> new ArrayList<>()).add(rec);
                n++;
            }
        }
        return got;
    }

    static void assertSame(List<Sent> sent, Map<Integer, List<ConsumerRecord<byte[], byte[]>>> got, int partitions,
                           String where) {
        for (int p = 0; p < partitions; p++) {
            final int partition = p;
            final List<Sent> expected = sent.stream().filter(s -> s.partition() == partition).toList();
            final List<ConsumerRecord<byte[], byte[]>> actual = got.getOrDefault(p, List.of());
            assertEquals(expected.size(), actual.size(), where + ": records in partition " + p);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(i, actual.get(i).offset(), where + ": offset in partition " + p);
                assertArrayEquals(expected.get(i).key(), actual.get(i).key(), where + ": key at " + p + "/" + i);
                assertArrayEquals(expected.get(i).value(), actual.get(i).value(), where + ": value at " + p + "/" + i);
            }
        }
    }

    @Test
    void assignModeReadsEverythingByteForByte() throws Exception {
        // Goal: the Java consumer in assign mode reads back every record of three partitions, in
        // order, byte for byte, across compressed and plain batches and records larger than the
        // partition fetch size (KIP-74: a whole batch still comes). Method: 3000 records, lz4 then
        // none, assign + seekToBeginning, compare with what was sent.
        final List<Sent> sent = new ArrayList<>(produce("assign", 3, 1500, 1, "lz4"));
        sent.addAll(produce("assign", 3, 1500, 2, "none"));
        try (KafkaConsumer<byte[], byte[]> c = consumer(null, Map.of())) {
            final List<TopicPartition> tps = List.of(new TopicPartition("assign", 0), new TopicPartition("assign", 1),
                new TopicPartition("assign", 2));
            c.assign(tps);
            c.seekToBeginning(tps);
            assertSame(sent, pollAll(c, sent.size()), 3, "assign");
            final Map<TopicPartition, Long> end = c.endOffsets(tps);
            for (int p = 0; p < 3; p++) {
                assertEquals(1000L, end.get(tps.get(p)), "end offset of partition " + p);
            }
        }
    }

    @Test
    void subscribeModeReadsEverythingAndCommits() throws Exception {
        // Goal: a consumer in a group (subscribe, classic protocol) gets all partitions, reads every
        // record and its committed offsets are the end offsets. Method: one member, commitSync.
        final List<Sent> sent = produce("subscribed", 3, 900, 3, "zstd");
        try (KafkaConsumer<byte[], byte[]> c =
                consumer("g-sub", Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"))) {
            c.subscribe(List.of("subscribed"));
            assertSame(sent, pollAll(c, sent.size()), 3, "subscribe");
            c.commitSync();
            for (int p = 0; p < 3; p++) {
                assertEquals(300L, c.committed(Set.of(new TopicPartition("subscribed", p)))
                    .get(new TopicPartition("subscribed", p)).offset());
            }
        }
    }

    @Test
    void consoleConsumerFromBeginningWithAndWithoutGroup() throws Exception {
        // Goal: kafka-console-consumer --from-beginning prints every value, with --group (subscribe,
        // offsets committed) and without (assign). Method: the tool's main class in a child JVM with
        // --max-messages, then the group's committed offsets through the admin client.
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (KafkaProducer<byte[], byte[]> pr =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 20; i++) {
                pr.send(new ProducerRecord<>("console", 0, null, ("line-" + i).getBytes()));
            }
        }
        for (String[] extra : List.of(new String[0], new String[] {"--group", "console-group"})) {
            final List<String> args =
                new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap(), "--topic", "console",
                "--from-beginning", "--max-messages", "20", "--timeout-ms", "60000"));
            args.addAll(List.of(extra));
            final ChildJvm.Result res = ChildJvm.run(120, "org.apache.kafka.tools.consumer.ConsoleConsumer",
                args.toArray(new String[0]));
            assertEquals(0, res.exitCode(), res.output());
            final List<String> lines = res.output().lines().filter(l -> l.startsWith("line-")).toList();
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add("line-" + i);
            }
            assertEquals(expected, lines, res.output());
            assertTrue(res.output().contains("Processed a total of 20 messages"), res.output());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            final long committed = admin.listConsumerGroupOffsets("console-group").partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(new TopicPartition("console", 0)).offset();
            assertEquals(20L, committed, "the console consumer committed on exit");
        }
    }

    @Test
    void longPollIsWokenByAnAppend() throws Exception {
        // Goal: a Fetch with nothing to return waits (it is not answered empty at once) and an
        // append to its partition answers it with the new record, long before max.wait.ms (60 s,
        // far beyond the client's 10 s read timeout, so only the wake-up can answer in time).
        // Method: raw Fetch v12 (the last version that names topics rather than topic ids) at the
        // log end; once the broker has parked it (a registered fetch waiter), a produce.
        final int maxWaitMs = 60_000;
        produce("poll", 1, 1, 4, "none");
        final FetchWaiters waiters = broker.broker().context().fetchWaiters();
        // Earlier tests' consumers are closed, but their connections may still be going away.
        Await.until("no long poll parked before this test's", () -> waiters.registered() == 0);
        try (RawClient raw = new RawClient(broker.port())) {
            final var req = FetchRequest.Builder.forConsumer((short) 12, maxWaitMs, 1,
                Map.of(new TopicPartition("poll", 0), new FetchRequest.PartitionData(
                    Uuid.ZERO_UUID, 1L, -1L, 1 << 20, Optional.empty())));
            final var header = raw.send(req.build((short) 12), (short) 12);
            Await.until("the Fetch to be parked on the broker, waiting for data", () -> waiters.registered() == 1);
            final long appendNs = System.nanoTime();
            produce("poll", 1, 1, 5, "none");
            final FetchResponse resp = (FetchResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(raw.readFrame()),
                header);
            final long answeredAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - appendNs);
            assertTrue(answeredAfterMs < maxWaitMs, "answered by the append, not at max.wait.ms: " + answeredAfterMs
                + " ms after it");
            final FetchResponseData.PartitionData pd = resp.data().responses().get(0).partitions().get(0);
            assertEquals(Errors.NONE.code(), pd.errorCode());
            assertEquals(2L, pd.highWatermark());
            final List<RecordBatch> batches = new ArrayList<>();
            ((Records) pd.records()).batches().forEach(batches::add);
            assertEquals(1, batches.size());
            assertEquals(1L, batches.get(0).baseOffset());
            assertEquals(0, resp.data().sessionId(), "sessions are declined");
        }
        assertEquals(0, waiters.registered(), "the long poll unregistered");
    }

    @Test
    void fetchErrorsOutOfRangeAndUnknownSession() throws Exception {
        // Goal: protocol edges: an offset past the log end is OFFSET_OUT_OF_RANGE (offset == end is
        // an empty answer), an unknown topic is UNKNOWN_TOPIC_OR_PARTITION, a request naming a
        // fetch session gets FETCH_SESSION_ID_NOT_FOUND, and a full response lists exactly the
        // requested partitions. Method: raw Fetch v12.
        produce("edges", 1, 3, 6, "none");
        try (RawClient raw = new RawClient(broker.port())) {
            final Map<TopicPartition, FetchRequest.PartitionData> parts = new LinkedHashMap<>();
            parts.put(new TopicPartition("edges", 0), pd(99));
            parts.put(new TopicPartition("nosuch", 0), pd(0));
            parts.put(new TopicPartition("edges", 7), pd(0));
            final FetchResponse r =
                raw.roundTrip(FetchRequest.Builder.forConsumer((short) 12, 0, 1, parts), (short) 12);
            assertEquals(3, r.data().responses().stream().mapToInt(t -> t.partitions().size()).sum());
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(),
                r.data().responses().get(0).partitions().get(0).errorCode());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                r.data().responses().get(1).partitions().get(0).errorCode());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                r.data().responses().get(2).partitions().get(0).errorCode());
            final FetchResponse atEnd = raw.roundTrip(FetchRequest.Builder.forConsumer((short) 12, 0, 1,
                Map.of(new TopicPartition("edges", 0), pd(3))), (short) 12);
            final FetchResponseData.PartitionData end = atEnd.data().responses().get(0).partitions().get(0);
            assertEquals(Errors.NONE.code(), end.errorCode());
            assertEquals(0, end.records().sizeInBytes());
            assertEquals(3L, end.highWatermark());
            final FetchResponse session = raw.roundTrip(FetchRequest.Builder.forConsumer((short) 12, 0, 1,
                Map.of(new TopicPartition("edges", 0), pd(0))).metadata(
                    new FetchMetadata(1234, 1)), (short) 12);
            assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND, session.error());
        }
    }

    private static FetchRequest.PartitionData pd(long offset) {
        return new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, -1L, 1 << 20, Optional.empty());
    }

    @Test
    void retentionDeletesOldSegmentsAndConsumersStartAtTheNewLogStart() throws Exception {
        // Goal: retention.bytes (a per-topic override at create time) deletes whole old segments on
        // the background task; ListOffsets EARLIEST reports the new log start and a consumer from
        // earliest starts there. Method: 32 KiB segments, retention.bytes 64 KiB, 200 ms checks.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("retained", 1, (short) 1).configs(Map.of("segment.bytes", "32768",
                "retention.bytes", "65536")))).all().get(30, TimeUnit.SECONDS);
            final List<Sent> sent = produce("retained", 1, 1000, 7, "none");
            final TopicPartition tp = new TopicPartition("retained", 0);
            // Retention may run while the records are still arriving, so the log start moves in
            // steps: wait until it is past 0 and has stayed put for several retention passes (200 ms
            // each). Staying put is the only sign that retention has nothing left to delete.
            final Settled settled = new Settled(Duration.ofMillis(700));
            final long start = Await.until("retention to advance the log start offset and settle",
                Duration.ofSeconds(30),
                () -> admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get(30, TimeUnit.SECONDS).get(tp)
                    .offset(), offset -> offset > 0 && settled.test(offset));
            assertEquals(1000L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset());
            try (KafkaConsumer<byte[], byte[]> c = consumer(null, Map.of())) {
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                final List<ConsumerRecord<byte[], byte[]>> got = pollAll(c, (int) (1000 - start)).get(0);
                assertEquals(start, got.get(0).offset(), "the consumer starts at the new log start");
                assertEquals(1000 - start, got.size());
                for (ConsumerRecord<byte[], byte[]> rec : got) {
                    assertArrayEquals(sent.get((int) rec.offset()).value(), rec.value());
                }
            }
        }
    }

    /** True once the same value has been seen for at least {@code window} (a quiescence check). */
    private static final class Settled implements Predicate<Long> {
        private final long windowNs;
        private long value = Long.MIN_VALUE;
        private long sinceNs;

        Settled(Duration window) {
            this.windowNs = window.toNanos();
        }

        @Override
        public boolean test(Long seen) {
            final long now = System.nanoTime();
            if (seen != value) {
                value = seen;
                sinceNs = now;
            }
            return now - sinceNs >= windowNs;
        }
    }
}
