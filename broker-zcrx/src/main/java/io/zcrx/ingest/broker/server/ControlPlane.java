package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.handler.ApiVersionTable;
import io.zcrx.ingest.broker.handler.CreateTopicsHandler;
import io.zcrx.ingest.broker.handler.DescribeClusterHandler;
import io.zcrx.ingest.broker.handler.DescribeConfigsHandler;
import io.zcrx.ingest.broker.handler.InitProducerIdHandler;
import io.zcrx.ingest.broker.handler.MetadataHandler;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The control-plane handlers by api key, shared by every reactor. Every API advertised in
 * {@link ApiVersionTable} (except Produce and ApiVersions, which are dispatched directly) must have
 * exactly one handler here, and nothing else may: {@code ControlPlaneTest} checks both ways.
 *
 * <p>Thread-safe after construction.
 */
public final class ControlPlane {
    private final ControlHandler[] byKey = new ControlHandler[128];

    public ControlPlane(BrokerContext ctx) {
        final MetadataHandler metadata = new MetadataHandler(ctx);
        register(ApiKeys.METADATA, (req, body) ->
            req.respond(metadata.handle(new MetadataRequestData(body, req.version()), req.version())));
        final InitProducerIdHandler initProducerId = new InitProducerIdHandler(ctx);
        register(ApiKeys.INIT_PRODUCER_ID, (req, body) ->
            req.respond(initProducerId.handle(new InitProducerIdRequestData(body, req.version()), req.clientId())));
        final CreateTopicsHandler createTopics = new CreateTopicsHandler(ctx);
        register(ApiKeys.CREATE_TOPICS, (req, body) ->
            req.respond(createTopics.handle(new CreateTopicsRequestData(body, req.version()), req.version())));
        final DescribeClusterHandler describeCluster = new DescribeClusterHandler(ctx);
        register(ApiKeys.DESCRIBE_CLUSTER, (req, body) ->
            req.respond(describeCluster.handle(new DescribeClusterRequestData(body, req.version()), req.version())));
        final DescribeConfigsHandler describeConfigs = new DescribeConfigsHandler(ctx);
        register(ApiKeys.DESCRIBE_CONFIGS, (req, body) ->
            req.respond(describeConfigs.handle(new DescribeConfigsRequestData(body, req.version()), req.version())));
    }

    private void register(ApiKeys api, ControlHandler h) {
        if (byKey[api.id] != null) {
            throw new IllegalStateException("two handlers for " + api);
        }
        byKey[api.id] = h;
    }

    /** The handler for {@code apiKey}, or null. */
    public ControlHandler handler(short apiKey) {
        return apiKey >= 0 && apiKey < byKey.length ? byKey[apiKey] : null;
    }
}
