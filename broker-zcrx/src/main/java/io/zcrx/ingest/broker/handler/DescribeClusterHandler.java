package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.request.BrokerContext;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster, v0-v2 (docs/kafka-protocol-notes.md#describecluster): the cluster id, and from the cluster
 * view the live brokers and the controller id clients are given (standalone: this node as controller
 * and only broker; in cluster mode a live broker, as Kafka's brokers answer, since clients cannot
 * reach the controllers). Fenced brokers are not in the view, so IncludeFencedBrokers (v2) lists the
 * same live brokers. Endpoint type 2 (controllers) is refused: clients reach no controller listener
 * through this broker.
 */
public final class DescribeClusterHandler {
    static final byte ENDPOINT_TYPE_BROKERS = 1;

    private final BrokerContext ctx;

    public DescribeClusterHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public DescribeClusterResponseData handle(DescribeClusterRequestData req, short version) {
        return handle(req, version, null);
    }

    /** The brokers' endpoints on the {@code listener} the client connected on. */
    public DescribeClusterResponseData handle(DescribeClusterRequestData req, short version, String listener) {
        final ClusterView view = ctx.cluster().view();
        final DescribeClusterResponseData resp = new DescribeClusterResponseData()
            .setThrottleTimeMs(0)
            .setEndpointType(ENDPOINT_TYPE_BROKERS)
            .setClusterId(ctx.clusterId())
            .setControllerId(view.controllerIdForClients())
            .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (version >= 1 && req.endpointType() != ENDPOINT_TYPE_BROKERS) {
            return resp.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                .setErrorMessage("Only broker endpoints (type 1) exist on this node; requested type "
                    + req.endpointType());
        }
        resp.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        for (BrokerNode node : view.aliveBrokers(listener)) {
            final BrokerNode b = ctx.onListener(node, listener);
            resp.brokers().add(new DescribeClusterBroker()
                .setBrokerId(b.id())
                .setHost(b.host())
                .setPort(b.port())
                .setRack(b.rack())
                .setIsFenced(false));
        }
        return resp;
    }
}
