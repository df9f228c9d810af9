package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;

/**
 * Heartbeat (docs/kafka-protocol-notes.md#consumer-groups): keeps a member's session alive and tells it when the group
 * rebalances.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class HeartbeatHandler {
    private final BrokerContext ctx;

    public HeartbeatHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public HeartbeatResponseData handle(HeartbeatRequestData data) {
        return new HeartbeatResponseData().setThrottleTimeMs(0).setErrorCode(ctx.groups().heartbeat(data).code());
    }
}
