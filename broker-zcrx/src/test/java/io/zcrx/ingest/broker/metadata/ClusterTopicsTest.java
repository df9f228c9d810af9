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

            @Override
            public void onBecomeFollower(TopicInfo topic, int partition, PartitionLog log, PartitionState state) {
                events.add("follow " + topic.name() + "-" + partition + " from " + state.leader() + "@"
                    + state.leaderEpoch());
            }

            @Override
            public void onStopFollowing(String topic, int partition) {
                events.add("unfollow " + topic + "-" + partition);
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
        assertNull(t.partition(1), "a replica led elsewhere: no log for clients (NOT_LEADER_OR_FOLLOWER)");
        assertNotNull(logs.partition("t", 1), "but its log is open for the replica fetcher");
        assertNull(t.partition(2));
        assertEquals(2, t.state(1).leader());
        assertEquals(List.of("lead t-0@3", "follow t-1 from 2@5"), events);
        assertTrue(Files.isDirectory(dir.resolve("t-0")));
        assertFalse(Files.exists(dir.resolve("t-2")));

        // Leadership moves away from partition 0 (still a replica here), and partition 1 is reassigned here.
        final int now = topics.applyClusterChanges(List.of(new ClusterTopic("t", id,
            new PartitionState[] {state(2, 4, 2, SELF), state(SELF, 6, SELF), state(2, 1, 2)}, Map.of())), Set.of());
        assertEquals(1, now);
        assertNull(t.partition(0));
        assertTrue(Files.isDirectory(dir.resolve("t-0")), "a replica keeps its log");
        assertEquals(6, t.partition(1).leaderEpoch());
        // The fetcher stops before partition 1 becomes leader; partition 0 follows only after its resignation.
        assertEquals(List.of("lead t-0@3", "follow t-1 from 2@5", "unfollow t-1", "lead t-1@6", "resign t-0",
            "follow t-0 from 2@4"), events);

        // Partition 0 moves to other brokers: its log goes. Then the topic is deleted.
        topics.applyClusterChanges(List.of(new ClusterTopic("t", id,
            new PartitionState[] {state(2, 5, 2), state(SELF, 6, SELF), state(2, 1, 2)}, Map.of())), Set.of());
        assertFalse(Files.exists(dir.resolve("t-0")));
        assertEquals("unfollow t-0", events.get(events.size() - 1), "the fetcher stops before the log goes");
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
        assertEquals("compact", t.overrides().get("cleanup.policy"), "served by the log cleaner");
        assertEquals("1000", t.overrides().get("retention.ms"), "kept, but cleanup.policy=compact applies none");
        assertEquals(Errors.NOT_CONTROLLER.code(), topics.create("local", 1, Map.of(), false).errorCode());
        assertEquals(Errors.NOT_CONTROLLER.code(), topics.delete(t).errorCode());
        assertEquals(Errors.NOT_CONTROLLER.code(), topics.addPartitions("__consumer_offsets", 2, false).errorCode());
    }

    // Goal: at the first image, a log on disk the cluster does not assign here (its topic deleted
    // while this broker was down, or moved away) is Kafka's stray: renamed <tp>.<uuid>-stray and
    // left on disk with its data, never loaded again; an assigned one is reused.
    @Test
    void logsOnDiskTheClusterNoLongerAssignsHereAreSetAsideAtTheFirstImage() throws Exception {
        final Uuid gone = Uuid.randomUuid();
        final Uuid kept = Uuid.randomUuid();
        logs.createPartition("gone", 0, gone, TopicConfigs.logConfig(config, Map.of()));
        logs.createPartition("moved", 0, kept, TopicConfigs.logConfig(config, Map.of()));
        final PartitionLog keptLog = logs.createPartition("kept", 0, kept, TopicConfigs.logConfig(config, Map.of()));
        topics.applyCluster(List.of(new ClusterTopic("kept", kept, new PartitionState[] {state(SELF, 2, SELF)},
            Map.of())));
        assertFalse(Files.exists(dir.resolve("gone-0")), "set aside: deleted while this broker was down");
        assertFalse(Files.exists(dir.resolve("moved-0")), "set aside: another topic's id");
        assertNull(logs.partition("gone", 0));
        final List<String> strays = new ArrayList<>();
        try (var entries = Files.list(dir)) {
            entries.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-stray")).sorted()
                .forEach(strays::add);
        }
        assertEquals(2, strays.size(), strays.toString());
        assertTrue(strays.get(0).matches("gone-0\\.[0-9a-f]{32}-stray"), strays.toString());
        assertTrue(Files.exists(dir.resolve(strays.get(0)).resolve("partition.metadata")), "the data stays");
        assertSame(keptLog, topics.get("kept").partition(0), "recovered log reused");
        assertEquals(2, keptLog.leaderEpoch());

        logs.close();
        logs = LogManager.open(config.logDirs(), SELF, TopicConfigs.logConfig(config, Map.of()), 86_400_000L,
            LogManager.DEFAULT_OPEN_SEGMENTS_MAX, System::currentTimeMillis, true);
        assertNull(logs.partition("gone", 0), "a stray is not loaded again");
        assertNotNull(logs.partition("kept", 0));
        assertTrue(Files.isDirectory(dir.resolve(strays.get(0))), "nor deleted");
    }

    // Goal (issue 12): a partition with several replicas is led here when the controller says so (the
    // followers copy it), and a follower whose leadership changes is told again, once per leadership.
    @Test
    void aPartitionWithSeveralReplicasIsLedOrFollowedHere() {
        final Uuid id = Uuid.randomUuid();
        assertEquals(1, topics.applyCluster(List.of(new ClusterTopic("r", id,
            new PartitionState[] {state(SELF, 1, SELF, 2), state(2, 1, 2, SELF)}, Map.of()))));
        final TopicInfo t = topics.get("r");
        assertNotNull(t.partition(0), "replication factor 2, led here: served");
        assertNull(t.partition(1));
        assertEquals(List.of("lead r-0@1", "follow r-1 from 2@1"), events);

        // Same leadership again (an ISR change): nothing to tell. A new leader epoch: told again.
        topics.applyClusterChanges(List.of(new ClusterTopic("r", id,
            new PartitionState[] {state(SELF, 1, SELF, 2), state(2, 1, 2, SELF)}, Map.of())), Set.of());
        assertEquals(2, events.size());
        topics.applyClusterChanges(List.of(new ClusterTopic("r", id,
            new PartitionState[] {state(SELF, 1, SELF, 2), state(2, 2, 2, SELF)}, Map.of())), Set.of());
        assertEquals(List.of("lead r-0@1", "follow r-1 from 2@1", "follow r-1 from 2@2"), events);
        assertEquals(0, topics.applyErrorCount());
    }

    // Goal: a topic that cannot be applied or a listener that throws is logged and counted; the
    // rest of the same update is still applied (a later delta would not carry it again).
    @Test
    void aFailingTopicOrListenerDoesNotStopTheRestOfTheUpdate() {
        topics.addLeadershipListener(new LeadershipListener() {
            @Override
            public void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, int leaderEpoch) {
            }

            @Override
            public void onResign(TopicInfo topic, int partition, int newLeaderEpoch) {
                throw new IllegalStateException("listener bug");
            }
        });
        final Uuid a = Uuid.randomUuid();
        final Uuid b = Uuid.randomUuid();
        topics.applyCluster(List.of(new ClusterTopic("a", a, new PartitionState[] {state(SELF, 0, SELF)}, Map.of()),
            new ClusterTopic("b", b, new PartitionState[] {state(SELF, 0, SELF)}, Map.of())));
        assertEquals(0, topics.applyErrorCount());

        // One update: both deleted (the listener throws on each), a topic whose partition state is
        // missing, and a good new one.
        final int led = topics.applyClusterChanges(List.of(
            new ClusterTopic("bad", Uuid.randomUuid(), new PartitionState[] {null}, Map.of()),
            new ClusterTopic("c", Uuid.randomUuid(), new PartitionState[] {state(SELF, 0, SELF)}, Map.of())),
            Set.of(a, b));
        assertNull(topics.get("a"));
        assertNull(topics.get("b"), "the second deletion is applied although the first one's listener threw");
        assertFalse(Files.exists(dir.resolve("b-0")));
        assertNotNull(topics.get("c").partition(0), "the topic after the failing one is applied");
        assertEquals(1, led);
        assertEquals(3, topics.applyErrorCount(), "two listener failures and one topic");
    }
}
