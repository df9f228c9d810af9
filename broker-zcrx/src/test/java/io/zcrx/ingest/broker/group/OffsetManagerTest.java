package io.zcrx.ingest.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Committed offsets against the group membership: commit rules, persistence across a restart,
 * expiry, DeleteGroups and OffsetDelete (see {@link AbstractGroupTest} for the set-up).
 */
class OffsetManagerTest extends AbstractGroupTest {
    @Test
    void offsetCommitValidation() {
        // Goal: OffsetCommit follows Kafka's rules: a standalone commit (generation -1, no member)
        // only while the group has no members; members need the current generation; during
        // CompletingRebalance REBALANCE_IN_PROGRESS; during PreparingRebalance the current generation
        // may still commit; unknown partitions and oversized metadata are per-partition errors.
        final TopicPartition tp = new TopicPartition("t1", 0);
        assertEquals(Errors.NONE, commit("g", "", -1, tp, 5).get(tp));
        assertEquals(5, offsets.fetchOffsets("g", List.of(tp)).get(tp).offset());
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
        final Map<TopicPartition, Errors> big = offsets.commitOffsets("g", a.memberId(), null, 1, -1,
            List.of(new OffsetManager.OffsetCommit(tp, 9, -1, "m".repeat(4097))), V);
        assertEquals(Errors.OFFSET_METADATA_TOO_LARGE, big.get(tp));
        assertEquals(8, offsets.fetchOffsets("g", null).get(tp).offset());
        assertEquals(Errors.ILLEGAL_GENERATION, commit("nogroup", "m", 3, tp, 1).get(tp));
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
        startCoordinator(0);
        final CommittedOffset c = offsets.fetchOffsets("g", List.of(tp)).get(tp);
        assertEquals(42, c.offset());
        assertEquals("meta", c.metadata());
        assertEquals(0, c.leaderEpoch());
        assertEquals(GroupState.EMPTY, gc.state("g"));
        assertEquals("Empty", gc.listGroups(List.of("empty"), List.of("classic")).get(0).groupState());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, commit("g", a.memberId(), 1, tp, 43).get(tp),
            "the old member must rejoin after a restart");
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
        assertEquals(0, offsets.expireOffsets());
        timer.advance(1);
        assertEquals(1, offsets.expireOffsets());
        assertNull(gc.state("g"));
        commit("h", "", -1, tp, 1);
        assertEquals(Errors.NONE.code(), gc.deleteGroups(List.of("h")).find("h").errorCode());
        assertTrue(offsets.fetchOffsets("h", null).isEmpty());
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
        offsets.commitOffsets("g", a.memberId(), null, 1, -1, List.of(new OffsetManager.OffsetCommit(t1, 1, 0, ""),
            new OffsetManager.OffsetCommit(t2, 2, 0, "")), V);
        final OffsetManager.OffsetDeleteResult r = offsets.deleteOffsets("g", List.of(t1, t2));
        assertEquals(Errors.NONE, r.groupError());
        assertEquals(Errors.GROUP_SUBSCRIBED_TO_TOPIC, r.partitions().get(t1));
        assertEquals(Errors.NONE, r.partitions().get(t2));
        assertEquals(List.of(t1), List.copyOf(offsets.fetchOffsets("g", null).keySet()));
    }
}
