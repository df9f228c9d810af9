package io.zcrx.ingest.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.ManualTimer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classic group state machine driven the way the Java consumer drives it, on a manual clock:
 * every timer (initial delay, rebalance, session, sync) fires exactly when the test moves time.
 * Offsets go to a real journal in a temp dir. Assertions run with -ea, so the group invariants
 * are checked after every change.
 */
class GroupCoordinatorTest {
    private static final short V = 9;
    private static final int SESSION = 10_000;
    private static final int REBALANCE = 30_000;

    @TempDir
    Path tmp;
    ManualTimer timer;
    OffsetStore store;
    GroupCoordinator gc;

    @BeforeEach
    void setUp() throws Exception {
        timer = new ManualTimer(1_000_000L);
        store = OffsetStore.open(tmp);
        gc = coordinator(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
    }

    GroupCoordinator coordinator(int initialDelayMs) {
        return new GroupCoordinator(new GroupCoordinator.Settings(initialDelayMs, 6000, 1_800_000, 100,
            7L * 24 * 3600 * 1000, 4096), store, timer, (topic, p) -> topic.startsWith("t") && p >= 0 && p < 4);
    }

    static byte[] subscription(String... topics) {
        final ByteBuffer b = ConsumerProtocol.serializeSubscription(new Subscription(List.of(topics)));
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    JoinGroupRequestData joinRequest(String group, String memberId, String instanceId, byte[] meta,
            String... protocols) {
        final JoinGroupRequestProtocolCollection c = new JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            c.add(new JoinGroupRequestProtocol().setName(p).setMetadata(meta));
        }
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setGroupInstanceId(instanceId)
            .setSessionTimeoutMs(SESSION).setRebalanceTimeoutMs(REBALANCE).setProtocolType("consumer").setProtocols(c);
    }

    AtomicReference<JoinGroupResponseData> join(String group, String memberId) {
        return join(joinRequest(group, memberId, null, subscription("t1"), "range", "cooperative-sticky"));
    }

    AtomicReference<JoinGroupResponseData> join(JoinGroupRequestData req) {
        final AtomicReference<JoinGroupResponseData> r = new AtomicReference<>();
        gc.joinGroup(req, V, "client", "/127.0.0.1", resp -> assertNull(r.getAndSet(resp), "answered twice"));
        return r;
    }

    /** The KIP-394 handshake: an id first, then the real join (which may wait). */
    AtomicReference<JoinGroupResponseData> joinNew(String group) {
        final JoinGroupResponseData first = join(group, "").get();
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        assertTrue(first.memberId().startsWith("client-"), first.memberId());
        return join(group, first.memberId());
    }

    AtomicReference<SyncGroupResponseData> sync(String group, String memberId, int generation,
            Map<String, byte[]> assign) {
        final SyncGroupRequestData req = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
            .setGenerationId(generation).setProtocolType("consumer").setProtocolName("range");
        assign.forEach((m, a) -> req.assignments()
            .add(new SyncGroupRequestAssignment().setMemberId(m).setAssignment(a)));
        final AtomicReference<SyncGroupResponseData> r = new AtomicReference<>();
        gc.syncGroup(req, resp -> assertNull(r.getAndSet(resp), "answered twice"));
        return r;
    }

    Errors heartbeat(String group, String memberId, int generation) {
        return gc.heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
            .setGenerationId(generation));
    }

