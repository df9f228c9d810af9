package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListGroups (docs/kafka-protocol-notes.md#consumer-groups): every live group, filtered by state from v4 and by type
 * from v5.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class ListGroupsHandler {
    private final BrokerContext ctx;

    public ListGroupsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Every group for a client with DESCRIBE on the cluster, else only the groups it may DESCRIBE (Kafka's
     * {@code handleListGroupsRequest}; neither denial is audited: nothing was asked for by name).
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public ListGroupsResponseData handle(ListGroupsRequestData data, short version, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final List<ListedGroup> groups = ctx.groups().listGroups(version >= 4 ? data.statesFilter() : null,
            version >= 5 ? data.typesFilter() : null);
        if (!authz.authorize(who, AclOperation.DESCRIBE, ResourceType.CLUSTER, Resource.CLUSTER_NAME, true, false)) {
            groups.removeIf(g -> !authz.authorize(who, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId(), true,
                false));
        }
        return new ListGroupsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code()).setGroups(groups);
    }
}
