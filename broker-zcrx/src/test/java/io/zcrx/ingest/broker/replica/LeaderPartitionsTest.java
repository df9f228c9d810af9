package io.zcrx.ingest.broker.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.testkit.FakeController;
import io.zcrx.ingest.broker.testkit.ManualTimer;
import io.zcrx.ingest.log.FetchRegion;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionRequest;
import org.apache.kafka.common.requests.AlterPartitionResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader side of replication on real logs with the test controller channel: Kafka's high watermark rule
 * (min log end over the maximal ISR and the caught-up followers), ISR expansion and shrink through AlterPartition
 * (its contents, one in flight, every kind of answer), and the checkpointed high watermark at the first leadership.
 * Node 1 is this broker (epoch 42); 2 and 3 are live brokers.
 */
class LeaderPartitionsTest {
    private static final int EPOCH = 5;
    private static final int PARTITION_EPOCH = 10;
    private static final long LAG_MS = 30_000L;
    /** Fetch times as the wall clock gives them (Kafka's "never caught up" is time 0). */
    private static final long T = System.currentTimeMillis() + 60_000L;

    @TempDir
    Path dir;
    private ClusterFixture fx;
    private final FakeController controller = new FakeController();
    private final ManualTimer timer = new ManualTimer(0);
    private final LogAppender appender = new LogAppender();
    private LeaderPartitions leaders;
    private TopicInfo topic;
    private PartitionLog log;

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    /** Partition t-0 led here in EPOCH with replicas {1,2,3} and ISR {@code isr}. */
    private LeaderPartition lead(Map<TopicPartition, Long> checkpointed, int... isr) throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(controller, 1, 2, 3);
        fx.ctx().attach(timer, null, null);
        topic = fx.topic("t", new PartitionState(1, EPOCH, PARTITION_EPOCH, new int[] {1, 2, 3}, isr));
        log = topic.partition(0);
        log.becomeLeader(EPOCH);
        leaders = new LeaderPartitions(fx.ctx(), checkpointed);
        leaders.onBecomeLeader(topic, 0, log, EPOCH);
        return leaders.leaderOf(log, EPOCH);
    }

    private static AlterPartitionRequestData.PartitionData only(FakeController.Call c) {
        final AlterPartitionRequestData d = ((AlterPartitionRequest) c.request()).data();
        assertEquals(1, d.topics().size());
        assertEquals(1, d.topics().get(0).partitions().size());
        return d.topics().get(0).partitions().get(0);
    }

    private static int[] isrOf(AlterPartitionRequestData.PartitionData pd) {
        return pd.newIsrWithEpochs().stream().mapToInt(AlterPartitionRequestData.BrokerState::brokerId).toArray();
    }

    private void answer(FakeController.Call c, Errors partitionError, int partitionEpoch, int... isr) {
        final AlterPartitionRequestData.PartitionData sent = only(c);
        final AlterPartitionResponseData.PartitionData pd = new AlterPartitionResponseData.PartitionData()
            .setPartitionIndex(0).setErrorCode(partitionError.code()).setLeaderId(1).setLeaderEpoch(sent.leaderEpoch())
            .setPartitionEpoch(partitionEpoch);
        for (int id : isr) {
            pd.isr().add(id);
        }
        final AlterPartitionResponseData data = new AlterPartitionResponseData();
        data.topics().add(new AlterPartitionResponseData.TopicData().setTopicId(topic.id())
            .setPartitions(new ArrayList<>(List.of(pd))));
        c.answer().complete(new AlterPartitionResponse(data));
    }

    // Goal: the high watermark waits for every ISR member; a caught-up follower joins the ISR through one
    // AlterPartition v3 carrying broker epochs and the leader/partition epochs; the joiner bounds the high watermark
    // while the change is in flight (maximal ISR); the answer applies at once. Consumers read up to the high
    // watermark, followers up to the log end.
    @Test
    void highWatermarkFollowsTheIsrAndACaughtUpFollowerJoins() throws Exception {
        final LeaderPartition p = lead(Map.of(), 1, 2);
        appender.append(log, 1);
        appender.append(log, 1);
        final long end = appender.append(log, 1);
        assertEquals(3, end);
        assertTrue(log.highWatermarkHeld());
        assertEquals(0, log.highWatermark(), "follower 2 of the ISR has fetched nothing yet");
        final FetchRegion r = new FetchRegion();
        log.read(0, 1 << 20, true, r);
        assertEquals(0, r.length, "a consumer reads nothing above the high watermark");
        log.readForFollower(0, 1 << 20, true, r);
        assertTrue(r.length > 0, "a follower reads up to the log end");
        assertEquals(3, r.logEndOffset);
        r.reset();

        assertTrue(p.onFollowerFetch(2, 2, 0, 7L, end, T + 1000));
        assertEquals(2, log.highWatermark());
        assertFalse(p.onFollowerFetch(3, 1, 0, 9L, end, T + 1000), "3 is not in the ISR and not caught up");
        assertEquals(2, log.highWatermark());
        assertEquals(0, controller.calls.size(), "3 is below the high watermark: no expansion");

        p.onFollowerFetch(3, 3, 0, 9L, end, T + 1100);
        assertEquals(1, controller.calls.size());
        final AlterPartitionRequestData.PartitionData sent = only(controller.last());
        final AlterPartitionRequestData data = ((AlterPartitionRequest) controller.last().request()).data();
        assertEquals(3, controller.last().request().version());
        assertEquals(1, data.brokerId());
        assertEquals(42L, data.brokerEpoch());
        assertEquals(topic.id(), data.topics().get(0).topicId());
        assertEquals(EPOCH, sent.leaderEpoch());
        assertEquals(PARTITION_EPOCH, sent.partitionEpoch());
        assertArrayEquals(new int[] {1, 2, 3}, isrOf(sent));
        assertEquals(List.of(42L, 7L, 9L), sent.newIsrWithEpochs().stream()
            .map(AlterPartitionRequestData.BrokerState::brokerEpoch).toList());
        assertArrayEquals(new int[] {1, 2, 3}, p.pendingIsr());

        appender.append(log, 1);
        p.onFollowerFetch(2, 4, 0, 7L, 4, T + 1200);
        assertEquals(3, log.highWatermark(), "the joiner (at 3) bounds the high watermark while in flight");
        assertEquals(1, controller.calls.size(), "one change in flight per partition");

        answer(controller.last(), Errors.NONE, PARTITION_EPOCH + 1, 1, 2, 3);
        assertArrayEquals(new int[] {1, 2, 3}, p.isr());
        assertEquals(PARTITION_EPOCH + 1, p.partitionEpoch());
        assertNull(p.pendingIsr());
        p.onFollowerFetch(3, 4, 0, 9L, 4, T + 1300);
        assertEquals(4, log.highWatermark());
    }

    // Goal: Kafka's answers to a refused change. OPERATION_NOT_ATTEMPTED / INELIGIBLE_REPLICA: back to the
    // committed ISR, the next fetch tries again; INVALID_UPDATE_VERSION (and the other stale-state errors): pending
    // until the metadata brings a newer partition epoch; a request-level error is sent again after the backoff.
    @Test
    void everyAlterPartitionAnswerIsHandled() throws Exception {
        final LeaderPartition p = lead(Map.of(), 1, 2);
        final long end = appender.append(log, 2);
        p.onFollowerFetch(2, end, 0, 7L, end, T + 1000);
        p.onFollowerFetch(3, end, 0, 9L, end, T + 1000);
        assertEquals(1, controller.calls.size());

        answer(controller.last(), Errors.OPERATION_NOT_ATTEMPTED, PARTITION_EPOCH);
        assertNull(p.pendingIsr());
        p.onFollowerFetch(3, end, 0, 9L, end, T + 1100);
        assertEquals(2, controller.calls.size(), "sent again on the next fetch");

        answer(controller.last(), Errors.INELIGIBLE_REPLICA, PARTITION_EPOCH);
        assertNull(p.pendingIsr());
        p.onFollowerFetch(3, end, 0, 9L, end, T + 1200);
        assertEquals(3, controller.calls.size());

        answer(controller.last(), Errors.INVALID_UPDATE_VERSION, PARTITION_EPOCH);
        assertArrayEquals(new int[] {1, 2, 3}, p.pendingIsr(), "stale state: pending until the metadata");
        p.onFollowerFetch(3, end, 0, 9L, end, T + 1300);
        assertEquals(3, controller.calls.size());

        // The metadata publishes a newer partition state (the controller's ISR is still {1,2}).
        ClusterFixture.republish(topic,
            new PartitionState(1, EPOCH, PARTITION_EPOCH + 2, new int[] {1, 2, 3}, new int[] {1, 2}));
        p.onFollowerFetch(3, end, 0, 9L, end, T + 1400);
        assertEquals(4, controller.calls.size());
        assertEquals(PARTITION_EPOCH + 2, only(controller.last()).partitionEpoch());

        controller.last().answer().complete(new AlterPartitionResponse(
            new AlterPartitionResponseData().setErrorCode(Errors.NOT_CONTROLLER.code())));
        assertEquals(4, controller.calls.size());
        timer.advance(IsrUpdater.RETRY_BACKOFF_MS);
        assertEquals(5, controller.calls.size(), "a request-level error is retried after the backoff");

        answer(controller.last(), Errors.FENCED_LEADER_EPOCH, PARTITION_EPOCH + 2);
        assertArrayEquals(new int[] {1, 2, 3}, p.pendingIsr());
        answer(controller.last(), Errors.NONE, PARTITION_EPOCH + 3, 1, 2, 3);
        assertArrayEquals(new int[] {1, 2}, p.isr(), "an answer to a change no longer current is ignored");
    }

    // Goal: a follower that has not caught up for replica.lag.time.max.ms leaves the ISR; once the ISR is the
    // leader alone the high watermark follows the log end again (acks=1 writes stay readable).
    @Test
    void aLaggingFollowerIsShrunkOutAndTheHighWatermarkFollowsTheLogEndAgain() throws Exception {
        final LeaderPartition p = lead(Map.of(), 1, 2);
        long end = appender.append(log, 1);
        p.onFollowerFetch(2, end, 0, 7L, end, T + 1000);
        assertEquals(end, log.highWatermark());
        end = appender.append(log, 1);
        p.maybeShrinkIsr(T + 1000 + LAG_MS);
        assertEquals(0, controller.calls.size(), "within the lag time");
        p.maybeShrinkIsr(T + 1001 + LAG_MS);
        assertEquals(1, controller.calls.size());
        assertArrayEquals(new int[] {1}, isrOf(only(controller.last())));
        assertEquals(1, log.highWatermark(), "held while the shrink is in flight");

        answer(controller.last(), Errors.NONE, PARTITION_EPOCH + 1, 1);
        assertArrayEquals(new int[] {1}, p.isr());
        // The next check at the test's clock (the answer was handled at the wall clock, before T).
        p.maybeShrinkIsr(T + 1002 + LAG_MS);
        assertFalse(log.highWatermarkHeld());
        assertEquals(end, log.highWatermark());
        final long later = appender.append(log, 1);
        assertEquals(later, log.highWatermark(), "every append is committed at once");
    }

    // Goal: an ISR change the controller made in the leader's epoch (a fenced or shut-down follower taken out)
    // applies as soon as the metadata publishes it, as Kafka's makeLeader applies a new partition state: acks=all is
    // refused under min.insync.replicas at once, not after the next ISR check; no AlterPartition is sent for it.
    @Test
    void anIsrChangeFromTheControllerAppliesAtOnce() throws Exception {
        fx = new ClusterFixture(dir, BrokerConfig.MIN_INSYNC_REPLICAS, "2");
        fx.joinCluster(controller, 1, 2, 3);
        fx.ctx().attach(timer, null, null);
        topic = fx.topic("t", new PartitionState(1, EPOCH, PARTITION_EPOCH, new int[] {1, 2}, new int[] {1, 2}));
        log = topic.partition(0);
        log.becomeLeader(EPOCH);
        leaders = new LeaderPartitions(fx.ctx(), Map.of());
        leaders.onBecomeLeader(topic, 0, log, EPOCH);
        assertEquals(0, leaders.minIsrShortfall(log));

        final PartitionState shrunk = new PartitionState(1, EPOCH, PARTITION_EPOCH + 1, new int[] {1, 2},
            new int[] {1});
        ClusterFixture.republish(topic, shrunk);
        leaders.onLeaderStateChanged(topic, 0, log, shrunk);
        assertEquals(1, leaders.minIsrShortfall(log), "acks=all refused from now on");
        final LeaderPartition p = leaders.leaderOf(log, EPOCH);
        assertArrayEquals(new int[] {1}, p.isr());
        assertEquals(PARTITION_EPOCH + 1, p.partitionEpoch());
        assertEquals(0, controller.calls.size(), "the controller's own change is not sent back to it");
    }

    // Goal: the first leadership after a start holds the high watermark where replication-offset-checkpoint left
    // it; the file round-trips in Kafka's format.
    @Test
    void checkpointedHighWatermarkIsTheStartingPoint() throws Exception {
        fx = new ClusterFixture(dir);
        final PartitionLog l = fx.topic("t", new PartitionState(1, EPOCH, 1, new int[] {1}, new int[] {1}))
            .partition(0);
        for (int i = 0; i < 5; i++) {
            appender.append(l, 1);
        }
        HighWatermarkCheckpoints.write(List.of(dir), List.of(l), PartitionLog::highWatermark);
        assertEquals(Map.of(new TopicPartition("t", 0), 5L), HighWatermarkCheckpoints.read(List.of(dir)));
        fx.close();

        final Map<TopicPartition, Long> saved = Map.of(new TopicPartition("t", 0), 2L);
        fx = new ClusterFixture(dir.resolve("again"));
        fx.joinCluster(controller, 1, 2, 3);
        fx.ctx().attach(timer, null, null);
        topic = fx.topic("t", new PartitionState(1, EPOCH, PARTITION_EPOCH, new int[] {1, 2}, new int[] {1, 2}));
        log = topic.partition(0);
        for (int i = 0; i < 5; i++) {
            appender.append(log, 1);
        }
        leaders = new LeaderPartitions(fx.ctx(), saved);
        leaders.onBecomeLeader(topic, 0, log, EPOCH);
        assertEquals(2, log.highWatermark());
    }

    // Goal: Kafka's isReplicaIsrEligible. A caught-up follower does not join the ISR while it is in controlled
    // shutdown, nor while the broker epoch of its fetches differs from its registration's (it restarted and the
    // metadata has not caught up); with the registered epoch it joins.
    @Test
    void onlyAnEligibleFollowerJoinsTheIsr() throws Exception {
        final LeaderPartition p = lead(Map.of(), 1, 2);
        final long end = appender.append(log, 1);
        p.onFollowerFetch(2, end, 0, 7L, end, T + 1000);
        final Map<Integer, BrokerNode> nodes = Map.of(1, ClusterFixture.node(1), 2, ClusterFixture.node(2), 3,
            ClusterFixture.node(3));
        fx.cluster().publish(new ClusterView(1, nodes, 1, true, Map.of(1, 42L, 2, 7L, 3, 9L), Set.of(3)));
        p.onFollowerFetch(3, end, 0, 9L, end, T + 1000);
        assertEquals(0, controller.calls.size(), "3 is shutting down");
        fx.cluster().publish(new ClusterView(1, nodes, 1, true, Map.of(1, 42L, 2, 7L, 3, 11L), Set.of()));
        p.onFollowerFetch(3, end, 0, 9L, end, T + 1001);
        assertEquals(0, controller.calls.size(), "3 fetches with epoch 9, registered as 11");
        p.onFollowerFetch(3, end, 0, 11L, end, T + 1002);
        assertEquals(1, controller.calls.size());
        assertArrayEquals(new int[] {1, 2, 3}, isrOf(only(controller.last())));
    }

    // Goal: min.insync.replicas on the leader side. With 2 of 3 in sync and a minimum of 2 the partition is at its
    // minimum (acks=all accepted, AtMinIsr, UnderReplicated); once the ISR shrinks to the leader alone it is under
    // its minimum: the Produce path's shortfall is 1 (NOT_ENOUGH_REPLICAS), Kafka's message names the ISR and the
    // minimum, the high watermark stays where it was (nothing more is committed), and the committed shrink is
    // counted in IsrShrinksPerSec.
    @Test
    void underMinIsrRefusesAcksAllAndHoldsTheHighWatermark() throws Exception {
        fx = new ClusterFixture(dir, "min.insync.replicas", "2");
        fx.joinCluster(controller, 1, 2, 3);
        fx.ctx().attach(timer, null, null);
        topic = fx.topic("t", new PartitionState(1, EPOCH, PARTITION_EPOCH, new int[] {1, 2, 3}, new int[] {1, 2}));
        log = topic.partition(0);
        log.becomeLeader(EPOCH);
        leaders = new LeaderPartitions(fx.ctx(), Map.of());
        leaders.onBecomeLeader(topic, 0, log, EPOCH);
        final LeaderPartition p = leaders.leaderOf(log, EPOCH);
        assertEquals(0, leaders.minIsrShortfall(log));
        assertEquals(1, leaders.atMinIsrCount());
        assertEquals(1, leaders.underReplicatedCount());
        assertEquals(0, leaders.underMinIsrCount());

        long end = appender.append(log, 1);
        p.onFollowerFetch(2, end, 0, 7L, end, T + 1000);
        assertEquals(end, log.highWatermark());
        end = appender.append(log, 1);
        p.maybeShrinkIsr(T + 1001 + LAG_MS);
        answer(controller.last(), Errors.NONE, PARTITION_EPOCH + 1, 1);
        assertArrayEquals(new int[] {1}, p.isr());
        assertEquals(1, leaders.minIsrShortfall(log));
        assertEquals(1, leaders.underMinIsrCount());
        assertEquals(0, leaders.atMinIsrCount());
        assertEquals("The size of the current ISR [1] is insufficient to satisfy the min.isr requirement of 2 for "
            + "partition t-0", leaders.minIsrMessage(log));
        assertEquals(1, fx.ctx().metrics().meter(LeaderPartitions.ISR_SHRINKS, "shrinks").count());
        assertEquals(0, fx.ctx().metrics().meter(LeaderPartitions.ISR_EXPANDS, "expands").count());
        p.maybeShrinkIsr(T + 1002 + LAG_MS);
        assertTrue(log.highWatermarkHeld(), "under min ISR the leader alone commits nothing");
        assertEquals(end - 1, log.highWatermark());

        leaders.onResign(topic, 0, EPOCH + 1);
        assertEquals(0, leaders.minIsrShortfall(log), "not led here: the append path answers");
        assertEquals(0, leaders.underMinIsrCount());
    }
}
