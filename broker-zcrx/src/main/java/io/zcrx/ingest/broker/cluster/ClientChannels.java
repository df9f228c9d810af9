package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.config.BrokerConfig;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.network.ChannelBuilders;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;

/**
 * The client side of this broker's own connections on one listener, Kafka's
 * {@link ChannelBuilders#clientChannelBuilder} for that listener's security protocol (PLAINTEXT, SSL,
 * SASL_PLAINTEXT or SASL_SSL), built from the same settings and in the same way as Kafka's broker builds it:
 * <ul>
 *   <li>{@link #interBroker}: {@code inter.broker.listener.name}, for the replica fetchers (Kafka's
 *       {@code ReplicaFetcherBlockingSend}), SASL mechanism {@code sasl.mechanism.inter.broker.protocol};</li>
 *   <li>{@link #controller}: the first of {@code controller.listener.names}, for the Raft client's fetches of the
 *       metadata log (Kafka's {@code KafkaRaftManager}); SASL mechanism {@code sasl.mechanism.controller.protocol}.
 *       Kafka's {@code NodeToControllerChannelManagerImpl} (registration, heartbeats, forwarding) builds its own
 *       with the same call from the same {@link KafkaSettings}.</li>
 * </ul>
 * TLS settings are the listener's {@code ssl.*}, each {@code listener.name.<listener>.ssl.*} first (Kafka's
 * {@code ChannelBuilders.channelBuilderConfigs}: {@code valuesWithPrefixOverride}); the server's certificate is
 * checked against {@code ssl.truststore.*} (the JVM's CAs without one) and its name against the host when
 * {@code ssl.endpoint.identification.algorithm} is {@code https} (Kafka's default); {@code ssl.keystore.*} is
 * presented when the server asks for a client certificate. Over SASL the login is the server JAAS context of that
 * listener and mechanism ({@code listener.name.<l>.<mechanism>.sasl.jaas.config}, else the {@code KafkaServer}
 * section of the JAAS file): its {@code username} and {@code password} options are what this broker authenticates
 * with.
 *
 * <p>The constructor checks the settings by building (and closing) one channel builder, so that a missing client
 * login or an unreadable keystore or truststore is a configuration error at start naming the listener and key, not
 * a fetcher or a controller connection failing later. Immutable; each {@link #apply} builds a new builder (the
 * Selector it is given to closes it).
 */
final class ClientChannels implements Function<LogContext, ChannelBuilder> {
    private final KafkaSettings settings;
    /** What the connections are for, in errors: "inter-broker" or "controller". */
    private final String role;
    private final SecurityProtocol protocol;
    private final ListenerName listener;
    /** Null unless the protocol is SASL. */
    private final String mechanism;

    private ClientChannels(BrokerConfig config, KafkaSettings settings, String role, String listenerName,
                           String mechanismKey) {
        this.settings = settings;
        this.role = role;
        this.listener = new ListenerName(listenerName);
        this.protocol = SecurityProtocol.forName(config.securityProtocol(listenerName));
        this.mechanism = isSasl(protocol) ? config.getString(mechanismKey) : null;
        checkLogin(config);
        checkBuild();
    }

    /** The replica fetchers': {@code inter.broker.listener.name}, {@code sasl.mechanism.inter.broker.protocol}. */
    static ClientChannels interBroker(BrokerConfig config, KafkaSettings settings) {
        return new ClientChannels(config, settings, "inter-broker", config.interBrokerListenerName(),
            BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL);
    }

    /** To the controllers: the first {@code controller.listener.names}, {@code sasl.mechanism.controller.protocol}. */
    static ClientChannels controller(BrokerConfig config, KafkaSettings settings) {
        return new ClientChannels(config, settings, "controller", config.controllerListenerNames().get(0),
            BrokerConfig.SASL_MECHANISM_CONTROLLER_PROTOCOL);
    }

    private static boolean isSasl(SecurityProtocol p) {
        return p == SecurityProtocol.SASL_PLAINTEXT || p == SecurityProtocol.SASL_SSL;
    }

