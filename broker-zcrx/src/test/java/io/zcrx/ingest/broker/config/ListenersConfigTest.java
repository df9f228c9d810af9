package io.zcrx.ingest.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/** listeners, advertised.listeners and listener.security.protocol.map as Kafka reads them. */
class ListenersConfigTest {
    private static BrokerConfig config(String... kv) {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new BrokerConfig(m);
    }

    private static String errorOf(String... kv) {
        return assertThrows(ConfigException.class, () -> config(kv)).getMessage();
    }

    @Test
    void namedListenersResolveThroughTheProtocolMapAndAdvertiseTheirOwnEndpoints() {
        final BrokerConfig c = config("listeners", "CLIENT://0.0.0.0:9092,sasl_plaintext://127.0.0.1:9093",
            "advertised.listeners", "CLIENT://broker1.example:19092",
            "listener.security.protocol.map", "CLIENT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
        final List<ListenerSpec> l = c.listeners();
        assertEquals(2, l.size());
        assertEquals(new ListenerSpec("CLIENT", "PLAINTEXT", l.get(0).bind(), "broker1.example", 19092), l.get(0));
        assertEquals("SASL_PLAINTEXT", l.get(1).securityProtocol());
        assertEquals("127.0.0.1", l.get(1).advertisedHost());
        assertEquals(9093, l.get(1).advertisedPort());
        assertEquals("listener.name.sasl_plaintext.", l.get(1).configPrefix());
        assertTrue(l.get(1).sasl());
        // The first listener is the one the single-listener accessors describe.
        assertEquals(9092, c.listenAddress().getPort());
        assertEquals("broker1.example", c.advertisedHost());
    }

    @Test
    void tlsListenersResolveTheirSslSettingsPerListenerOverTheBrokerWideOnes() {
        final BrokerConfig c = config("listeners", "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093,"
                + "SECURE://127.0.0.1:9094",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SECURE:SASL_SSL",
            "ssl.keystore.location", "/etc/broker.p12", "ssl.keystore.password", "kpw",
            "listener.name.secure.ssl.client.auth", "required",
            "listener.name.secure.ssl.keystore.location", "/etc/secure.p12");
        assertTrue(c.unknownKeys().isEmpty(), c.unknownKeys().toString());
        final ListenerSpec ssl = c.listeners().get(1);
        final ListenerSpec secure = c.listeners().get(2);
        assertTrue(ssl.tls() && !ssl.sasl());
        assertTrue(secure.tls() && secure.sasl());
        assertFalse(c.listeners().get(0).tls());
        final Map<String, Object> a = c.listenerSslConfigs(ssl);
        assertEquals("/etc/broker.p12", a.get("ssl.keystore.location"));
        assertEquals("none", a.get("ssl.client.auth"));
        assertEquals(new Password("kpw"), a.get("ssl.keystore.password"));
        assertEquals("DEFAULT", a.get("ssl.principal.mapping.rules"));
        final Map<String, Object> b = c.listenerSslConfigs(secure);
        assertEquals("/etc/secure.p12", b.get("ssl.keystore.location"));
        assertEquals("required", b.get("ssl.client.auth"));
        // A bad per-listener value fails when the listener's TLS is set up, naming listener, key and value.
        final BrokerConfig bad = config("listeners", "SSL://127.0.0.1:9093", "listener.name.ssl.ssl.client.auth",
            "sometimes");
        final String m = assertThrows(ConfigException.class, () -> bad.listenerSslConfigs(bad.listeners().get(0)))
            .getMessage();
        assertTrue(m.contains("listener SSL") && m.contains("ssl.client.auth") && m.contains("sometimes"), m);
        // A bad broker-wide value fails at once.
        assertTrue(errorOf("ssl.client.auth", "sometimes").contains("ssl.client.auth"));
    }

    @Test
    void badListenerListsAreRefused() {
        assertTrue(errorOf("listeners", "INTERNAL://127.0.0.1:9092").contains("no security protocol"));
        assertTrue(errorOf("listeners", "PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093")
            .contains("more than once"));
        assertTrue(errorOf("listeners", "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9092")
            .contains("used by two listeners"));
        assertTrue(errorOf("listeners", "PLAINTEXT://127.0.0.1:9092", "advertised.listeners",
            "OTHER://h:1").contains("OTHER"));
        assertTrue(errorOf("listeners", "PLAINTEXT://127.0.0.1").contains(":port"));
        assertTrue(errorOf("listeners", "PLAINTEXT://0.0.0.0:9092,SASL_PLAINTEXT://127.0.0.1:9093",
            "advertised.listeners", "SASL_PLAINTEXT://h:9093").contains("PLAINTEXT"));
    }
}
