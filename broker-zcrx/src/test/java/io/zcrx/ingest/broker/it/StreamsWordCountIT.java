package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams, unchanged (Kafka's {@code kafka-streams} jar at kafka-clients' version), against the
 * standalone broker: the word count of Kafka's quickstart, at-least-once, with a {@code groupBy} (a
 * repartition topic) and a {@code count()} (a compacted changelog topic) created by Streams itself.
 * The counts are right; the broker's log cleaner compacts the changelog; after the application is
 * closed, its local state wiped and started again (same application.id: the store is restored from
 * the compacted changelog, offsets with gaps), lines produced meanwhile and after are counted on top;
 * the repartition topic is purged by Streams with DeleteRecords (its log start offsets move up).
 */
class StreamsWordCountIT {
    private static final String APP = "wordcount-it";
    private static final String IN = "words-in";
    private static final String OUT = "words-counts";
    private static final String REPARTITION = APP + "-words-repartition";
    private static final String CHANGELOG = APP + "-counts-changelog";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String[] WORDS = {"kafka", "streams", "broker", "ingest", "log", "topic", "count",
        "record", "batch", "offset"};

    @TempDir
    Path tmp;
    private TestBroker broker;
    private KafkaStreams streams;

    @BeforeEach
    void startBroker() throws IOException {
        broker = TestBroker.start(tmp.resolve("logs"), "nio", "group.initial.rebalance.delay.ms", "0",
            "log.cleaner.backoff.ms", "100");
    }

    @AfterEach
    void stop() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Kafka's quickstart word count, with the repartition topic and the store named. */
    private static Topology topology() {
        final StreamsBuilder b = new StreamsBuilder();
        b.<String, String>stream(IN)
            .flatMapValues(line -> Arrays.asList(line.toLowerCase().split("\\W+")))
            .groupBy((key, word) -> word, Grouped.with("words", Serdes.String(), Serdes.String()))
            // The changelog rolls a segment every 100 ms and is cleaned at any dirty ratio, so the
            // log cleaner compacts it during the test and the restart restores from a log with gaps.
            .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts").withLoggingEnabled(Map.of(
                TopicConfig.SEGMENT_MS_CONFIG, "100", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01")))
            .toStream()
            .to(OUT, Produced.with(Serdes.String(), Serdes.Long()));
        return b.build();
    }

