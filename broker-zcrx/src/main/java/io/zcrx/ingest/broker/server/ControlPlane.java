package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.fetch.FetchHandler;
import io.zcrx.ingest.broker.handler.AclsHandler;
import io.zcrx.ingest.broker.handler.AlterConfigsHandler;
import io.zcrx.ingest.broker.handler.ApiAuthorization;
import io.zcrx.ingest.broker.handler.ApiVersionTable;
import io.zcrx.ingest.broker.handler.ControllerOwnedHandler;
import io.zcrx.ingest.broker.handler.CreatePartitionsHandler;
import io.zcrx.ingest.broker.handler.CreateTopicsHandler;
import io.zcrx.ingest.broker.handler.DeleteGroupsHandler;
import io.zcrx.ingest.broker.handler.DeleteRecordsHandler;
import io.zcrx.ingest.broker.handler.DeleteTopicsHandler;
import io.zcrx.ingest.broker.handler.DescribeClusterHandler;
import io.zcrx.ingest.broker.handler.DescribeConfigsHandler;
import io.zcrx.ingest.broker.handler.DescribeGroupsHandler;
import io.zcrx.ingest.broker.handler.DescribeLogDirsHandler;
import io.zcrx.ingest.broker.handler.DescribeProducersHandler;
import io.zcrx.ingest.broker.handler.FindCoordinatorHandler;
import io.zcrx.ingest.broker.handler.HeartbeatHandler;
import io.zcrx.ingest.broker.handler.IncrementalAlterConfigsHandler;
import io.zcrx.ingest.broker.handler.InitProducerIdHandler;
import io.zcrx.ingest.broker.handler.JoinGroupHandler;
import io.zcrx.ingest.broker.handler.LeaveGroupHandler;
import io.zcrx.ingest.broker.handler.ListGroupsHandler;
import io.zcrx.ingest.broker.handler.ListOffsetsHandler;
import io.zcrx.ingest.broker.handler.ListPartitionReassignmentsHandler;
import io.zcrx.ingest.broker.handler.MetadataHandler;
import io.zcrx.ingest.broker.handler.OffsetCommitHandler;
import io.zcrx.ingest.broker.handler.OffsetDeleteHandler;
import io.zcrx.ingest.broker.handler.OffsetFetchHandler;
import io.zcrx.ingest.broker.handler.OffsetForLeaderEpochHandler;
import io.zcrx.ingest.broker.handler.SyncGroupHandler;
import io.zcrx.ingest.broker.handler.UserScramCredentialsHandler;
import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.ControlHandler;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The control-plane handlers by api key, shared by every reactor. Every API advertised in
 * {@link ApiVersionTable} (except Produce and ApiVersions, which are dispatched directly) must have
 * exactly one handler here, and nothing else may: {@code ControlPlaneTest} checks both ways.
 *
 * <p>Thread-safe after construction.
 */
public final class ControlPlane {
    private final ControlHandler[] byKey = new ControlHandler[128];
    private final BrokerContext ctx;
    /** The leader side of replication in cluster mode, null standalone (the reactors' Produce handlers use it). */
    private final LeaderPartitions leaders;

    public ControlPlane(BrokerContext ctx) {
        this(ctx, null);
    }

    /** With the leader side of replication ({@code leaders}, cluster mode) serving follower fetches. */
    public ControlPlane(BrokerContext ctx, LeaderPartitions leaders) {
        this.leaders = leaders;
        this.ctx = ctx;
        final MetadataHandler metadata = new MetadataHandler(ctx);
        register(ApiKeys.METADATA, (req, body) ->
            req.respond(metadata.handle(new MetadataRequestData(body, req.version()), req.version(), req.listener(),
                req)));
        final InitProducerIdHandler initProducerId = new InitProducerIdHandler(ctx);
        register(ApiKeys.INIT_PRODUCER_ID, (req, body) ->
            req.respond(initProducerId.handle(new InitProducerIdRequestData(body, req.version()), req.clientId())));
        final CreateTopicsHandler createTopics = new CreateTopicsHandler(ctx);
        register(ApiKeys.CREATE_TOPICS, (req, body) ->
            createTopics.handle(req, new CreateTopicsRequestData(body, req.version())));
        final DescribeClusterHandler describeCluster = new DescribeClusterHandler(ctx);
        register(ApiKeys.DESCRIBE_CLUSTER, (req, body) ->
            req.respond(describeCluster.handle(new DescribeClusterRequestData(body, req.version()), req.version(),
                req.listener())));
        final DescribeConfigsHandler describeConfigs = new DescribeConfigsHandler(ctx);
        register(ApiKeys.DESCRIBE_CONFIGS, (req, body) ->
            req.respond(describeConfigs.handle(new DescribeConfigsRequestData(body, req.version()), req.version())));
        registerReadPath(ctx, leaders);
        registerAdminTools(ctx);
        registerSecurity(ctx);
        // Cluster mode only (ApiVersionTable advertises them there): forwarded to the controller.
        final ControllerOwnedHandler controllerOwned = new ControllerOwnedHandler(ctx);
        for (ApiKeys api : new ApiKeys[] {ApiKeys.DESCRIBE_QUORUM, ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
            ApiKeys.ELECT_LEADERS}) {
            register(api, controllerOwned::handle);
        }
    }

