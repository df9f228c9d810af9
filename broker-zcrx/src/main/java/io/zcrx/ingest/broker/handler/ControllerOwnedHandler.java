package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * Cluster mode only: the admin APIs whose state lives in the controller and that Kafka's brokers
 * forward to it unchanged ({@code KafkaApis}: {@code forwardToController}): DescribeQuorum
 * ({@code kafka-metadata-quorum}), AlterPartitionReassignments and ListPartitionReassignments
 * ({@code kafka-reassign-partitions}), ElectLeaders ({@code kafka-leader-election}) and
 * IncrementalAlterConfigs for topics ({@code kafka-configs --entity-type topics}; the new settings
 * reach every broker through the metadata log). {@link ApiVersionTable} advertises them only in
 * cluster mode: a standalone broker has no controller to ask.
 *
 * <p>Dynamic broker and logger settings are not forwarded: this broker takes its settings from its
 * properties file only, and accepting a change it would never apply would mislead the operator, so
 * a request naming a BROKER or BROKER_LOGGER resource gets INVALID_REQUEST saying so.
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
        if (req.api() == ApiKeys.INCREMENTAL_ALTER_CONFIGS) {
            final String refusal = nonTopicResource((IncrementalAlterConfigsRequest) request);
            if (refusal != null) {
                req.respond(request.getErrorResponse(0, new InvalidRequestException(refusal)).data());
                return;
            }
        }
        ForwardToController.forward(ctx, req, request);
    }

    /** Why the request cannot be forwarded (a resource other than a topic), or null. */
    private static String nonTopicResource(IncrementalAlterConfigsRequest request) {
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : request.data().resources()) {
            final ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
            if (type != ConfigResource.Type.TOPIC) {
                return "this broker applies only topic settings changed at run time; " + type + " '"
                    + r.resourceName() + "' settings come from its properties file (resource type " + type
                    + " is not forwarded to the controller)";
            }
        }
        return null;
    }
}
