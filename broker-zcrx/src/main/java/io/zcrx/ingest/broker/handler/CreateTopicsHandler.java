package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;

/**
 * CreateTopics, v2-v7 (docs/kafka-protocol-notes.md#createtopics). Cluster mode: forwarded to the controller,
 * except topics with more than one replica per partition, refused here until this broker replicates
 * ({@link SingleReplica}). Standalone, on a single node: replication factor -1 or 1,
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
        if (ctx.clusterMode()) {
            forward(req, data);
        } else {
            req.respond(handle(data, req.version()));
        }
    }

    /**
     * Cluster mode: topics this broker could not hold honestly ({@link SingleReplica}: more than one replica per
     * partition) are INVALID_REPLICATION_FACTOR here; the others go to the controller, a factor of -1 as this
     * broker's {@code default.replication.factor} (1), not the controller's own default. A name given twice goes
     * as it came (the controller answers INVALID_REQUEST for it). Nothing left to forward: answered at once.
     */
    private void forward(RequestContext req, CreateTopicsRequestData data) {
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicated = new HashSet<>();
        for (CreatableTopic t : data.topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        final short defaultFactor = ctx.config().getInt(BrokerConfig.DEFAULT_REPLICATION_FACTOR).shortValue();
        final CreateTopicsRequestData forwarded = new CreateTopicsRequestData().setTimeoutMs(data.timeoutMs())
            .setValidateOnly(data.validateOnly());
        final List<CreatableTopicResult> refused = new ArrayList<>();
        for (CreatableTopic t : data.topics()) {
            final String why = duplicated.contains(t.name()) ? null : SingleReplica.refuseTopic(t);
            if (why != null) {
                final CreatableTopicResult r = new CreatableTopicResult().setName(t.name())
                    .setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1).setConfigs(null);
                fail(r, Errors.INVALID_REPLICATION_FACTOR, why);
                refused.add(r);
                continue;
            }
            final CreatableTopic copy = t.duplicate();
            if (copy.replicationFactor() == -1 && copy.assignments().isEmpty()) {
                copy.setReplicationFactor(defaultFactor);
            }
            forwarded.topics().add(copy);
        }
        if (forwarded.topics().isEmpty()) {
            final CreateTopicsResponseData resp = new CreateTopicsResponseData().setThrottleTimeMs(0);
            resp.topics().addAll(refused);
            req.respond(resp);
            return;
        }
        ForwardToController.forward(ctx, req, new CreateTopicsRequest.Builder(forwarded).build(req.version()),
            answer -> ((CreateTopicsResponseData) answer).topics().addAll(refused));
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
            if (t.replicationFactor() != -1 && t.replicationFactor() != 1) {
                fail(r, Errors.INVALID_REPLICATION_FACTOR, "Replication factor " + t.replicationFactor()
                    + " is larger than the number of brokers (1)");
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
