package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DeleteGroups (docs/kafka-protocol-notes.md#consumer-groups): groups without members go, with their committed offsets.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class DeleteGroupsHandler {
    private final BrokerContext ctx;

    public DeleteGroupsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * DELETE on each group (Kafka's {@code handleDeleteGroupsRequest}): the others answer GROUP_AUTHORIZATION_FAILED
     * and only the authorized ones reach the coordinator.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public DeleteGroupsResponseData handle(DeleteGroupsRequestData data, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final List<String> allowed = new ArrayList<>();
        final DeletableGroupResultCollection refused = new DeletableGroupResultCollection();
        for (String g : data.groupsNames()) {
            if (authz.authorize(who, AclOperation.DELETE, ResourceType.GROUP, g)) {
                allowed.add(g);
            } else if (refused.find(g) == null) {
                refused.add(new DeletableGroupResult().setGroupId(g)
                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
            }
        }
        final DeletableGroupResultCollection results = ctx.groups().deleteGroups(allowed);
        for (DeletableGroupResult r : refused) {
            results.add(r.duplicate());
        }
        return new DeleteGroupsResponseData().setThrottleTimeMs(0).setResults(results);
    }
}
