package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Kafka's admin tools of issue 15 against a standalone broker (in this JVM, NIO), each run from Apache Kafka's
 * distribution in a child JVM as a user runs it: {@code kafka-delete-records}, {@code kafka-configs}
 * ({@code --alter}/{@code --describe} of topics, the brokers' default and this broker), {@code kafka-log-dirs
 * --describe} and {@code kafka-transactions describe-producers}; the effects are checked again through the admin
 * client, the log itself and a restart. In this package for the distribution's tools ({@link KafkaTools}:
 * {@code kafka-configs} lives in kafka-tools from 4.4 only).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminToolsIT {
    private static final String CONFIG_COMMAND = "org.apache.kafka.tools.ConfigCommand";
    private static final String DELETE_RECORDS_COMMAND = "org.apache.kafka.tools.DeleteRecordsCommand";
    private static final String LOG_DIRS_COMMAND = "org.apache.kafka.tools.LogDirsCommand";
    private static final String TRANSACTIONS_COMMAND = "org.apache.kafka.tools.TransactionsCommand";

    private Path tmp;
    private TestBroker broker;
    private KafkaTools tools;

    @BeforeAll
    void start() throws Exception {
        final KafkaDistribution dist = KafkaDistribution.require();
        tmp = Files.createTempDirectory("zcrx-AdminToolsIT");
        tools = new KafkaTools(dist, tmp.resolve("tools"));
        broker = TestBroker.start(tmp.resolve("logs"), "nio", "node.id", "0", "log.segment.delete.delay.ms", "0");
    }

    @AfterAll
    void stop() throws IOException {
        if (broker != null) {
            broker.close();
        }
        if (tmp != null) {
            TestBroker.deleteRecursively(tmp);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()));
    }

    private String tool(String mainClass, String... args) throws Exception {
        return tools.run(mainClass, List.of(args)).ok();
    }

    private KafkaTools.Result toolResult(String mainClass, String... args) throws Exception {
        return tools.run(mainClass, List.of(args));
    }

    private void produce(String topic, int count, int valueBytes, boolean idempotent) throws Exception {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(idempotent));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> pr = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                // One batch per record (sent and acknowledged one by one): small segments fill up record by record.
                pr.send(new ProducerRecord<>(topic, 0, null, new byte[valueBytes])).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private long earliest(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get(30, TimeUnit.SECONDS)
            .offset();
    }

    @Test
    void kafkaDeleteRecordsMovesTheLogStartForReadersAndRestarts() throws Exception {
        // Goal: kafka-delete-records moves the log start (answered as the low watermark), readers start there,
        // the segments below it go, a restart keeps it, -1 means the high watermark, beyond it is out of range.
        final TopicPartition tp = new TopicPartition("purge", 0);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("purge", 1, (short) 1).configs(Map.of("segment.bytes", "1024"))))
                .all().get(30, TimeUnit.SECONDS);
        }
        produce("purge", 100, 100, false);
        final Path json = tmp.resolve("delete.json");
        Files.writeString(json, "{\"partitions\":[{\"topic\":\"purge\",\"partition\":0,\"offset\":60}],\"version\":1}");
        final String out = tool(DELETE_RECORDS_COMMAND, "--bootstrap-server", broker.bootstrap(),
            "--offset-json-file", json.toString());
        assertTrue(out.contains("partition: purge-0\tlow_watermark: 60"), out);
        final PartitionLog log = broker.broker().logs().partition("purge", 0);
        assertEquals(60L, log.logStartOffset());
        final long[] bases = log.segmentBaseOffsets();
        assertTrue(bases.length > 1 && bases[0] <= 60 && bases[1] > 60, "segments below the log start remain: "
            + Arrays.toString(bases));
        try (Stream<Path> files = Files.list(log.dir())) {
            assertEquals(bases.length, files.filter(f -> f.toString().endsWith(".log")).count(),
                "segment files of deleted segments left behind");
        }
        try (Admin admin = admin()) {
            assertEquals(60L, earliest(admin, tp));
            final ExecutionException beyond = assertThrows(ExecutionException.class, () -> admin.deleteRecords(
                Map.of(tp, RecordsToDelete.beforeOffset(101))).lowWatermarks().get(tp).get(30, TimeUnit.SECONDS));
            assertInstanceOf(OffsetOutOfRangeException.class, beyond.getCause());
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrap(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seek(tp, 10);
            ConsumerRecords<byte[], byte[]> records = ConsumerRecords.empty();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = c.poll(Duration.ofMillis(200));
            }
            // Offset 10 is below the log start: OFFSET_OUT_OF_RANGE, reset to earliest, which is 60.
            assertEquals(60L, records.iterator().next().offset());
        }
        broker.restart();
        try (Admin admin = admin()) {
            assertEquals(60L, earliest(admin, tp), "the log start survives a restart");
            assertEquals(100L, admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1L))).lowWatermarks()
                .get(tp).get(30, TimeUnit.SECONDS).lowWatermark(), "-1 deletes up to the high watermark");
            assertEquals(100L, earliest(admin, tp));
        }
    }

    @Test
    void kafkaConfigsAltersAndDescribesTopicAndBrokerSettings() throws Exception {
        // Goal: kafka-configs changes a topic's setting and the brokers' default live (the log applies it), shows
        // them with their sources, refuses a read-only broker setting, and the changes survive a restart.
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("cfg", 1, (short) 1), new NewTopic("plain", 1, (short) 1)))
                .all().get(30, TimeUnit.SECONDS);
        }
        final String b = broker.bootstrap();
        final String altered = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--alter", "--entity-type", "topics",
            "--entity-name", "cfg", "--add-config", "retention.ms=12345,segment.bytes=2048");
        assertTrue(altered.contains("Completed updating config for topic cfg."), altered);
        final String topicDescribe = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--describe", "--entity-type",
            "topics", "--entity-name", "cfg");
        assertTrue(topicDescribe.contains("retention.ms=12345"), topicDescribe);
        assertEquals(12345L, broker.broker().logs().partition("cfg", 0).config().retentionMs, "applied live");
        assertEquals(2048, broker.broker().logs().partition("cfg", 0).config().segmentBytes, "applied live");

        final String defaults = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--alter", "--entity-type", "brokers",
            "--entity-default", "--add-config", "log.retention.ms=7200000");
        assertTrue(defaults.contains("Completed updating default config for brokers in the cluster."), defaults);
        assertEquals(7200000L, broker.broker().logs().partition("plain", 0).config().retentionMs,
            "a topic without its own retention.ms follows the new broker default");
        assertEquals(12345L, broker.broker().logs().partition("cfg", 0).config().retentionMs,
            "the topic's own setting stays");
        final String defaultDescribe = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--describe", "--entity-type",
            "brokers", "--entity-default");
        assertTrue(defaultDescribe.contains("log.retention.ms=7200000"), defaultDescribe);
        tool(CONFIG_COMMAND, "--bootstrap-server", b, "--alter", "--entity-type", "brokers", "--entity-name", "0",
            "--add-config", "log.retention.bytes=1073741824");
        final String brokerDescribe = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--describe", "--entity-type",
            "brokers", "--entity-name", "0");
        assertTrue(brokerDescribe.contains("log.retention.bytes=1073741824"), brokerDescribe);
        final KafkaTools.Result readOnly = toolResult(CONFIG_COMMAND, "--bootstrap-server", b, "--alter",
            "--entity-type", "brokers", "--entity-name", "0", "--add-config", "num.partitions=3");
        assertNotEquals(0, readOnly.exitCode(), readOnly.output());
        assertTrue(readOnly.output().contains("Cannot update these configs dynamically: [num.partitions]"),
            readOnly.output());

        broker.restart();
        try (Admin admin = admin()) {
            final Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(
                new ConfigResource(ConfigResource.Type.TOPIC, "cfg"),
                new ConfigResource(ConfigResource.Type.TOPIC, "plain"),
                new ConfigResource(ConfigResource.Type.BROKER, "0"))).all().get(30, TimeUnit.SECONDS);
            final ConfigEntry own =
                configs.get(new ConfigResource(ConfigResource.Type.TOPIC, "cfg")).get("retention.ms");
            assertEquals("12345", own.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, own.source());
            final ConfigEntry inherited =
                configs.get(new ConfigResource(ConfigResource.Type.TOPIC, "plain")).get("retention.ms");
            assertEquals("7200000", inherited.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, inherited.source());
            final Config brokerConfig = configs.get(new ConfigResource(ConfigResource.Type.BROKER, "0"));
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG,
                brokerConfig.get("log.retention.bytes").source());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                brokerConfig.get("log.retention.ms").source());
            assertTrue(brokerConfig.get("num.partitions").isReadOnly());
        }
        assertEquals(7200000L, broker.broker().logs().partition("plain", 0).config().retentionMs,
            "the broker default is applied again after a restart");
        tool(CONFIG_COMMAND, "--bootstrap-server", broker.bootstrap(), "--alter", "--entity-type", "topics",
            "--entity-name", "cfg", "--delete-config", "retention.ms");
        assertEquals(7200000L, broker.broker().logs().partition("cfg", 0).config().retentionMs,
            "deleting the override falls back to the broker default");
    }

    @Test
    void kafkaLogDirsDescribesPartitionSizes() throws Exception {
        // Goal: kafka-log-dirs --describe lists the log dir with each partition's size (what the log holds) and
        // offset lag 0.
        produce("dirs", 10, 100, false);
        final String out = tool(LOG_DIRS_COMMAND, "--bootstrap-server", broker.bootstrap(), "--describe",
            "--topic-list", "dirs");
        final long size = broker.broker().logs().partition("dirs", 0).sizeInBytes();
        assertTrue(size > 1000, "size " + size);
        assertTrue(out.contains("\"partition\":\"dirs-0\",\"size\":" + size + ",\"offsetLag\":0,\"isFuture\":false"),
            out);
        assertTrue(out.contains("\"logDir\":\"" + broker.logDir().toAbsolutePath().normalize() + "\""), out);
    }

    @Test
    void kafkaTransactionsDescribeProducersShowsIdempotentProducers() throws Exception {
        // Goal: kafka-transactions describe-producers shows the idempotent producer that wrote to the partition
        // (its id, epoch 0, coordinator epoch -1, last sequence 4 after 5 batches), as the admin client sees it too.
        produce("idem", 5, 10, true);
        final ProducerState p;
        try (Admin admin = admin()) {
            final List<ProducerState> all = admin.describeProducers(List.of(new TopicPartition("idem", 0)))
                .partitionResult(new TopicPartition("idem", 0)).get(30, TimeUnit.SECONDS).activeProducers();
            assertEquals(1, all.size(), all.toString());
            p = all.get(0);
            assertEquals(4, p.lastSequence());
            assertEquals(0, p.producerEpoch());
            assertTrue(p.coordinatorEpoch().isEmpty() && p.currentTransactionStartOffset().isEmpty(), p.toString());
            assertTrue(admin.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS).isEmpty());
        }
        final String out = tool(TRANSACTIONS_COMMAND, "--bootstrap-server", broker.bootstrap(), "describe-producers",
            "--topic", "idem", "--partition", "0");
        final Matcher m = Pattern.compile("(?m)^" + p.producerId() + "\\s+0\\s+-1\\s+4\\s+").matcher(out);
        assertTrue(m.find(), out);
    }
}
