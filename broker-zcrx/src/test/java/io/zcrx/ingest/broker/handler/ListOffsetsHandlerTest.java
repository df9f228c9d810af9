package io.zcrx.ingest.broker.handler;

import static io.zcrx.ingest.broker.metadata.ClusterFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.testkit.FakeController;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ListOffsets and OffsetForLeaderEpoch against partition states: NOT_LEADER_OR_FOLLOWER for a
 * partition led elsewhere, CurrentLeaderEpoch fenced against the partition's own epoch (newer:
 * UNKNOWN_LEADER_EPOCH, older: FENCED_LEADER_EPOCH), answers carrying that epoch; standalone epoch 0.
 */
class ListOffsetsHandlerTest {
    private static final long LATEST = -1L;

    @TempDir
    Path dir;
    private ClusterFixture fx;

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private List<ListOffsetsPartitionResponse> listLatest(int... currentEpochs) {
        final ListOffsetsTopic t = new ListOffsetsTopic().setName("t");
        for (int p = 0; p < currentEpochs.length; p++) {
            t.partitions().add(new ListOffsetsPartition().setPartitionIndex(p).setTimestamp(LATEST)
                .setCurrentLeaderEpoch(currentEpochs[p]));
        }
        return new ListOffsetsHandler(fx.ctx()).handle(new ListOffsetsRequestData().setTopics(List.of(t)), (short) 8,
            null).topics().get(0).partitions();
    }

    private List<EpochEndOffset> endOffsets(int[] partitions, int[] currentEpochs, int[] epochs) {
        final OffsetForLeaderTopic t = new OffsetForLeaderTopic().setTopic("t");
        for (int i = 0; i < partitions.length; i++) {
            t.partitions().add(new OffsetForLeaderPartition().setPartition(partitions[i])
                .setCurrentLeaderEpoch(currentEpochs[i]).setLeaderEpoch(epochs[i]));
        }
        final OffsetForLeaderEpochRequestData req = new OffsetForLeaderEpochRequestData();
        req.topics().add(t);
        return new OffsetForLeaderEpochHandler(fx.ctx()).handle(req, null).topics().find("t").partitions();
    }

    private static void assertAnswer(Errors error, int epoch, long offset, ListOffsetsPartitionResponse r) {
        final String what = "partition " + r.partitionIndex();
        assertEquals(error.code(), r.errorCode(), what);
        assertEquals(epoch, r.leaderEpoch(), what);
        assertEquals(offset, r.offset(), what);
    }

