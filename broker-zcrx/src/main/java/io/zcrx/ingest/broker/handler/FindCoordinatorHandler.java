package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.group.OffsetsTopicStore;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfigCollection;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FindCoordinator (docs/kafka-protocol-notes.md#consumer-groups), one key before v4, a batch of
 * keys from v4. Standalone: this node coordinates every group. Cluster mode (docs/design.md,
 * "Consumer groups in a cluster"), as Kafka's {@code KafkaApis.getCoordinator}: the coordinator is
 * the leader of partition {@code abs(key.hashCode()) % partitions} of {@code __consumer_offsets};
 * COORDINATOR_NOT_AVAILABLE while that partition has no live leader, and while the topic does not
 * exist yet, in which case the controller is asked to create it (Kafka's
 * {@code AutoTopicCreationManager}: {@code offsets.topic.num.partitions},
 * {@code offsets.topic.replication.factor}, compacted, the producer's compression, 100 MiB segments).
 * Other key types (transactions, share groups) are refused.
 *
 * <p>When the controller refuses the topic (fewer brokers registered than {@code offsets.topic.replication.factor},
 * Kafka's default 3), a WARN line says so and FindCoordinator stays COORDINATOR_NOT_AVAILABLE: the next lookup asks
 * again, as Kafka does; a small cluster sets the factor to 1.
 *
 * <p>Thread-safe: shared by every reactor; the only state is whether a creation is in flight.
 */
public final class FindCoordinatorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FindCoordinatorHandler.class);
    /** Kafka's {@code offsets.topic.segment.bytes} default. */
    static final int OFFSETS_TOPIC_SEGMENT_BYTES = 100 * 1024 * 1024;
    /** How long the controller may take to create the topic (Kafka: request.timeout.ms). */
    static final int CREATE_TIMEOUT_MS = 30_000;

    private final BrokerContext ctx;
    /** One creation request at a time: clients retry FindCoordinator every few hundred ms. */
    private final AtomicBoolean creating = new AtomicBoolean();

    public FindCoordinatorHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public FindCoordinatorResponseData handle(FindCoordinatorRequestData req, short version) {
        return handle(req, version, null);
    }

    /** The coordinator's endpoint on the {@code listener} the client connected on (Kafka's answer). */
    public FindCoordinatorResponseData handle(FindCoordinatorRequestData req, short version, String listener) {
        return handle(req, version, listener, null);
    }

    /**
     * As above; v4+ check each key on its own (DESCRIBE on the group or transactional id, Kafka's
     * {@code getCoordinator}): a denied key answers its authorization error, the others their coordinator (v0-3,
     * one key, are checked before: {@link ApiAuthorization}).
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public FindCoordinatorResponseData handle(FindCoordinatorRequestData req, short version, String listener,
                                              RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final FindCoordinatorResponseData resp = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (version < 4) {
            final Coordinator c = coordinator(req.key(), req.keyType(), listener);
            return resp.setErrorCode(c.errorCode()).setErrorMessage(version >= 1 ? c.errorMessage() : null)
                .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        }
        for (String key : req.coordinatorKeys()) {
            final RuntimeException denied = ApiAuthorization.coordinatorKeyDenial(authz, who, req.keyType(), key);
            resp.coordinators().add(denied != null
                ? error(new Coordinator().setKey(key), Errors.forException(denied), denied.getMessage())
                : coordinator(key, req.keyType(), listener));
        }
        return resp;
    }

    private Coordinator coordinator(String key, byte keyType, String listener) {
        final Coordinator c = new Coordinator().setKey(key);
        if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            // Transactions and share groups are not implemented: fail fast rather than have the
            // client retry until its timeout.
            return error(c, Errors.INVALID_REQUEST,
                "coordinator key type " + keyType + " is not supported by this broker (groups only)");
        }
        if (!ctx.clusterMode()) {
            final BrokerNode self = ctx.onListener(new BrokerNode(ctx.nodeId(), ctx.advertisedHost(),
                ctx.advertisedPort(), null), listener);
            return c.setErrorCode(Errors.NONE.code()).setNodeId(self.id()).setHost(self.host())
                .setPort(self.port()).setErrorMessage(null);
        }
        if (key == null) {
            return error(c, Errors.INVALID_REQUEST, "null coordinator key");
        }
        final TopicInfo topic = ctx.topics().get(Topic.GROUP_METADATA_TOPIC_NAME);
        if (topic == null || topic.isDeleted()) {
            createOffsetsTopic();
            return error(c, Errors.COORDINATOR_NOT_AVAILABLE, null);
        }
        final PartitionState state = topic.state(OffsetsTopicStore.partitionFor(key, topic.partitionCount()));
        final BrokerNode leader = state == null || !state.hasLeader() ? null
            : ctx.cluster().view().broker(state.leader(), listener);
        if (leader == null) {
            return error(c, Errors.COORDINATOR_NOT_AVAILABLE, null);
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(leader.id()).setHost(leader.host())
            .setPort(leader.port()).setErrorMessage(null);
    }

    private static Coordinator error(Coordinator c, Errors e, String message) {
        return c.setErrorCode(e.code()).setNodeId(-1).setHost("").setPort(-1).setErrorMessage(message);
    }

    /** Asks the active controller to create {@code __consumer_offsets}, unless a request is in flight. */
    private void createOffsetsTopic() {
        if (!creating.compareAndSet(false, true)) {
            return;
        }
        final BrokerConfig config = ctx.config();
        final CreatableTopicConfigCollection configs = new CreatableTopicConfigCollection();
        configs.add(new CreatableTopicConfig().setName("cleanup.policy").setValue("compact"));
        configs.add(new CreatableTopicConfig().setName("compression.type").setValue("producer"));
        configs.add(new CreatableTopicConfig().setName("segment.bytes")
            .setValue(Integer.toString(OFFSETS_TOPIC_SEGMENT_BYTES)));
        final CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(new CreatableTopic().setName(Topic.GROUP_METADATA_TOPIC_NAME)
            .setNumPartitions(config.getInt(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS))
            .setReplicationFactor(config.getShort(BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR))
            .setConfigs(configs));
        LOG.info("{} does not exist; asking the controller to create it", Topic.GROUP_METADATA_TOPIC_NAME);
        try {
            ctx.controller().send(new CreateTopicsRequest.Builder(new CreateTopicsRequestData().setTopics(topics)
                .setTimeoutMs(CREATE_TIMEOUT_MS))).whenComplete((resp, failure) -> {
                    creating.set(false);
                    if (failure != null) {
                        LOG.warn("creating {} failed: {}", Topic.GROUP_METADATA_TOPIC_NAME, failure.toString());
                        return;
                    }
                    final CreatableTopicResult r = ((CreateTopicsResponse) resp).data().topics()
                        .find(Topic.GROUP_METADATA_TOPIC_NAME);
                    final Errors e = r == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(r.errorCode());
                    if (e == Errors.NONE || e == Errors.TOPIC_ALREADY_EXISTS) {
                        LOG.info("{} created (or existed): {}", Topic.GROUP_METADATA_TOPIC_NAME, e);
                    } else {
                        LOG.warn("the controller refused to create {}: {} {}", Topic.GROUP_METADATA_TOPIC_NAME, e,
                            r == null ? "" : r.errorMessage());
                    }
                });
        } catch (RuntimeException e) {
            creating.set(false);
            LOG.warn("creating {} failed: {}", Topic.GROUP_METADATA_TOPIC_NAME, e.toString());
        }
    }
}
