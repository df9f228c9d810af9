package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.AclStore;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;

/**
 * CreateAcls, DescribeAcls, DeleteAcls (what {@code kafka-acls --bootstrap-server} sends), as Kafka's {@code AclApis}:
 * first ALTER (Create, Delete) or DESCRIBE (Describe) on the cluster, else CLUSTER_AUTHORIZATION_FAILED; without an
 * authorizer SECURITY_DISABLED ("No Authorizer is configured"); DescribeAcls answers from the authorizer.
 * Standalone, Create and Delete change the {@link AclStore} (stored before the answer); in cluster mode they go to
 * the controller, as Kafka's brokers forward them, and the change comes back through the metadata log.
 *
 * <p>Thread-safe (the store serialises changes).
 */
public final class AclsHandler {
    private final BrokerContext ctx;

    public AclsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public void describe(RequestContext req, Readable body) {
        final DescribeAclsRequest request = DescribeAclsRequest.parse(body, req.version());
        final Authorization authz = ctx.authorization();
        if (!authz.authorize(req, AclOperation.DESCRIBE, ResourceType.CLUSTER, Resource.CLUSTER_NAME)) {
            req.respond(request.getErrorResponse(0, new ClusterAuthorizationException(denied(req))).data());
        } else if (!authz.enabled()) {
            req.respond(new DescribeAclsResponseData().setErrorCode(Errors.SECURITY_DISABLED.code())
                .setErrorMessage("No Authorizer is configured on the broker"));
        } else {
            req.respond(new DescribeAclsResponseData()
                .setResources(DescribeAclsResponse.aclsResources(authz.acls(request.filter()))));
        }
    }

    public void create(RequestContext req, Readable body) {
        final CreateAclsRequest request = CreateAclsRequest.parse(body, req.version());
        if (refused(req, request)) {
            return;
        }
        if (ctx.clusterMode()) {
            ForwardToController.forward(ctx, req, request);
            return;
        }
        final List<AclBinding> bindings = new ArrayList<>();
        for (AclCreation c : request.aclCreations()) {
            bindings.add(CreateAclsRequest.aclBinding(c));
        }
        final CreateAclsResponseData resp = new CreateAclsResponseData();
        for (AclCreateResult r : ctx.aclStore().create(bindings, who(req))) {
            final AclCreationResult out = new AclCreationResult();
            r.exception().ifPresent(e -> {
                final ApiError error = ApiError.fromThrowable(e);
                out.setErrorCode(error.error().code()).setErrorMessage(error.message());
            });
            resp.results().add(out);
        }
        req.respond(resp);
    }

    public void delete(RequestContext req, Readable body) {
        final DeleteAclsRequest request = DeleteAclsRequest.parse(body, req.version());
        if (refused(req, request)) {
            return;
        }
        if (ctx.clusterMode()) {
            ForwardToController.forward(ctx, req, request);
            return;
        }
        final DeleteAclsResponseData resp = new DeleteAclsResponseData();
        for (AclDeleteResult r : ctx.aclStore().delete(request.filters(), who(req))) {
            final DeleteAclsFilterResult out = DeleteAclsResponse.filterResult(r);
            resp.filterResults().add(out);
        }
        req.respond(resp);
    }

    /** ALTER on the cluster, then an authorizer: Kafka's order (a denial is told before SECURITY_DISABLED). */
    private boolean refused(RequestContext req, AbstractRequest request) {
        final Authorization authz = ctx.authorization();
        if (!authz.authorize(req, AclOperation.ALTER, ResourceType.CLUSTER, Resource.CLUSTER_NAME)) {
            req.respond(request.getErrorResponse(0, new ClusterAuthorizationException(denied(req))).data());
            return true;
        }
        if (!authz.enabled()) {
            req.respond(request.getErrorResponse(0, new SecurityDisabledException("No Authorizer is configured."))
                .data());
            return true;
        }
        return false;
    }

    private static String denied(RequestContext req) {
        return "Request " + req.api().name + " from " + req.principal() + " is not authorized.";
    }

    private static String who(RequestContext req) {
        return req.principal() + " (" + req.connection() + ")";
    }
}