    @Test
    void singleMemberHandshakeJoinSyncStable() {
        // Goal: the Java consumer's first-join sequence (empty id -> MEMBER_ID_REQUIRED, rejoin,
        // leader of generation 1, SyncGroup with its own assignment) ends Stable with the bytes
        // it sent. Method: the coordinator's calls in order, no delay.
        final JoinGroupResponseData j = joinNew("g").get();
        assertNotNull(j, "a sole member completes the join phase at once");
        assertEquals(Errors.NONE.code(), j.errorCode());
        assertEquals(1, j.generationId());
        assertEquals("range", j.protocolName());
        assertEquals(j.memberId(), j.leader());
        assertEquals(1, j.members().size());
        assertArrayEquals(subscription("t1"), j.members().get(0).metadata());
        assertEquals(GroupState.COMPLETING_REBALANCE, gc.state("g"));
        final SyncGroupResponseData s = sync("g", j.memberId(), 1, Map.of(j.memberId(), new byte[] {1, 2, 3})).get();
        assertEquals(Errors.NONE.code(), s.errorCode());
        assertArrayEquals(new byte[] {1, 2, 3}, s.assignment());
        assertEquals(GroupState.STABLE, gc.state("g"));
        assertEquals(Errors.NONE, heartbeat("g", j.memberId(), 1));
        assertEquals(Errors.ILLEGAL_GENERATION, heartbeat("g", j.memberId(), 0));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("g", "nobody", 1));
    }

    @Test
    void secondMemberTriggersRebalanceAndBothGetTheNextGeneration() {
        // Goal: a member joining a Stable group starts a rebalance that the existing member learns
        // about from its heartbeat; once it rejoins both get generation 2, only the leader gets the
        // member list, and a follower's SyncGroup waits for the leader's. Method: two members.
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of(a.memberId(), new byte[] {1}));
        final AtomicReference<JoinGroupResponseData> bJoin = joinNew("g");
        assertNull(bJoin.get(), "the join phase waits for the existing member");
        assertEquals(GroupState.PREPARING_REBALANCE, gc.state("g"));
        assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat("g", a.memberId(), 1));
        final AtomicReference<JoinGroupResponseData> aJoin = join("g", a.memberId());
        final JoinGroupResponseData a2 = aJoin.get();
        final JoinGroupResponseData b2 = bJoin.get();
        assertNotNull(a2);
        assertNotNull(b2);
        assertEquals(2, a2.generationId());
        assertEquals(2, b2.generationId());
        assertEquals(a.memberId(), a2.leader(), "the first member stays leader");
        assertEquals(2, a2.members().size());
        assertEquals(0, b2.members().size(), "followers do not get the member list");
        final AtomicReference<SyncGroupResponseData> bSync = sync("g", b2.memberId(), 2, Map.of());
        assertNull(bSync.get(), "a follower waits for the leader's assignment");
        final SyncGroupResponseData aSync = sync("g", a.memberId(), 2,
            Map.of(a.memberId(), new byte[] {7}, b2.memberId(), new byte[] {8})).get();
        assertArrayEquals(new byte[] {7}, aSync.assignment());
        assertArrayEquals(new byte[] {8}, bSync.get().assignment());
        assertEquals(GroupState.STABLE, gc.state("g"));
    }

    @Test
    void memberThatDoesNotRejoinIsDroppedAtTheRebalanceTimeout() {
        // Goal: a rebalance does not wait forever for a silent member: at the rebalance timeout the
        // phase completes without it. Method: B joins, A never rejoins, the clock passes 30 s.
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of());
        final AtomicReference<JoinGroupResponseData> b = joinNew("g");
        // A stays alive (heartbeats answer REBALANCE_IN_PROGRESS) but never rejoins.
        for (int t = 0; t + 3000 < REBALANCE; t += 3000) {
            timer.advance(3000);
            assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat("g", a.memberId(), 1));
        }
        timer.advance(REBALANCE - 1 - (REBALANCE - 1) / 3000 * 3000);
        assertNull(b.get());
        timer.advance(1);
        assertNotNull(b.get());
        assertEquals(2, b.get().generationId());
        assertEquals(b.get().memberId(), b.get().leader(), "leadership moves to a member that rejoined");
        assertEquals(List.of(b.get().memberId()), gc.members("g"));
    }

    @Test
    void sessionTimeoutRemovesMemberAndRebalances() {
        // Goal: a member that stops heartbeating is removed after session.timeout.ms and the others
        // are told to rejoin; heartbeats keep a member alive. Method: two Stable members, only A
        // heartbeats while the clock passes the session timeout.
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of());
        final AtomicReference<JoinGroupResponseData> b = joinNew("g");
        join("g", a.memberId());
        final int gen = b.get().generationId();
        sync("g", b.get().memberId(), gen, Map.of());
        sync("g", a.memberId(), gen, Map.of());
        assertEquals(GroupState.STABLE, gc.state("g"));
        for (int i = 0; i < 3; i++) {
            timer.advance(3000);
            assertEquals(Errors.NONE, heartbeat("g", a.memberId(), gen));
        }
        timer.advance(3000);
        assertEquals(GroupState.PREPARING_REBALANCE, gc.state("g"), "B missed its session");
        assertEquals(List.of(a.memberId()), gc.members("g"));
        assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat("g", a.memberId(), gen));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("g", b.get().memberId(), gen));
        final JoinGroupResponseData a3 = join("g", a.memberId()).get();
        assertEquals(gen + 1, a3.generationId());
    }

    @Test
    void leaveRebalancesAndLastLeaveEmptiesThenRemovesGroup() {
        // Goal: LeaveGroup removes the member at once (no session wait), rebalances the rest, and
        // a group left with no member and no offset disappears. Method: two members leave in turn.
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of());
        final AtomicReference<JoinGroupResponseData> b = joinNew("g");
        join("g", a.memberId());
        final GroupCoordinator.LeaveResult r =
            gc.leaveGroup("g", List.of(new MemberIdentity().setMemberId(b.get().memberId())));
        assertEquals(Errors.NONE, r.topLevel());
        assertEquals(Errors.NONE.code(), r.members().get(0).errorCode());
        assertEquals(GroupState.PREPARING_REBALANCE, gc.state("g"));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(),
            gc.leaveGroup("g", List.of(new MemberIdentity().setMemberId("ghost"))).members().get(0).errorCode());
        gc.leaveGroup("g", List.of(new MemberIdentity().setMemberId(a.memberId())));
        assertNull(gc.state("g"), "an empty group without offsets is removed");
        assertEquals(0, gc.groupCount());
    }

    @Test
    void initialDelayWaitsForMoreMembersAndExtendsPerJoin() {
        // Goal: group.initial.rebalance.delay.ms holds the first join phase of a new group so that
        // members starting together land in one generation; each new member extends it (up to the
        // rebalance timeout). Method: delay 3 s, a second member joins after 2 s.
        gc = coordinator(3000);
        final AtomicReference<JoinGroupResponseData> a = joinNew("g");
        timer.advance(2000);
        final AtomicReference<JoinGroupResponseData> b = joinNew("g");
        timer.advance(1000);
        assertNull(a.get(), "the delay was extended by the second member");
        timer.advance(3000);
        assertNotNull(a.get());
        assertNotNull(b.get());
        assertEquals(1, a.get().generationId());
        assertEquals(2, a.get().members().size() + b.get().members().size());
    }

    @Test
    void syncTimeoutRemovesMembersThatNeverSync() {
        // Goal: a member that got its JoinGroup response but never sends SyncGroup is removed at the
        // rebalance timeout, so the group cannot hang in CompletingRebalance. Method: leader syncs,
        // the follower does not.
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of());
        final AtomicReference<JoinGroupResponseData> b = joinNew("g");
        join("g", a.memberId());
        sync("g", a.memberId(), 2, Map.of());
        assertEquals(GroupState.STABLE, gc.state("g"));
        // A heartbeats (it is Stable); B never sends SyncGroup.
        for (int t = 0; t < REBALANCE; t += 3000) {
            timer.advance(3000);
            heartbeat("g", a.memberId(), 2);
        }
        assertFalse(gc.members("g").contains(b.get().memberId()));
    }

    @Test
    void offsetCommitValidation() {
        // Goal: OffsetCommit follows Kafka's rules: a standalone commit (generation -1, no member)
        // only while the group has no members; members need the current generation; during
        // CompletingRebalance REBALANCE_IN_PROGRESS; during PreparingRebalance the current generation
        // may still commit; unknown partitions and oversized metadata are per-partition errors.
        final TopicPartition tp = new TopicPartition("t1", 0);
        assertEquals(Errors.NONE, commit("g", "", -1, tp, 5).get(tp));
        assertEquals(5, gc.fetchOffsets("g", List.of(tp)).get(tp).offset());
        final JoinGroupResponseData a = joinNew("g").get();
        assertEquals(Errors.REBALANCE_IN_PROGRESS, commit("g", a.memberId(), 1, tp, 6).get(tp));
        sync("g", a.memberId(), 1, Map.of());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, commit("g", "", -1, tp, 6).get(tp));
        assertEquals(Errors.ILLEGAL_GENERATION, commit("g", a.memberId(), 0, tp, 6).get(tp));
        assertEquals(Errors.NONE, commit("g", a.memberId(), 1, tp, 7).get(tp));
        joinNew("g");
        assertEquals(GroupState.PREPARING_REBALANCE, gc.state("g"));
        assertEquals(Errors.NONE, commit("g", a.memberId(), 1, tp, 8).get(tp), "commit before rejoining");
        final TopicPartition missing = new TopicPartition("x", 0);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, commit("g", a.memberId(), 1, missing, 1).get(missing));
        final Map<TopicPartition, Errors> big = gc.commitOffsets("g", a.memberId(), null, 1, -1,
            List.of(new GroupCoordinator.OffsetCommit(tp, 9, -1, "m".repeat(4097))), V);
        assertEquals(Errors.OFFSET_METADATA_TOO_LARGE, big.get(tp));
        assertEquals(8, gc.fetchOffsets("g", null).get(tp).offset());
        assertEquals(Errors.ILLEGAL_GENERATION, commit("nogroup", "m", 3, tp, 1).get(tp));
    }

    Map<TopicPartition, Errors> commit(String group, String member, int generation, TopicPartition tp, long offset) {
        return gc.commitOffsets(group, member, null, generation, -1,
            List.of(new GroupCoordinator.OffsetCommit(tp, offset, 0, "meta")), (short) 8);
    }

    @Test
    void committedOffsetsSurviveReopenAndGroupIsListedEmpty() throws Exception {
        // Goal: offsets committed through the coordinator are in the journal: a new coordinator on
        // a reopened store (a broker restart) returns them, and lists the group as Empty.
        final TopicPartition tp = new TopicPartition("t2", 3);
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of());
        assertEquals(Errors.NONE, commit("g", a.memberId(), 1, tp, 42).get(tp));
        store.close();
        store = OffsetStore.open(tmp);
        gc = coordinator(0);
        final CommittedOffset c = gc.fetchOffsets("g", List.of(tp)).get(tp);
        assertEquals(42, c.offset());
        assertEquals("meta", c.metadata());
        assertEquals(0, c.leaderEpoch());
        assertEquals(GroupState.EMPTY, gc.state("g"));
        assertEquals("Empty", gc.listGroups(List.of("empty"), List.of("classic")).get(0).groupState());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, commit("g", a.memberId(), 1, tp, 43).get(tp),
            "the old member must rejoin after a restart");
    }

    @Test
    void staticMemberRejoiningFencesItsOldId() {
        // Goal: KIP-345: a static member that restarts (joins with its instance id and no member id)
        // gets a new id immediately (no MEMBER_ID_REQUIRED) and its old id is fenced.
        final JoinGroupResponseData a = join(joinRequest("g", "", "inst-1", subscription("t1"), "range")).get();
        assertEquals(Errors.NONE.code(), a.errorCode());
        assertTrue(a.memberId().startsWith("inst-1-"), a.memberId());
        sync("g", a.memberId(), 1, Map.of());
        final AtomicReference<JoinGroupResponseData> again =
            join(joinRequest("g", "", "inst-1", subscription("t1"), "range"));
        assertNotNull(again.get());
        assertEquals(2, again.get().generationId());
        assertEquals(again.get().memberId(), again.get().leader());
        assertEquals(Errors.FENCED_INSTANCE_ID, gc.heartbeat(new HeartbeatRequestData().setGroupId("g")
            .setMemberId(a.memberId()).setGroupInstanceId("inst-1").setGenerationId(2)));
        assertEquals(Errors.FENCED_INSTANCE_ID.code(), gc.leaveGroup("g", List.of(new MemberIdentity()
            .setMemberId(a.memberId()).setGroupInstanceId("inst-1"))).members().get(0).errorCode());
    }

    @Test
    void inconsistentProtocolAndBadSessionTimeoutAreRefused() {
        // Goal: a member sharing no protocol with the group, or with a session timeout outside the
        // broker's bounds, is refused with Kafka's error codes.
        joinNew("g");
        final JoinGroupResponseData bad = join(joinRequest("g", "", null, new byte[0], "roundrobin")).get();
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), bad.errorCode());
        final JoinGroupRequestData shortSession = joinRequest("g", "", null, new byte[0], "range")
            .setSessionTimeoutMs(10);
        assertEquals(Errors.INVALID_SESSION_TIMEOUT.code(), join(shortSession).get().errorCode());
        assertEquals(Errors.INVALID_GROUP_ID.code(), join("", "").get().errorCode());
    }

    @Test
    void offsetExpiryOfEmptyGroupAndDeleteGroups() {
        // Goal: an Empty consumer group's offsets expire offsets.retention after it became empty and
        // the group then disappears; DeleteGroups refuses a group with members and removes an empty
        // one with its offsets.
        final TopicPartition tp = new TopicPartition("t1", 1);
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of());
        commit("g", a.memberId(), 1, tp, 3);
        assertEquals(Errors.NON_EMPTY_GROUP.code(), gc.deleteGroups(List.of("g")).find("g").errorCode());
        gc.leaveGroup("g", List.of(new MemberIdentity().setMemberId(a.memberId())));
        assertEquals(GroupState.EMPTY, gc.state("g"));
        timer.advance(7L * 24 * 3600 * 1000 - 1);
        assertEquals(0, gc.expireOffsets());
        timer.advance(1);
        assertEquals(1, gc.expireOffsets());
        assertNull(gc.state("g"));
        commit("h", "", -1, tp, 1);
        assertEquals(Errors.NONE.code(), gc.deleteGroups(List.of("h")).find("h").errorCode());
        assertTrue(gc.fetchOffsets("h", null).isEmpty());
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), gc.deleteGroups(List.of("h")).find("h").errorCode());
    }

    @Test
    void offsetDeleteRefusesSubscribedTopics() {
        // Goal: OffsetDelete on an active consumer group removes offsets only of topics no member
        // subscribes to (decoded from the members' subscriptions); GROUP_SUBSCRIBED_TO_TOPIC else.
        final TopicPartition t1 = new TopicPartition("t1", 0);
        final TopicPartition t2 = new TopicPartition("t2", 0);
        final JoinGroupResponseData a = joinNew("g").get();
        sync("g", a.memberId(), 1, Map.of());
        gc.commitOffsets("g", a.memberId(), null, 1, -1, List.of(new GroupCoordinator.OffsetCommit(t1, 1, 0, ""),
            new GroupCoordinator.OffsetCommit(t2, 2, 0, "")), V);
        final GroupCoordinator.OffsetDeleteResult r = gc.deleteOffsets("g", List.of(t1, t2));
        assertEquals(Errors.NONE, r.groupError());
        assertEquals(Errors.GROUP_SUBSCRIBED_TO_TOPIC, r.partitions().get(t1));
        assertEquals(Errors.NONE, r.partitions().get(t2));
        assertEquals(List.of(t1), List.copyOf(gc.fetchOffsets("g", null).keySet()));
    }
}