    /** kafka-configs, kafka-delete-records, kafka-log-dirs, kafka-transactions describe-producers. */
    private void registerAdminTools(BrokerContext ctx) {
        final DeleteRecordsHandler deleteRecords = new DeleteRecordsHandler(ctx);
        register(ApiKeys.DELETE_RECORDS, (req, body) ->
            req.respond(deleteRecords.handle(new DeleteRecordsRequestData(body, req.version()))));
        final IncrementalAlterConfigsHandler incrementalAlterConfigs = new IncrementalAlterConfigsHandler(ctx);
        register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (req, body) ->
            incrementalAlterConfigs.handle(req, new IncrementalAlterConfigsRequestData(body, req.version())));
        final AlterConfigsHandler alterConfigs = new AlterConfigsHandler(ctx);
        register(ApiKeys.ALTER_CONFIGS, (req, body) ->
            alterConfigs.handle(req, new AlterConfigsRequestData(body, req.version())));
        final DescribeLogDirsHandler describeLogDirs = new DescribeLogDirsHandler(ctx);
        register(ApiKeys.DESCRIBE_LOG_DIRS, (req, body) ->
            req.respond(describeLogDirs.handle(new DescribeLogDirsRequestData(body, req.version()), req.version())));
        final DescribeProducersHandler describeProducers = new DescribeProducersHandler(ctx);
        register(ApiKeys.DESCRIBE_PRODUCERS, (req, body) ->
            req.respond(describeProducers.handle(new DescribeProducersRequestData(body, req.version()))));
        final ListPartitionReassignmentsHandler reassignments = new ListPartitionReassignmentsHandler(ctx);
        register(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (req, body) ->
            reassignments.handle(req, new ListPartitionReassignmentsRequestData(body, req.version())));
    }

    /**
     * SCRAM credentials (kafka-configs), and SaslHandshake / SaslAuthenticate as a PLAINTEXT listener answers
     * them: ILLEGAL_SASL_STATE, as Kafka's KafkaApis does on a connection that needs no authentication (on a SASL
     * listener the connection's session answers them before they reach this table).
     */
    private void registerSecurity(BrokerContext ctx) {
        final AclsHandler acls = new AclsHandler(ctx);
        register(ApiKeys.CREATE_ACLS, acls::create);
        register(ApiKeys.DESCRIBE_ACLS, acls::describe);
        register(ApiKeys.DELETE_ACLS, acls::delete);
        final UserScramCredentialsHandler scram = new UserScramCredentialsHandler(ctx);
        register(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, (req, body) ->
            scram.alter(req, new AlterUserScramCredentialsRequestData(body, req.version())));
        register(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, (req, body) ->
            req.respond(scram.describe(new DescribeUserScramCredentialsRequestData(body, req.version()))));
        register(ApiKeys.SASL_HANDSHAKE, (req, body) -> req.respond(new SaslHandshakeResponseData()
            .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())));
        register(ApiKeys.SASL_AUTHENTICATE, (req, body) -> req.respond(new SaslAuthenticateResponseData()
            .setErrorCode(Errors.ILLEGAL_SASL_STATE.code()).setAuthBytes(new byte[0])
            .setErrorMessage("SaslAuthenticate request received on a listener without SASL")));
    }

    /** The leader side of replication (cluster mode), or null (standalone). */
    LeaderPartitions leaders() {
        return leaders;
    }

    /** Consumers and admin tools: Fetch, ListOffsets, groups, topic deletion and growth. */
    private void registerReadPath(BrokerContext ctx, LeaderPartitions leaders) {
        final FetchHandler fetch = new FetchHandler(ctx, leaders);
        register(ApiKeys.FETCH, fetch::handle);
        final ListOffsetsHandler listOffsets = new ListOffsetsHandler(ctx);
        register(ApiKeys.LIST_OFFSETS, (req, body) ->
            req.respond(listOffsets.handle(new ListOffsetsRequestData(body, req.version()), req.version())));
        final OffsetForLeaderEpochHandler epochs = new OffsetForLeaderEpochHandler(ctx);
        register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, (req, body) ->
            req.respond(epochs.handle(new OffsetForLeaderEpochRequestData(body, req.version()))));
        final DeleteTopicsHandler deleteTopics = new DeleteTopicsHandler(ctx);
        register(ApiKeys.DELETE_TOPICS, (req, body) ->
            deleteTopics.handle(req, new DeleteTopicsRequestData(body, req.version())));
        final CreatePartitionsHandler createPartitions = new CreatePartitionsHandler(ctx);
        register(ApiKeys.CREATE_PARTITIONS, (req, body) ->
            createPartitions.handle(req, new CreatePartitionsRequestData(body, req.version())));
        registerGroups(ctx);
    }

    /** The classic consumer-group APIs and committed offsets. */
    private void registerGroups(BrokerContext ctx) {
        final FindCoordinatorHandler findCoordinator = new FindCoordinatorHandler(ctx);
        register(ApiKeys.FIND_COORDINATOR, (req, body) ->
            req.respond(findCoordinator.handle(new FindCoordinatorRequestData(body, req.version()), req.version(),
                req.listener())));
        final JoinGroupHandler joinGroup = new JoinGroupHandler(ctx);
        register(ApiKeys.JOIN_GROUP, (req, body) ->
            joinGroup.handle(req, new JoinGroupRequestData(body, req.version())));
        final SyncGroupHandler syncGroup = new SyncGroupHandler(ctx);
        register(ApiKeys.SYNC_GROUP, (req, body) ->
            syncGroup.handle(req, new SyncGroupRequestData(body, req.version())));
        final HeartbeatHandler heartbeat = new HeartbeatHandler(ctx);
        register(ApiKeys.HEARTBEAT, (req, body) ->
            req.respond(heartbeat.handle(new HeartbeatRequestData(body, req.version()))));
        final LeaveGroupHandler leaveGroup = new LeaveGroupHandler(ctx);
        register(ApiKeys.LEAVE_GROUP, (req, body) ->
            req.respond(leaveGroup.handle(new LeaveGroupRequestData(body, req.version()), req.version())));
        final OffsetCommitHandler offsetCommit = new OffsetCommitHandler(ctx);
        register(ApiKeys.OFFSET_COMMIT, (req, body) ->
            req.respond(offsetCommit.handle(new OffsetCommitRequestData(body, req.version()), req.version())));
        final OffsetFetchHandler offsetFetch = new OffsetFetchHandler(ctx);
        register(ApiKeys.OFFSET_FETCH, (req, body) ->
            req.respond(offsetFetch.handle(new OffsetFetchRequestData(body, req.version()), req.version())));
        final OffsetDeleteHandler offsetDelete = new OffsetDeleteHandler(ctx);
        register(ApiKeys.OFFSET_DELETE, (req, body) ->
            req.respond(offsetDelete.handle(new OffsetDeleteRequestData(body, req.version()))));
        final DescribeGroupsHandler describeGroups = new DescribeGroupsHandler(ctx);
        register(ApiKeys.DESCRIBE_GROUPS, (req, body) ->
            req.respond(describeGroups.handle(new DescribeGroupsRequestData(body, req.version()), req.version())));
        final ListGroupsHandler listGroups = new ListGroupsHandler(ctx);
        register(ApiKeys.LIST_GROUPS, (req, body) ->
            req.respond(listGroups.handle(new ListGroupsRequestData(body, req.version()), req.version())));
        final DeleteGroupsHandler deleteGroups = new DeleteGroupsHandler(ctx);
        register(ApiKeys.DELETE_GROUPS, (req, body) ->
            req.respond(deleteGroups.handle(new DeleteGroupsRequestData(body, req.version()))));
    }

    private void register(ApiKeys api, ControlHandler h) {
        if (byKey[api.id] != null) {
            throw new IllegalStateException("two handlers for " + api);
        }
        // With an authorizer, the APIs Kafka authorizes as a whole are checked before their handler.
        byKey[api.id] = ApiAuthorization.guard(ctx, api, h);
    }

    /** The handler for {@code apiKey}, or null. */
    public ControlHandler handler(short apiKey) {
        return apiKey >= 0 && apiKey < byKey.length ? byKey[apiKey] : null;
    }
}
