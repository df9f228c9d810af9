package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.log.PartitionLog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DeleteTopics, v1-v6 (by name; v6 by name or id): the topic leaves the registry at once, its
 * partition directories are deleted, the committed offsets of every group for it go too (as in
 * Kafka), and long polls waiting on its partitions are woken so they answer now.
 */
public final class DeleteTopicsHandler {
    private final BrokerContext ctx;

    public DeleteTopicsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Cluster mode: the active controller decides and its answer is relayed (deferred,
     * {@link ForwardToController}); standalone: answered here.
     */
    public void handle(RequestContext req, DeleteTopicsRequestData data) {
        final List<DeletableTopicResult> refused = new ArrayList<>();
        final DeleteTopicsRequestData allowed = authorized(req, data, refused);
        if (ctx.clusterMode() && !(allowed.topics().isEmpty() && allowed.topicNames().isEmpty())) {
            ForwardToController.forward(ctx, req, new DeleteTopicsRequest.Builder(allowed).build(req.version()),
                answer -> ((DeleteTopicsResponseData) answer).responses().addAll(refused));
            return;
        }
        final DeleteTopicsResponseData resp = ctx.clusterMode()
            ? new DeleteTopicsResponseData().setThrottleTimeMs(0) : handle(allowed, req.version());
        for (DeletableTopicResult r : refused) {
            resp.responses().add(r);
        }
        req.respond(resp);
    }

    /**
     * The topics the client may DELETE (Kafka's {@code ControllerApis.deleteTopics}); each other one goes to
     * {@code refused} as TOPIC_AUTHORIZATION_FAILED, a topic named by id without its name when the client may not
     * even DESCRIBE it. Unknown ids are left to the handler (UNKNOWN_TOPIC_ID).
     */
    private DeleteTopicsRequestData authorized(RequestContext req, DeleteTopicsRequestData data,
                                               List<DeletableTopicResult> refused) {
        final Authorization authz = ctx.authorization();
        final DeleteTopicsRequestData allowed = data.duplicate();
        allowed.topicNames().removeIf(n -> {
            if (authz.authorize(req, AclOperation.DELETE, ResourceType.TOPIC, n)) {
                return false;
            }
            refused.add(new DeletableTopicResult().setName(n).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
            return true;
        });
        allowed.topics().removeIf(s -> {
            final TopicInfo byId = s.name() == null && s.topicId() != null ? ctx.topics().get(s.topicId()) : null;
            final String name = s.name() != null ? s.name() : byId == null ? null : byId.name();
            if (name == null || authz.authorize(req, AclOperation.DELETE, ResourceType.TOPIC, name)) {
                return false;
            }
            final boolean described = s.name() != null
                || authz.authorize(req, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
            refused.add(new DeletableTopicResult().setName(described ? name : null)
                .setTopicId(s.topicId() == null ? Uuid.ZERO_UUID : s.topicId())
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
            return true;
        });
        return allowed;
    }

    public DeleteTopicsResponseData handle(DeleteTopicsRequestData req, short version) {
        final List<DeleteTopicState> wanted = new ArrayList<>();
        if (version >= 6) {
            wanted.addAll(req.topics());
        } else {
            for (String n : req.topicNames()) {
                wanted.add(new DeleteTopicState().setName(n).setTopicId(Uuid.ZERO_UUID));
            }
        }
        final Set<String> seen = new HashSet<>();
        final Set<String> twice = new HashSet<>();
        for (DeleteTopicState s : wanted) {
            if (!seen.add(key(s))) {
                twice.add(key(s));
            }
        }
        final DeleteTopicsResponseData resp = new DeleteTopicsResponseData().setThrottleTimeMs(0);
        for (DeleteTopicState s : wanted) {
            final boolean byId = s.name() == null;
            final DeletableTopicResult r = new DeletableTopicResult().setName(s.name())
                .setTopicId(s.topicId() == null ? Uuid.ZERO_UUID : s.topicId());
            resp.responses().add(r);
            if (twice.contains(key(s))) {
                fail(r, Errors.INVALID_REQUEST, "Duplicate topic in the request: " + key(s), version);
                continue;
            }
            if (!byId && s.topicId() != null && !Uuid.ZERO_UUID.equals(s.topicId())) {
                fail(r, Errors.INVALID_REQUEST, "Name and id both given for topic " + s.name(), version);
                continue;
            }
            final TopicInfo t = byId ? ctx.topics().get(s.topicId()) : ctx.topics().get(s.name());
            if (t == null || t.isDeleted()) {
                fail(r, byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    byId ? "Topic id " + s.topicId() + " does not exist" : "Topic " + s.name() + " does not exist",
                    version);
                continue;
            }
            r.setName(t.name());
            if (version >= 6) {
                r.setTopicId(t.id());
            }
            final int partitions = t.partitionCount();
            final PartitionLog[] logs = new PartitionLog[partitions];
            for (int i = 0; i < partitions; i++) {
                logs[i] = t.partition(i);
            }
            final TopicRegistry.ChangeResult cr = ctx.topics().delete(t);
            for (PartitionLog log : logs) {
                if (log != null) {
                    ctx.fetchWaiters().onAppend(log);
                }
            }
            ctx.offsets().onTopicDeleted(t.name());
            if (cr.errorCode() != Errors.NONE.code()) {
                fail(r, Errors.forCode(cr.errorCode()), cr.errorMessage(), version);
            } else {
                r.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            }
        }
        return resp;
    }

    private static String key(DeleteTopicState s) {
        return s.name() != null ? "name:" + s.name() : "id:" + s.topicId();
    }

    private static void fail(DeletableTopicResult r, Errors e, String message, short version) {
        r.setErrorCode(e.code()).setErrorMessage(version >= 5 ? message : null);
    }
}
