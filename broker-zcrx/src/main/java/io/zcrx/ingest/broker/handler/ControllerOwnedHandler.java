package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Cluster mode only: the admin APIs whose state lives in the controller and that Kafka's brokers
 * forward to it unchanged ({@code KafkaApis}: {@code forwardToController}): DescribeQuorum
 * ({@code kafka-metadata-quorum}), AlterPartitionReassignments
 * ({@code kafka-reassign-partitions}) and ElectLeaders ({@code kafka-leader-election}).
 * {@link ApiVersionTable} advertises them only in cluster mode: a standalone broker has no controller to ask.
 * (IncrementalAlterConfigs, AlterConfigs and ListPartitionReassignments have their own handlers, which forward in
 * cluster mode and answer themselves standalone.)
 *
 * <p>Thread-safe (stateless).
 */
public final class ControllerOwnedHandler {
    private final BrokerContext ctx;

    public ControllerOwnedHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public void handle(RequestContext req, Readable body) {
        final AbstractRequest request = AbstractRequest.parseRequest(req.api(), req.version(), body).request;
        if (!ctx.clusterMode()) {
            // Not advertised in standalone mode (ApiVersionTable); a client that sends it anyway is told so.
            req.respond(request.getErrorResponse(0, new InvalidRequestException(req.api()
                + " needs a KRaft controller: this broker runs standalone (process.roles is not set)")).data());
            return;
        }
        ForwardToController.forward(ctx, req, request);
    }
}
