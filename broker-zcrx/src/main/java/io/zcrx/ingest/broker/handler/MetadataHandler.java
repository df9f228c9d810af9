package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.ControllerChannel;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata, v0-v13 (docs/kafka-protocol-notes.md#metadata), answered from the cluster view and the
 * partition states as Kafka's {@code KRaftMetadataCache} answers: the live brokers, the controller id
 * clients are given, and per partition its leader, leader epoch, replicas, ISR and offline replicas
 * (replicas not alive); a partition whose leader is not alive is LEADER_NOT_AVAILABLE with leader
 * -1. Standalone, that is this node as the only broker, controller and leader of every partition
 * (leader epoch 0, replicas = ISR = [node]). Persistent topic ids (v10+); topic-id lookups (v12+).
 *
 * <p>Auto-creation when the request allows it (v4+) and {@code auto.create.topics.enable} is on:
 * standalone the topic is created here with {@code num.partitions}; in cluster mode, as Kafka's
 * {@code AutoTopicCreationManager}, a CreateTopics ({@code num.partitions},
 * {@code default.replication.factor}) goes to the active controller and the topic is answered
 * LEADER_NOT_AVAILABLE (retriable: the client asks again once the controller has assigned
 * leaders); one creation per topic is in flight at a time.
 */
public final class MetadataHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);

    private final BrokerContext ctx;
    /** Cluster mode: topics whose CreateTopics is at the controller (Kafka's {@code inflightTopics}). */
    private final Set<String> creating = ConcurrentHashMap.newKeySet();

    public MetadataHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public MetadataResponseData handle(MetadataRequestData req, short version) {
        return handle(req, version, null);
    }

    /** As Kafka answers: the brokers' endpoints on the {@code listener} the client connected on. */
    public MetadataResponseData handle(MetadataRequestData req, short version, String listener) {
        return handle(req, version, listener, null);
    }

    /**
     * With the authorizer's checks, as Kafka's {@code handleTopicMetadataRequest}: all topics lists only those the
     * client may DESCRIBE (no audit of the others); a topic asked for by name without DESCRIBE is
     * TOPIC_AUTHORIZATION_FAILED whether it exists or not (its existence is not disclosed), by id likewise; an
     * auto-creation needs CREATE on the cluster or on the topic, else TOPIC_AUTHORIZATION_FAILED.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public MetadataResponseData handle(MetadataRequestData req, short version, String listener, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final ClusterView view = ctx.cluster().view();
        final MetadataResponseData resp = new MetadataResponseData()
            .setThrottleTimeMs(0)
            .setClusterId(ctx.clusterId())
            .setControllerId(view.controllerIdForClients())
            .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        for (BrokerNode node : view.aliveBrokers(listener)) {
            final BrokerNode b = ctx.onListener(node, listener);
            resp.brokers().add(new MetadataResponseBroker()
                .setNodeId(b.id())
                .setHost(b.host())
                .setPort(b.port())
                .setRack(b.rack()));
        }
        final boolean all = req.topics() == null || (version == 0 && req.topics().isEmpty());
        final boolean allowAuto = version < 4 || req.allowAutoTopicCreation();
        if (all) {
            for (TopicInfo t : ctx.topics().all()) {
                if (authz.authorize(who, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name(), true, false)) {
                    resp.topics().add(describe(t, view, listener));
                }
            }
            return resp;
        }
        for (MetadataRequestData.MetadataRequestTopic rt : req.topics()) {
            final String name = rt.name();
            final Uuid id = rt.topicId();
            if (name == null) {
                // v12+: lookup by id.
                final TopicInfo t = id == null || Uuid.ZERO_UUID.equals(id) ? null : ctx.topics().get(id);
                if (t == null) {
                    resp.topics().add(new MetadataResponseTopic().setName(null)
                        .setTopicId(id == null ? Uuid.ZERO_UUID : id)
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()).setIsInternal(false)
                        .setTopicAuthorizedOperations(Integer.MIN_VALUE));
                } else if (!authz.authorize(who, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name())) {
                    resp.topics().add(new MetadataResponseTopic().setName(null).setTopicId(id)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setIsInternal(false)
                        .setTopicAuthorizedOperations(Integer.MIN_VALUE));
                } else {
                    resp.topics().add(describe(t, view, listener));
                }
                continue;
            }
            if (!authz.authorize(who, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                resp.topics().add(error(name, Errors.TOPIC_AUTHORIZATION_FAILED));
                continue;
            }
            TopicInfo t = ctx.topics().get(name);
            if (t == null && allowAuto && ctx.config().autoCreateTopics()
                    && TopicRegistry.invalidNameReason(name) == null && !mayCreate(authz, who, name)) {
                resp.topics().add(error(name, Errors.TOPIC_AUTHORIZATION_FAILED));
                continue;
            }
            if (t == null) {
                final String bad = TopicRegistry.invalidNameReason(name);
                if (bad != null) {
                    resp.topics().add(error(name, Errors.INVALID_TOPIC_EXCEPTION));
                    continue;
                }
                if (allowAuto && ctx.config().autoCreateTopics() && ctx.clusterMode()) {
                    // Internal topics get their own settings (offsets.topic.*) from whoever needs them
                    // (FindCoordinator), not num.partitions from a Metadata request.
                    resp.topics().add(error(name,
                        Topic.isInternal(name) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : createAtController(name)));
                    continue;
                }
                if (allowAuto && ctx.config().autoCreateTopics()) {
                    final TopicRegistry.CreateResult r = ctx.topics().create(name, -1, Collections.emptyMap(), false);
                    if (r.topic() != null) {
                        t = r.topic();
                    } else {
                        LOG.warn("auto-creating topic {} failed: {} {}",
                            name, Errors.forCode(r.errorCode()), r.errorMessage());
                        resp.topics().add(error(name, Errors.forCode(r.errorCode())));
                        continue;
                    }
                } else {
                    resp.topics().add(error(name, Errors.UNKNOWN_TOPIC_OR_PARTITION));
                    continue;
                }
            }
            resp.topics().add(describe(t, view, listener));
        }
        return resp;
    }

    /** Auto-creation: CREATE on the cluster (not audited when denied) or on the topic. */
    private static boolean mayCreate(Authorization authz, RequestContext who, String name) {
        return authz.authorize(who, AclOperation.CREATE, ResourceType.CLUSTER, Resource.CLUSTER_NAME, true, false)
            || authz.authorize(who, AclOperation.CREATE, ResourceType.TOPIC, name);
    }

    /**
     * Cluster mode: asks the active controller to create {@code name} (unless a creation is already
     * in flight) and returns what Kafka answers meanwhile, LEADER_NOT_AVAILABLE.
     */
    private Errors createAtController(String name) {
        final ControllerChannel controller = ctx.controller();
        if (creating.add(name)) {
            final CreateTopicsRequestData data = new CreateTopicsRequestData()
                .setTimeoutMs(ForwardToController.TIMEOUT_MS);
            // Explicit, never -1 (the controller's own default): this broker's default.replication.factor, as Kafka's
            // AutoTopicCreationManager sends it.
            data.topics().add(new CreatableTopic().setName(name).setNumPartitions(ctx.config().numPartitions())
                .setReplicationFactor(ctx.config().getInt(BrokerConfig.DEFAULT_REPLICATION_FACTOR).shortValue()));
            try {
                // Bounded like a forwarded request, so a lost answer cannot block the topic's creation for ever.
                controller.send(new CreateTopicsRequest.Builder(data))
                    .orTimeout(ForwardToController.TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .whenComplete((r, e) -> {
                        creating.remove(name);
                        logCreation(name, r, e);
                    });
            } catch (RuntimeException e) {
                creating.remove(name);
                LOG.warn("auto-creating topic {}: the controller channel refused the request: {}", name, e.toString());
            }
        }
        return Errors.LEADER_NOT_AVAILABLE;
    }

    private static void logCreation(String name, Object response, Throwable failure) {
        if (failure != null) {
            LOG.warn("auto-creating topic {}: no answer from the controller: {}", name, failure.toString());
            return;
        }
        if (!(response instanceof CreateTopicsResponse r)) {
            LOG.warn("auto-creating topic {}: unexpected controller answer {}", name, response);
            return;
        }
        final CreateTopicsResponseData data = r.data();
        for (CreatableTopicResult t : data.topics()) {
            final Errors e = Errors.forCode(t.errorCode());
            if (e == Errors.NONE) {
                LOG.info("auto-created topic {} with {} partitions at the controller", t.name(), t.numPartitions());
            } else if (e != Errors.TOPIC_ALREADY_EXISTS) {
                LOG.warn("auto-creating topic {} failed at the controller: {} {}", t.name(), e, t.errorMessage());
            }
        }
    }

    private static MetadataResponseTopic error(String name, Errors e) {
        return new MetadataResponseTopic().setName(name).setErrorCode(e.code()).setIsInternal(false)
            .setTopicAuthorizedOperations(Integer.MIN_VALUE);
    }

    private static MetadataResponseTopic describe(TopicInfo t, ClusterView view, String listener) {
        final MetadataResponseTopic mt = new MetadataResponseTopic()
            .setName(t.name())
            .setTopicId(t.id())
            .setErrorCode(Errors.NONE.code())
            // __consumer_offsets in cluster mode: clients leave internal topics out of pattern subscriptions.
            .setIsInternal(Topic.isInternal(t.name()))
            .setTopicAuthorizedOperations(Integer.MIN_VALUE);
        final int n = t.partitionCount();
        for (int p = 0; p < n; p++) {
            mt.partitions().add(describe(p, t.state(p), view, listener));
        }
        return mt;
    }

    /**
     * One partition as {@code KRaftMetadataCache.getPartitionMetadata} describes it to a client of
     * {@code listener}: a replica on a broker that is not live or has no such listener is offline; a leader
     * without an endpoint on it is LEADER_NOT_AVAILABLE (the publisher logs brokers lacking a listener).
     */
    static MetadataResponsePartition describe(int partition, PartitionState s, ClusterView view, String listener) {
        final List<Integer> offline = new ArrayList<>(0);
        for (int r : s.replicas()) {
            if (view.broker(r, listener) == null) {
                offline.add(r);
            }
        }
        final boolean leaderAlive = view.broker(s.leader(), listener) != null;
        return new MetadataResponsePartition()
            .setErrorCode((leaderAlive ? Errors.NONE : Errors.LEADER_NOT_AVAILABLE).code())
            .setPartitionIndex(partition)
            .setLeaderId(leaderAlive ? s.leader() : PartitionState.NO_LEADER)
            .setLeaderEpoch(s.leaderEpoch())
            .setReplicaNodes(list(s.replicas()))
            .setIsrNodes(list(s.isr()))
            .setOfflineReplicas(offline.isEmpty() ? Collections.emptyList() : offline);
    }

    private static List<Integer> list(int[] ids) {
        if (ids.length == 1) {
            return List.of(ids[0]);
        }
        final List<Integer> l = new ArrayList<>(ids.length);
        for (int id : ids) {
            l.add(id);
        }
        return l;
    }
}
