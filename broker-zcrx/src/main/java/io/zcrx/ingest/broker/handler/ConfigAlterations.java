package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.Errors;

/**
 * What IncrementalAlterConfigs and AlterConfigs share (Kafka's {@code ConfigAdminManager} and
 * {@code DynamicBrokerConfig}): the current settings of a resource, the incremental operations applied to them,
 * and, standalone, the replacement of a TOPIC's overrides ({@link TopicRegistry#alterConfigs}) or of a BROKER layer
 * ({@link DynamicBrokerConfig#replace}: the resource name "" is the cluster default, this node's id its own layer);
 * in cluster mode the check of a BROKER change before it is forwarded ({@link #checkForwardedBroker}).
 *
 * <p>Thread-safe (the registries serialise their changes; {@link #alterIncrementally} its read-modify-write).
 */
final class ConfigAlterations {
    /** See {@link #alterIncrementally}. */
    private static final Object ALTER_LOCK = new Object();

    private ConfigAlterations() {
    }

    /** An error for one resource, or NONE (message null). */
    record Outcome(Errors error, String message) {
        static final Outcome OK = new Outcome(Errors.NONE, null);

        static Outcome of(Errors error, String message) {
            return new Outcome(error, message);
        }
    }

    /** One key's change: op is {@link AlterConfigOp.OpType}'s id; value null for DELETE. */
    record Change(String name, byte op, String value) {
    }

    /**
     * Why {@code type/name} cannot be changed on this broker, or null: a topic that does not exist, a broker id that
     * is not ours, a resource type other than TOPIC and BROKER.
     */
    static Outcome checkResource(BrokerContext ctx, ConfigResource.Type type, String name) {
        if (type == ConfigResource.Type.TOPIC) {
            final TopicInfo t = ctx.topics().get(name);
            if (t == null || t.isDeleted()) {
                return Outcome.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
            }
            return null;
        }
        if (type == ConfigResource.Type.BROKER) {
            if (!name.isEmpty() && !name.equals(String.valueOf(ctx.nodeId()))) {
                return Outcome.of(Errors.INVALID_REQUEST, "Unexpected broker id, expected " + ctx.nodeId()
                    + " or empty string, but received " + name);
            }
            return null;
        }
        return Outcome.of(Errors.INVALID_REQUEST, "AlterConfigs is only supported for topics and brokers, but "
            + "resource type is " + type);
    }

    /** The settings a change starts from: the topic's overrides, or the broker layer the name picks. */
    static Map<String, String> current(BrokerContext ctx, ConfigResource.Type type, String name) {
        if (type == ConfigResource.Type.TOPIC) {
            return new TreeMap<>(ctx.topics().get(name).overrides());
        }
        return new TreeMap<>(ctx.dynamicConfig().layer(name.isEmpty()));
    }

