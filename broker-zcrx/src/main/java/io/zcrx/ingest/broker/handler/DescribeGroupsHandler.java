package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;

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

    public DescribeGroupsResponseData handle(DescribeGroupsRequestData data, short version) {
        final DescribeGroupsResponseData resp = new DescribeGroupsResponseData().setThrottleTimeMs(0);
        for (String g : data.groups()) {
            final DescribedGroup d = ctx.groups().describeGroup(g, version);
            if (version < 4) {
                d.members().forEach(m -> m.setGroupInstanceId(null));
            }
            resp.groups().add(d);
        }
        return resp;
    }
}
