package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;

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

    public DeleteGroupsResponseData handle(DeleteGroupsRequestData data) {
        return new DeleteGroupsResponseData().setThrottleTimeMs(0)
            .setResults(ctx.groups().deleteGroups(data.groupsNames()));
    }
}
