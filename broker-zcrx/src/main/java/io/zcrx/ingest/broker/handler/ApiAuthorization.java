package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.ControlHandler;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The checks of Kafka's {@code KafkaApis} that decide a whole request before it is handled: a cluster operation
 * (CLUSTER_AUTHORIZATION_FAILED), the group of a group request (GROUP_AUTHORIZATION_FAILED), InitProducerId's
 * IDEMPOTENT_WRITE on the cluster or WRITE on any topic (Kafka 4: {@code authorizeByResourceType}) or WRITE on its
 * transactional id. A denied request is answered with its own {@code getErrorResponse} (every entry carries the
 * error, as Kafka's {@code sendErrorResponseMaybeThrottle}); an allowed one goes to its handler unchanged. Checks of
 * single resources inside a request (topics of Produce, Fetch, Metadata, ...) are in the handlers.
 *
 * <p>Without an authorizer, {@link #guard} returns the handler itself: no cost. Thread-safe (stateless).
 */
public final class ApiAuthorization {
    private ApiAuthorization() {
    }

    /** {@code handler} behind the whole-request check of {@code api}, or {@code handler} when it has none. */
    public static ControlHandler guard(BrokerContext ctx, ApiKeys api, ControlHandler handler) {
        if (ctx == null || !ctx.authorization().enabled() || !checked(api)) {
            return handler;
        }
        return (req, body) -> {
            final AbstractRequest request = AbstractRequest.parseRequest(api, req.version(), body.slice()).request;
            final RuntimeException denied = denial(ctx.authorization(), req, request);
            if (denied != null) {
                req.respond(request.getErrorResponse(0, denied).data());
            } else {
                handler.handle(req, body);
            }
        };
    }

    /** True when {@code api} has a whole-request check here. */
    static boolean checked(ApiKeys api) {
        return clusterOperation(api) != null || switch (api) {
            case JOIN_GROUP, SYNC_GROUP, HEARTBEAT, LEAVE_GROUP, OFFSET_COMMIT, OFFSET_DELETE, OFFSET_FETCH,
                 FIND_COORDINATOR, INIT_PRODUCER_ID -> true;
            default -> false;
        };
    }

    /** The operation on the cluster an API needs as a whole (Kafka's {@code authorizeClusterOperation}), or null. */
    static AclOperation clusterOperation(ApiKeys api) {
        return switch (api) {
            case DESCRIBE_LOG_DIRS, DESCRIBE_USER_SCRAM_CREDENTIALS, DESCRIBE_QUORUM, LIST_PARTITION_REASSIGNMENTS ->
                AclOperation.DESCRIBE;
            case ALTER_USER_SCRAM_CREDENTIALS, ALTER_PARTITION_REASSIGNMENTS, ELECT_LEADERS -> AclOperation.ALTER;
            default -> null;
        };
    }

    /** The exception a denied request is answered with, or null when it may be handled. */
    static RuntimeException denial(Authorization authz, RequestContext req, AbstractRequest request) {
        final ApiKeys api = request.apiKey();
        final AclOperation clusterOp = clusterOperation(api);
        if (clusterOp != null) {
            return authz.authorize(req, clusterOp, ResourceType.CLUSTER, Resource.CLUSTER_NAME) ? null
                : new ClusterAuthorizationException("Request " + api.name + " is not authorized.");
        }
        return switch (api) {
            case JOIN_GROUP -> group(authz, req, AclOperation.READ, ((JoinGroupRequest) request).data().groupId());
            case SYNC_GROUP -> group(authz, req, AclOperation.READ, ((SyncGroupRequest) request).data().groupId());
            case HEARTBEAT -> group(authz, req, AclOperation.READ, ((HeartbeatRequest) request).data().groupId());
            case LEAVE_GROUP -> group(authz, req, AclOperation.READ, ((LeaveGroupRequest) request).data().groupId());
            case OFFSET_COMMIT -> group(authz, req, AclOperation.READ,
                ((OffsetCommitRequest) request).data().groupId());
            case OFFSET_DELETE -> group(authz, req, AclOperation.DELETE,
                ((OffsetDeleteRequest) request).data().groupId());
            case OFFSET_FETCH -> offsetFetch(authz, req, (OffsetFetchRequest) request);
            case FIND_COORDINATOR -> findCoordinator(authz, req, ((FindCoordinatorRequest) request).data());
            case INIT_PRODUCER_ID -> initProducerId(authz, req, (InitProducerIdRequest) request);
            default -> null;
        };
    }

    private static RuntimeException group(Authorization authz, RequestContext req, AclOperation op, String groupId) {
        return authz.authorize(req, op, ResourceType.GROUP, groupId) ? null
            : new GroupAuthorizationException(groupId);
    }

    /** v0-7 name one group (DESCRIBE on it); v8+ several, each of which must be described. */
    private static RuntimeException offsetFetch(Authorization authz, RequestContext req, OffsetFetchRequest r) {
        if (r.version() < 8) {
            return group(authz, req, AclOperation.DESCRIBE, r.data().groupId());
        }
        for (OffsetFetchRequestGroup g : r.data().groups()) {
            final RuntimeException e = group(authz, req, AclOperation.DESCRIBE, g.groupId());
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** DESCRIBE on the group (or WRITE on the transactional id) whose coordinator is asked for. */
    private static RuntimeException findCoordinator(Authorization authz, RequestContext req,
                                                    FindCoordinatorRequestData d) {
        final boolean txn = d.keyType() == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id();
        final List<String> keys = req.version() < 4 ? List.of(d.key()) : d.coordinatorKeys();
        for (String key : keys) {
            if (txn ? !authz.authorize(req, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                : !authz.authorize(req, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
                return txn ? new TransactionalIdAuthorizationException("Transactional id " + key
                    + " is not authorized.") : new GroupAuthorizationException(key);
            }
        }
        return null;
    }

    /** Kafka 4: WRITE on the transactional id; else IDEMPOTENT_WRITE on the cluster or WRITE on any topic. */
    private static RuntimeException initProducerId(Authorization authz, RequestContext req, InitProducerIdRequest r) {
        final String txn = r.data().transactionalId();
        if (txn != null) {
            return authz.authorize(req, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, txn) ? null
                : new TransactionalIdAuthorizationException("Transactional id " + txn + " is not authorized.");
        }
        if (authz.authorize(req, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, Resource.CLUSTER_NAME, true,
                false) || authz.authorizeAny(req, AclOperation.WRITE, ResourceType.TOPIC)) {
            return null;
        }
        return new ClusterAuthorizationException("Request InitProducerId is not authorized.");
    }
}
