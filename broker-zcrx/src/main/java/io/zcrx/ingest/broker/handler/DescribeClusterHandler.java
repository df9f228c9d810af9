package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster, v0-v2 (docs/kafka-protocol-notes.md#describecluster): the cluster id, this node as controller and
 * only broker. Endpoint type 2 (controllers) is refused: there is no separate controller listener.
 */
public final class DescribeClusterHandler {
    static final byte ENDPOINT_TYPE_BROKERS = 1;

    private final BrokerContext ctx;

    public DescribeClusterHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public DescribeClusterResponseData handle(DescribeClusterRequestData req, short version) {
        final DescribeClusterResponseData resp = new DescribeClusterResponseData()
            .setThrottleTimeMs(0)
            .setEndpointType(ENDPOINT_TYPE_BROKERS)
            .setClusterId(ctx.clusterId())
            .setControllerId(ctx.nodeId())
            .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (version >= 1 && req.endpointType() != ENDPOINT_TYPE_BROKERS) {
            return resp.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                .setErrorMessage("Only broker endpoints (type 1) exist on this node; requested type "
                    + req.endpointType());
        }
        resp.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        resp.brokers().add(new DescribeClusterBroker()
            .setBrokerId(ctx.nodeId())
            .setHost(ctx.advertisedHost())
            .setPort(ctx.advertisedPort())
            .setRack(null)
            .setIsFenced(false));
        return resp;
    }
}
