package io.zcrx.ingest.broker.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.replica.LogAppender;
import io.zcrx.ingest.broker.testkit.FakeController;
import io.zcrx.ingest.broker.testkit.ManualTimer;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follower fetches on the leader (Kafka's {@code Partition.fetchRecords} for a replica): only replicas may fetch,
 * LastFetchedEpoch against the epoch history gives DivergingEpoch, a follower reads up to the log end while a
 * consumer reads up to the high watermark, and the follower's fetch offset moves the high watermark.
 * Partition t-0: replicas {1, 2}, ISR {1, 2}, led here; epochs 3 (offsets 0-1) and 5 (offset 2).
 */
class FollowerFetchTest {
    @TempDir
    Path dir;
    private ClusterFixture fx;
    private PartitionLog log;
    private FetchHandler handler;

    @BeforeEach
    void lead() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2, 3);
        fx.ctx().attach(new ManualTimer(0), null, null);
        final TopicInfo t = fx.topic("t", new PartitionState(1, 5, 7, new int[] {1, 2}, new int[] {1, 2}));
        log = t.partition(0);
        final LogAppender appender = new LogAppender();
        log.becomeLeader(3);
        appender.append(log, 1);
        appender.append(log, 1);
        log.becomeLeader(5);
        appender.append(log, 1);
        final LeaderPartitions leaders = new LeaderPartitions(fx.ctx(), Map.of());
        leaders.onBecomeLeader(t, 0, log, 5);
        handler = new FetchHandler(fx.ctx(), leaders);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private PartitionData fetch(short version, int replicaId, long offset, int currentEpoch, int lastFetchedEpoch) {
        final FetchTopic t = new FetchTopic().setTopic("t").setTopicId(fx.ctx().topics().get("t").id());
        t.partitions().add(new FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(1 << 20)
            .setCurrentLeaderEpoch(currentEpoch).setLastFetchedEpoch(lastFetchedEpoch));
        final FetchRequestData req = new FetchRequestData().setMaxBytes(1 << 20).setMinBytes(1).setMaxWaitMs(0)
            .setTopics(List.of(t));
        if (version >= 15) {
            req.replicaState().setReplicaId(replicaId).setReplicaEpoch(11L);
        } else {
            req.setReplicaId(replicaId);
        }
        final FetchHandler.Plan plan = handler.plan(req, version);
        FetchHandler.read(plan);
        return plan.response.responses().get(0).partitions().get(0);
    }

    // Goal: a broker that is no replica is refused (UNKNOWN_LEADER_EPOCH when it named the epoch, so it retries;
    // NOT_LEADER_OR_FOLLOWER without one), and epochs are fenced as for consumers.
    @Test
    void onlyReplicasFetch() {
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), fetch((short) 17, 3, 0, 5, -1).errorCode());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), fetch((short) 17, 3, 0, -1, -1).errorCode());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), fetch((short) 11, 3, 0, -1, -1).errorCode());
        assertEquals(Errors.FENCED_LEADER_EPOCH.code(), fetch((short) 17, 2, 0, 4, -1).errorCode());
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), fetch((short) 17, 2, 0, 6, -1).errorCode());
        assertEquals(Errors.NONE.code(), fetch((short) 11, 2, 0, -1, -1).errorCode(), "replica_id before v15");
    }

    // Goal: the follower reads every batch up to the log end although the high watermark is lower; a consumer
    // reads nothing above it; the follower's next fetch offset (its log end) advances the high watermark.
    @Test
    void followersReadToTheLogEndAndMoveTheHighWatermark() {
        final PartitionData consumer = fetch((short) 17, -1, 0, 5, -1);
        assertEquals(Errors.NONE.code(), consumer.errorCode());
        assertEquals(0, consumer.highWatermark());
        assertEquals(0, consumer.records().sizeInBytes());

        final PartitionData follower = fetch((short) 17, 2, 0, 5, -1);
        assertEquals(Errors.NONE.code(), follower.errorCode());
        assertEquals(0, follower.highWatermark());
        assertTrue(follower.records().sizeInBytes() > 0);
        assertEquals(log.logEndOffset(), 3);

        final PartitionData next = fetch((short) 17, 2, 3, 5, 5);
        assertEquals(Errors.NONE.code(), next.errorCode());
        assertEquals(-1, next.divergingEpoch().epoch());
        assertEquals(3, next.highWatermark(), "the follower's log end (3) moved the high watermark");
        assertEquals(0, next.records().sizeInBytes());
        assertEquals(3, fetch((short) 17, -1, 0, 5, -1).highWatermark());
    }

    // Goal: Kafka's readRecords: LastFetchedEpoch 4 (unknown here) at offset 3 diverges at epoch 3's end (2); epoch
    // 3 with a fetch offset past its end (3) too; epoch 3 at 2 does not; no records with a DivergingEpoch.
    @Test
    void divergingEpoch() {
        PartitionData p = fetch((short) 17, 2, 3, 5, 4);
        assertEquals(Errors.NONE.code(), p.errorCode());
        assertEquals(3, p.divergingEpoch().epoch());
        assertEquals(2, p.divergingEpoch().endOffset());
        assertEquals(0, p.records().sizeInBytes());
        assertEquals(0, p.logStartOffset());

        p = fetch((short) 17, 2, 3, 5, 3);
        assertEquals(3, p.divergingEpoch().epoch());
        assertEquals(2, p.divergingEpoch().endOffset());

        p = fetch((short) 17, 2, 2, 5, 3);
        assertEquals(-1, p.divergingEpoch().epoch());
        assertTrue(p.records().sizeInBytes() > 0);
        assertEquals(2, p.highWatermark(), "the follower's fetch at 2 moved the high watermark to 2");
    }
}
