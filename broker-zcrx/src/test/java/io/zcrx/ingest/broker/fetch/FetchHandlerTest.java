package io.zcrx.ingest.broker.fetch;

import static io.zcrx.ingest.broker.metadata.ClusterFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.testkit.FakeController;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch's per-partition decisions against partition states (the plan a Fetch is answered from):
 * NOT_LEADER_OR_FOLLOWER for a partition led elsewhere, CurrentLeaderEpoch fenced against the
 * partition's own epoch, and from v16 the KIP-951 CurrentLeader and NodeEndpoints for
 * NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH, as Kafka fills them.
 */
class FetchHandlerTest {
    @TempDir
    Path dir;
    private ClusterFixture fx;

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private FetchHandler.Plan plan(short version, int[] partitions, int[] currentEpochs) {
        final FetchTopic t = new FetchTopic().setTopic("t").setTopicId(fx.ctx().topics().get("t").id());
        for (int i = 0; i < partitions.length; i++) {
            t.partitions().add(new FetchPartition().setPartition(partitions[i]).setFetchOffset(0)
                .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(currentEpochs[i]));
        }
        final FetchRequestData req = new FetchRequestData().setMaxBytes(1 << 20).setMinBytes(1).setMaxWaitMs(0)
            .setTopics(List.of(t));
        return new FetchHandler(fx.ctx()).plan(req, version);
    }

    private static void assertPartition(PartitionData p, Errors error, int leader, int epoch) {
        final String what = "partition " + p.partitionIndex();
        assertEquals(error.code(), p.errorCode(), what);
        assertEquals(leader, p.currentLeader().leaderId(), what);
        assertEquals(epoch, p.currentLeader().leaderEpoch(), what);
    }

    // Goal: v16+: led elsewhere (alive leader) -> NOT_LEADER_OR_FOLLOWER naming it; dead leader ->
    // no hint; stale epoch -> FENCED_LEADER_EPOCH naming this broker; newer -> UNKNOWN_LEADER_EPOCH;
    // the endpoints of the named leaders once each.
    @Test
    void clusterModeLeadershipAndFencing() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        fx.topic("t", state(1, 5, 1), state(2, 7, 2), state(3, 1, 3), state(2, 9, 2));
        final FetchHandler.Plan plan = plan((short) 17, new int[] {0, 1, 2, 0, 0, 3, 8},
            new int[] {5, -1, -1, 4, 6, 9, -1});
        final FetchResponseData r = plan.response;
        final List<PartitionData> ps = r.responses().get(0).partitions();
        assertPartition(ps.get(0), Errors.NONE, -1, -1);
        assertPartition(ps.get(1), Errors.NOT_LEADER_OR_FOLLOWER, 2, 7);
        assertPartition(ps.get(2), Errors.NOT_LEADER_OR_FOLLOWER, -1, -1);
        assertPartition(ps.get(3), Errors.FENCED_LEADER_EPOCH, 1, 5);
        assertPartition(ps.get(4), Errors.UNKNOWN_LEADER_EPOCH, -1, -1);
        assertPartition(ps.get(5), Errors.NOT_LEADER_OR_FOLLOWER, 2, 9);
        assertPartition(ps.get(6), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
        assertEquals(2, r.nodeEndpoints().size());
        assertEquals("broker2.test", r.nodeEndpoints().find(2).host());
        assertEquals("rack-b", r.nodeEndpoints().find(2).rack());
        assertEquals(9091, r.nodeEndpoints().find(1).port());
    }

    // Goal: Kafka's order (Partition.localLogWithEpochOrThrow): a partition this broker holds a replica of but does
    // not lead fences CurrentLeaderEpoch first (newer: UNKNOWN_LEADER_EPOCH without a hint, older:
    // FENCED_LEADER_EPOCH naming the leader), and only its own or no epoch is NOT_LEADER_OR_FOLLOWER; a partition
    // without a replica here is NOT_LEADER_OR_FOLLOWER whatever the epoch.
    @Test
    void theEpochOfAReplicaHeldHereIsCheckedBeforeLeadership() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        fx.topic("t", state(2, 7, 2, 1), state(2, 7, 2));
        final FetchHandler.Plan plan = plan((short) 17, new int[] {0, 0, 0, 0, 1, 1},
            new int[] {8, 6, 7, -1, 8, 6});
        final List<PartitionData> ps = plan.response.responses().get(0).partitions();
        assertPartition(ps.get(0), Errors.UNKNOWN_LEADER_EPOCH, -1, -1);
        assertPartition(ps.get(1), Errors.FENCED_LEADER_EPOCH, 2, 7);
        assertPartition(ps.get(2), Errors.NOT_LEADER_OR_FOLLOWER, 2, 7);
        assertPartition(ps.get(3), Errors.NOT_LEADER_OR_FOLLOWER, 2, 7);
        assertPartition(ps.get(4), Errors.NOT_LEADER_OR_FOLLOWER, 2, 7);
        assertPartition(ps.get(5), Errors.NOT_LEADER_OR_FOLLOWER, 2, 7);
    }

    // Goal: below v16 the errors are the same and no hint is filled (Kafka fills them from v16).
    @Test
    void noHintsBeforeV16() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        fx.topic("t", state(1, 5, 1), state(2, 7, 2));
        final FetchResponseData r = plan((short) 15, new int[] {0, 1}, new int[] {4, -1}).response;
        final List<PartitionData> ps = r.responses().get(0).partitions();
        assertPartition(ps.get(0), Errors.FENCED_LEADER_EPOCH, -1, -1);
        assertPartition(ps.get(1), Errors.NOT_LEADER_OR_FOLLOWER, -1, -1);
        assertTrue(r.nodeEndpoints().isEmpty());
    }

    // Goal: standalone is unchanged: epoch 0 passes, 1 is UNKNOWN_LEADER_EPOCH, out of range unknown.
    @Test
    void standaloneEpochZero() throws Exception {
        fx = new ClusterFixture(dir);
        fx.ctx().topics().create("t", 1, Map.of(), false);
        final FetchResponseData r = plan((short) 17, new int[] {0, 0, 1}, new int[] {0, 1, -1}).response;
        final List<PartitionData> ps = r.responses().get(0).partitions();
        assertPartition(ps.get(0), Errors.NONE, -1, -1);
        assertPartition(ps.get(1), Errors.UNKNOWN_LEADER_EPOCH, -1, -1);
        assertPartition(ps.get(2), Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
        assertTrue(r.nodeEndpoints().isEmpty());
    }
}
