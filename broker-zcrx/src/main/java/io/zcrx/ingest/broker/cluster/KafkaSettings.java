package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Reconfigurable;
import org.apache.kafka.server.config.AbstractKafkaConfig;

/**
 * Our settings as Kafka's {@link AbstractKafkaConfig}, the form Kafka's broker parts read them in
 * ({@code BrokerLifecycleManager}, {@code NodeToControllerChannelManagerImpl},
 * {@code RaftControllerNodeProvider}, {@code QuorumConfig}, {@code MetadataLogConfig}, and Kafka's
 * {@code ChannelBuilders} for the inter-broker and controller connections): the cluster-mode keys, which carry
 * Kafka's names and meaning, are passed through (the listeners' {@code sasl.jaas.config} and the {@code ssl.*}
 * settings, broker-wide and {@code listener.name.<l>.ssl.*}, too); every other Kafka setting
 * those parts read keeps Kafka's default. Nothing here is reconfigurable at run time.
 *
 * <p>Immutable after construction.
 */
final class KafkaSettings extends AbstractKafkaConfig {
    KafkaSettings(BrokerConfig config) {
        super(CONFIG_DEF, kafkaProps(config), Map.of(), false);
    }

    private static Map<String, Object> kafkaProps(BrokerConfig config) {
        final Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker");
        p.put("node.id", Integer.toString(config.nodeId()));
        p.put(BrokerConfig.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, String.join(",", config.controllerBootstrapServers()));
        p.put(BrokerConfig.CONTROLLER_LISTENER_NAMES, String.join(",", config.controllerListenerNames()));
        p.put(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP,
            config.getString(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP));
        p.put(BrokerConfig.INTER_BROKER_LISTENER_NAME, config.interBrokerListenerName());
        p.put("listeners", config.interBrokerListenerName() + "://" + hostForUri(config.advertisedHost()) + ":"
            + config.advertisedPort());
        if (config.rack() != null) {
            p.put(BrokerConfig.BROKER_RACK, config.rack());
        }
        p.put(BrokerConfig.BROKER_HEARTBEAT_INTERVAL_MS, config.getInt(BrokerConfig.BROKER_HEARTBEAT_INTERVAL_MS));
        p.put(BrokerConfig.BROKER_SESSION_TIMEOUT_MS, config.getInt(BrokerConfig.BROKER_SESSION_TIMEOUT_MS));
        p.put(BrokerConfig.INITIAL_BROKER_REGISTRATION_TIMEOUT_MS,
            config.getInt(BrokerConfig.INITIAL_BROKER_REGISTRATION_TIMEOUT_MS));
        p.put(BrokerConfig.METADATA_LOG_DIR, config.metadataLogDir().toString());
        final List<String> dirs = new ArrayList<>();
        for (Path d : config.logDirs()) {
            dirs.add(d.toString());
        }
        p.put("log.dirs", String.join(",", dirs));
        // The broker's own connections (replica fetchers, controller channels, Raft client): the SASL mechanisms,
        // the listeners' JAAS settings, whose client login (username, password) Kafka's SaslChannelBuilder takes,
        // and the TLS settings, broker-wide and per listener (listener.name.<l>.ssl.* wins, as in Kafka's
        // ChannelBuilders, which reads them from this config with valuesWithPrefixOverride).
        p.put(BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL,
            config.getString(BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL));
        p.put(BrokerConfig.SASL_MECHANISM_CONTROLLER_PROTOCOL,
            config.getString(BrokerConfig.SASL_MECHANISM_CONTROLLER_PROTOCOL));
        final Set<String> sslKeys = BrokerConfig.sslConfigDef().names();
        for (Map.Entry<String, ?> e : config.originals().entrySet()) {
            final String key = e.getKey();
            if (sslKeys.contains(key) || key.startsWith("listener.name.") && (key.endsWith("."
                    + BrokerConfig.SASL_JAAS_CONFIG) || sslKeys.contains(key.substring(key.indexOf('.', 14) + 1)))) {
                p.put(key, e.getValue());
            }
        }
        return p;
    }

    private static String hostForUri(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    @Override
    public void addReconfigurable(Reconfigurable reconfigurable) {
        // Nothing of ours reconfigures Kafka's parts at run time.
    }

    @Override
    public void removeReconfigurable(Reconfigurable reconfigurable) {
        // See addReconfigurable.
    }
}
