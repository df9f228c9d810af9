package io.zcrx.ingest.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.testkit.ManualTimer;
import io.zcrx.ingest.log.FetchRegion;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.cleaner.CleanerConfig;
import io.zcrx.ingest.log.cleaner.LogCleaner;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode's group store on a <em>compacted</em> {@code __consumer_offsets} partition (Kafka creates the topic
 * with {@code cleanup.policy=compact}): after the log cleaner rewrote the partition, with offset gaps, rewritten
 * batches, tombstones kept and then removed, a new leader's load ({@link GroupLoader}) must rebuild exactly the
 * groups and offsets that a load of the uncleaned log rebuilds: the last commit of every group and partition, no
 * offset removed by OffsetDelete, no group removed by DeleteGroups. Real logs in a temp dir, the real
 * {@link LogCleaner} run on this thread ({@link LogCleaner#cleanOnce}), leadership changes played on the loader.
 */
class CompactedOffsetsTopicTest {
    static final int PARTITIONS = 3;
    static final int SESSION = 10_000;

    @TempDir
    Path tmp;
    LogManager logs;
    MetricsRegistry metrics;
    TopicInfo topic;
    ManualTimer timer;
    OffsetsTopicStore store;
    GroupCoordinator gc;
    OffsetManager offsets;
    GroupLoader loader;
    /** The cleaner's clock (the delete horizon of tombstones): moved on by the test. */
    final AtomicLong cleanerNowMs = new AtomicLong(System.currentTimeMillis());
    LogCleaner cleaner;
    int epoch;

    @BeforeEach
    void setUp() throws Exception {
        final BrokerConfig config = new BrokerConfig(Map.of(BrokerConfig.LOG_DIRS, tmp.toString()));
        logs = LogManager.open(List.of(tmp), config.nodeId(), LogConfig.builder().build(), 86_400_000L,
            System::currentTimeMillis);
        metrics = new MetricsRegistry(2, false);
        final TopicRegistry topics = new TopicRegistry(config, logs, metrics);
        // As Kafka creates __consumer_offsets (compact), with small segments so that the cleaner has work, no lag,
        // and tombstones kept for one second after the clean that first keeps them.
        topic = topics.create(Topic.GROUP_METADATA_TOPIC_NAME, PARTITIONS, Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_BYTES_CONFIG, "4096",
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
            TopicConfig.DELETE_RETENTION_MS_CONFIG, "1000"), false).topic();
        assertNotNull(topic);
        topics.create("t", 4, Map.of(), false);
        timer = new ManualTimer(1_000_000L);
        store = new OffsetsTopicStore(() -> PARTITIONS, timer::nowMs);
        gc = new GroupCoordinator(new GroupCoordinator.Settings(0, 6000, 1_800_000, 100), store, timer);
        offsets = new OffsetManager(new OffsetManager.Settings(7L * 24 * 3600 * 1000, 4096), store, timer,
            (t, p) -> t.equals("t") && p >= 0 && p < 4, gc);
        loader = new GroupLoader(store, gc);
        cleaner = new LogCleaner(logs, new CleanerConfig(true, 1, Double.MAX_VALUE, 4L * 1024 * 1024, 64 * 1024, 0.9,
            100), cleanerNowMs::get);
    }

    @AfterEach
    void tearDown() throws Exception {
        cleaner.close();
        loader.close();
        logs.close();
        metrics.close();
    }

    @Test
    void aLoadFromTheCompactedPartitionRebuildsTheLastCommitsAndNoDeletedGroup() throws Exception {
        // Goal: the loader reads a cleaned __consumer_offsets partition as Kafka's does: gaps, batches the cleaner
        // rebuilt, tombstones (OffsetDelete, DeleteGroups) present and later removed change nothing in what it
        // rebuilds. Method: three groups on one partition, 4 partitions each committed 150 times (many 4 KiB
        // segments), "live" also has a generation (GroupMetadata); "gone" deleted by DeleteGroups, one offset of
        // "pruned" by OffsetDelete; a load of the uncleaned log is the oracle; one clean (tombstones kept), a load,
        // more commits and a clean after the delete horizon (tombstones removed), a load; each load compared with
        // the oracle and with the commits the test made.
        final String live = "live";
        final String gone = samePartitionGroup(live, "gone-");
        final String pruned = samePartitionGroup(live, "pruned-");
        final PartitionLog log = topic.partition(partitionOf(live));
        lead(live);
        final JoinGroupResponseData j = joinAndSync(live, "c1", new byte[] {7});
        final Map<String, Map<TopicPartition, Long>> expected = new HashMap<>();
        final Random random = new Random(11);
        for (int round = 0; round < 150; round++) {
            for (String g : List.of(live, gone, pruned)) {
                final TopicPartition tp = tp(random.nextInt(4));
                final long offset = round * 10L + random.nextInt(10);
                final String member = g.equals(live) ? j.memberId() : "";
                final int generation = g.equals(live) ? j.generationId() : -1;
                assertEquals(Map.of(tp, Errors.NONE), commit(g, member, generation, tp, offset));
                expected.computeIfAbsent(g, k -> new HashMap<>()).put(tp, offset);
            }
        }
        assertEquals(Errors.NONE.code(), gc.deleteGroups(List.of(gone)).find(gone).errorCode());
        expected.remove(gone);
        final TopicPartition prunedTp = expected.get(pruned).keySet().iterator().next();
        assertEquals(Errors.NONE, offsets.deleteOffsets(pruned, List.of(prunedTp)).groupError());
        expected.get(pruned).remove(prunedTp);
        // A few commits of another group so that the groups' last records lie in cleanable segments.
        final String filler = samePartitionGroup(live, "filler-");
        for (int i = 0; i < 40; i++) {
            commit(filler, "", -1, tp(0), i);
        }
        expected.put(filler, Map.of(tp(0), 39L));

        final State oracle = reload(live);
        assertEquals(expected, oracle.offsets, "the uncleaned log loads what was committed");
        assertNull(oracle.gc.get(gone));
        final int before = records(log).size();

        // Clean 1: the superseded commits go, the tombstones stay (their delete horizon starts now).
        assertTrue(cleaner.cleanOnce(), "the partition was cleanable");
        final List<Record> afterFirst = records(log);
        assertTrue(afterFirst.size() < before / 3, "the clean removed superseded commits: " + before + " -> "
            + afterFirst.size());
        assertTrue(afterFirst.stream().anyMatch(r -> !r.hasValue()), "tombstones kept until delete.retention.ms");
        assertTrue(hasGaps(afterFirst), "offsets with gaps");
        assertEquals(oracle, reload(live), "a load of the cleaned log (tombstones present)");

        // Clean 2, after the delete horizon: new commits make the log dirty again; the tombstones go.
        cleanerNowMs.addAndGet(5_000);
        for (int i = 40; i < 80; i++) {
            commit(filler, "", -1, tp(0), i);
        }
        expected.put(filler, Map.of(tp(0), 79L));
        assertTrue(cleaner.cleanOnce(), "the partition was cleanable again");
        final List<Record> afterSecond = records(log);
        final long activeBase = log.activeSegmentBaseOffset();
        assertFalse(afterSecond.stream().anyMatch(r -> !r.hasValue() && r.offset() < activeBase),
            "no tombstone left below the active segment after the delete horizon");
        final State cleaned = reload(live);
        assertEquals(expected, cleaned.offsets, "the last commits, nothing of the deleted group or offset");
        assertEquals(oracle.gc, cleaned.gc, "the same groups with the same generation");
        assertNull(cleaned.gc.get(gone));
        assertFalse(store.hasOffsets(gone));
        assertEquals(GroupState.STABLE, gc.state(live));
        assertEquals(List.of(j.memberId()), gc.members(live));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** What a load rebuilt: every group's committed offsets and the coordinator's state of the groups. */
    record State(Map<String, Map<TopicPartition, Long>> offsets, Map<String, String> gc) {
    }

    /** Resigns the partition and leads it again (a leadership change): the groups come back from the log. */
    State reload(String group) throws Exception {
        loader.onResign(topic, partitionOf(group), ++epoch);
        assertNull(gc.state(group));
        lead(group);
        final Map<String, Map<TopicPartition, Long>> o = new HashMap<>();
        final Map<String, String> g = new HashMap<>();
        for (String id : store.groupIds()) {
            final Map<TopicPartition, Long> m = new HashMap<>();
            store.offsets(id).forEach((tp, c) -> m.put(tp, c.offset()));
            o.put(id, m);
        }
        for (String id : List.of(group, samePartitionGroup(group, "gone-"), samePartitionGroup(group, "pruned-"))) {
            final GroupState s = gc.state(id);
            if (s != null) {
                g.put(id, s + " " + gc.members(id));
            }
        }
        return new State(o, g);
    }

    void lead(String group) throws Exception {
        loader.onBecomeLeader(topic, partitionOf(group), topic.partition(partitionOf(group)), ++epoch);
        loader.awaitLoads();
        assertEquals(Errors.NONE, gc.coordinatorError(group), "loaded");
    }

    static boolean hasGaps(List<Record> records) {
        for (int i = 1; i < records.size(); i++) {
            if (records.get(i).offset() > records.get(i - 1).offset() + 1) {
                return true;
            }
        }
        return false;
    }

    /** Every record of the partition (CRC checked), in offset order, segment by segment up to the log end. */
    static List<Record> records(PartitionLog log) throws Exception {
        final List<Record> out = new ArrayList<>();
        final long end = log.logEndOffset();
        long offset = log.logStartOffset();
        final FetchRegion region = new FetchRegion();
        while (offset < end) {
            log.readForFollower(offset, Integer.MAX_VALUE, true, region);
            assertEquals(0, region.errorCode, () -> region.errorMessage);
            final ByteBuffer buf = ByteBuffer.allocate(region.length);
            while (buf.hasRemaining() && region.channel.read(buf, region.position + buf.position()) >= 0) {
                // reads the whole region
            }
            buf.flip();
            region.reset();
            final long before = offset;
            for (MutableRecordBatch b : MemoryRecords.readableRecords(buf).batches()) {
                b.ensureValid();
                for (Record r : b) {
                    if (r.offset() >= offset) {
                        out.add(r);
                    }
                }
                offset = Math.max(offset, b.nextOffset());
            }
            assertTrue(offset > before, "no progress at offset " + offset);
        }
        return out;
    }

    int partitionOf(String group) {
        return OffsetsTopicStore.partitionFor(group, PARTITIONS);
    }

    String samePartitionGroup(String group, String prefix) {
        for (int i = 0; ; i++) {
            if (partitionOf(prefix + i) == partitionOf(group)) {
                return prefix + i;
            }
        }
    }

    static TopicPartition tp(int p) {
        return new TopicPartition("t", p);
    }

    Map<TopicPartition, Errors> commit(String group, String member, int generation, TopicPartition tp, long offset) {
        return offsets.commitOffsets(group, member, null, generation, -1L,
            List.of(new OffsetManager.OffsetCommit(tp, offset, 0, "meta")), (short) 9);
    }

    static byte[] subscription(String... topics) {
        final ByteBuffer b = ConsumerProtocol.serializeSubscription(new Subscription(List.of(topics)));
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    AtomicReference<JoinGroupResponseData> join(String group, String memberId) {
        final JoinGroupRequestProtocolCollection c = new JoinGroupRequestProtocolCollection();
        c.add(new JoinGroupRequestProtocol().setName("range").setMetadata(subscription("t")));
        final AtomicReference<JoinGroupResponseData> out = new AtomicReference<>();
        gc.joinGroup(new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setSessionTimeoutMs(SESSION)
            .setRebalanceTimeoutMs(30_000).setProtocolType("consumer").setProtocols(c), (short) 9, "c1", "/127.0.0.1",
            out::set);
        return out;
    }

    JoinGroupResponseData joinAndSync(String group, String clientId, byte[] assignment) {
        final String id = join(group, "").get().memberId();
        final JoinGroupResponseData j = join(group, id).get();
        assertEquals(Errors.NONE.code(), j.errorCode());
        final AtomicReference<SyncGroupResponseData> s = new AtomicReference<>();
        gc.syncGroup(new SyncGroupRequestData().setGroupId(group).setMemberId(j.memberId())
            .setGenerationId(j.generationId()).setAssignments(List.of(new SyncGroupRequestAssignment()
                .setMemberId(j.memberId()).setAssignment(assignment))), s::set);
        assertEquals(Errors.NONE.code(), s.get().errorCode());
        return j;
    }
}
