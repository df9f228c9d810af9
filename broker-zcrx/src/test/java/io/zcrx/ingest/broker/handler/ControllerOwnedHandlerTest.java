package io.zcrx.ingest.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.testkit.FakeController;
import io.zcrx.ingest.broker.testkit.RecordingChannel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller-owned admin APIs (DescribeQuorum, AlterPartitionReassignments, ElectLeaders):
 * forwarded as they came in cluster mode, refused with a reason in standalone mode, and advertised only where they
 * work. (Config changes: IncrementalAlterConfigsHandlerTest.)
 */
class ControllerOwnedHandlerTest {
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

    private void send(ApiKeys api, short version, ApiMessage data) {
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(data, version).buffer();
        new ControllerOwnedHandler(fx.ctx()).handle(new RequestContext(channel, api, version, 3, "tool", 0),
            new ByteBufferAccessor(body));
    }

    private static <T extends Message> T asClientReads(Message m, short version, T empty) {
        empty.read(new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(m, version).buffer()), version);
        return empty;
    }

    // Goal: kafka-metadata-quorum through our broker: the request reaches the controller at the
    // client's version and the controller's answer comes back unchanged.
    @Test
    void describeQuorumIsForwardedInClusterMode() throws Exception {
        fx.joinCluster(controller, 1);
        send(ApiKeys.DESCRIBE_QUORUM, (short) 2,
            DescribeQuorumRequest.singletonRequest(new TopicPartition("__cluster_metadata", 0)));
        final DescribeQuorumRequest sent = assertInstanceOf(DescribeQuorumRequest.class, controller.last().request());
        assertEquals(2, sent.version());
        final DescribeQuorumResponseData answer = DescribeQuorumRequest.getPartitionLevelErrorResponse(sent.data(),
            Errors.NONE);
        answer.topics().get(0).partitions().get(0).setLeaderId(3000).setLeaderEpoch(1);
        controller.last().answer().complete(new DescribeQuorumResponse(answer));
        final DescribeQuorumResponseData got = asClientReads(
            channel.deferred.get(0).answer.get(10, TimeUnit.SECONDS), (short) 2, new DescribeQuorumResponseData());
        assertEquals(3000, got.topics().get(0).partitions().get(0).leaderId());
    }

    // Goal: standalone mode neither advertises nor forwards them; a client that sends one anyway is
    // answered with the reason, and nothing is sent anywhere.
    @Test
    void standaloneNeitherAdvertisesNorForwards() {
        for (ApiKeys api : List.of(ApiKeys.DESCRIBE_QUORUM, ApiKeys.ELECT_LEADERS,
            ApiKeys.ALTER_PARTITION_REASSIGNMENTS)) {
            assertFalse(ApiVersionTable.isImplemented(api.id, false), api.name);
            assertTrue(ApiVersionTable.isImplemented(api.id, true), api.name);
            assertFalse(ApiVersionTable.advertised(false).stream().anyMatch(v -> v.apiKey() == api.id), api.name);
        }
        send(ApiKeys.DESCRIBE_QUORUM, (short) 2,
            DescribeQuorumRequest.singletonRequest(new TopicPartition("__cluster_metadata", 0)));
        assertTrue(controller.calls.isEmpty());
        final DescribeQuorumResponseData got = asClientReads(channel.messages.get(0), (short) 2,
            new DescribeQuorumResponseData());
        assertEquals(Errors.INVALID_REQUEST.code(), got.errorCode());
    }
}
