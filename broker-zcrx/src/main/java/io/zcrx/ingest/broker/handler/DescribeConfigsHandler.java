package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
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
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * DescribeConfigs, v1-v4 (docs/kafka-protocol-notes.md#describeconfigs): for a TOPIC every topic setting we implement
 * with its effective value and source (DYNAMIC_TOPIC_CONFIG for its own override, else where the broker setting
 * behind it comes from), and with synonyms the layers below it; for this BROKER (its id) its effective
 * configuration, each setting with its source (DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
 * STATIC_BROKER_CONFIG, DEFAULT_CONFIG: {@link DynamicBrokerConfig}), read-only unless dynamic; for the cluster
 * default BROKER resource ("", {@code kafka-configs --entity-type brokers --entity-default}) only the settings of
 * the cluster-default layer, as Kafka answers it. Other resource types get INVALID_REQUEST for that resource.
 */
public final class DescribeConfigsHandler {
    private final BrokerContext ctx;

    public DescribeConfigsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * DESCRIBE_CONFIGS on each resource first (Kafka's {@code ConfigHelper}: a topic's on the topic, a broker's on
     * the cluster): a denied one answers TOPIC_ or CLUSTER_AUTHORIZATION_FAILED and no configs.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public DescribeConfigsResponseData handle(DescribeConfigsRequestData req, short version, RequestContext who) {
        final DescribeConfigsResponseData resp = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsResource r : req.resources()) {
            final DescribeConfigsResult result = new DescribeConfigsResult()
                .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            resp.results().add(result);
            final Errors denied = ApiAuthorization.configDenial(ctx.authorization(), who,
                AclOperation.DESCRIBE_CONFIGS, r.resourceType(), r.resourceName());
            if (denied != Errors.NONE) {
                result.setErrorCode(denied.code()).setErrorMessage(denied.message());
                continue;
            }
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
                result.setConfigs(brokerConfigs(keys, r.resourceName().isEmpty(), req.includeSynonyms(),
                    req.includeDocumentation()));
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
        final DynamicBrokerConfig dynamic = ctx.dynamicConfig();
        for (TopicConfigs.Entry e : TopicConfigs.effective(dynamic.current(), t.overrides()).values()) {
            if (keys != null && !keys.contains(e.name())) {
                continue;
            }
            final boolean own = e.source() == TopicConfigs.Source.TOPIC_CONFIG;
            final DescribeConfigsResourceResult c = new DescribeConfigsResourceResult()
                .setName(e.name()).setValue(e.value()).setReadOnly(false).setIsSensitive(false)
                .setConfigSource(own ? TopicConfigs.Source.TOPIC_CONFIG.id : dynamic.source(e.brokerSynonym()).id())
                .setConfigType(configType(e.type()))
                .setDocumentation(documentation ? e.documentation() : null);
            if (synonyms) {
                if (own) {
                    c.synonyms().add(new DescribeConfigsSynonym().setName(e.name()).setValue(e.value())
                        .setSource(TopicConfigs.Source.TOPIC_CONFIG.id));
                }
                c.synonyms().addAll(brokerSynonyms(e.brokerSynonym(), false));
            }
            out.add(c);
        }
        return out;
    }

    /**
     * The broker's settings: all of them, effective, for this broker's id; only the cluster-default layer's for
     * the default resource.
     */
    private List<DescribeConfigsResourceResult> brokerConfigs(Set<String> keys, boolean clusterDefault,
                                                              boolean synonyms, boolean documentation) {
        final List<DescribeConfigsResourceResult> out = new ArrayList<>();
        final DynamicBrokerConfig dynamic = ctx.dynamicConfig();
        final Map<String, ConfigDef.ConfigKey> defs = BrokerConfig.configDef().configKeys();
        final Map<String, String> values = clusterDefault ? dynamic.layer(true)
            : dynamic.current().effectiveValues();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (keys != null && !keys.contains(e.getKey())) {
                continue;
            }
            final ConfigDef.ConfigKey k = defs.get(e.getKey());
            final DescribeConfigsResourceResult c = new DescribeConfigsResourceResult()
                .setName(e.getKey()).setValue(e.getValue())
                .setReadOnly(!DynamicBrokerConfig.isDynamic(e.getKey())).setIsSensitive(false)
                .setConfigSource(clusterDefault ? ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()
                    : dynamic.source(e.getKey()).id())
                .setConfigType(k == null ? DescribeConfigsResponse.ConfigType.UNKNOWN.id() : configType(k.type))
                .setDocumentation(documentation && k != null ? k.documentation : null);
            if (synonyms) {
                c.synonyms().addAll(brokerSynonyms(e.getKey(), clusterDefault));
            }
            out.add(c);
        }
        return out;
    }

    /** Kafka's synonyms of a broker setting, most specific first: per-broker, cluster default, static, default. */
    private List<DescribeConfigsSynonym> brokerSynonyms(String key, boolean clusterDefaultOnly) {
        final List<DescribeConfigsSynonym> out = new ArrayList<>();
        final DynamicBrokerConfig dynamic = ctx.dynamicConfig();
        final String broker = clusterDefaultOnly ? null : dynamic.layer(false).get(key);
        if (broker != null) {
            out.add(new DescribeConfigsSynonym().setName(key).setValue(broker)
                .setSource(ConfigSource.DYNAMIC_BROKER_CONFIG.id()));
        }
        final String clusterDefault = dynamic.layer(true).get(key);
        if (clusterDefault != null) {
            out.add(new DescribeConfigsSynonym().setName(key).setValue(clusterDefault)
                .setSource(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()));
        }
        if (clusterDefaultOnly) {
            return out;
        }
        final BrokerConfig b = dynamic.staticConfig();
        if (b.originals().containsKey(key)) {
            out.add(new DescribeConfigsSynonym().setName(key).setValue(String.valueOf(b.originals().get(key)))
                .setSource(ConfigSource.STATIC_BROKER_CONFIG.id()));
        }
        final ConfigDef.ConfigKey k = BrokerConfig.configDef().configKeys().get(key);
        if (k != null && k.hasDefault()) {
            out.add(new DescribeConfigsSynonym().setName(key)
                .setValue(k.defaultValue == null ? null : ConfigDef.convertToString(k.defaultValue, k.type))
                .setSource(ConfigSource.DEFAULT_CONFIG.id()));
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
