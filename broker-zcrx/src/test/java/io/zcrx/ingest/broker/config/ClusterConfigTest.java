package io.zcrx.ingest.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Cluster mode's settings: Kafka's names and defaults, each bad value named with its key. */
class ClusterConfigTest {
    private static Map<String, String> cluster(String... kv) {
        final Map<String, String> m = new HashMap<>();
        m.put("process.roles", "broker");
        m.put("node.id", "4");
        m.put("controller.quorum.bootstrap.servers", "127.0.0.1:9093");
        m.put("controller.listener.names", "CONTROLLER");
        m.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        m.put("log.dirs", "/tmp/a,/tmp/b");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private static String errorOf(Map<String, String> props) {
        return assertThrows(ConfigException.class, () -> new BrokerConfig(props)).getMessage();
    }

    @Test
    void standaloneUnlessProcessRolesIsBroker() {
        final BrokerConfig standalone = new BrokerConfig(Map.of());
        assertFalse(standalone.clusterMode());
        assertFalse(new BrokerConfig(Map.of("process.roles", "")).clusterMode());
        final BrokerConfig c = new BrokerConfig(cluster());
        assertTrue(c.clusterMode());
        assertEquals("PLAINTEXT", c.interBrokerListenerName());
        assertEquals(2000, c.getInt(BrokerConfig.BROKER_HEARTBEAT_INTERVAL_MS));
        assertEquals(9000, c.getInt(BrokerConfig.BROKER_SESSION_TIMEOUT_MS));
        assertEquals(60_000, c.getInt(BrokerConfig.INITIAL_BROKER_REGISTRATION_TIMEOUT_MS));
        assertEquals(Paths.get("/tmp/a"), c.metadataLogDir(), "metadata.log.dir defaults to the first log dir");
        assertEquals(Paths.get("/tmp/m"), new BrokerConfig(cluster("metadata.log.dir", "/tmp/m")).metadataLogDir());
        assertNull(c.rack());
        assertEquals("PLAINTEXT", c.securityProtocol("controller"));
        assertEquals("SSL", standalone.securityProtocol("SSL"), "Kafka's default map");
    }

    @Test
    void theControllerRoleIsApacheKafkas() {
        String m = errorOf(cluster("process.roles", "broker,controller"));
        assertTrue(m.contains("process.roles") && m.contains("broker,controller") && m.contains("Apache Kafka"), m);
        m = errorOf(cluster("process.roles", "controller"));
        assertTrue(m.contains("zcrx-kraft-controller.sh"), m);
        m = errorOf(cluster("process.roles", "worker"));
        assertTrue(m.contains("process.roles") && m.contains("worker"), m);
    }

    @Test
    void requiredSettingsAndBadValuesAreNamed() {
        String m = errorOf(cluster("node.id", null));
        assertTrue(m.contains("node.id") && m.contains("process.roles=broker"), m);
        m = errorOf(cluster("node.id", "-1"));
        assertTrue(m.contains("node.id") && m.contains("-1"), m);
        m = errorOf(cluster("controller.quorum.bootstrap.servers", null));
        assertTrue(m.contains("controller.quorum.bootstrap.servers"), m);
        m = errorOf(cluster("controller.quorum.bootstrap.servers", "nohost"));
        assertTrue(m.contains("controller.quorum.bootstrap.servers") && m.contains("nohost"), m);
        m = errorOf(cluster("controller.listener.names", null));
        assertTrue(m.contains("controller.listener.names"), m);
        m = errorOf(cluster("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT"));
        assertTrue(m.contains("controller.listener.names") && m.contains("CONTROLLER:<protocol>"), m);
        m = errorOf(cluster("listener.security.protocol.map", "CONTROLLER=PLAINTEXT"));
        assertTrue(m.contains("listener.security.protocol.map") && m.contains("CONTROLLER=PLAINTEXT"), m);
        m = errorOf(cluster("listener.security.protocol.map", "CONTROLLER:TLS"));
        assertTrue(m.contains("listener.security.protocol.map") && m.contains("TLS"), m);
        m = errorOf(cluster("inter.broker.listener.name", "INTERNAL"));
        assertTrue(m.contains("inter.broker.listener.name") && m.contains("INTERNAL"), m);
        m = errorOf(cluster("broker.heartbeat.interval.ms", "9000"));
        assertTrue(m.contains("broker.heartbeat.interval.ms") && m.contains("broker.session.timeout.ms"), m);
        m = errorOf(cluster("broker.session.timeout.ms", "50"));
        assertTrue(m.contains("broker.session.timeout.ms") && m.contains("50"), m);
        m = errorOf(cluster("initial.broker.registration.timeout.ms", "0"));
        assertTrue(m.contains("initial.broker.registration.timeout.ms") && m.contains("0"), m);
        m = errorOf(cluster("broker.rack", " "));
        assertTrue(m.contains("broker.rack"), m);
        assertEquals("r1", new BrokerConfig(cluster("broker.rack", "r1")).rack());
    }

    // Goal: an inter-broker listener may be SASL_PLAINTEXT with a mechanism it enables; Kafka's rules on
    // inter.broker.listener.name / security.inter.broker.protocol hold, and each refusal names the key.
    @Test
    void interBrokerSaslIsValidated() {
        final String[] sasl = {"listeners", "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9093",
            "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
            "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512"};
        final BrokerConfig ok = new BrokerConfig(cluster(with(sasl, "inter.broker.listener.name", "SASL_PLAINTEXT",
            "sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512")));
        assertEquals("SASL_PLAINTEXT", ok.interBrokerListenerName());
        assertEquals("SASL_PLAINTEXT", new BrokerConfig(cluster(with(sasl, "security.inter.broker.protocol",
            "SASL_PLAINTEXT", "sasl.mechanism.inter.broker.protocol", "PLAIN"))).interBrokerListenerName());
        String m = errorOf(cluster(with(sasl, "inter.broker.listener.name", "SASL_PLAINTEXT")));
        assertTrue(m.contains("sasl.mechanism.inter.broker.protocol") && m.contains("GSSAPI"), m);
        m = errorOf(cluster(with(sasl, "inter.broker.listener.name", "SASL_PLAINTEXT",
            "sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256")));
        assertTrue(m.contains("SCRAM-SHA-256") && m.contains("sasl.enabled.mechanisms"), m);
        m = errorOf(cluster(with(sasl, "inter.broker.listener.name", "SASL_PLAINTEXT",
            "security.inter.broker.protocol", "SASL_PLAINTEXT")));
        assertTrue(m.contains("inter.broker.listener.name") && m.contains("security.inter.broker.protocol"), m);
        m = errorOf(cluster("listeners", "CLIENT://127.0.0.1:9092", "listener.security.protocol.map",
            "CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT"));
        assertTrue(m.contains("inter.broker.listener.name") && m.contains("CLIENT://"), m);
    }

    // Goal: the issue's "in cluster mode the inter-broker and controller listeners may use any of PLAINTEXT,
    // SASL_PLAINTEXT, SSL, SASL_SSL": each is accepted; a SASL one needs a mechanism this broker logs in with
    // (sasl.mechanism.inter.broker.protocol / sasl.mechanism.controller.protocol, named with the value). Before,
    // SSL and SASL_SSL were refused for both, and SASL_PLAINTEXT for the controller listener.
    @Test
    void interBrokerAndControllerListenersMayUseEveryProtocol() {
        for (String protocol : new String[] {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}) {
            final BrokerConfig c = new BrokerConfig(cluster("listeners", "PLAINTEXT://127.0.0.1:9092,INTERNAL://"
                    + "127.0.0.1:9094", "listener.security.protocol.map", "CONTROLLER:" + protocol
                    + ",PLAINTEXT:PLAINTEXT,INTERNAL:" + protocol, "inter.broker.listener.name", "INTERNAL",
                "listener.name.internal.sasl.enabled.mechanisms", "PLAIN",
                "sasl.mechanism.inter.broker.protocol", "PLAIN", "sasl.mechanism.controller.protocol", "PLAIN"));
            assertEquals(protocol, c.securityProtocol(c.controllerListenerNames().get(0)));
            assertEquals(protocol, c.securityProtocol(c.interBrokerListenerName()));
        }
        String m = errorOf(cluster("listener.security.protocol.map", "CONTROLLER:SASL_SSL,PLAINTEXT:PLAINTEXT"));
        assertTrue(m.contains("sasl.mechanism.controller.protocol") && m.contains("GSSAPI")
            && m.contains("SASL_SSL"), m);
        m = errorOf(cluster("listener.security.protocol.map", "CONTROLLER:SASL_PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "sasl.mechanism.controller.protocol", "OAUTHBEARER"));
        assertTrue(m.contains("sasl.mechanism.controller.protocol") && m.contains("OAUTHBEARER"), m);
        m = errorOf(cluster("listeners", "PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094",
            "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL",
            "inter.broker.listener.name", "SASL_SSL"));
        assertTrue(m.contains("sasl.mechanism.inter.broker.protocol") && m.contains("GSSAPI")
            && m.contains("SASL_SSL"), m);
    }

    private static String[] with(String[] base, String... more) {
        final String[] out = new String[base.length + more.length];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }
}
