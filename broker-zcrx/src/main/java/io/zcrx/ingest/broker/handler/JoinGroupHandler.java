package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestContext;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;

/**
 * JoinGroup (docs/kafka-protocol-notes.md#consumer-groups): deferred until the group coordinator answers, from
 * whichever thread ends the join phase. Fields a version lacks are reset to their defaults
 * (kafka-clients refuses to write them otherwise).
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class JoinGroupHandler {
    private final BrokerContext ctx;

    public JoinGroupHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public void handle(RequestContext req, JoinGroupRequestData data) {
        final short version = req.version();
        final PendingResponse pending = req.defer();
        ctx.groups().joinGroup(data, version, req.clientId(), req.clientHost(), resp -> pending.completeFromAnyThread(
            forVersion(resp, version)));
    }

    /** JoinGroup fields that do not exist at a version must keep their defaults. */
    static JoinGroupResponseData forVersion(JoinGroupResponseData r, short version) {
        if (version < 7) {
            r.setProtocolType(null);
            if (r.protocolName() == null) {
                r.setProtocolName("");
            }
        }
        if (version < 5) {
            r.members().forEach(m -> m.setGroupInstanceId(null));
        }
        return r;
    }
}