    private Properties streamsSettings() {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("streams-state").toString());
        // replication.factor is left at Streams' default, -1: the internal topics get the broker's
        // default.replication.factor (1 on a single node).
        // Commit (and so purge the repartition topic) often, to see it within the test.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return p;
    }

    /** Starts the application; {@code restored} adds up the changelog records it restores its store from. */
    private KafkaStreams startStreams(AtomicLong restored) throws InterruptedException {
        final KafkaStreams s = new KafkaStreams(topology(), streamsSettings());
        streams = s;
        s.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition tp, String store, long startOffset, long endOffset) {
            }

            @Override
            public void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long numRestored) {
            }

            @Override
            public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
                restored.addAndGet(totalRestored);
            }
        });
        s.start();
        // Stops waiting at ERROR too (the client log says why).
        assertEquals(KafkaStreams.State.RUNNING, Await.until("the Streams application RUNNING", TIMEOUT, s::state,
            st -> st == KafkaStreams.State.RUNNING || st == KafkaStreams.State.ERROR
                || st == KafkaStreams.State.PENDING_ERROR));
        return s;
    }

    /** Produces {@code n} lines of words with a fixed seed; adds each word to {@code expected}. */
    private void produceLines(int from, int n, Map<String, Long> expected) throws Exception {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < from + n; i++) {
                final StringBuilder line = new StringBuilder();
                for (int w = 0; w < 1 + i % 7; w++) {
                    final String word = WORDS[(i * 31 + w * 7) % WORDS.length];
                    line.append(w == 0 ? "" : " ").append(w % 2 == 0 ? word : word.toUpperCase());
                    expected.merge(word, 1L, Long::sum);
                }
                producer.send(new ProducerRecord<>(IN, "line-" + i, line.toString()));
            }
            producer.flush();
        }
    }

    /** Reads the output topic until the latest count of every word equals {@code expected}. */
    private static void awaitCounts(KafkaConsumer<String, Long> consumer, Map<String, Long> latest,
                                    Map<String, Long> expected) throws InterruptedException {
        Await.until("the word counts " + expected, TIMEOUT, () -> {
            for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(100))) {
                latest.put(r.key(), r.value());
            }
            return latest;
        }, expected::equals);
    }

    @Test
    void wordCountIsRightAcrossARestartWithStateRestoredFromTheChangelog() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            // Two input partitions: the words of one partition's lines are counted in the other
            // partition's task too, through the repartition topic.
            admin.createTopics(List.of(new NewTopic(IN, 2, (short) 1), new NewTopic(OUT, 2, (short) 1))).all()
                .get(30, TimeUnit.SECONDS);
            final Map<String, Long> expected = new HashMap<>();
            final Map<String, Long> latest = new HashMap<>();
            final Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "wordcount-reader");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, Long> consumer =
                    new KafkaConsumer<>(cp, new StringDeserializer(), new LongDeserializer())) {
                consumer.subscribe(List.of(OUT));
                final AtomicLong restoredFirst = new AtomicLong();
                KafkaStreams s = startStreams(restoredFirst);
                // In rounds, so the changelog is written over several of its 100 ms segments.
                for (int round = 0; round < 5; round++) {
                    produceLines(round * 100, 100, expected);
                    awaitCounts(consumer, latest, expected);
                }
                assertEquals(0, restoredFirst.get(), "nothing to restore from a new changelog");

                // Streams created its internal topics: the changelog compacted, the repartition
                // topic with delete (it is purged, never compacted).
                final Map<String, TopicDescription> internal = admin.describeTopics(List.of(REPARTITION, CHANGELOG))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
                assertEquals(2, internal.get(REPARTITION).partitions().size());
                assertEquals(2, internal.get(CHANGELOG).partitions().size());
                final ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC, CHANGELOG);
                final ConfigResource repartition = new ConfigResource(ConfigResource.Type.TOPIC, REPARTITION);
                final Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(changelog, repartition))
                    .all().get(30, TimeUnit.SECONDS);
                assertEquals("compact", configs.get(changelog).get("cleanup.policy").value());
                assertEquals("delete", configs.get(repartition).get("cleanup.policy").value());

                // The cleaner compacted the changelog: fewer records than offsets.
                Await.until("the changelog compacted ([records, offsets])", TIMEOUT,
                    () -> recordsAndOffsets(CHANGELOG, 2), ro -> ro.get(0) < ro.get(1));

                // Streams deletes the repartition records it has committed (Admin.deleteRecords after
                // a commit): the log start offset of each repartition partition moves above 0.
                Await.until("the repartition topic purged by DeleteRecords", TIMEOUT,
                    () -> earliest(admin, REPARTITION, 2), starts -> starts.stream().allMatch(o -> o > 0));

                // Closed, local state wiped: the restarted application restores the store from the
                // changelog and counts the lines produced while it was down on top.
                // Streams stays in its group on close by default (the next start would wait out the
                // old member's session timeout): leaving makes the restart rebalance at once.
                assertTrue(s.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30))), "closed in time");
                s.cleanUp();
                produceLines(500, 200, expected);
                final AtomicLong restored = new AtomicLong();
                s = startStreams(restored);
                // Every word's count came back from the changelog (at least its latest record).
                Await.until("every word's count restored from the changelog", TIMEOUT, restored::get,
                    n -> n >= WORDS.length);
                produceLines(700, 300, expected);
                awaitCounts(consumer, latest, expected);
                assertTrue(expected.values().stream().mapToLong(Long::longValue).sum() > 1000);
            }
        }
    }

    /** [records, offsets]: the records a consumer reads from the whole topic and the offsets they span. */
    private List<Long> recordsAndOffsets(String topic, int partitions) {
        final List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        final Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.assign(tps);
            c.seekToBeginning(tps);
            final Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
            final Map<TopicPartition, Long> end = c.endOffsets(tps);
            long records = 0;
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                records += c.poll(Duration.ofMillis(100)).count();
            }
            long offsets = 0;
            for (TopicPartition tp : tps) {
                offsets += end.get(tp) - begin.get(tp);
            }
            return List.of(records, offsets);
        }
    }

    private static List<Long> earliest(Admin admin, String topic, int partitions) throws Exception {
        final Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            q.put(new TopicPartition(topic, i), OffsetSpec.earliest());
        }
        final List<Long> out = new ArrayList<>();
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> res = admin.listOffsets(q).all()
            .get(30, TimeUnit.SECONDS);
        for (int i = 0; i < partitions; i++) {
            out.add(res.get(new TopicPartition(topic, i)).offset());
        }
        return out;
    }
}
