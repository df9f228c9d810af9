package io.zcrx.ingest.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.it.cluster.ClusterFixture;
import io.zcrx.ingest.broker.it.cluster.ControllerFeatures;
import io.zcrx.ingest.broker.it.cluster.KafkaController;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metrics.Gauge;
import io.zcrx.ingest.broker.server.Broker;
import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.log.checkpoint.CleanShutdownFile;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * One of our brokers under a real Apache Kafka 4.4 controller (a child process, formatted with the
 * features this broker supports): it registers and is unfenced; a topic created by the controller
 * (CreateTopics sent to it; Kafka's Admin does not send CreateTopics to controllers directly) gets its
 * partition logs here, at the controller's leader epochs;
 * deleting the topic deletes them; closing the broker is a controlled shutdown (the controller
 * leaves the partitions leaderless) that records the broker epoch; a restart registers with it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterMemberIT {
    /** The controller settings these tests ran with before the shared fixture (its defaults besides). */
    static final Map<String, String> CONTROLLER_SETTINGS = Map.of("offsets.topic.replication.factor", "1");

    @TempDir
    static Path dir;
    static ClusterFixture fixture;
    static KafkaController controller;
    static Admin admin;

    @BeforeAll
    static void startController() throws Exception {
        fixture = ClusterFixture.create(ClusterMemberIT.class);
        controller = fixture.startController(ControllerFeatures.COMPATIBLE, CONTROLLER_SETTINGS);
        final Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controller.quorumBootstrap());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stopController() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    static Map<String, String> brokerProps(KafkaController controller, Path logDir, int nodeId) {
        final Map<String, String> m = new TreeMap<>();
        m.put("process.roles", "broker");
        m.put("node.id", Integer.toString(nodeId));
        m.put("controller.quorum.bootstrap.servers", controller.quorumBootstrap());
        m.put("controller.listener.names", KafkaController.LISTENER);
        m.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        m.put("listeners", "PLAINTEXT://127.0.0.1:0");
        m.put("log.dirs", logDir.toString());
        m.put("transport", "nio");
        m.put("num.network.threads", "1");
        m.put("broker.heartbeat.interval.ms", "500");
        m.put("broker.session.timeout.ms", "6000");
        m.put("initial.broker.registration.timeout.ms", "30000");
        m.put("metrics.jmx.enable", "false");
        return m;
    }

    static Path writeProperties(Path dir, Map<String, String> props) throws Exception {
        final Path file = Files.createTempFile(dir, "broker", ".properties");
        final StringBuilder sb = new StringBuilder();
        props.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, sb);
        return file;
    }

    /** Formats with our bin/zcrx-storage.sh's code. */
    static void format(Path dir, Map<String, String> props, String clusterId) throws Exception {
        final Path file = writeProperties(dir, props);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int rc = StorageTool.run(new String[] {"format", "-t", clusterId, "-c", file.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));
    }

    /** CreateTopics to the active controller through the broker's own controller channel. */
    static void createTopic(Broker broker, String name, int partitions) throws Exception {
        final CreateTopicsRequestData.CreatableTopicCollection topics =
            new CreateTopicsRequestData.CreatableTopicCollection();
        topics.add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(partitions)
            .setReplicationFactor((short) 1));
        final CreateTopicsResponse r = (CreateTopicsResponse) broker.context().controller().send(
            new CreateTopicsRequest.Builder(new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(10_000)))
            .get(30, TimeUnit.SECONDS);
        assertEquals(0, r.data().topics().find(name).errorCode(), r.toString());
    }

    @Test
    @Order(1)
    void registersLeadsTopicsAndShutsDownInAControlledWay() throws Exception {
        final Path logDir = dir.resolve("broker-1");
        final Map<String, String> props = brokerProps(controller, logDir, 1);
        format(dir, props, controller.clusterId());
        final BrokerConfig config = new BrokerConfig(props);

        final long firstEpoch;
        TopicInfo kept;
        try (Broker broker = new Broker(config)) {
            broker.start();
            final ClusterView view = broker.context().cluster().view();
            assertTrue(view.clusterMode(), view.toString());
            assertNotNull(view.broker(1), "this broker is live once start returns: " + view);
            assertEquals(broker.localAddress().getPort(), view.broker(1).port());
            assertTrue(broker.context().cluster().mayLead(System.nanoTime()), "unfenced: the lease runs");
            assertEquals(3.0, ((Gauge) broker.metrics().find(Broker.BROKER_STATE)).value(),
                "Kafka's BrokerState RUNNING");
            firstEpoch = broker.context().cluster().brokerEpoch();
            assertTrue(firstEpoch > 0, "broker epoch " + firstEpoch);
            assertEquals(controller.clusterId(), broker.context().clusterId());

            createTopic(broker, "clustered", 4);
            final TopicInfo t = Await.until("topic clustered with 4 local logs", Duration.ofSeconds(20), () -> {
                final TopicInfo ti = broker.context().topics().get("clustered");
                if (ti == null) {
                    return null;
                }
                for (int p = 0; p < 4; p++) {
                    if (ti.partition(p) == null) {
                        return null;
                    }
                }
                return ti;
            }, x -> x != null);
            for (int p = 0; p < 4; p++) {
                assertEquals(1, t.state(p).leader());
                assertEquals(0, t.state(p).leaderEpoch(), "a new partition's first leader epoch");
                assertTrue(Files.isDirectory(logDir.resolve("clustered-" + p)));
                assertEquals(t.state(p).leaderEpoch(), t.partition(p).leaderEpoch(), "the log leads at that epoch");
            }
            assertEquals(admin.describeCluster().clusterId().get(), controller.clusterId());

            final DeleteTopicsResponse deleted = (DeleteTopicsResponse) broker.context().controller().send(
                new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData().setTimeoutMs(10_000)
                    .setTopicNames(List.of("clustered")))).get(30, TimeUnit.SECONDS);
            assertEquals(0, deleted.data().responses().find("clustered").errorCode());
            Await.until("topic clustered deleted here", () -> broker.context().topics().get("clustered") == null
                && !Files.exists(logDir.resolve("clustered-0")) && !Files.exists(logDir.resolve("clustered-3")));
            assertTrue(t.isDeleted());

            createTopic(broker, "kept", 2);
            kept = Await.until("topic kept led here", Duration.ofSeconds(20),
                () -> broker.context().topics().get("kept"), x -> x != null && x.partition(1) != null);
        }
        // Controlled shutdown: the controller took the leaderships away (one replica: no leader).
        for (int p = 0; p < 2; p++) {
            assertEquals(-1, kept.state(p).leader(), "after controlled shutdown: " + kept.state(p));
            assertNull(kept.partition(p));
        }
        assertEquals(OptionalLong.of(firstEpoch), CleanShutdownFile.readBrokerEpoch(logDir));

        try (Broker again = new Broker(config)) {
            again.start();
            final long secondEpoch = again.context().cluster().brokerEpoch();
            assertTrue(secondEpoch > firstEpoch, secondEpoch + " after " + firstEpoch);
            assertEquals(OptionalLong.of(firstEpoch), again.logs().previousBrokerEpoch(),
                "registered with the previous incarnation's epoch");
            final TopicInfo back = Await.until("kept led again", Duration.ofSeconds(20),
                () -> again.context().topics().get("kept"), x -> x != null && x.partition(1) != null);
            assertEquals(1, back.state(0).leader());
            assertTrue(back.state(0).leaderEpoch() > 0, "a new leader epoch: " + back.state(0));
            assertEquals(back.state(0).leaderEpoch(), back.partition(0).leaderEpoch(), "the log leads at that epoch");
            assertTrue(Files.readString(logDir.resolve("kept-0").resolve("leader-epoch-checkpoint"))
                .contains(back.state(0).leaderEpoch() + " 0"), "leader-epoch-checkpoint records the new epoch");
            assertFalse(back.isDeleted());

            // Batches appended now carry the partition leader epoch the controller gave this leadership.
            final Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + again.localAddress().getPort());
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("kept", 0, null, "v".getBytes(StandardCharsets.UTF_8))).get();
            }
            final ByteBuffer header = ByteBuffer.allocate(16);
            try (FileChannel ch = FileChannel.open(logDir.resolve("kept-0").resolve("00000000000000000000.log"))) {
                ch.read(header, 0);
            }
            assertEquals(back.state(0).leaderEpoch(), header.getInt(12), "the batch's partition leader epoch");
        }
    }

    /** Last (it stops the controller): a broker cut off from the quorum stops leading within the session. */
    /** Groups in a cluster: committed offsets live in __consumer_offsets and survive a restart. */
    @Test
    @Order(2)
    void committedOffsetsSurviveARestartThroughConsumerOffsets() throws Exception {
        final Path logDir = dir.resolve("broker-3");
        final Map<String, String> props = brokerProps(controller, logDir, 3);
        props.put("offsets.topic.num.partitions", "3");
        props.put("offsets.topic.replication.factor", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        format(dir, props, controller.clusterId());
        final BrokerConfig config = new BrokerConfig(props);
        final TopicPartition tp = new TopicPartition("grouped", 0);
        try (Broker broker = new Broker(config)) {
            broker.start();
            createTopic(broker, "grouped", 1);
            Await.until("grouped led here", Duration.ofSeconds(20),
                () -> broker.context().topics().get("grouped"), t -> t != null && t.partition(0) != null);
            final String bootstrap = "127.0.0.1:" + broker.localAddress().getPort();
            final Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("grouped", 0, null, new byte[] {(byte) i})).get();
                }
            }
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
                consumer.subscribe(List.of("grouped"));
                int seen = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (seen < 5 && System.nanoTime() < deadline) {
                    seen += consumer.poll(Duration.ofMillis(200)).count();
                }
                assertEquals(5, seen);
                consumer.commitSync();
            }
            assertTrue(Files.isDirectory(logDir.resolve("__consumer_offsets-0")), "the offsets topic is led here");
        }
        try (Broker again = new Broker(config)) {
            again.start();
            try (KafkaConsumer<byte[], byte[]> consumer = consumer("127.0.0.1:" + again.localAddress().getPort())) {
                final OffsetAndMetadata committed = Await.until("the committed offset, loaded again",
                    Duration.ofSeconds(30), () -> {
                        try {
                            return consumer.committed(Set.of(tp), Duration.ofSeconds(5)).get(tp);
                        } catch (RuntimeException e) {
                            return null;
                        }
                    }, x -> x != null);
                assertEquals(5L, committed.offset());
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        final Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-group");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A start that fails after the cluster membership was built (here: the listener port is taken)
     * leaves nothing behind: no KRaft thread, no open metadata log, no lock on metadata.log.dir, so a
     * second start in the same JVM succeeds.
     */
    @Test
    @Order(3)
    void aFailedStartLeavesNoThreadNorLockBehind() throws Exception {
        final Path logDir = dir.resolve("broker-4");
        final Map<String, String> props = brokerProps(controller, logDir, 4);
        props.put("metadata.log.dir", dir.resolve("broker-4-metadata").toString());
        format(dir, props, controller.clusterId());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + taken.getLocalPort());
            final Broker broker = new Broker(new BrokerConfig(props));
            assertThrows(Exception.class, broker::start, "the listener port is taken");
            Await.until("no zcrx-kraft thread left after the failed start", () -> kraftThreads().isEmpty());
        }
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        try (Broker again = new Broker(new BrokerConfig(props))) {
            again.start();
            assertNotNull(again.context().cluster().view().broker(4), "registered and unfenced");
        }
        Await.until("no zcrx-kraft thread left after close", () -> kraftThreads().isEmpty());
    }

    private static List<String> kraftThreads() {
        final List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("zcrx-kraft")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    @Order(4)
    void aBrokerThatLostTheControllerStopsLeadingWithinTheSessionTimeout() throws Exception {
        final Path logDir = dir.resolve("broker-2");
        final Map<String, String> props = brokerProps(controller, logDir, 2);
        // Formatted by Kafka's kafka-storage format --no-initial-controllers: accepted as ours are.
        fixture.formatWithKafkaStorage(writeProperties(dir, props));
        try (Broker broker = new Broker(new BrokerConfig(props))) {
            broker.start();
            assertTrue(broker.context().cluster().mayLead(System.nanoTime()));
            controller.stop();
            final long stopped = System.nanoTime();
            Await.until("the lease runs out", Duration.ofSeconds(20),
                () -> !broker.context().cluster().mayLead(System.nanoTime()));
            // The lease ends at (last answered heartbeat's send time + session timeout), so no later
            // than the session timeout after the controller went away.
            assertTrue(System.nanoTime() - stopped <= TimeUnit.MILLISECONDS.toNanos(6000 + 500),
                "lease outlived the session timeout");
        }
    }
}
