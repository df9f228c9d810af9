package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestContext;
import org.apache.kafka.common.message.SyncGroupRequestData;

/**
 * SyncGroup (docs/kafka-protocol-notes.md#consumer-groups): deferred until the group's leader has sent the assignment,
 * answered from whichever thread delivers it. ProtocolType and ProtocolName exist from v5.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class SyncGroupHandler {
    private final BrokerContext ctx;

    public SyncGroupHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public void handle(RequestContext req, SyncGroupRequestData data) {
        final short version = req.version();
        final PendingResponse pending = req.defer();
        ctx.groups().syncGroup(data, resp -> {
            if (version < 5) {
                resp.setProtocolType(null).setProtocolName(null);
            }
            pending.completeFromAnyThread(resp);
        });
    }
}
