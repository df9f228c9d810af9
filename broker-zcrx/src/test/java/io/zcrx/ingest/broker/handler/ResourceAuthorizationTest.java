package io.zcrx.ingest.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestChannel;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.broker.testkit.RecordingChannel;
import io.zcrx.ingest.broker.transport.ReactorIo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.metadata.authorizer.StandardAcl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-resource checks of the handlers with Kafka's StandardAuthorizer (no ACL found: denied) and alice's ACLs:
 * DESCRIBE on topic {@code a}, CREATE on topics prefixed {@code new-}, DELETE on {@code a}, DESCRIBE on group
 * {@code g1}; each answer is Kafka's for the resources she may and may not touch. And {@link ApiAuthorization}'s
 * mapping of whole-request checks.
 */
class ResourceAuthorizationTest {
    @TempDir
    Path dir;
    private ClusterFixture fx;
    private final RecordingChannel recording = new RecordingChannel();

    @BeforeEach
    void setUp() throws Exception {
        fx = new ClusterFixture(dir);
        final Authorization authz = Authorization.create(Authorization.STANDARD_AUTHORIZER,
            Map.of("super.users", "User:admin"));
        allow(authz, ResourceType.TOPIC, "a", PatternType.LITERAL, AclOperation.DESCRIBE);
        allow(authz, ResourceType.TOPIC, "a", PatternType.LITERAL, AclOperation.DELETE);
        allow(authz, ResourceType.TOPIC, "new-", PatternType.PREFIXED, AclOperation.CREATE);
        allow(authz, ResourceType.GROUP, "g1", PatternType.LITERAL, AclOperation.DESCRIBE);
        authz.completeInitialLoad();
        fx.ctx().attachAuthorization(authz, null);
        fx.ctx().topics().create("a", 1, Map.of(), false);
        fx.ctx().topics().create("b", 1, Map.of(), false);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private static void allow(Authorization authz, ResourceType type, String name, PatternType pattern,
                              AclOperation op) {
        authz.add(Uuid.randomUuid(), new StandardAcl(type, name, pattern, "User:alice", "*", op,
            AclPermissionType.ALLOW));
    }

    private RequestContext alice(ApiKeys api, int version) {
        return new RequestContext(new AsUser(recording, "alice"), api, (short) version, 1, "test", 0);
    }

    private Message lastAnswer() {
        return recording.messages.get(recording.messages.size() - 1);
    }

    @Test
    void listOffsetsAnswersTopicAuthorizationFailedForATopicSheMayNotDescribe() {
        final ListOffsetsRequestData req = new ListOffsetsRequestData();
        for (String t : List.of("a", "b")) {
            req.topics().add(new ListOffsetsTopic().setName(t).setPartitions(List.of(
                new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))));
        }
        final ListOffsetsResponseData resp = new ListOffsetsHandler(fx.ctx()).handle(req, (short) 8,
            alice(ApiKeys.LIST_OFFSETS, 8));
        assertEquals(Errors.NONE.code(), resp.topics().get(0).partitions().get(0).errorCode());
        assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), resp.topics().get(1).partitions().get(0).errorCode());
        assertEquals(-1L, resp.topics().get(1).partitions().get(0).offset());
    }

    @Test
    void createTopicsNeedsCreateOnTheTopicAndHidesConfigsWithoutDescribeConfigs() {
        final CreateTopicsRequestData req = new CreateTopicsRequestData();
        req.topics().add(new CreatableTopic().setName("new-1").setNumPartitions(1).setReplicationFactor((short) 1));
        req.topics().add(new CreatableTopic().setName("other").setNumPartitions(1).setReplicationFactor((short) 1));
        new CreateTopicsHandler(fx.ctx()).handle(alice(ApiKeys.CREATE_TOPICS, 7), req);
        final CreateTopicsResponseData resp = (CreateTopicsResponseData) lastAnswer();
        final var created = resp.topics().find("new-1");
        assertEquals(Errors.NONE.code(), created.errorCode());
        assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), created.topicConfigErrorCode());
        assertTrue(created.configs().isEmpty(), "configs returned without DESCRIBE_CONFIGS");
        assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), resp.topics().find("other").errorCode());
        assertNull(fx.ctx().topics().get("other"), "a refused topic was created");
        assertTrue(fx.ctx().topics().get("new-1") != null);
    }

    @Test
    void deleteTopicsNeedsDeleteOnEachTopic() {
        // Her DELETE on "a" lets it through to the handler (covered by ControlPlane's tests); "b" stops here.
        final DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTopicNames(List.of("b"));
        new DeleteTopicsHandler(fx.ctx()).handle(alice(ApiKeys.DELETE_TOPICS, 5), req);
        final DeleteTopicsResponseData resp = (DeleteTopicsResponseData) lastAnswer();
        assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), resp.responses().find("b").errorCode());
        assertFalse(fx.ctx().topics().get("b").isDeleted());
    }

    @Test
    void describeConfigsNeedsDescribeConfigsOnTheTopicOrTheCluster() {
        final DescribeConfigsRequestData req = new DescribeConfigsRequestData();
        req.resources().add(new DescribeConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
            .setResourceName("a"));
        req.resources().add(new DescribeConfigsResource().setResourceType(ConfigResource.Type.BROKER.id())
            .setResourceName(""));
        final DescribeConfigsResponseData resp = new DescribeConfigsHandler(fx.ctx()).handle(req, (short) 4,
            alice(ApiKeys.DESCRIBE_CONFIGS, 4));
        assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), resp.results().get(0).errorCode());
        assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), resp.results().get(1).errorCode());
        assertTrue(resp.results().get(0).configs().isEmpty());
    }

    @Test
    void findCoordinatorV4AnswersEachKeyOnItsOwn() {
        final FindCoordinatorRequestData req = new FindCoordinatorRequestData()
            .setKeyType(FindCoordinatorRequest.CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of("g1", "g2"));
        final RequestContext who = alice(ApiKeys.FIND_COORDINATOR, 4);
        assertNull(ApiAuthorization.denial(fx.ctx().authorization(), who,
            new FindCoordinatorRequest.Builder(req).build((short) 4)), "v4 is not refused as a whole");
        final FindCoordinatorResponseData resp = new FindCoordinatorHandler(fx.ctx()).handle(req, (short) 4, null,
            who);
        assertEquals(Errors.NONE.code(), resp.coordinators().get(0).errorCode());
        assertEquals(Errors.GROUP_AUTHORIZATION_FAILED.code(), resp.coordinators().get(1).errorCode());
        assertEquals(-1, resp.coordinators().get(1).nodeId());
    }

    @Test
    void offsetFetchV8AnswersAGroupSheMayNotDescribeOnItsOwn() {
        final OffsetFetchRequestData req = new OffsetFetchRequestData();
        req.groups().add(new OffsetFetchRequestGroup().setGroupId("g2").setTopics(List.of(
            new OffsetFetchRequestTopics().setName("a").setPartitionIndexes(List.of(0)))));
        final RequestContext who = alice(ApiKeys.OFFSET_FETCH, 8);
        assertNull(ApiAuthorization.denial(fx.ctx().authorization(), who,
            OffsetFetchRequest.Builder.forTopicNames(req, false).build((short) 8)), "v8 is not refused as a whole");
        final OffsetFetchResponseData resp = new OffsetFetchHandler(fx.ctx()).handle(req, (short) 8, who);
        assertEquals(Errors.GROUP_AUTHORIZATION_FAILED.code(), resp.groups().get(0).errorCode());
        assertTrue(resp.groups().get(0).topics().isEmpty());
    }

    @Test
    void wholeRequestChecksMapApisAsKafkaDoes() {
        assertEquals(AclOperation.DESCRIBE, ApiAuthorization.clusterOperation(ApiKeys.DESCRIBE_LOG_DIRS));
        assertEquals(AclOperation.ALTER, ApiAuthorization.clusterOperation(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS));
        assertNull(ApiAuthorization.clusterOperation(ApiKeys.DESCRIBE_CONFIGS));
        assertTrue(ApiAuthorization.checked(ApiKeys.JOIN_GROUP));
        assertFalse(ApiAuthorization.checked(ApiKeys.LIST_OFFSETS), "per-resource: in the handler");
        final FindCoordinatorRequestData v3 = new FindCoordinatorRequestData().setKey("g2")
            .setKeyType(FindCoordinatorRequest.CoordinatorType.GROUP.id());
        assertInstanceOf(GroupAuthorizationException.class, ApiAuthorization.denial(fx.ctx().authorization(),
            alice(ApiKeys.FIND_COORDINATOR, 3), new FindCoordinatorRequest.Builder(v3).build((short) 3)));
        assertInstanceOf(ClusterAuthorizationException.class, ApiAuthorization.denial(fx.ctx().authorization(),
            alice(ApiKeys.DESCRIBE_LOG_DIRS, 4), new DescribeLogDirsRequest.Builder(
                new DescribeLogDirsRequestData()).build((short) 4)));
    }

    /** A connection authenticated as {@code User:<user>}; everything else as {@link RecordingChannel}. */
    private static final class AsUser implements RequestChannel {
        private final RecordingChannel delegate;
        private final KafkaPrincipal principal;

        AsUser(RecordingChannel delegate, String user) {
            this.delegate = delegate;
            this.principal = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user);
        }

        @Override
        public KafkaPrincipal principal() {
            return principal;
        }

        @Override
        public ByteBuffer beginResponse(int length) {
            return delegate.beginResponse(length);
        }

        @Override
        public void commitResponse() {
            delegate.commitResponse();
        }

        @Override
        public void sendResponse(int correlationId, short headerVersion, Message body, short version) {
            delegate.sendResponse(correlationId, headerVersion, body, version);
        }

        @Override
        public void sendResponse(ResponseWriter writer) {
            delegate.sendResponse(writer);
        }

        @Override
        public PendingResponse defer(int correlationId, short headerVersion, short version) {
            return delegate.defer(correlationId, headerVersion, version);
        }

        @Override
        public void closeAfterFailure(String reason) {
            delegate.closeAfterFailure(reason);
        }

        @Override
        public String describe() {
            return "alice's connection";
        }

        @Override
        public ReactorIo reactor() {
            return delegate.reactor();
        }

        @Override
        public String clientHost() {
            return delegate.clientHost();
        }

        @Override
        public String clientId() {
            return delegate.clientId();
        }
    }
}
