package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;

/**
 * CreateTopics, v2-v7 (docs/kafka-protocol-notes.md#createtopics). Cluster mode: forwarded to the controller.
 * Standalone, on a single node: replication factor -1 (with {@code default.replication.factor} 1) or 1,
 * assignments (if given) must be dense and name only this node, configs must be topic settings we
 * implement; {@code validateOnly} checks without creating. v5+ echoes partitions, replication
 * factor and the effective configs; v7 the topic id.
 */
public final class CreateTopicsHandler {
    private final BrokerContext ctx;

    public CreateTopicsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Cluster mode: the active controller decides and its answer is relayed (deferred,
     * {@link ForwardToController}); standalone: answered here.
     */
    public void handle(RequestContext req, CreateTopicsRequestData data) {
        final Authorization authz = ctx.authorization();
        // Kafka's ControllerApis.createTopics: CREATE on the cluster, else on each topic; a duplicated name is left
        // to the duplicate check. The configs of a new topic are returned only with DESCRIBE_CONFIGS on it.
        final boolean clusterCreate = authz.authorize(req, AclOperation.CREATE, ResourceType.CLUSTER,
            Resource.CLUSTER_NAME, true, false);
        final Map<String, Integer> counts = new HashMap<>();
        data.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        final CreateTopicsRequestData allowed = data.duplicate();
        final List<CreatableTopicResult> refused = new ArrayList<>();
        allowed.topics().removeIf(t -> {
            if (clusterCreate || counts.get(t.name()) > 1
                    || authz.authorize(req, AclOperation.CREATE, ResourceType.TOPIC, t.name())) {
                return false;
            }
            refused.add(new CreatableTopicResult().setName(t.name()).setTopicId(Uuid.ZERO_UUID)
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage("Authorization failed.")
                .setNumPartitions(-1).setReplicationFactor((short) -1).setConfigs(null));
            return true;
        });
        final Consumer<ApiMessage> local = answer -> {
            final CreateTopicsResponseData resp = (CreateTopicsResponseData) answer;
            for (CreatableTopicResult r : resp.topics()) {
                if (r.errorCode() == Errors.NONE.code()
                        && !authz.authorize(req, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, r.name(), true,
                            false)) {
                    r.setConfigs(new ArrayList<>())
                        .setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                }
            }
            for (CreatableTopicResult r : refused) {
                resp.topics().add(r.duplicate());
            }
        };
        if (ctx.clusterMode() && !allowed.topics().isEmpty()) {
            forward(req, allowed, local);
            return;
        }
        final CreateTopicsResponseData resp = ctx.clusterMode()
            ? new CreateTopicsResponseData().setThrottleTimeMs(0) : handle(allowed, req.version());
        local.accept(resp);
        req.respond(resp);
    }

    /**
     * Cluster mode: the topics go to the controller, a factor of -1 (without assignments) as this broker's
     * {@code default.replication.factor}, not the controller's own default, as Kafka brokers forward it.
     */
    private void forward(RequestContext req, CreateTopicsRequestData data, Consumer<ApiMessage> local) {
        final short defaultFactor = ctx.config().getInt(BrokerConfig.DEFAULT_REPLICATION_FACTOR).shortValue();
        final CreateTopicsRequestData forwarded = data.duplicate();
        for (CreatableTopic t : forwarded.topics()) {
            if (t.replicationFactor() == -1 && t.assignments().isEmpty()) {
                t.setReplicationFactor(defaultFactor);
            }
        }
        ForwardToController.forward(ctx, req, new CreateTopicsRequest.Builder(forwarded).build(req.version()), local);
    }

    public CreateTopicsResponseData handle(CreateTopicsRequestData req, short version) {
        final CreateTopicsResponseData resp = new CreateTopicsResponseData().setThrottleTimeMs(0);
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicated = new HashSet<>();
        for (CreatableTopic t : req.topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        for (CreatableTopic t : req.topics()) {
            final CreatableTopicResult r = new CreatableTopicResult().setName(t.name()).setTopicId(Uuid.ZERO_UUID)
                .setNumPartitions(-1).setReplicationFactor((short) -1).setConfigs(null);
            resp.topics().add(r);
            if (duplicated.contains(t.name())) {
                fail(r, Errors.INVALID_REQUEST,
                    "Create topics request from client contains duplicate topic: " + t.name());
                continue;
            }
            int partitions = t.numPartitions();
            final int factor = t.replicationFactor() == -1 && t.assignments().isEmpty()
                ? ctx.config().getInt(BrokerConfig.DEFAULT_REPLICATION_FACTOR) : t.replicationFactor();
            if (factor != -1 && factor != 1) {
                // Kafka's controller message when too few brokers are registered.
                fail(r, Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + factor
                    + " time(s): The target replication factor of " + factor
                    + " cannot be reached because only 1 broker(s) are registered.");
                continue;
            }
            if (!t.assignments().isEmpty()) {
                if (partitions != -1 || t.replicationFactor() != -1) {
                    fail(r, Errors.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and replicasAssignments were set."
                            + " Both cannot be used at the same time.");
                    continue;
                }
                final String bad = checkAssignments(t);
                if (bad != null) {
                    fail(r, Errors.INVALID_REPLICA_ASSIGNMENT, bad);
                    continue;
                }
                partitions = t.assignments().size();
            }
            final Map<String, String> overrides = new HashMap<>();
            for (CreatableTopicConfig c : t.configs()) {
                overrides.put(c.name(), c.value());
            }
            final TopicRegistry.CreateResult cr =
                ctx.topics().create(t.name(), partitions, overrides, req.validateOnly());
            if (cr.errorCode() != Errors.NONE.code()) {
                fail(r, Errors.forCode(cr.errorCode()), cr.errorMessage());
                continue;
            }
            r.setErrorCode(Errors.NONE.code()).setErrorMessage(null)
                .setNumPartitions(req.validateOnly() ? (partitions == -1 ? ctx.config().numPartitions() : partitions)
                    : cr.topic().partitionCount())
                .setReplicationFactor((short) 1)
                .setTopicId(req.validateOnly() ? Uuid.ZERO_UUID : cr.topic().id());
            if (version >= 5) {
                final List<CreatableTopicConfigs> configs = new ArrayList<>();
                for (TopicConfigs.Entry e : TopicConfigs.effective(ctx.config(), cr.topic().overrides()).values()) {
                    configs.add(new CreatableTopicConfigs()
                        .setName(e.name()).setValue(e.value()).setReadOnly(false)
                        .setConfigSource(e.source().id).setIsSensitive(false));
                }
                r.setConfigs(configs);
            }
        }
        return resp;
    }

    private String checkAssignments(CreatableTopic t) {
        final int n = t.assignments().size();
        final boolean[] seen = new boolean[n];
        for (CreatableReplicaAssignment a : t.assignments()) {
            final int p = a.partitionIndex();
            if (p < 0 || p >= n || seen[p]) {
                return "Partitions of a manual assignment must be 0.." + (n - 1) + " without repeats: partition=" + p;
            }
            seen[p] = true;
            if (a.brokerIds().size() != 1 || a.brokerIds().get(0) != ctx.nodeId()) {
                return "Partition " + p + " is assigned to brokers " + a.brokerIds() + " but the only broker is "
                    + ctx.nodeId();
            }
        }
        return null;
    }

    private static void fail(CreatableTopicResult r, Errors e, String message) {
        r.setErrorCode(e.code()).setErrorMessage(message).setTopicConfigErrorCode(Errors.NONE.code());
    }
}
