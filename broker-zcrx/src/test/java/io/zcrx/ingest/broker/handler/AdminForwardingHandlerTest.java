package io.zcrx.ingest.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.testkit.FakeController;
import io.zcrx.ingest.broker.testkit.RecordingChannel;
import io.zcrx.ingest.broker.request.RequestContext;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateTopics, DeleteTopics and CreatePartitions in cluster mode: the client's request goes to the
 * controller at the client's version, the response waits (deferred) and relays the controller's
 * answer; a controller that fails or does not answer gives REQUEST_TIMED_OUT per topic. The
 * controller is a fake that answers what the test says (a real one is in the cluster ITs).
 */
class AdminForwardingHandlerTest {
    @TempDir
    Path dir;
    private ClusterFixture fx;
    private final FakeController controller = new FakeController();
    private final RecordingChannel channel = new RecordingChannel();

    @BeforeEach
    void setUp() throws Exception {
        fx = new ClusterFixture(dir);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private RequestContext request(ApiKeys api, short version) {
        return new RequestContext(channel, api, version, 7, "admin-1", 0);
    }

    /** The deferred answer as the client reads it: serialised at the client's version and parsed back. */
    private static <T extends Message> T asClientReads(RecordingChannel.Deferred d, T empty) throws Exception {
        final Message m = d.answer.get(10, TimeUnit.SECONDS);
        final ByteBuffer bytes = MessageUtil.toByteBufferAccessor(m, d.version()).buffer();
        empty.read(new ByteBufferAccessor(bytes), d.version());
        return empty;
    }

    // Goal: CreateTopics in cluster mode is decided by the controller: the client's data reaches it
    // at the client's version, nothing is created here, and the controller's answer (v5+: configs,
    // counts) reaches the client unchanged once it arrives, not before.
    @Test
    void createTopicsRelaysTheControllersAnswer() throws Exception {
        fx.joinCluster(controller, 1, 2);
        final CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreatableTopic().setName("t").setNumPartitions(6).setReplicationFactor((short) 1));
        new CreateTopicsHandler(fx.ctx()).handle(request(ApiKeys.CREATE_TOPICS, (short) 5), data);

        assertTrue(channel.messages.isEmpty(), "nothing answered at once");
        assertEquals(1, channel.deferred.size());
        final CreateTopicsRequest sent = assertInstanceOf(CreateTopicsRequest.class, controller.last().request());
        assertEquals(5, sent.version(), "the client's version");
        assertEquals(6, sent.data().topics().find("t").numPartitions());
        assertNull(fx.ctx().topics().get("t"));
        assertFalse(channel.deferred.get(0).answer.isDone());

        final CreateTopicsResponseData answer = new CreateTopicsResponseData();
        answer.topics().add(new CreatableTopicResult().setName("t").setErrorCode(Errors.NONE.code())
            .setNumPartitions(6).setReplicationFactor((short) 1).setTopicId(Uuid.randomUuid()));
        controller.last().answer().complete(new CreateTopicsResponse(answer));
        final CreateTopicsResponseData got = asClientReads(channel.deferred.get(0), new CreateTopicsResponseData());
        assertEquals(Errors.NONE.code(), got.topics().find("t").errorCode());
        assertEquals(6, got.topics().find("t").numPartitions());
    }

    // Goal: a controller that does not answer (the channel's timeout) or cannot be reached is
    // REQUEST_TIMED_OUT for every topic, at the client's version, never a hang.
    @Test
    void noAnswerIsRequestTimedOutPerTopic() throws Exception {
        fx.joinCluster(controller, 1);
        final CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreatableTopic().setName("a").setNumPartitions(1).setReplicationFactor((short) 1));
        data.topics().add(new CreatableTopic().setName("b").setNumPartitions(1).setReplicationFactor((short) 1));
        new CreateTopicsHandler(fx.ctx()).handle(request(ApiKeys.CREATE_TOPICS, (short) 7), data);
        controller.last().answer().completeExceptionally(new TimeoutException("no controller answered"));
        final CreateTopicsResponseData got = asClientReads(channel.deferred.get(0), new CreateTopicsResponseData());
        assertEquals(2, got.topics().size());
        for (CreatableTopicResult r : got.topics()) {
            assertEquals(Errors.REQUEST_TIMED_OUT.code(), r.errorCode(), r.name());
            assertNotNull(r.errorMessage());
        }

