package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;

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

    public ListGroupsResponseData handle(ListGroupsRequestData data, short version) {
        return new ListGroupsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
            .setGroups(ctx.groups().listGroups(version >= 4 ? data.statesFilter() : null,
                version >= 5 ? data.typesFilter() : null));
    }
}