    /**
     * Kafka's {@code prepareIncrementalConfigs}: SET puts, DELETE removes, APPEND and SUBTRACT add to or remove from
     * a LIST setting's current (effective) value. A key given twice is INVALID_REQUEST; APPEND/SUBTRACT on a setting
     * that is not a list INVALID_CONFIG.
     *
     * @return the outcome; on NONE {@code settings} holds the new settings
     */
    static Outcome applyIncremental(BrokerContext ctx, ConfigResource.Type type, List<Change> changes,
                                    Map<String, String> settings) {
        final Set<String> seen = new HashSet<>();
        for (Change c : changes) {
            if (!seen.add(c.name())) {
                return Outcome.of(Errors.INVALID_REQUEST, "Error due to duplicate config keys");
            }
        }
        for (Change c : changes) {
            final AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.op());
            if (op == null) {
                return Outcome.of(Errors.INVALID_REQUEST, "Unknown alter configs operation " + c.op() + " for "
                    + c.name());
            }
            switch (op) {
                case SET -> settings.put(c.name(), c.value());
                case DELETE -> settings.remove(c.name());
                case APPEND, SUBTRACT -> {
                    if (typeOf(type, c.name()) != ConfigDef.Type.LIST) {
                        return Outcome.of(Errors.INVALID_CONFIG, "Config value append is not allowed for config key: "
                            + c.name());
                    }
                    final List<String> values = new ArrayList<>(split(settings.containsKey(c.name())
                        ? settings.get(c.name()) : effectiveValue(ctx, type, c.name())));
                    for (String v : split(c.value())) {
                        if (op == AlterConfigOp.OpType.APPEND && !values.contains(v)) {
                            values.add(v);
                        } else if (op == AlterConfigOp.OpType.SUBTRACT) {
                            values.remove(v);
                        }
                    }
                    settings.put(c.name(), String.join(",", values));
                }
                default -> {
                    return Outcome.of(Errors.INVALID_REQUEST, "Unknown alter configs operation " + op);
                }
            }
        }
        return Outcome.OK;
    }

    /**
     * Standalone IncrementalAlterConfigs of one resource: check it, read its settings, apply the operations, replace.
     * The read-modify-write runs under one lock (AlterConfigs' {@link #replace} takes it too), so two requests on
     * different reactors that change different keys of one resource both land (without it, each would replace the
     * settings with its own copy and one change would be lost). Admin requests only; nothing on the produce path
     * takes this lock.
     */
    static Outcome alterIncrementally(BrokerContext ctx, ConfigResource.Type type, String name, List<Change> changes,
                                      boolean validateOnly) {
        synchronized (ALTER_LOCK) {
            final Outcome bad = checkResource(ctx, type, name);
            if (bad != null) {
                return bad;
            }
            final Map<String, String> settings = current(ctx, type, name);
            final Outcome applied = applyIncremental(ctx, type, changes, settings);
            if (applied.error() != Errors.NONE) {
                return applied;
            }
            return replace(ctx, type, name, settings, validateOnly);
        }
    }

    /**
     * Replaces the resource's settings (validated there); {@code validateOnly} checks without changing. Under the
     * same lock as {@link #alterIncrementally}, so an AlterConfigs never lands between an incremental change's read
     * and its write.
     */
    static Outcome replace(BrokerContext ctx, ConfigResource.Type type, String name, Map<String, String> settings,
                           boolean validateOnly) {
        synchronized (ALTER_LOCK) {
            if (type == ConfigResource.Type.TOPIC) {
                for (Map.Entry<String, String> e : settings.entrySet()) {
                    if (e.getValue() == null) {
                        return Outcome.of(Errors.INVALID_REQUEST, "Null value not supported for topic configs: "
                            + e.getKey());
                    }
                }
                final TopicRegistry.ChangeResult r = ctx.topics().alterConfigs(name, settings, validateOnly);
                return Outcome.of(Errors.forCode(r.errorCode()), r.errorMessage());
            }
            final DynamicBrokerConfig.Result r = ctx.dynamicConfig().replace(name.isEmpty(), settings, validateOnly);
            return Outcome.of(r.error(), r.message());
        }
    }

    /**
     * Cluster mode: why the BROKER layer {@code name} ("" the cluster default) replaced with {@code settings} is
     * not forwarded to the controller, or null. As Kafka's {@code ConfigAdminManager}, a validation failure is
     * INVALID_REQUEST (KAFKA-13609 keeps it so for compatibility).
     */
    static Outcome checkForwardedBroker(BrokerContext ctx, String name, Map<String, String> settings) {
        final DynamicBrokerConfig.Result r = ctx.dynamicConfig().check(name.isEmpty(), settings);
        return r.error() == Errors.NONE ? null : Outcome.of(Errors.INVALID_REQUEST, r.message());
    }

    private static ConfigDef.Type typeOf(ConfigResource.Type type, String name) {
        if (type == ConfigResource.Type.TOPIC) {
            final String brokerKey = TopicConfigs.brokerSynonym(name);
            final ConfigDef.ConfigKey k = brokerKey == null ? null : BrokerConfig.configDef().configKeys()
                .get(brokerKey);
            return k == null ? null : k.type;
        }
        final ConfigDef.ConfigKey k = BrokerConfig.configDef().configKeys().get(name);
        return k == null ? null : k.type;
    }

    private static String effectiveValue(BrokerContext ctx, ConfigResource.Type type, String name) {
        final BrokerConfig b = ctx.dynamicConfig().current();
        if (type == ConfigResource.Type.TOPIC) {
            final TopicConfigs.Entry e = TopicConfigs.effective(b, Map.of()).get(name);
            return e == null ? "" : e.value();
        }
        if (typeOf(type, name) == ConfigDef.Type.LIST) {
            final List<String> list = b.getList(name);
            return list == null ? "" : String.join(",", list);
        }
        final String v = b.effectiveValues().get(name);
        return v == null ? "" : v;
    }

    private static List<String> split(String csv) {
        final List<String> out = new ArrayList<>();
        if (csv == null) {
            return out;
        }
        for (String s : csv.split(",")) {
            if (!s.trim().isEmpty()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