        final DeleteTopicsRequestData delete = new DeleteTopicsRequestData().setTimeoutMs(5000)
            .setTopicNames(List.of("a", "b"));
        new DeleteTopicsHandler(fx.ctx()).handle(request(ApiKeys.DELETE_TOPICS, (short) 4), delete);
        final DeleteTopicsRequest sent = assertInstanceOf(DeleteTopicsRequest.class, controller.last().request());
        assertEquals(List.of("a", "b"), sent.data().topicNames());
        controller.last().answer().completeExceptionally(new IllegalStateException("channel stopped"));
        final DeleteTopicsResponseData deleted =
            asClientReads(channel.deferred.get(1), new DeleteTopicsResponseData());
        assertEquals(2, deleted.responses().size());
        for (DeletableTopicResult r : deleted.responses()) {
            assertEquals(Errors.REQUEST_TIMED_OUT.code(), r.errorCode(), r.name());
        }
    }

    // Goal: CreatePartitions is forwarded the same way and the controller's per-topic errors reach
    // the client as the controller gave them.
    @Test
    void createPartitionsRelaysTheControllersErrors() throws Exception {
        fx.joinCluster(controller, 1);
        final CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreatePartitionsTopic().setName("t").setCount(4));
        new CreatePartitionsHandler(fx.ctx()).handle(request(ApiKeys.CREATE_PARTITIONS, (short) 3), data);
        final CreatePartitionsRequest sent =
            assertInstanceOf(CreatePartitionsRequest.class, controller.last().request());
        assertEquals(4, sent.data().topics().find("t").count());
        final CreatePartitionsResponseData answer = new CreatePartitionsResponseData();
        answer.results().add(new CreatePartitionsTopicResult().setName("t")
            .setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage("Topic currently has 6 partitions"));
        controller.last().answer().complete(new CreatePartitionsResponse(answer));
        final CreatePartitionsResponseData got =
            asClientReads(channel.deferred.get(0), new CreatePartitionsResponseData());
        assertEquals(Errors.INVALID_PARTITIONS.code(), got.results().get(0).errorCode());
        assertEquals("Topic currently has 6 partitions", got.results().get(0).errorMessage());
    }

    // Goal: every topic goes to the controller as asked, replicated ones included (a factor of 3, a manual assignment
    // naming two brokers); a factor of -1 without assignments is resolved to this broker's default.replication.factor
    // (not the controller's default), and the controller's answers reach the client.
    @Test
    void createTopicsForwardsEveryTopicWithTheBrokersDefaultFactor() throws Exception {
        fx.joinCluster(controller, 1, 2, 3);
        final CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreatableTopic().setName("r3").setNumPartitions(1).setReplicationFactor((short) 3));
        final CreatableTopic assigned = new CreatableTopic().setName("assigned").setNumPartitions(-1)
            .setReplicationFactor((short) -1);
        assigned.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1, 2)));
        data.topics().add(assigned);
        data.topics().add(new CreatableTopic().setName("dflt").setNumPartitions(2).setReplicationFactor((short) -1));
        new CreateTopicsHandler(fx.ctx()).handle(request(ApiKeys.CREATE_TOPICS, (short) 7), data);

        final CreateTopicsRequest sent = assertInstanceOf(CreateTopicsRequest.class, controller.last().request());
        assertEquals(1, controller.calls.size());
        assertEquals(Set.of("r3", "assigned", "dflt"),
            sent.data().topics().stream().map(CreatableTopic::name).collect(Collectors.toSet()));
        assertEquals(3, sent.data().topics().find("r3").replicationFactor());
        assertEquals(-1, sent.data().topics().find("assigned").replicationFactor(), "assignments decide");
        assertEquals(List.of(1, 2), sent.data().topics().find("assigned").assignments().find(0).brokerIds());
        assertEquals(1, sent.data().topics().find("dflt").replicationFactor(), "-1 resolved here, to 1");
        assertEquals(-1, data.topics().find("dflt").replicationFactor(), "the client's request is not changed");
        assertEquals(5000, sent.data().timeoutMs());
        final CreateTopicsResponseData answer = new CreateTopicsResponseData();
        for (String name : List.of("r3", "assigned", "dflt")) {
            answer.topics().add(new CreatableTopicResult().setName(name).setErrorCode(Errors.NONE.code())
                .setNumPartitions(1).setReplicationFactor((short) 3).setTopicId(Uuid.randomUuid()));
        }
        answer.topics().find("r3").setErrorCode(Errors.INVALID_REPLICATION_FACTOR.code())
            .setErrorMessage("Unable to replicate the partition 3 time(s)");
        controller.last().answer().complete(new CreateTopicsResponse(answer));
        final CreateTopicsResponseData got = asClientReads(channel.deferred.get(0), new CreateTopicsResponseData());
        assertEquals(3, got.topics().size());
        assertEquals(Errors.NONE.code(), got.topics().find("dflt").errorCode());
        assertEquals(Errors.INVALID_REPLICATION_FACTOR.code(), got.topics().find("r3").errorCode());
        assertEquals("Unable to replicate the partition 3 time(s)", got.topics().find("r3").errorMessage());
    }

    // Goal: CreatePartitions goes to the controller whole (replicated topics and manual assignments included), and
    // the client gets an answer for every topic also when the controller does not answer.
    @Test
    void createPartitionsForwardsEveryTopic() throws Exception {
        fx.topic("wide", new PartitionState(2, 0, 0, new int[] {2, 1, 3}, new int[] {2, 1, 3}));
        fx.joinCluster(controller, 1, 2, 3);
        final CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreatePartitionsTopic().setName("wide").setCount(2));
        data.topics().add(new CreatePartitionsTopic().setName("pair").setCount(2)
            .setAssignments(List.of(new CreatePartitionsAssignment().setBrokerIds(List.of(1, 3)))));
        data.topics().add(new CreatePartitionsTopic().setName("t").setCount(4));
        new CreatePartitionsHandler(fx.ctx()).handle(request(ApiKeys.CREATE_PARTITIONS, (short) 3), data);
        final CreatePartitionsRequest sent =
            assertInstanceOf(CreatePartitionsRequest.class, controller.last().request());
        assertEquals(3, sent.data().topics().size());
        assertEquals(List.of(1, 3), sent.data().topics().find("pair").assignments().get(0).brokerIds());
        controller.last().answer().completeExceptionally(new TimeoutException("no controller answered"));
        final CreatePartitionsResponseData got =
            asClientReads(channel.deferred.get(0), new CreatePartitionsResponseData());
        assertEquals(3, got.results().size());
        for (CreatePartitionsTopicResult r : got.results()) {
            assertEquals(Errors.REQUEST_TIMED_OUT.code(), r.errorCode(), r.name());
        }
    }

    // Goal: standalone is unchanged: the topic is created here and answered at once.
    @Test
    void standaloneCreatesHereAtOnce() {
        final CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreatableTopic().setName("t").setNumPartitions(2).setReplicationFactor((short) 1));
        new CreateTopicsHandler(fx.ctx()).handle(request(ApiKeys.CREATE_TOPICS, (short) 7), data);
        assertTrue(channel.deferred.isEmpty());
        final CreateTopicsResponseData r = assertInstanceOf(CreateTopicsResponseData.class, channel.messages.get(0));
        assertEquals(Errors.NONE.code(), r.topics().find("t").errorCode());
        assertEquals(2, fx.ctx().topics().get("t").partitionCount());
        assertTrue(controller.calls.isEmpty());
    }
}
