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
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams, unchanged (Kafka's {@code kafka-streams} jar at kafka-clients' version), against the
 * standalone broker: the word count of Kafka's quickstart, at-least-once, with a {@code groupBy} (a
 * repartition topic) and a {@code count()} (a compacted changelog topic) created by Streams itself.
 * The counts are right; after the application is closed, its local state wiped and started again
 * (same application.id: the store is restored from the changelog), lines produced meanwhile and
 * after are counted on top; the repartition topic is purged by Streams with DeleteRecords.
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
        broker = TestBroker.start(tmp.resolve("logs"), "nio", "group.initial.rebalance.delay.ms", "0");
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
            .count(Materialized.as("counts"))
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
        // One broker: internal topics with one replica (Streams' default -1 takes the broker's default).
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // Commit (and so purge the repartition topic) often, to see it within the test.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return p;
    }

    private KafkaStreams startStreams() throws InterruptedException {
        final KafkaStreams s = new KafkaStreams(topology(), streamsSettings());
        streams = s;
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
                KafkaStreams s = startStreams();
                produceLines(0, 500, expected);
                awaitCounts(consumer, latest, expected);

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

                // Streams deletes the repartition records it has committed (Admin.deleteRecords after
                // a commit): the log start offset of each repartition partition moves above 0.
                Await.until("the repartition topic purged by DeleteRecords", TIMEOUT,
                    () -> earliest(admin, REPARTITION, 2), starts -> starts.stream().allMatch(o -> o > 0));

                // Closed, local state wiped: the restarted application restores the store from the
                // changelog and counts the lines produced while it was down on top.
                s.close(Duration.ofSeconds(30));
                s.cleanUp();
                produceLines(500, 200, expected);
                s = startStreams();
                produceLines(700, 300, expected);
                awaitCounts(consumer, latest, expected);
                assertTrue(expected.values().stream().mapToLong(Long::longValue).sum() > 1000);
            }
        }
    }

    private static List<Long> earliest(Admin admin, String topic, int partitions) throws Exception {
        final Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            q.put(new TopicPartition(topic, i), OffsetSpec.earliest());
        }
        final List<Long> out = new ArrayList<>();
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> res = admin.listOffsets(q).all().get(30, TimeUnit.SECONDS);
        for (int i = 0; i < partitions; i++) {
            out.add(res.get(new TopicPartition(topic, i)).offset());
        }
        return out;
    }
}
