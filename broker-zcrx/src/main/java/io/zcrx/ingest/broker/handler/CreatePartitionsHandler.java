package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * CreatePartitions, v0-v3 ({@code kafka-topics --alter --partitions N}). Cluster mode: forwarded to the controller,
 * which places the new partitions' replicas. Standalone: raises a topic's partition count on this single node.
 * Manual assignments, if given, must place each new partition on this node only; {@code validateOnly} checks
 * without changing anything.
 */
public final class CreatePartitionsHandler {
    private final BrokerContext ctx;

    public CreatePartitionsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Cluster mode: the active controller decides and its answer is relayed (deferred,
     * {@link ForwardToController}); standalone: answered here.
     */
    public void handle(RequestContext req, CreatePartitionsRequestData data) {
        // ALTER on each topic (Kafka's ControllerApis.createPartitions); the others are answered here.
        final Authorization authz = ctx.authorization();
        final CreatePartitionsRequestData allowed = data.duplicate();
        final List<CreatePartitionsTopicResult> refused = new ArrayList<>();
        allowed.topics().removeIf(t -> {
            if (authz.authorize(req, AclOperation.ALTER, ResourceType.TOPIC, t.name())) {
                return false;
            }
            refused.add(new CreatePartitionsTopicResult().setName(t.name())
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(null));
            return true;
        });
        if (ctx.clusterMode() && !allowed.topics().isEmpty()) {
            ForwardToController.forward(ctx, req, new CreatePartitionsRequest.Builder(allowed).build(req.version()),
                answer -> ((CreatePartitionsResponseData) answer).results().addAll(refused));
            return;
        }
        final CreatePartitionsResponseData resp = ctx.clusterMode()
            ? new CreatePartitionsResponseData().setThrottleTimeMs(0) : handle(allowed);
        resp.results().addAll(refused);
        req.respond(resp);
    }

    public CreatePartitionsResponseData handle(CreatePartitionsRequestData req) {
        final CreatePartitionsResponseData resp = new CreatePartitionsResponseData().setThrottleTimeMs(0);
        final Set<String> seen = new HashSet<>();
        final Set<String> twice = new HashSet<>();
        for (CreatePartitionsTopic t : req.topics()) {
            if (!seen.add(t.name())) {
                twice.add(t.name());
            }
        }
        for (CreatePartitionsTopic t : req.topics()) {
            final CreatePartitionsTopicResult r = new CreatePartitionsTopicResult().setName(t.name());
            resp.results().add(r);
            if (twice.contains(t.name())) {
                r.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Duplicate topic in request: " + t.name());
                continue;
            }
            final String bad = checkAssignments(t);
            if (bad != null) {
                r.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code()).setErrorMessage(bad);
                continue;
            }
            final TopicRegistry.ChangeResult cr = ctx.topics().addPartitions(t.name(), t.count(), req.validateOnly());
            r.setErrorCode(cr.errorCode()).setErrorMessage(cr.errorMessage());
        }
        return resp;
    }

    private String checkAssignments(CreatePartitionsTopic t) {
        if (t.assignments() == null) {
            return null;
        }
        for (CreatePartitionsAssignment a : t.assignments()) {
            if (a.brokerIds().size() != 1 || a.brokerIds().get(0) != ctx.nodeId()) {
                return "New partitions may only be assigned to broker " + ctx.nodeId() + ": brokerIds=" + a.brokerIds();
            }
        }
        final var topic = ctx.topics().get(t.name());
        if (topic != null && t.assignments().size() != t.count() - topic.partitionCount()) {
            return "Increasing the number of partitions by " + (t.count() - topic.partitionCount()) + " but "
                + t.assignments().size() + " assignments provided.";
        }
        return null;
    }
}