    /** The security protocol of the listener. */
    SecurityProtocol protocol() {
        return protocol;
    }

    ListenerName listener() {
        return listener;
    }

    /** The SASL mechanism where the listener is SASL, else null. */
    String mechanism() {
        return mechanism;
    }

    /** E.g. {@code SASL_SSL with PLAIN}, for the log. */
    String describe() {
        return protocol.name + (mechanism == null ? "" : " with " + mechanism);
    }

    /**
     * Over SASL: the listener's JAAS context for the mechanism must carry a client login ({@code username} and
     * {@code password}), as Kafka's brokers need for their own connections.
     *
     * @throws ConfigException naming the JAAS key (its value, holding passwords, is never quoted)
     */
    private void checkLogin(BrokerConfig config) {
        if (mechanism == null) {
            return;
        }
        final String key = listener.saslMechanismConfigPrefix(mechanism) + BrokerConfig.SASL_JAAS_CONFIG;
        final Object jaas = config.originals().get(key);
        final String hint = "the " + role + " listener " + listener.value() + " (" + protocol.name + ") "
            + "authenticates this broker's connections with " + mechanism + ": set " + key + " with the broker's "
            + "own login, e.g. " + loginModule() + " required username=\"broker\" password=\"...\""
            + (mechanism.equals("PLAIN") && role.equals("inter-broker")
                ? " user_broker=\"...\" (the users clients log in as)" : "") + ";";
        final JaasContext context;
        try {
            context = JaasContext.loadServerContext(listener, mechanism, jaas == null ? Map.of()
                : Map.of(mechanism.toLowerCase(Locale.ROOT) + "." + BrokerConfig.SASL_JAAS_CONFIG,
                    jaas instanceof Password p ? p : new Password(String.valueOf(jaas))));
        } catch (RuntimeException e) {
            // The message may quote the JAAS text: never put it in an error, it holds passwords.
            throw new ConfigException(key, jaas == null ? null : "[hidden]", "no usable JAAS configuration ("
                + e.getClass().getSimpleName() + "): " + hint);
        }
        for (AppConfigurationEntry entry : context.configurationEntries()) {
            final Map<String, ?> options = entry.getOptions();
            if (options.get("username") instanceof String && options.get("password") instanceof String) {
                return;
            }
        }
        throw new ConfigException(key, jaas == null ? null : "[hidden]", "has no username and password options: "
            + hint);
    }

    /**
     * Builds one channel builder and closes it: Kafka's builders load the keystore and truststore and log in when
     * configured, so a bad {@code ssl.*} value fails here, at start.
     *
     * @throws ConfigException naming the listener and its {@code ssl.*} settings
     */
    private void checkBuild() {
        if (protocol == SecurityProtocol.PLAINTEXT) {
            return;
        }
        try {
            apply(new LogContext("[" + role + " channels] ")).close();
        } catch (RuntimeException e) {
            // Kafka's messages name the store file and type, never a password; the JAAS text (checked above
            // already) is not quoted by a login failure.
            final StringBuilder why = new StringBuilder();
            for (Throwable t = e; t != null && why.length() < 600; t = t.getCause()) {
                why.append(why.length() == 0 ? "" : ": ").append(t.getMessage() == null
                    ? t.getClass().getSimpleName() : t.getMessage());
            }
            throw new ConfigException("the " + role + " listener " + listener.value() + " (" + protocol.name + "): "
                + "this broker's client connections cannot be set up from ssl.* (" + listener.configPrefix()
                + "ssl.* first)" + (mechanism == null ? "" : " and " + listener.saslMechanismConfigPrefix(mechanism)
                + BrokerConfig.SASL_JAAS_CONFIG) + ": " + why);
        }
    }

    private String loginModule() {
        return mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
    }

    /** A new channel builder for one network client's connections (its Selector owns and closes it). */
    @Override
    public ChannelBuilder apply(LogContext logContext) {
        return ChannelBuilders.clientChannelBuilder(protocol, JaasContext.Type.SERVER, settings, listener, mechanism,
            Time.SYSTEM, logContext);
    }
}
