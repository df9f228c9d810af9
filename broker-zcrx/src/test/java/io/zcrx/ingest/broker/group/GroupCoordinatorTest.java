package io.zcrx.ingest.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The classic group state machine: join handshake, rebalances, timeouts, static members, leaving
 * (see {@link AbstractGroupTest} for the set-up).
 */
class GroupCoordinatorTest extends AbstractGroupTest {
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
        startCoordinator(3000);
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
}
