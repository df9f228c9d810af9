package io.zcrx.ingest.broker.handler;

import static io.zcrx.ingest.broker.metadata.ClusterFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.testkit.FakeController;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metadata and DescribeCluster from the cluster contract: standalone as before (this node alone),
 * and in cluster mode the live brokers and every partition's leadership as the KRaft core
 * publishes them, with Kafka's answers for a dead leader and for auto-creation at the controller.
 */
class MetadataHandlerTest {
    private static final short V = 12;

    @TempDir
    Path dir;
    private ClusterFixture fx;

    @AfterEach
    void close() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private static MetadataRequestData topics(boolean allowAuto, String... names) {
        final MetadataRequestData req = new MetadataRequestData().setAllowAutoTopicCreation(allowAuto);
        for (String n : names) {
            req.topics().add(new MetadataRequestTopic().setName(n));
        }
        return req;
    }

    // Goal: standalone answers as it always did: one broker (this node), controller = this node,
    // every partition led here at epoch 0 with replicas = ISR = [node], no offline replicas.
    @Test
    void standaloneIsThisNodeAlone() throws Exception {
        fx = new ClusterFixture(dir);
        fx.ctx().topics().create("t", 2, Map.of(), false);
        final MetadataResponseData r =
            new MetadataHandler(fx.ctx()).handle(new MetadataRequestData().setTopics(null), V);
        assertEquals(ClusterFixture.SELF, r.controllerId());
        assertEquals(1, r.brokers().size());
        assertEquals(fx.ctx().advertisedPort(), r.brokers().find(ClusterFixture.SELF).port());
        assertEquals(fx.ctx().advertisedHost(), r.brokers().find(ClusterFixture.SELF).host());
        final MetadataResponseTopic t = r.topics().find("t");
        assertEquals(2, t.partitions().size());
        for (MetadataResponsePartition p : t.partitions()) {
            assertEquals(Errors.NONE.code(), p.errorCode());
            assertEquals(ClusterFixture.SELF, p.leaderId());
            assertEquals(0, p.leaderEpoch());
            assertEquals(List.of(ClusterFixture.SELF), p.replicaNodes());
            assertEquals(List.of(ClusterFixture.SELF), p.isrNodes());
            assertTrue(p.offlineReplicas().isEmpty());
        }
    }

    // Goal: in cluster mode every live broker is listed, the controller id is the view's, and each
    // partition shows its own leader, epoch, replicas and ISR; a partition whose leader is not
    // alive is LEADER_NOT_AVAILABLE with leader -1 and its dead replicas offline (Kafka's answer).
    @Test
    void clusterModeListsBrokersAndEveryPartitionsLeadership() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 2, 1);
        fx.topic("t", state(1, 3, 1), state(2, 5, 2, 1), state(3, 2, 3, 2));
        final MetadataResponseData r = new MetadataHandler(fx.ctx()).handle(topics(false, "t"), V);
        assertEquals(2, r.controllerId());
        assertEquals(2, r.brokers().size());
        assertEquals("broker2.test", r.brokers().find(2).host());
        assertEquals(9092, r.brokers().find(2).port());
        assertEquals("rack-b", r.brokers().find(2).rack());
        assertNull(r.brokers().find(1).rack());
        final List<MetadataResponsePartition> ps = r.topics().find("t").partitions();
        assertPartition(ps.get(0), Errors.NONE, 1, 3, List.of(1), List.of());
        assertPartition(ps.get(1), Errors.NONE, 2, 5, List.of(2, 1), List.of());
        assertPartition(ps.get(2), Errors.LEADER_NOT_AVAILABLE, -1, 2, List.of(3, 2), List.of(3));
    }

    private static void assertPartition(MetadataResponsePartition p, Errors error, int leader, int epoch,
                                        List<Integer> replicas, List<Integer> offline) {
        final String what = "partition " + p.partitionIndex();
        assertEquals(error.code(), p.errorCode(), what);
        assertEquals(leader, p.leaderId(), what);
        assertEquals(epoch, p.leaderEpoch(), what);
        assertEquals(replicas, p.replicaNodes(), what);
        assertEquals(replicas, p.isrNodes(), what);
        assertEquals(offline, p.offlineReplicas(), what);
    }

    // Goal: auto-creation in cluster mode goes to the controller (num.partitions,
    // default.replication.factor), answers LEADER_NOT_AVAILABLE meanwhile, sends one CreateTopics
    // per topic while one is in flight, another once it was answered; nothing is created locally.
    // Auto-creation off, or not allowed by the request: UNKNOWN_TOPIC_OR_PARTITION, nothing sent.
    @Test
    void clusterModeAutoCreatesAtTheController() throws Exception {
        fx = new ClusterFixture(dir, "num.partitions", "3");
        final FakeController controller = new FakeController();
        fx.joinCluster(controller, 1);
        final MetadataHandler h = new MetadataHandler(fx.ctx());

        MetadataResponseData r = h.handle(topics(true, "auto"), V);
        assertEquals(Errors.LEADER_NOT_AVAILABLE.code(), r.topics().find("auto").errorCode());
        assertEquals(1, controller.calls.size());
        final CreatableTopic sent = assertInstanceOf(CreateTopicsRequest.class, controller.last().request())
            .data().topics().find("auto");
        assertEquals(3, sent.numPartitions());
        assertEquals(1, sent.replicationFactor());
        assertNull(fx.ctx().topics().get("auto"), "nothing is created locally in cluster mode");

        r = h.handle(topics(true, "auto"), V);
        assertEquals(Errors.LEADER_NOT_AVAILABLE.code(), r.topics().find("auto").errorCode());
        assertEquals(1, controller.calls.size(), "one creation in flight per topic");

        final CreateTopicsResponseData answer = new CreateTopicsResponseData();
        answer.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName("auto")
            .setErrorCode(Errors.TOPIC_ALREADY_EXISTS.code()));
        controller.last().answer().complete(new CreateTopicsResponse(answer));
        h.handle(topics(true, "auto"), V);
        assertEquals(2, controller.calls.size(), "asked again once the first creation was answered");

        r = h.handle(topics(false, "other"), V);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), r.topics().find("other").errorCode());
        assertEquals(2, controller.calls.size());
    }

    @Test
    void clusterModeWithoutAutoCreationSendsNothing() throws Exception {
        fx = new ClusterFixture(dir, "auto.create.topics.enable", "false");
        final FakeController controller = new FakeController();
        fx.joinCluster(controller, 1);
        final MetadataResponseData r = new MetadataHandler(fx.ctx()).handle(topics(true, "auto"), V);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), r.topics().find("auto").errorCode());
        assertTrue(controller.calls.isEmpty());
    }

    // Goal: DescribeCluster lists the view's live brokers and controller id; standalone this node.
    @Test
    void describeClusterFollowsTheView() throws Exception {
        fx = new ClusterFixture(dir);
        final DescribeClusterHandler h = new DescribeClusterHandler(fx.ctx());
        DescribeClusterResponseData r = h.handle(new DescribeClusterRequestData(), (short) 1);
        assertEquals(ClusterFixture.SELF, r.controllerId());
        assertEquals(1, r.brokers().size());
        assertEquals(fx.ctx().advertisedPort(), r.brokers().find(ClusterFixture.SELF).port());

        fx.joinCluster(new FakeController(), 2, 1, 3);
        r = h.handle(new DescribeClusterRequestData(), (short) 1);
        assertEquals(2, r.controllerId());
        assertEquals(3, r.brokers().size());
        assertEquals("rack-b", r.brokers().find(2).rack());
        assertEquals(9093, r.brokers().find(3).port());
    }
}
