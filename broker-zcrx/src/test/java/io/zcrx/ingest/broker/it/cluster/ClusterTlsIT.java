package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.TlsCerts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The security issue in cluster mode, its last part: "the inter-broker and controller listeners may use any of
 * [PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL]". Kafka's controller has one listener, CONTROLLER, over SASL_SSL
 * (PLAIN); two of our brokers reach it over SASL_SSL (registration, heartbeats, forwarding, the Raft client's
 * fetches of the metadata log, controlled shutdown) and replicate from each other over their SASL_SSL inter-broker
 * listener (PLAIN, user {@code broker}). Each truststore is given per listener only
 * ({@code listener.name.controller.ssl.truststore.*}, {@code listener.name.sasl_ssl.ssl.truststore.*}), so the
 * test also shows Kafka's prefix precedence: the JVM's CAs would not trust the test CA. The certificate names
 * 127.0.0.1 and Kafka's default host name check is on. Each broker's first listener is PLAINTEXT only because the
 * fixture waits for ApiVersions on it; every client here uses SASL_SSL.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterTlsIT {
    private static final String TOPIC = "tls-replicated";
    private static final String BROKER_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"broker\" password=\"broker-secret\"";
    private static ClusterFixture fixture;
    private static TlsCerts certs;
    private static final List<ZcrxBrokerProcess> BROKERS = new ArrayList<>();
    /** Node id to its SASL_SSL (inter-broker) port. */
    private static final Map<Integer, Integer> SASL_SSL_PORTS = new HashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ClusterTlsIT.class);
        certs = TlsCerts.generate(fixture.workDir().resolve("certs"));
        final Map<String, String> controller = new HashMap<>(keystore());
        controller.put("listener.security.protocol.map", "CONTROLLER:SASL_SSL");
        controller.put("ssl.truststore.type", "PKCS12");
        controller.put("ssl.truststore.location", certs.truststore().toString());
        controller.put("ssl.truststore.password", TlsCerts.PASSWORD);
        controller.put("sasl.mechanism.controller.protocol", "PLAIN");
        controller.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        // The controller logs in to itself (its registration) as "controller"; the brokers as "broker".
        controller.put("listener.name.controller.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain"
            + ".PlainLoginModule required username=\"controller\" password=\"controller-secret\" "
            + "user_controller=\"controller-secret\" user_broker=\"broker-secret\";");
        fixture.startController(ControllerFeatures.COMPATIBLE, controller);
        for (int id = 1; id <= 2; id++) {
            final int plain = BrokerProcess.freePort();
            final int saslSsl = BrokerProcess.freePort();
            SASL_SSL_PORTS.put(id, saslSsl);
            final Map<String, String> o = new HashMap<>(keystore());
            o.put("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_SSL://127.0.0.1:" + saslSsl);
            o.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL");
            o.put("inter.broker.listener.name", "SASL_SSL");
            o.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            o.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "PLAIN");
            o.put("listener.name.sasl_ssl.plain.sasl.jaas.config", BROKER_LOGIN
                + " user_broker=\"broker-secret\" user_carol=\"carol-secret\";");
            o.putAll(truststore("listener.name.sasl_ssl."));
            o.put("sasl.mechanism.controller.protocol", "PLAIN");
            o.put("listener.name.controller.plain.sasl.jaas.config", BROKER_LOGIN + ";");
            o.putAll(truststore("listener.name.controller."));
            BROKERS.add(fixture.startZcrxBroker(id, ZcrxBrokerProcess.Format.ZCRX_STORAGE, o));
        }
        ClusterClients.awaitBrokers(BROKERS.get(0).bootstrap(), Set.of(1, 2));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static Map<String, String> keystore() {
        return Map.of("ssl.keystore.type", "PKCS12", "ssl.keystore.location", certs.broker().toString(),
            "ssl.keystore.password", TlsCerts.PASSWORD);
    }

    private static Map<String, String> truststore(String prefix) {
        return Map.of(prefix + "ssl.truststore.type", "PKCS12",
            prefix + "ssl.truststore.location", certs.truststore().toString(),
            prefix + "ssl.truststore.password", TlsCerts.PASSWORD);
    }

    /** A client of the SASL_SSL listener of {@code nodeIds}, logged in as carol with PLAIN. */
    private static Properties client(int... nodeIds) {
        final List<String> bootstrap = new ArrayList<>();
        for (int id : nodeIds) {
            bootstrap.add("127.0.0.1:" + SASL_SSL_PORTS.get(id));
        }
        final Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", bootstrap));
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certs.truststore().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TlsCerts.PASSWORD);
        p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"carol\" password=\"carol-secret\";");
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        return p;
    }

    // Goal: replication and controller traffic over TLS + SASL. The brokers registered and were unfenced through
    // the SASL_SSL controller listener (the controller has no other); the follower of an RF 2 topic fetches from
    // the leader over the SASL_SSL inter-broker listener, so the ISR fills and an acks=all produce succeeds; both
    // replicas hold the same bytes; the records are read from broker 1, then, after broker 1's controlled shutdown
    // (asked of the controller over SASL_SSL) moved the leadership, from broker 2's own copy. Without TLS and SASL
    // on the brokers' client side, no broker joins (the controller refuses a plaintext or unauthenticated
    // connection) and no follower fetches (the ISR stays at one replica).
    @Test
    void replicationAndControllerTrafficRunOverSaslSsl() throws Exception {
        for (ZcrxBrokerProcess b : BROKERS) {
            final String out = b.outputAndLog();
            assertTrue(out.contains("(CONTROLLER: SASL_SSL with PLAIN)")
                && out.contains("(inter-broker SASL_SSL: SASL_SSL with PLAIN)"), "broker " + b.nodeId()
                + " should say it reaches the controller and its peers over SASL_SSL:\n" + out);
        }
        try (Admin admin = Admin.create(client(1, 2))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2))))).all().get();
            Await.until("the ISR of " + TOPIC + "-0 to hold both brokers", Duration.ofSeconds(30),
                () -> ClusterClients.isr(admin, TOPIC, 0).size() == 2);
            assertEquals(Map.of(0, 1), ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1)));
        }
        final Properties pp = client(1, 2);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        final List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                 new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i)).get();
                sent.add("k" + i + "=v" + i);
            }
        }
        assertEquals(sent, readAll(client(1), sent.size()), "read from broker 1 (leader)");
        final byte[] leaderLog = ReplicaLogs.read(ClusterClients.firstSegment(BROKERS.get(0).logDir(), TOPIC, 0));
        final Path followerLog = ClusterClients.firstSegment(BROKERS.get(1).logDir(), TOPIC, 0);
        assertArrayEquals(leaderLog, Await.until("broker 2's segment to equal broker 1's (" + leaderLog.length
            + " bytes)", Duration.ofSeconds(30), () -> ReplicaLogs.read(followerLog),
            b -> b.length >= leaderLog.length));
        // 143 = 128 + SIGTERM: the JVM's exit status after its shutdown hooks ran.
        final int exit = BROKERS.get(0).stop();
        final String out = BROKERS.get(0).outputAndLog();
        assertTrue((exit == 0 || exit == 143) && out.contains("controlled shutdown done"),
            "broker 1's controlled shutdown, the controller answering over SASL_SSL (exit " + exit + "):\n" + out);
        try (Admin admin = Admin.create(client(2))) {
            assertEquals(Map.of(0, 2), ClusterClients.awaitLeaders(admin, TOPIC, Set.of(2)));
        }
        assertEquals(sent, readAll(client(2), sent.size()), "read from broker 2 (the former follower)");
    }

    /** Partition 0 from the beginning, without a group, until {@code expected} records came. */
    private static List<String> readAll(Properties p, int expected) {
        final List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                 new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            final TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r.key() + "=" + r.value());
                }
            }
        }
        return out;
    }
}
