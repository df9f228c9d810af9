package io.zcrx.ingest.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.checkpoint.MetaPropertiesFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode's topics from the controller's metadata, on real log directories: logs exist for the
 * partitions led here (at the controller's leader epoch), listeners hear of leadership changes,
 * replicas led elsewhere keep their log out of sight, partitions moved away and deleted topics lose
 * their logs, and the controller's configs are applied (compaction accepted, unknown keys ignored).
 */
class ClusterTopicsTest {
    private static final int SELF = 1;

    @TempDir
    Path dir;
    private BrokerConfig config;
    private LogManager logs;
    private MetricsRegistry metrics;
    private TopicRegistry topics;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        config = new BrokerConfig(Map.of("process.roles", "broker", "node.id", Integer.toString(SELF),
            "controller.quorum.bootstrap.servers", "127.0.0.1:9093", "controller.listener.names", "CONTROLLER",
            "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs", dir.toString()));
        new MetaPropertiesFile("Qk3b0aX2R0qfY3u3B0m2mA", SELF, MetaPropertiesFile.newDirectoryId()).write(dir);
        logs = LogManager.open(config.logDirs(), SELF, TopicConfigs.logConfig(config, Map.of()), 86_400_000L,
            LogManager.DEFAULT_OPEN_SEGMENTS_MAX, System::currentTimeMillis, true);
        metrics = new MetricsRegistry(1, false);
        topics = new TopicRegistry(config, logs, metrics);
        topics.addLeadershipListener(new LeadershipListener() {
            @Override
            public void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, int leaderEpoch) {
                events.add("lead " + topic.name() + "-" + partition + "@" + leaderEpoch);
            }

            @Override
            public void onResign(TopicInfo topic, int partition, int newLeaderEpoch) {
                events.add("resign " + topic.name() + "-" + partition);
            }
        });
    }

    @AfterEach
    void close() throws Exception {
        logs.close();
        metrics.close();
    }

    private static PartitionState state(int leader, int epoch, int... replicas) {
        return new PartitionState(leader, epoch, epoch, replicas, replicas);
    }

    @Test
    void partitionsLedHereGetLogsAtTheControllersEpoch() {
        final Uuid id = Uuid.randomUuid();
        final int led = topics.applyCluster(List.of(new ClusterTopic("t", id,
            new PartitionState[] {state(SELF, 3, SELF), state(2, 5, 2, SELF), state(2, 1, 2)}, Map.of())));
        assertEquals(1, led);
        final TopicInfo t = topics.get("t");
        assertSame(t, topics.get(id));
        assertEquals(3, t.partitionCount());
        assertNotNull(t.partition(0));
        assertEquals(3, t.partition(0).leaderEpoch());
        assertNull(t.partition(1), "a replica led elsewhere: no log for clients (replication comes later)");
        assertNull(t.partition(2));
        assertEquals(2, t.state(1).leader());
        assertEquals(List.of("lead t-0@3"), events);
        assertTrue(Files.isDirectory(dir.resolve("t-0")));
        assertFalse(Files.exists(dir.resolve("t-2")));

        // Leadership moves away from partition 0 (still a replica here), and comes to partition 1.
        final int now = topics.applyClusterChanges(List.of(new ClusterTopic("t", id,
            new PartitionState[] {state(2, 4, 2, SELF), state(SELF, 6, 2, SELF), state(2, 1, 2)}, Map.of())), Set.of());
        assertEquals(1, now);
        assertNull(t.partition(0));
        assertTrue(Files.isDirectory(dir.resolve("t-0")), "a replica keeps its log");
        assertEquals(6, t.partition(1).leaderEpoch());
        assertEquals(List.of("lead t-0@3", "lead t-1@6", "resign t-0"), events);

        // Partition 0 moves to other brokers: its log goes. Then the topic is deleted.
        topics.applyClusterChanges(List.of(new ClusterTopic("t", id,
            new PartitionState[] {state(2, 5, 2), state(SELF, 6, 2, SELF), state(2, 1, 2)}, Map.of())), Set.of());
        assertFalse(Files.exists(dir.resolve("t-0")));
        assertEquals(0, topics.applyClusterChanges(List.of(), Set.of(id)));
        assertNull(topics.get("t"));
        assertTrue(t.isDeleted());
        assertFalse(Files.exists(dir.resolve("t-1")));
    }

    @Test
    void theControllersConfigsApplyAndLocalAdminIsRefused() {
        topics.applyCluster(List.of(new ClusterTopic("__consumer_offsets", Uuid.randomUuid(),
            new PartitionState[] {state(SELF, 0, SELF)}, Map.of("cleanup.policy", "compact", "segment.bytes",
                "104857600", "min.insync.replicas", "2", "retention.ms", "1000"))));
        final TopicInfo t = topics.get("__consumer_offsets");
        assertEquals("104857600", t.overrides().get("segment.bytes"));
        assertEquals("-1", t.overrides().get("retention.ms"), "a compacted topic is never deleted by retention");
        assertFalse(t.overrides().containsKey("cleanup.policy"));
        assertEquals(Errors.NOT_CONTROLLER.code(), topics.create("local", 1, Map.of(), false).errorCode());
        assertEquals(Errors.NOT_CONTROLLER.code(), topics.delete(t).errorCode());
        assertEquals(Errors.NOT_CONTROLLER.code(), topics.addPartitions("__consumer_offsets", 2, false).errorCode());
    }

    @Test
    void logsOnDiskTheClusterNoLongerAssignsHereGoAtTheFirstImage() throws Exception {
        final Uuid gone = Uuid.randomUuid();
        final Uuid kept = Uuid.randomUuid();
        logs.createPartition("gone", 0, gone, TopicConfigs.logConfig(config, Map.of()));
        final PartitionLog keptLog = logs.createPartition("kept", 0, kept, TopicConfigs.logConfig(config, Map.of()));
        topics.applyCluster(List.of(new ClusterTopic("kept", kept, new PartitionState[] {state(SELF, 2, SELF)},
            Map.of())));
        assertFalse(Files.exists(dir.resolve("gone-0")), "deleted while this broker was down");
        assertSame(keptLog, topics.get("kept").partition(0), "recovered log reused");
        assertEquals(2, keptLog.leaderEpoch());
    }
}
