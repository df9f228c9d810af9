package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15's admin tools in cluster mode: an Apache Kafka 4.4 controller and two of our brokers, a topic with
 * replicas [1, 2] led by broker 1, each tool run from Kafka's distribution in a child JVM. {@code
 * kafka-delete-records} answers only once the follower's log start followed (Kafka's {@code DelayedDeleteRecords});
 * {@code kafka-configs} changes a topic (forwarded to the controller), the brokers' cluster default and one broker's
 * own layer (forwarded after this broker's check, applied by each broker from the metadata log, shown by
 * DescribeConfigs with Kafka's sources) and refuses a read-only broker key; {@code kafka-log-dirs --describe} lists
 * both brokers' replicas.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AdminToolsClusterIT {
    private static final String CONFIG_COMMAND = "org.apache.kafka.tools.ConfigCommand";
    private static final String DELETE_RECORDS_COMMAND = "org.apache.kafka.tools.DeleteRecordsCommand";
    private static final String LOG_DIRS_COMMAND = "org.apache.kafka.tools.LogDirsCommand";
    private static final String TOPIC = "purge";
    private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.log");

    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess leader;
    private static ZcrxBrokerProcess follower;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(AdminToolsClusterIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of());
        // Segments removed at once (no .deleted files): the follower's directory shows its log start.
        leader = fixture.startZcrxBroker(1, Map.of("log.segment.delete.delay.ms", "0"));
        follower = fixture.startZcrxBroker(2, Map.of("log.segment.delete.delay.ms", "0"));
        ClusterClients.awaitBrokers(leader.bootstrap(), Set.of(1, 2));
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2)))
                .configs(Map.of("segment.bytes", "1048576")))).all().get();
            Await.until("the ISR of " + TOPIC + " to be [1, 2]", ClusterClients.TIMEOUT,
                () -> isr(admin), l -> l.equals(List.of(1, 2)));
            assertEquals(Map.of(0, 1), ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1)));
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String bootstrap() {
        return leader.bootstrap() + "," + follower.bootstrap();
    }

    private static List<Integer> isr(Admin admin) {
        try {
            return ClusterClients.isr(admin, TOPIC, 0).stream().sorted().toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static KafkaTools.Result tool(String mainClass, String... args) throws Exception {
        return fixture.tools().run(mainClass, List.of(args));
    }

    /** The base offsets of {@code dir}'s segment files (.log only: a deleted segment is gone or renamed). */
    private static List<Long> segmentBases(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> SEGMENT.matcher(f.getFileName().toString())).filter(Matcher::matches)
                .map(m -> Long.parseLong(m.group(1))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Broker {@code id}'s description of its own setting {@code key}. */
    private static ConfigEntry brokerSetting(Admin admin, int id, String key) {
        final ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(id));
        try {
            return admin.describeConfigs(List.of(r)).all().get().get(r).get(key);
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // Goal: kafka-delete-records moves the log start on both replicas, and answers only once the follower's moved
    // too: right after the tool's answer the follower's segments below the offset are gone (without the wait the
    // answer leaves before the follower's next fetch and they are still there), and the earliest offset is 60.
    @Test
    void deleteRecordsWaitsForTheFollowersLogStart() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = ClusterClients.producer(leader.bootstrap())) {
            for (int i = 0; i < 100; i++) {
                // One batch per record (sent and acknowledged one by one): a 1 MiB segment (the controller's
                // minimum) holds some 34 of them, so offset 60 lies in the second segment.
                p.send(new ProducerRecord<>(TOPIC, 0, null, new byte[30_000])).get();
            }
        }
        final Path followerDir = follower.logDir().resolve(TOPIC + "-0");
        Await.until("the follower to copy all 100 records in several segments", ClusterClients.TIMEOUT,
            () -> segmentBases(followerDir), b -> b.size() > 2 && b.get(b.size() - 1) > 60);
        final Path json = Files.createTempFile("zcrx-delete-records", ".json");
        Files.writeString(json, "{\"partitions\":[{\"topic\":\"" + TOPIC + "\",\"partition\":0,\"offset\":60}],"
            + "\"version\":1}");
        final String out = tool(DELETE_RECORDS_COMMAND, "--bootstrap-server", bootstrap(), "--offset-json-file",
            json.toString()).ok();
        Files.delete(json);
        assertTrue(out.contains("partition: " + TOPIC + "-0\tlow_watermark: 60"), out);
        final List<Long> followerBases = segmentBases(followerDir);
        assertTrue(followerBases.get(0) > 0 && followerBases.get(0) <= 60 && followerBases.get(1) > 60,
            "the follower's segments when the answer came: " + followerBases);
        final List<Long> leaderBases = segmentBases(leader.logDir().resolve(TOPIC + "-0"));
        assertTrue(leaderBases.get(0) > 0 && leaderBases.get(0) <= 60, "the leader's segments: " + leaderBases);
        final TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            assertEquals(60L, admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get()
                .offset());
        }
    }

    // Goal: kafka-configs in cluster mode: a topic setting goes through the controller and is shown; the brokers'
    // cluster default reaches both brokers from the metadata log (DescribeConfigs on each: the new value,
    // DYNAMIC_DEFAULT_BROKER_CONFIG); one broker's own setting reaches that broker only (DYNAMIC_BROKER_CONFIG); a
    // read-only broker key is refused before it reaches the controller.
    @Test
    void kafkaConfigsAltersTopicsAndBrokerSettingsThroughTheController() throws Exception {
        final String b = bootstrap();
        final String altered = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--alter", "--entity-type", "topics",
            "--entity-name", TOPIC, "--add-config", "retention.ms=12345").ok();
        assertTrue(altered.contains("Completed updating config for topic " + TOPIC + "."), altered);
        Await.until("the topic's describe to show retention.ms=12345", ClusterClients.TIMEOUT,
            () -> tool(CONFIG_COMMAND, "--bootstrap-server", b, "--describe", "--entity-type", "topics",
                "--entity-name", TOPIC).ok(), s -> s.contains("retention.ms=12345"));

        final String defaults = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--alter", "--entity-type", "brokers",
            "--entity-default", "--add-config", "log.retention.ms=7200000").ok();
        assertTrue(defaults.contains("Completed updating default config for brokers in the cluster."), defaults);
        final String perBroker = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--alter", "--entity-type",
            "brokers", "--entity-name", "2", "--add-config", "log.retention.bytes=1073741824").ok();
        assertTrue(perBroker.contains("Completed updating config for broker 2."), perBroker);
        try (Admin admin = ClusterClients.admin(b)) {
            for (int id : new int[] {1, 2}) {
                final ConfigEntry e = Await.until("broker " + id + " to apply the cluster default",
                    ClusterClients.TIMEOUT, () -> brokerSetting(admin, id, "log.retention.ms"),
                    c -> "7200000".equals(c.value()));
                assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, e.source(), "broker " + id);
            }
            final ConfigEntry own = Await.until("broker 2 to apply its own setting", ClusterClients.TIMEOUT,
                () -> brokerSetting(admin, 2, "log.retention.bytes"), c -> "1073741824".equals(c.value()));
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, own.source());
            assertNotEquals("1073741824", brokerSetting(admin, 1, "log.retention.bytes").value(),
                "broker 2's own setting is not broker 1's");
        }
        final String describeDefault = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--describe", "--entity-type",
            "brokers", "--entity-default").ok();
        assertTrue(describeDefault.contains("log.retention.ms=7200000"), describeDefault);

        final KafkaTools.Result readOnly = tool(CONFIG_COMMAND, "--bootstrap-server", b, "--alter", "--entity-type",
            "brokers", "--entity-default", "--add-config", "log.cleaner.enable=false");
        assertNotEquals(0, readOnly.exitCode(), readOnly.output());
        assertTrue(readOnly.output().contains("Cannot update these configs dynamically"), readOnly.output());
    }

    // Goal: kafka-log-dirs --describe asks both brokers and lists the partition's replica on each.
    @Test
    void kafkaLogDirsListsBothBrokersReplicas() throws Exception {
        final String out = tool(LOG_DIRS_COMMAND, "--bootstrap-server", bootstrap(), "--describe", "--topic-list",
            TOPIC).ok();
        for (ZcrxBrokerProcess broker : List.of(leader, follower)) {
            final String dir = broker.logDir().toAbsolutePath().normalize().toString();
            assertTrue(out.contains("\"logDir\":\"" + dir + "\""), out);
        }
        assertEquals(2, out.split("\"partition\":\"" + TOPIC + "-0\"", -1).length - 1, out);
        assertTrue(out.contains("\"broker\":1,") && out.contains("\"broker\":2,"), out);
    }
}
