package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeGroups (docs/kafka-protocol-notes.md#consumer-groups): state, protocol and members of each group named; the
 * static instance id exists from v4.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class DescribeGroupsHandler {
    private final BrokerContext ctx;

    public DescribeGroupsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * DESCRIBE on each group (Kafka's {@code handleDescribeGroupsRequest}), else that group answers
     * GROUP_AUTHORIZATION_FAILED and nothing of it.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public DescribeGroupsResponseData handle(DescribeGroupsRequestData data, short version, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final DescribeGroupsResponseData resp = new DescribeGroupsResponseData().setThrottleTimeMs(0);
        for (String g : data.groups()) {
            if (!authz.authorize(who, AclOperation.DESCRIBE, ResourceType.GROUP, g)) {
                resp.groups().add(DescribeGroupsResponse.groupError(g, Errors.GROUP_AUTHORIZATION_FAILED));
                continue;
            }
            final DescribedGroup d = ctx.groups().describeGroup(g, version);
            if (version < 4) {
                d.members().forEach(m -> m.setGroupInstanceId(null));
            }
            resp.groups().add(d);
        }
        return resp;
    }
}
