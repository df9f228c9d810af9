package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

/**
 * ListPartitionReassignments, v0 ({@code kafka-reassign-partitions --list}, Admin
 * {@code listPartitionReassignments}). Cluster mode: forwarded to the controller, which owns reassignments
 * ({@link ForwardToController}). Standalone: a single node never reassigns, so the answer is "none" (an empty list,
 * NONE), whichever topics were asked about, as Kafka's controller answers for partitions without a reassignment.
 *
 * <p>Thread-safe (stateless).
 */
public final class ListPartitionReassignmentsHandler {
    private final BrokerContext ctx;

    public ListPartitionReassignmentsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public void handle(RequestContext req, ListPartitionReassignmentsRequestData data) {
        if (ctx.clusterMode()) {
            ForwardToController.forward(ctx, req,
                new ListPartitionReassignmentsRequest.Builder(data).build(req.version()));
            return;
        }
        req.respond(new ListPartitionReassignmentsResponseData().setThrottleTimeMs(0)
            .setErrorCode(Errors.NONE.code()).setErrorMessage(null));
    }
}
