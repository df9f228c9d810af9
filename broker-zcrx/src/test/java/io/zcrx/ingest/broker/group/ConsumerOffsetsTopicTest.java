package io.zcrx.ingest.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.HeartbeatRequestData;
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
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode's groups on real {@code __consumer_offsets} partition logs in a temp dir, with the
 * leadership changes the KRaft metadata publisher will announce played by calling the
 * {@link GroupLoader} directly. Kafka compatibility is checked both ways with Kafka's own classes:
 * what our coordinator writes decodes with Kafka's {@link GroupCoordinatorRecordSerde} to the same
 * values, at the versions Kafka 4.x writes; what Kafka's serde writes loads into our coordinator.
 */
class ConsumerOffsetsTopicTest {
    static final int PARTITIONS = 3;
    static final int SESSION = 10_000;

    @TempDir
    Path tmp;
    LogManager logs;
    MetricsRegistry metrics;
    TopicInfo topic;
    ManualTimer timer;
    OffsetsTopicStore store;
    /** The leadership lease as the store sees it (ClusterState.mayLead in the broker). */
    final AtomicBoolean lease = new AtomicBoolean(true);
    GroupCoordinator gc;
    OffsetManager offsets;
    GroupLoader loader;
    final GroupCoordinatorRecordSerde kafkaSerde = new GroupCoordinatorRecordSerde();

    @BeforeEach
    void setUp() throws Exception {
        final BrokerConfig config = new BrokerConfig(Map.of(BrokerConfig.LOG_DIRS, tmp.toString()));
        logs = LogManager.open(List.of(tmp), config.nodeId(), LogConfig.builder().build(), 86_400_000L,
            System::currentTimeMillis);
        metrics = new MetricsRegistry(2, false);
        final TopicRegistry topics = new TopicRegistry(config, logs, metrics);
        topic = topics.create(Topic.GROUP_METADATA_TOPIC_NAME, PARTITIONS, Map.of(), false).topic();
        assertNotNull(topic);
        topics.create("t", 4, Map.of(), false);
        timer = new ManualTimer(1_000_000L);
        store = new OffsetsTopicStore(() -> PARTITIONS, timer::nowMs, lease::get);
        gc = new GroupCoordinator(new GroupCoordinator.Settings(0, 6000, 1_800_000, 100), store, timer);
        offsets = new OffsetManager(new OffsetManager.Settings(7L * 24 * 3600 * 1000, 4096), store, timer,
            (t, p) -> t.equals("t") && p >= 0 && p < 4, gc);
        loader = new GroupLoader(store, gc);
    }

    @AfterEach
    void tearDown() throws Exception {
        loader.close();
        logs.close();
        metrics.close();
    }

    int partitionOf(String group) {
        return OffsetsTopicStore.partitionFor(group, PARTITIONS);
    }

    PartitionLog logOf(String group) {
        return topic.partition(partitionOf(group));
    }

    void lead(String group, int epoch) throws Exception {
        loader.onBecomeLeader(topic, partitionOf(group), logOf(group), epoch);
        loader.awaitLoads();
    }

    // ---- routing ------------------------------------------------------------------------------

    @Test
    void groupsOfPartitionsNotLedHereAnswerNotCoordinator() throws Exception {
        assertEquals(Errors.NOT_COORDINATOR, gc.coordinatorError("g"));
        assertEquals(Errors.NOT_COORDINATOR, commit("g", "", -1, tp(0), 5).get(tp(0)));
        assertEquals(Errors.NOT_COORDINATOR.code(), join("g", "").get().errorCode());
        assertEquals(Errors.NOT_COORDINATOR.code(), gc.describeGroup("g", (short) 5).errorCode());
        assertEquals(Errors.NOT_COORDINATOR, offsets.deleteOffsets("g", List.of(tp(0))).groupError());
        assertEquals(Errors.NOT_COORDINATOR.code(), gc.deleteGroups(List.of("g")).find("g").errorCode());
        lead("g", 0);
        assertEquals(Errors.NONE, gc.coordinatorError("g"));
        // Kafka's partitionFor: Utils.abs(hashCode) % partitions.
        final String other = otherPartitionGroup("g");
        assertEquals(Errors.NOT_COORDINATOR, gc.coordinatorError(other));
    }

