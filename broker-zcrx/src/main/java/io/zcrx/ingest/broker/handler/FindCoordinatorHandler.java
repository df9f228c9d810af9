package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator (docs/kafka-protocol-notes.md#consumer-groups): this node coordinates every group key, one key before
 * v4, a batch of keys from v4. Other key types (transactions, share groups) are refused.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class FindCoordinatorHandler {
    private final BrokerContext ctx;

    public FindCoordinatorHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public FindCoordinatorResponseData handle(FindCoordinatorRequestData req, short version) {
        final FindCoordinatorResponseData resp = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (version < 4) {
            final Coordinator c = coordinator(req.key(), req.keyType());
            return resp.setErrorCode(c.errorCode()).setErrorMessage(version >= 1 ? c.errorMessage() : null)
                .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        }
        for (String key : req.coordinatorKeys()) {
            resp.coordinators().add(coordinator(key, req.keyType()));
        }
        return resp;
    }

    private Coordinator coordinator(String key, byte keyType) {
        final Coordinator c = new Coordinator().setKey(key);
        if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            // Transactions and share groups are not implemented: fail fast rather than have the
            // client retry until its timeout.
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setNodeId(-1).setHost("").setPort(-1)
                .setErrorMessage("coordinator key type " + keyType + " is not supported by this broker (groups only)");
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(ctx.nodeId()).setHost(ctx.advertisedHost())
            .setPort(ctx.advertisedPort()).setErrorMessage(null);
    }
}