    // Goal: a partition led elsewhere is NOT_LEADER_OR_FOLLOWER, and fencing uses each partition's
    // own epoch (5 here, 3 for the other local one), which the answer carries.
    @Test
    void listOffsetsInClusterMode() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        fx.topic("t", state(1, 5, 1), state(2, 7, 2), state(1, 3, 1), state(1, 5, 1), state(1, 5, 1));
        final List<ListOffsetsPartitionResponse> r = listLatest(5, 7, -1, 6, 4);
        assertAnswer(Errors.NONE, 5, 0, r.get(0));
        assertAnswer(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, r.get(1));
        assertAnswer(Errors.NONE, 3, 0, r.get(2));
        assertAnswer(Errors.UNKNOWN_LEADER_EPOCH, -1, -1, r.get(3));
        assertAnswer(Errors.FENCED_LEADER_EPOCH, -1, -1, r.get(4));
    }

    // Goal: Kafka's order (Partition.localLogWithEpochOrThrow): for a partition this broker holds a replica of but
    // does not lead, CurrentLeaderEpoch is fenced before leadership (newer: UNKNOWN_LEADER_EPOCH, older:
    // FENCED_LEADER_EPOCH, its own: NOT_LEADER_OR_FOLLOWER); a partition without a replica here is
    // NOT_LEADER_OR_FOLLOWER whatever the epoch. Same in ListOffsets and OffsetForLeaderEpoch.
    @Test
    void theEpochOfAReplicaHeldHereIsCheckedBeforeLeadership() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        fx.topic("t", state(2, 7, 2, 1), state(2, 7, 2));
        List<ListOffsetsPartitionResponse> r = listLatest(8, 8);
        assertAnswer(Errors.UNKNOWN_LEADER_EPOCH, -1, -1, r.get(0));
        assertAnswer(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, r.get(1));
        r = listLatest(6, 6);
        assertAnswer(Errors.FENCED_LEADER_EPOCH, -1, -1, r.get(0));
        assertAnswer(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, r.get(1));
        r = listLatest(7, -1);
        assertAnswer(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, r.get(0));
        assertAnswer(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, r.get(1));

        final List<EpochEndOffset> e = endOffsets(new int[] {0, 0, 0, 0, 1}, new int[] {8, 6, 7, -1, 8},
            new int[] {7, 7, 7, 7, 7});
        assertEpoch(Errors.UNKNOWN_LEADER_EPOCH, -1, -1, e.get(0));
        assertEpoch(Errors.FENCED_LEADER_EPOCH, -1, -1, e.get(1));
        assertEpoch(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, e.get(2));
        assertEpoch(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, e.get(3));
        assertEpoch(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, e.get(4));
    }

    // Goal: standalone is unchanged: epoch 0, and 1 is unknown, -1 passes.
    @Test
    void listOffsetsStandalone() throws Exception {
        fx = new ClusterFixture(dir);
        fx.ctx().topics().create("t", 3, Map.of(), false);
        final List<ListOffsetsPartitionResponse> r = listLatest(0, -1, 1);
        assertAnswer(Errors.NONE, 0, 0, r.get(0));
        assertAnswer(Errors.NONE, 0, 0, r.get(1));
        assertAnswer(Errors.UNKNOWN_LEADER_EPOCH, -1, -1, r.get(2));
    }

    // Goal: OffsetForLeaderEpoch: NOT_LEADER_OR_FOLLOWER for a partition led elsewhere,
    // UNKNOWN_TOPIC_OR_PARTITION out of range, fencing by the partition's epoch, and the current
    // epoch ends at the log end (another epoch is unknown: -1/-1).
    @Test
    void offsetForLeaderEpochInClusterMode() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        fx.topic("t", state(1, 5, 1), state(2, 7, 2));
        final List<EpochEndOffset> r = endOffsets(new int[] {0, 0, 0, 0, 1, 9}, new int[] {5, -1, 6, 4, 7, -1},
            new int[] {5, 2, 5, 5, 7, 0});
        assertEpoch(Errors.NONE, 5, 0, r.get(0));
        assertEpoch(Errors.NONE, -1, -1, r.get(1));
        assertEpoch(Errors.UNKNOWN_LEADER_EPOCH, -1, -1, r.get(2));
        assertEpoch(Errors.FENCED_LEADER_EPOCH, -1, -1, r.get(3));
        assertEpoch(Errors.NOT_LEADER_OR_FOLLOWER, -1, -1, r.get(4));
        assertEpoch(Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, r.get(5));
    }

    @Test
    void offsetForLeaderEpochStandalone() throws Exception {
        fx = new ClusterFixture(dir);
        fx.ctx().topics().create("t", 1, Map.of(), false);
        final List<EpochEndOffset> r = endOffsets(new int[] {0, 0}, new int[] {0, 1}, new int[] {0, 0});
        assertEpoch(Errors.NONE, 0, 0, r.get(0));
        assertEpoch(Errors.UNKNOWN_LEADER_EPOCH, -1, -1, r.get(1));
    }

    private static void assertEpoch(Errors error, int epoch, long endOffset, EpochEndOffset r) {
        assertEquals(error.code(), r.errorCode(), r.toString());
        assertEquals(epoch, r.leaderEpoch(), r.toString());
        assertEquals(endOffset, r.endOffset(), r.toString());
    }
}
