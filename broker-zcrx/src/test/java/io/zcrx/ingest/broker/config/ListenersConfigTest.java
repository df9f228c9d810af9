package io.zcrx.ingest.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
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
    void tlsListenersAreRefusedNamingTheListener() {
        String m = errorOf("listeners", "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093");
        assertTrue(m.contains("SSL") && m.contains("TLS is not built yet"), m);
        m = errorOf("listeners", "SECURE://127.0.0.1:9093", "listener.security.protocol.map", "SECURE:SASL_SSL");
        assertTrue(m.contains("listener SECURE is SASL_SSL") && m.contains("TLS is not built yet"), m);
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
