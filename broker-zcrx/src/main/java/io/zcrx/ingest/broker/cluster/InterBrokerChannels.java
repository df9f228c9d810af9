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
 * The client side of this broker's connections to the other brokers (the replica fetchers): Kafka's
 * {@link ChannelBuilders#clientChannelBuilder} for the security protocol of {@code inter.broker.listener.name},
 * exactly as Kafka's {@code ReplicaFetcherBlockingSend} builds it. Over SASL the mechanism is
 * {@code sasl.mechanism.inter.broker.protocol} and the login is the server JAAS context of that listener and
 * mechanism ({@code listener.name.<l>.<mechanism>.sasl.jaas.config}, else the {@code KafkaServer} section of
 * the JAAS file): its {@code username} and {@code password} options are what the fetcher authenticates with.
 *
 * <p>{@link #check} runs at start so that a missing client login is a configuration error naming the key, not
 * a fetcher failing later. Immutable; each {@link #apply} builds a new builder (a fetcher's Selector closes it).
 */
final class InterBrokerChannels implements Function<LogContext, ChannelBuilder> {
    private final KafkaSettings settings;
    private final SecurityProtocol protocol;
    private final ListenerName listener;
    /** Null unless the protocol is SASL. */
    private final String mechanism;

    InterBrokerChannels(BrokerConfig config, KafkaSettings settings) {
        this.settings = settings;
        final String name = config.interBrokerListenerName();
        this.listener = new ListenerName(name);
        this.protocol = SecurityProtocol.forName(config.securityProtocol(name));
        this.mechanism = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL
            ? config.getString(BrokerConfig.SASL_MECHANISM_INTER_BROKER_PROTOCOL) : null;
        check(config);
    }

    /** The security protocol of the inter-broker listener. */
    SecurityProtocol protocol() {
        return protocol;
    }

    /** {@code sasl.mechanism.inter.broker.protocol} where the inter-broker listener is SASL, else null. */
    String mechanism() {
        return mechanism;
    }

    /**
     * Over SASL: the listener's JAAS context for the mechanism must carry a client login ({@code username} and
     * {@code password}), as Kafka's brokers need for their own connections.
     *
     * @throws ConfigException naming the JAAS key (its value, holding passwords, is never quoted)
     */
    private void check(BrokerConfig config) {
        if (mechanism == null) {
            return;
        }
        final String key = listener.saslMechanismConfigPrefix(mechanism) + BrokerConfig.SASL_JAAS_CONFIG;
        final Object jaas = config.originals().get(key);
        final String hint = "the inter-broker listener " + listener.value() + " authenticates its replica fetchers "
            + "with " + mechanism + ": set " + key + " with the broker's own login, e.g. " + loginModule()
            + " required username=\"broker\" password=\"...\"" + (mechanism.equals("PLAIN")
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

    private String loginModule() {
        return mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
    }

    /** A new channel builder for one fetcher's connections (its Selector owns and closes it). */
    @Override
    public ChannelBuilder apply(LogContext logContext) {
        return ChannelBuilders.clientChannelBuilder(protocol, JaasContext.Type.SERVER, settings, listener, mechanism,
            Time.SYSTEM, logContext);
    }
}
