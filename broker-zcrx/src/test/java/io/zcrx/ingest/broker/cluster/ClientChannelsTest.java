package io.zcrx.ingest.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.testkit.TlsCerts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.network.SaslChannelBuilder;
import org.apache.kafka.common.network.SslChannelBuilder;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.LogContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's own client channels (replica fetchers, controllers) for each security protocol, built with
 * kafka-clients' real {@code ChannelBuilders} from real stores: Kafka's {@code listener.name.<l>.ssl.*}
 * precedence, the mechanism keys, and the errors at start for what cannot work.
 */
class ClientChannelsTest {
    private static final String BROKER_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"broker\" password=\"broker-secret\";";
    @TempDir
    static Path dir;
    private static TlsCerts certs;

    @BeforeAll
    static void makeCerts() throws Exception {
        certs = TlsCerts.generate(dir.resolve("certs"));
    }

    /** A cluster-mode broker whose controller listener maps to {@code controller}, inter-broker INTERNAL. */
    private static BrokerConfig config(String controller, String internal, String... kv) {
        final Map<String, String> m = new HashMap<>();
        m.put("process.roles", "broker");
        m.put("node.id", "1");
        m.put("controller.quorum.bootstrap.servers", "127.0.0.1:9093");
        m.put("controller.listener.names", "CONTROLLER");
        m.put("listeners", "PLAINTEXT://127.0.0.1:9092,INTERNAL://127.0.0.1:9094");
        m.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:" + controller + ",INTERNAL:"
            + internal);
        m.put("inter.broker.listener.name", "INTERNAL");
        m.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        m.put("sasl.mechanism.controller.protocol", "PLAIN");
        m.put("listener.name.internal.sasl.enabled.mechanisms", "PLAIN");
        m.put("log.dirs", dir.resolve("logs").toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new BrokerConfig(m);
    }

    private static String[] truststore(String prefix, Path location) {
        return new String[] {prefix + "ssl.truststore.type", "PKCS12", prefix + "ssl.truststore.location",
            location.toString(), prefix + "ssl.truststore.password", TlsCerts.PASSWORD};
    }

    private static String[] concat(String[]... parts) {
        int n = 0;
        for (String[] p : parts) {
            n += p.length;
        }
        final String[] out = new String[n];
        int i = 0;
        for (String[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    // Goal: each protocol gets Kafka's builder for it, with the mechanism of its own key. Without the controller
    // listener's protocol honoured, the Raft client would speak plaintext to a TLS controller.
    @Test
    void eachProtocolGetsKafkasBuilder() {
        final BrokerConfig c = config("SASL_SSL", "SSL", concat(truststore("", certs.truststore()),
            new String[] {"listener.name.controller.plain.sasl.jaas.config", BROKER_LOGIN}));
        final KafkaSettings settings = new KafkaSettings(c);
        final ClientChannels controller = ClientChannels.controller(c, settings);
        assertEquals(SecurityProtocol.SASL_SSL, controller.protocol());
        assertEquals("PLAIN", controller.mechanism());
        assertEquals("SASL_SSL with PLAIN", controller.describe());
        final ClientChannels interBroker = ClientChannels.interBroker(c, settings);
        assertEquals(SecurityProtocol.SSL, interBroker.protocol());
        assertNull(interBroker.mechanism());
        try (var b = controller.apply(new LogContext())) {
            assertTrue(b instanceof SaslChannelBuilder, b.getClass().getName());
        }
        try (var b = interBroker.apply(new LogContext())) {
            assertTrue(b instanceof SslChannelBuilder, b.getClass().getName());
        }
    }

    // Goal: Kafka's precedence, listener.name.<l>.ssl.* over ssl.*: a broker-wide truststore that does not exist is
    // not read for a listener that names its own, and is read (and refused at start, naming the listener, the keys
    // and the file) for one that does not. Without the prefix override the first build fails too; without the
    // check at start the second fails only when the first fetcher connects.
    @Test
    void listenerPrefixWinsAndABadStoreFailsAtStartNamingIt() {
        final Path missing = dir.resolve("no-such-truststore.p12");
        final BrokerConfig c = config("SSL", "SSL", concat(truststore("", missing),
            truststore("listener.name.controller.", certs.truststore())));
        final KafkaSettings settings = new KafkaSettings(c);
        assertEquals(SecurityProtocol.SSL, ClientChannels.controller(c, settings).protocol());
        final String m = assertThrows(ConfigException.class, () -> ClientChannels.interBroker(c, settings))
            .getMessage();
        assertTrue(m.contains("inter-broker listener INTERNAL (SSL)") && m.contains("listener.name.internal.ssl.")
            && m.contains(missing.toString()), m);
    }

    // Goal: a SASL controller listener without the broker's login is refused at start naming the JAAS key, never
    // quoting a JAAS text; with it, the broker logs in as what the JAAS options say.
    @Test
    void aSaslControllerListenerNeedsTheBrokersLogin() {
        final BrokerConfig c = config("SASL_PLAINTEXT", "PLAINTEXT");
        final String m = assertThrows(ConfigException.class,
            () -> ClientChannels.controller(c, new KafkaSettings(c))).getMessage();
        assertTrue(m.contains("listener.name.controller.plain.sasl.jaas.config") && m.contains("controller listener"),
            m);
        final BrokerConfig noPassword = config("SASL_PLAINTEXT", "PLAINTEXT",
            "listener.name.controller.plain.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" secret=\"x\";");
        final String m2 = assertThrows(ConfigException.class,
            () -> ClientChannels.controller(noPassword, new KafkaSettings(noPassword))).getMessage();
        assertTrue(m2.contains("no username and password") && m2.contains("[hidden]"), m2);
        assertFalse(m2.contains("secret=\"x\""), m2);
        final BrokerConfig ok = config("SASL_PLAINTEXT", "PLAINTEXT",
            "listener.name.controller.plain.sasl.jaas.config", BROKER_LOGIN);
        assertEquals("SASL_PLAINTEXT with PLAIN", ClientChannels.controller(ok, new KafkaSettings(ok)).describe());
    }
}
