package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * DescribeConfigs, v1-v4 (docs/kafka-protocol-notes.md#describeconfigs): for a TOPIC every topic setting we implement
 * with its effective value and source (and the broker setting behind it as a synonym); for this
 * BROKER its effective configuration. Other resource types get INVALID_REQUEST for that resource.
 */
public final class DescribeConfigsHandler {
    private final BrokerContext ctx;

    public DescribeConfigsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public DescribeConfigsResponseData handle(DescribeConfigsRequestData req, short version) {
        final DescribeConfigsResponseData resp = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsResource r : req.resources()) {
            final DescribeConfigsResult result = new DescribeConfigsResult()
                .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            resp.results().add(result);
            final Set<String> keys = r.configurationKeys() == null ? null : new HashSet<>(r.configurationKeys());
            final ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
            if (type == ConfigResource.Type.TOPIC) {
                final TopicInfo t = ctx.topics().get(r.resourceName());
                if (t == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                        .setErrorMessage("Topic " + r.resourceName() + " does not exist");
                    continue;
                }
                result.setConfigs(topicConfigs(t, keys, req.includeSynonyms(), req.includeDocumentation()));
            } else if (type == ConfigResource.Type.BROKER) {
                if (!r.resourceName().isEmpty() && !r.resourceName().equals(String.valueOf(ctx.nodeId()))) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Unexpected broker id, expected " + ctx.nodeId()
                            + " or empty string, but received " + r.resourceName());
                    continue;
                }
                result.setConfigs(brokerConfigs(keys, req.includeDocumentation()));
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Resource type " + type + " (" + r.resourceType()
                        + ") is not supported by this broker");
            }
        }
        return resp;
    }

    private List<DescribeConfigsResourceResult> topicConfigs(TopicInfo t, Set<String> keys, boolean synonyms,
                                                             boolean documentation) {
        final List<DescribeConfigsResourceResult> out = new ArrayList<>();
        final BrokerConfig b = ctx.config();
        for (TopicConfigs.Entry e : TopicConfigs.effective(b, t.overrides()).values()) {
            if (keys != null && !keys.contains(e.name())) {
                continue;
            }
            final DescribeConfigsResourceResult c = new DescribeConfigsResourceResult()
                .setName(e.name()).setValue(e.value()).setReadOnly(false).setIsSensitive(false)
                .setConfigSource(e.source().id).setConfigType(configType(e.type()))
                .setDocumentation(documentation ? e.documentation() : null);
            if (synonyms) {
                if (e.source() == TopicConfigs.Source.TOPIC_CONFIG) {
                    c.synonyms().add(new DescribeConfigsSynonym().setName(e.name()).setValue(e.value())
                        .setSource(TopicConfigs.Source.TOPIC_CONFIG.id));
                }
                final boolean explicit = b.originals().containsKey(e.brokerSynonym());
                c.synonyms().add(new DescribeConfigsSynonym().setName(e.brokerSynonym())
                    .setValue(b.effectiveValues().get(e.brokerSynonym()))
                    .setSource(explicit
                        ? TopicConfigs.Source.STATIC_BROKER_CONFIG.id
                        : TopicConfigs.Source.DEFAULT_CONFIG.id));
            }
            out.add(c);
        }
        return out;
    }

    private List<DescribeConfigsResourceResult> brokerConfigs(Set<String> keys, boolean documentation) {
        final List<DescribeConfigsResourceResult> out = new ArrayList<>();
        final BrokerConfig b = ctx.config();
        final Map<String, ConfigDef.ConfigKey> defs = BrokerConfig.configDef().configKeys();
        for (Map.Entry<String, String> e : b.effectiveValues().entrySet()) {
            if (keys != null && !keys.contains(e.getKey())) {
                continue;
            }
            final ConfigDef.ConfigKey k = defs.get(e.getKey());
            final boolean explicit = b.originals().containsKey(e.getKey());
            out.add(new DescribeConfigsResourceResult()
                .setName(e.getKey()).setValue(e.getValue()).setReadOnly(true).setIsSensitive(false)
                .setConfigSource(explicit
                    ? TopicConfigs.Source.STATIC_BROKER_CONFIG.id
                    : TopicConfigs.Source.DEFAULT_CONFIG.id)
                .setConfigType(k == null ? DescribeConfigsResponse.ConfigType.UNKNOWN.id() : configType(k.type))
                .setDocumentation(documentation && k != null ? k.documentation : null));
        }
        return out;
    }

    private static byte configType(ConfigDef.Type t) {
        switch (t) {
            case BOOLEAN:
                return DescribeConfigsResponse.ConfigType.BOOLEAN.id();
            case STRING:
                return DescribeConfigsResponse.ConfigType.STRING.id();
            case INT:
                return DescribeConfigsResponse.ConfigType.INT.id();
            case SHORT:
                return DescribeConfigsResponse.ConfigType.SHORT.id();
            case LONG:
                return DescribeConfigsResponse.ConfigType.LONG.id();
            case DOUBLE:
                return DescribeConfigsResponse.ConfigType.DOUBLE.id();
            case LIST:
                return DescribeConfigsResponse.ConfigType.LIST.id();
            case CLASS:
                return DescribeConfigsResponse.ConfigType.CLASS.id();
            case PASSWORD:
                return DescribeConfigsResponse.ConfigType.PASSWORD.id();
            default:
                return DescribeConfigsResponse.ConfigType.UNKNOWN.id();
        }
    }
}
