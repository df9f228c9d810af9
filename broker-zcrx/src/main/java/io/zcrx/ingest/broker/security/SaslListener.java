package io.zcrx.ingest.broker.security;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.ListenerSpec;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.plain.internals.PlainServerCallbackHandler;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SASL side of one SASL_PLAINTEXT listener, built once at start from Kafka's settings with the listener's
 * {@code listener.name.<l>.} overrides: the enabled mechanisms, the session lifetime
 * ({@code connections.max.reauth.ms}), and per mechanism the kafka-clients callback handler that checks
 * credentials: PLAIN's {@code PlainServerCallbackHandler} over the JAAS {@code user_<name>="<password>"}
 * options ({@code listener.name.<l>.plain.sasl.jaas.config}, else the JAAS file's {@code KafkaServer}
 * section, as Kafka's {@code JaasContext.loadServerContext} resolves it), SCRAM's {@link ScramServer} over
 * {@link ScramCredentials}.
 *
 * <p>Why kafka-clients' {@code PlainSaslServer} rather than our own: it is the implementation every Kafka broker
 * runs, tested against every client family. SCRAM's exchange is {@link ScramServer}: kafka-clients' message
 * parsing and cryptography, with a state machine of ours because kafka-clients 4.x refuses the client-final
 * nonce of librdkafka before 2.6.1 (that class says why accepting it is safe). The exchange is a handful of
 * small messages per connection, never on the Produce path.
 *
 * <p>Thread-safe: the handlers are stateless per call; counters are adders.
 */
public final class SaslListener {
    public static final String PLAIN = PlainSaslServer.PLAIN_MECHANISM;
    private static final Logger LOG = LoggerFactory.getLogger(SaslListener.class);

    private final String name;
    private final List<String> mechanisms;
    private final long reauthMs;
    private final PlainServerCallbackHandler plain;
    private final ScramCredentials scram;
    /** The librdkafka nonce form was seen on this listener (logged once). */
    private final AtomicBoolean librdkafkaNonceLogged = new AtomicBoolean();
    final LongAdder librdkafkaNonces = new LongAdder();
    final LongAdder authentications = new LongAdder();
    final LongAdder reauthentications = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder reauthFailures = new LongAdder();

    private SaslListener(String name, List<String> mechanisms, long reauthMs, PlainServerCallbackHandler plain,
                         ScramCredentials scram) {
        this.name = name;
        this.mechanisms = mechanisms;
        this.reauthMs = reauthMs;
        this.plain = plain;
        this.scram = scram;
    }

    /**
     * The SASL set-up of {@code listener} (a SASL listener). A mechanism that is not built, or PLAIN without
     * users, is a {@link ConfigException} naming the setting.
     */
    public static SaslListener create(BrokerConfig config, ListenerSpec listener, ScramCredentials credentials) {
        final String mechKey = listener.configPrefix() + BrokerConfig.SASL_ENABLED_MECHANISMS;
        final List<String> mechanisms = mechanisms(mechKey, config.listenerValue(listener,
            BrokerConfig.SASL_ENABLED_MECHANISMS));
        final String reauthKey = listener.configPrefix() + BrokerConfig.CONNECTIONS_MAX_REAUTH_MS;
        final long reauthMs = reauthMs(reauthKey, config.listenerValue(listener,
            BrokerConfig.CONNECTIONS_MAX_REAUTH_MS));
        PlainServerCallbackHandler plain = null;
        final ListenerName ln = new ListenerName(listener.name());
        if (mechanisms.contains(PLAIN)) {
            final String jaasKey = ln.saslMechanismConfigPrefix(PLAIN) + BrokerConfig.SASL_JAAS_CONFIG;
            final Map<String, Object> jaasConfigs = new HashMap<>();
            final Object jaas = config.originals().get(jaasKey);
            if (jaas != null) {
                // Kafka hands loadServerContext the listener's settings with the listener prefix stripped.
                jaasConfigs.put("plain." + BrokerConfig.SASL_JAAS_CONFIG,
                    jaas instanceof Password ? jaas : new Password(String.valueOf(jaas)));
            }
            final JaasContext context;
            try {
                context = JaasContext.loadServerContext(ln, PLAIN, jaasConfigs);
            } catch (RuntimeException e) {
                // The message may quote the JAAS text: never log it, it holds passwords.
                throw new ConfigException(jaasKey, jaas == null ? null : "[hidden]", "listener " + listener.name()
                    + " enables PLAIN but has no usable JAAS configuration (" + e.getClass().getSimpleName()
                    + "): set " + jaasKey + "=org.apache.kafka.common.security.plain.PlainLoginModule required "
                    + "user_<name>=\"<password>\";");
            }
            plain = new PlainServerCallbackHandler();
            plain.configure(Map.of(), PLAIN, context.configurationEntries());
        }
        return new SaslListener(listener.name(), mechanisms, reauthMs, plain, credentials);
    }

    private static List<String> mechanisms(String key, Object value) {
        final List<String> out = new ArrayList<>();
        final List<?> raw = value instanceof List<?> l ? l : Arrays.asList(String.valueOf(value).split(","));
        for (Object o : raw) {
            final String m = String.valueOf(o).trim().toUpperCase(Locale.ROOT);
            if (m.isEmpty()) {
                continue;
            }
            if (!m.equals(PLAIN) && !ScramMechanism.isScram(m)) {
                throw new ConfigException(key, value, "mechanism " + m + " is not built (PLAIN, SCRAM-SHA-256, "
                    + "SCRAM-SHA-512 are)");
            }
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(key, value, "a SASL listener needs at least one mechanism");
        }
        return List.copyOf(out);
    }

    private static long reauthMs(String key, Object value) {
        final long ms;
        try {
            ms = value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "must be a number of milliseconds");
        }
        if (ms < 0) {
            throw new ConfigException(key, value, "must be at least 0");
        }
        return ms;
    }

    /** Kafka's socket-server-metrics authentication counters of this listener. */
    public void registerMetrics(MetricsRegistry metrics) {
        metrics.gauge(counter("successful-authentication-total"), authentications::sum);
        metrics.gauge(counter("successful-reauthentication-total"), reauthentications::sum);
        metrics.gauge(counter("failed-authentication-total"), failures::sum);
        metrics.gauge(counter("failed-reauthentication-total"), reauthFailures::sum);
    }

    private MetricName counter(String attribute) {
        return MetricName.attribute("kafka.server", "socket-server-metrics", attribute, "listener", name);
    }

    public String name() {
        return name;
    }

    public List<String> mechanisms() {
        return mechanisms;
    }

    /** connections.max.reauth.ms of this listener; 0 = sessions never end. */
    public long reauthMs() {
        return reauthMs;
    }

    public long successfulAuthentications() {
        return authentications.sum();
    }

    public long successfulReauthentications() {
        return reauthentications.sum();
    }

    public long failedAuthentications() {
        return failures.sum() + reauthFailures.sum();
    }

    /** A new exchange of an enabled {@code mechanism}. */
    SaslServer newServer(String mechanism) {
        if (mechanism.equals(PLAIN)) {
            return new PlainSaslServer(plain);
        }
        final ScramMechanism m = ScramMechanism.forMechanismName(mechanism);
        try {
            return new ScramServer(m, scram, this);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + m.hashAlgorithm() + " for " + mechanism, e);
        }
    }

    /** A SCRAM client sent librdkafka's pre-2.6.1 client-final nonce (accepted): counted, logged once. */
    void librdkafkaNonce(String user) {
        librdkafkaNonces.increment();
        if (librdkafkaNonceLogged.compareAndSet(false, true)) {
            LOG.info("listener {}: user {} authenticated with SCRAM using librdkafka's pre-2.6.1 client-final nonce "
                + "(client nonce repeated); accepted as Kafka 3.8.1-3.9 do, refused by Kafka 4.x brokers: such "
                + "clients should move to librdkafka 2.6.1 or later (logged once per listener)", name, user);
        }
    }

    /** SCRAM exchanges that used librdkafka's pre-2.6.1 client-final nonce. */
    public long librdkafkaNonces() {
        return librdkafkaNonces.sum();
    }
}