    // Goal: nothing reaches __consumer_offsets once this broker lost its lease (requests answer NOT_COORDINATOR, a
    // write already past that check fails before the log) or once the partition's log resigned (the log refuses
    // the append: NOT_LEADER_OR_FOLLOWER, answered as a retriable COORDINATOR_NOT_AVAILABLE); the group's offsets
    // stay as written. Method: commit, then lose the lease and try, then regain it, resign the log and try.
    @Test
    void noWriteWithoutTheLeaseOrAfterTheLogResigned() throws Exception {
        lead("g", 0);
        assertEquals(Errors.NONE, commit("g", "", -1, tp(0), 5).get(tp(0)));
        final long end = logOf("g").logEndOffset();

        lease.set(false);
        assertEquals(Errors.NOT_COORDINATOR, gc.coordinatorError("g"));
        assertEquals(Errors.NOT_COORDINATOR, commit("g", "", -1, tp(0), 6).get(tp(0)));
        assertThrows(IOException.class, () -> store.deleteGroup("g"));
        assertEquals(end, logOf("g").logEndOffset(), "nothing appended without the lease");

        lease.set(true);
        logOf("g").resign();
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, commit("g", "", -1, tp(0), 7).get(tp(0)));
        final IOException e = assertThrows(IOException.class, () -> store.deleteGroup("g"));
        assertTrue(e.getMessage().contains("errorCode=" + Errors.NOT_LEADER_OR_FOLLOWER.code()), e.getMessage());
        assertEquals(end, logOf("g").logEndOffset(), "nothing appended after the log resigned");
        assertEquals(5, store.offset("g", tp(0)).offset());
    }

    @Test
    void whileLoadingGroupsAnswerLoadInProgress() throws Exception {
        final OffsetsTopicStore.Slot slot = store.begin(partitionOf("g"), logOf("g"), 0);
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, gc.coordinatorError("g"));
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, commit("g", "", -1, tp(0), 5).get(tp(0)));
        store.load(slot);
        store.activate(slot);
        assertEquals(Errors.NONE, commit("g", "", -1, tp(0), 5).get(tp(0)));
    }

    // ---- what we write, read by Kafka ---------------------------------------------------------

    @Test
    void commitsAndGenerationsAreKafkasRecords() throws Exception {
        lead("g", 0);
        final JoinGroupResponseData j = joinAndSync("g", "c1", new byte[] {7, 7});
        final long before = logOf("g").logEndOffset();
        assertEquals(Errors.NONE, commit("g", j.memberId(), j.generationId(), tp(1), 42, tp(2), 43).get(tp(1)));
        assertEquals(before + 2, logOf("g").logEndOffset());

        final List<MutableRecordBatch> batches = new ArrayList<>();
        final List<CoordinatorRecord> records = readWithKafka(logOf("g"), batches);
        // One batch per write: the Empty-less first generation (Stable with its assignment), then the commit.
        assertEquals(2, batches.size());
        for (MutableRecordBatch b : batches) {
            assertEquals(RecordBatch.MAGIC_VALUE_V2, b.magic());
            assertTrue(b.isValid(), "CRC of batch at " + b.baseOffset());
        }
        assertEquals(2, batches.get(1).countOrNull());

        final CoordinatorRecord meta = records.get(0);
        assertEquals(new GroupMetadataKey().setGroup("g"), meta.key());
        assertEquals(3, meta.value().version());
        final GroupMetadataValue gv = (GroupMetadataValue) meta.value().message();
        assertEquals("consumer", gv.protocolType());
        assertEquals(1, gv.generation());
        assertEquals("range", gv.protocol());
        assertEquals(j.memberId(), gv.leader());
        assertEquals(1, gv.members().size());
        final GroupMetadataValue.MemberMetadata m = gv.members().get(0);
        assertEquals(j.memberId(), m.memberId());
        assertEquals("c1", m.clientId());
        assertEquals(SESSION, m.sessionTimeout());
        assertArrayEquals(subscription("t"), m.subscription());
        assertArrayEquals(new byte[] {7, 7}, m.assignment());

        final CoordinatorRecord c = records.get(1);
        assertEquals(new OffsetCommitKey().setGroup("g").setTopic("t").setPartition(1), c.key());
        assertEquals(3, c.value().version());
        final OffsetCommitValue cv = (OffsetCommitValue) c.value().message();
        assertEquals(42, cv.offset());
        assertEquals(0, cv.leaderEpoch());
        assertEquals("meta", cv.metadata());
        assertEquals(timer.nowMs(), cv.commitTimestamp());
        assertEquals(-1, cv.expireTimestamp());
    }

    @Test
    void deletionsAreKafkasTombstones() throws Exception {
        lead("g", 0);
        assertEquals(Errors.NONE, commit("g", "", -1, tp(0), 1, tp(1), 2).get(tp(0)));
        assertEquals(Errors.NONE, offsets.deleteOffsets("g", List.of(tp(0))).groupError());
        assertEquals(Errors.NONE.code(), gc.deleteGroups(List.of("g")).find("g").errorCode());
        final List<CoordinatorRecord> records = readWithKafka(logOf("g"), new ArrayList<>());
        assertEquals(5, records.size());
        assertEquals(new OffsetCommitKey().setGroup("g").setTopic("t").setPartition(0), records.get(2).key());
        assertNull(records.get(2).value());
        assertEquals(new OffsetCommitKey().setGroup("g").setTopic("t").setPartition(1), records.get(3).key());
        assertNull(records.get(3).value());
        assertEquals(new GroupMetadataKey().setGroup("g"), records.get(4).key());
        assertNull(records.get(4).value());
    }

    @Test
    void anExplicitExpiryIsWrittenAsVersionOne() throws Exception {
        lead("g", 0);
        offsets.commitOffsets("g", "", null, -1, 60_000L, List.of(new OffsetManager.OffsetCommit(tp(3), 9, -1, "")),
            (short) 2);
        final CoordinatorRecord r = readWithKafka(logOf("g"), new ArrayList<>()).get(0);
        assertEquals(1, r.value().version());
        assertEquals(timer.nowMs() + 60_000L, ((OffsetCommitValue) r.value().message()).expireTimestamp());
    }

    // ---- what Kafka writes, loaded by us ------------------------------------------------------

    @Test
    void kafkasRecordsLoadIntoOurCoordinator() throws Exception {
        final String g = "kafka-group";
        final String gone = samePartitionGroup(g, "gone");
        final byte[] sub = subscription("t");
        final List<CoordinatorRecord> written = List.of(
            CoordinatorRecord.record(new OffsetCommitKey().setGroup(g).setTopic("t").setPartition(0),
                new ApiMessageAndVersion(new OffsetCommitValue().setOffset(10).setLeaderEpoch(3).setMetadata("x")
                    .setCommitTimestamp(1234).setExpireTimestamp(-1), (short) 3)),
            CoordinatorRecord.record(new OffsetCommitKey().setGroup(g).setTopic("t").setPartition(1),
                new ApiMessageAndVersion(new OffsetCommitValue().setOffset(11).setLeaderEpoch(-1).setMetadata("")
                    .setCommitTimestamp(1235).setExpireTimestamp(-1), (short) 3)),
            // a later commit of the same partition wins; a tombstone removes another
            CoordinatorRecord.record(new OffsetCommitKey().setGroup(g).setTopic("t").setPartition(0),
                new ApiMessageAndVersion(new OffsetCommitValue().setOffset(20).setLeaderEpoch(4).setMetadata("y")
                    .setCommitTimestamp(1236).setExpireTimestamp(-1), (short) 3)),
            CoordinatorRecord.tombstone(new OffsetCommitKey().setGroup(g).setTopic("t").setPartition(1)),
            CoordinatorRecord.record(new GroupMetadataKey().setGroup(g), new ApiMessageAndVersion(
                new GroupMetadataValue().setProtocolType("consumer").setGeneration(5).setProtocol("range")
                    .setLeader("m1").setCurrentStateTimestamp(1000).setMembers(List.of(
                        new GroupMetadataValue.MemberMetadata().setMemberId("m1").setGroupInstanceId(null)
                            .setClientId("c1").setClientHost("/127.0.0.1").setRebalanceTimeout(30_000)
                            .setSessionTimeout(SESSION).setSubscription(sub).setAssignment(new byte[] {1}),
                        new GroupMetadataValue.MemberMetadata().setMemberId("m2").setGroupInstanceId("i2")
                            .setClientId("c2").setClientHost("/127.0.0.1").setRebalanceTimeout(30_000)
                            .setSessionTimeout(SESSION).setSubscription(sub).setAssignment(new byte[] {2}))),
                (short) 3)),
            CoordinatorRecord.record(new OffsetCommitKey().setGroup(gone).setTopic("t").setPartition(2),
                new ApiMessageAndVersion(new OffsetCommitValue().setOffset(1).setLeaderEpoch(-1).setMetadata("")
                    .setCommitTimestamp(1).setExpireTimestamp(-1), (short) 1)),
            CoordinatorRecord.tombstone(new OffsetCommitKey().setGroup(gone).setTopic("t").setPartition(2)),
            CoordinatorRecord.record(new GroupMetadataKey().setGroup(gone), new ApiMessageAndVersion(
                new GroupMetadataValue().setProtocolType("consumer").setGeneration(2).setProtocol(null)
                    .setLeader(null).setCurrentStateTimestamp(1000).setMembers(List.of()), (short) 3)),
            CoordinatorRecord.tombstone(new GroupMetadataKey().setGroup(gone)));
        appendWithKafkaSerde(logOf(g), written);

        lead(g, 7);
        assertEquals(Map.of(tp(0), new CommittedOffset(20, 4, "y", 1236, -1)), offsets.fetchOffsets(g, null));
        assertEquals(GroupState.STABLE, gc.state(g));
        assertEquals(List.of("m1", "m2"), gc.members(g));
        final var described = gc.describeGroup(g, (short) 5);
        assertEquals("range", described.protocolData());
        assertArrayEquals(new byte[] {2}, described.members().get(1).memberAssignment());
        assertEquals("i2", described.members().get(1).groupInstanceId());
        // The members carry on where they were: heartbeats of generation 5 are accepted.
        assertEquals(Errors.NONE, gc.heartbeat(new HeartbeatRequestData().setGroupId(g).setMemberId("m1")
            .setGenerationId(5)));
        assertNull(gc.state(gone));
        assertTrue(offsets.fetchOffsets(gone, null).isEmpty());
        // A member that does not heartbeat to the new coordinator is removed after its session.
        timer.advance(SESSION / 2);
        gc.heartbeat(new HeartbeatRequestData().setGroupId(g).setMemberId("m1").setGenerationId(5));
        timer.advance(SESSION / 2 + 1);
        assertEquals(List.of("m1"), gc.members(g));
        assertEquals(GroupState.PREPARING_REBALANCE, gc.state(g));
    }

    // ---- leadership moves ---------------------------------------------------------------------

    @Test
    void resignDropsGroupsAndTheNextLeaderLoadsWhatWasWritten() throws Exception {
        lead("g", 0);
        final JoinGroupResponseData j = joinAndSync("g", "c1", new byte[] {5});
        commit("g", j.memberId(), j.generationId(), tp(2), 99);
        // A second member joins: it waits for the first to rejoin.
        final AtomicReference<JoinGroupResponseData> waiting = join("g", join("g", "").get().memberId());
        assertNull(waiting.get(), "a join waits for the join phase");
        loader.onResign(topic, partitionOf("g"), 1);
        assertEquals(Errors.NOT_COORDINATOR.code(), waiting.get().errorCode());
        assertEquals(Errors.NOT_COORDINATOR, gc.coordinatorError("g"));
        assertNull(gc.state("g"));
        assertEquals(Errors.NOT_COORDINATOR, gc.heartbeat(new HeartbeatRequestData().setGroupId("g")
            .setMemberId(j.memberId()).setGenerationId(j.generationId())));

        lead("g", 2);
        assertEquals(99, offsets.fetchOffsets("g", List.of(tp(2))).get(tp(2)).offset());
        assertEquals(GroupState.STABLE, gc.state("g"));
        assertEquals(List.of(j.memberId()), gc.members("g"));
        assertEquals(Errors.NONE, gc.heartbeat(new HeartbeatRequestData().setGroupId("g")
            .setMemberId(j.memberId()).setGenerationId(j.generationId())));
    }

    @Test
    void deletedGroupsStayDeletedAfterALoad() throws Exception {
        lead("g", 0);
        commit("g", "", -1, tp(0), 1);
        assertEquals(Errors.NONE.code(), gc.deleteGroups(List.of("g")).find("g").errorCode());
        loader.onResign(topic, partitionOf("g"), 1);
        lead("g", 2);
        assertNull(gc.state("g"));
        assertFalse(store.hasOffsets("g"));
    }

    // ---- helpers ------------------------------------------------------------------------------

    static TopicPartition tp(int p) {
        return new TopicPartition("t", p);
    }

    String otherPartitionGroup(String group) {
        for (int i = 0; ; i++) {
            if (partitionOf("x" + i) != partitionOf(group)) {
                return "x" + i;
            }
        }
    }

    String samePartitionGroup(String group, String prefix) {
        for (int i = 0; ; i++) {
            if (partitionOf(prefix + i) == partitionOf(group)) {
                return prefix + i;
            }
        }
    }

    static byte[] subscription(String... topics) {
        final ByteBuffer b = ConsumerProtocol.serializeSubscription(new Subscription(List.of(topics)));
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    Map<TopicPartition, Errors> commit(String group, String member, int generation, Object... tpAndOffset) {
        final List<OffsetManager.OffsetCommit> list = new ArrayList<>();
        for (int i = 0; i < tpAndOffset.length; i += 2) {
            list.add(new OffsetManager.OffsetCommit((TopicPartition) tpAndOffset[i],
                ((Number) tpAndOffset[i + 1]).longValue(), 0, "meta"));
        }
        return offsets.commitOffsets(group, member, null, generation, -1L, list, (short) 9);
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

    /** Every record of the partition, decoded by Kafka's serde; {@code batches} gets the batches. */
    List<CoordinatorRecord> readWithKafka(PartitionLog log, List<MutableRecordBatch> batches) throws Exception {
        final FetchRegion region = new FetchRegion();
        log.read(log.logStartOffset(), Integer.MAX_VALUE, true, region);
        final ByteBuffer buf = ByteBuffer.allocate(region.length);
        region.channel.read(buf, region.position);
        buf.flip();
        region.reset();
        final List<CoordinatorRecord> out = new ArrayList<>();
        for (MutableRecordBatch b : MemoryRecords.readableRecords(buf).batches()) {
            batches.add(b);
            for (Record r : b) {
                out.add(kafkaSerde.deserialize(r.key(), r.value()));
            }
        }
        return out;
    }

    /** As Kafka's coordinator appends: its serde's key and value bytes, one batch. */
    void appendWithKafkaSerde(PartitionLog log, List<CoordinatorRecord> records) throws Exception {
        final List<SimpleRecord> simple = new ArrayList<>();
        for (CoordinatorRecord r : records) {
            simple.add(new SimpleRecord(1000L, kafkaSerde.serializeKey(r), kafkaSerde.serializeValue(r)));
        }
        new OffsetsTopicLog(log).append(simple, 1000L);
    }
}
