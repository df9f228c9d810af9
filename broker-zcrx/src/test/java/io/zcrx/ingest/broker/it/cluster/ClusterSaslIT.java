package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.TlsCerts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 in cluster mode: Kafka's controller (PLAINTEXT controller listener) and two of our brokers, each with a
 * PLAINTEXT and a SASL_PLAINTEXT listener (PLAIN and SCRAM-SHA-512), the SASL one being the inter-broker listener
 * (the replica fetchers log in with PLAIN as user {@code broker}). A replicated topic gets a full ISR (the
 * follower fetched over SASL); a SCRAM user created with {@code kafka-configs} through our SASL listener (forwarded
 * to the controller, back through the metadata log) produces and consumes at once, and the other broker knows it
 * too; each client is told the endpoints of the listener it connected on; kcat (librdkafka) and KafkaJS produce
 * and consume over SASL_PLAINTEXT with SCRAM-SHA-512 and PLAIN, and over SASL_SSL (a third listener, TLS with a
 * keytool-made certificate, SCRAM-SHA-512).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterSaslIT {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\" user_admin=\"admin-secret\" "
        + "user_carol=\"carol-secret\";";
    private static ClusterFixture fixture;
    private static final List<ZcrxBrokerProcess> BROKERS = new ArrayList<>();
    /** Node id to its SASL_PLAINTEXT port. */
    private static final Map<Integer, Integer> SASL_PORTS = new HashMap<>();
    /** Node id to its SASL_SSL port. */
    private static final Map<Integer, Integer> SASL_SSL_PORTS = new HashMap<>();
    private static TlsCerts certs;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ClusterSaslIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of());
        certs = TlsCerts.generate(fixture.workDir().resolve("certs"));
        for (int id = 1; id <= 2; id++) {
            final int plain = BrokerProcess.freePort();
            final int sasl = BrokerProcess.freePort();
            final int saslSsl = BrokerProcess.freePort();
            SASL_PORTS.put(id, sasl);
            SASL_SSL_PORTS.put(id, saslSsl);
            final Map<String, String> o = new HashMap<>();
            o.put("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_PLAINTEXT://127.0.0.1:" + sasl
                + ",SASL_SSL://127.0.0.1:" + saslSsl);
            o.put("listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
            o.put("ssl.keystore.type", "PKCS12");
            o.put("ssl.keystore.location", certs.broker().toString());
            o.put("ssl.keystore.password", TlsCerts.PASSWORD);
            o.put("ssl.truststore.type", "PKCS12");
            o.put("ssl.truststore.location", certs.truststore().toString());
            o.put("ssl.truststore.password", TlsCerts.PASSWORD);
            o.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
            o.put("inter.broker.listener.name", "SASL_PLAINTEXT");
            o.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            o.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
            o.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS);
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

    private static String sasl(int nodeId) {
        return "127.0.0.1:" + SASL_PORTS.get(nodeId);
    }

    private static Properties client(String bootstrap, String mechanism, String user, String password) {
        final Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        p.put(SaslConfigs.SASL_MECHANISM, mechanism);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, (mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule")
            + " required username=\"" + user + "\" password=\"" + password + "\";");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        return p;
    }

    private static Set<Integer> ports(Admin admin) throws Exception {
        final Set<Integer> out = new TreeSet<>();
        for (Node n : admin.describeCluster().nodes().get()) {
            out.add(n.port());
        }
        return out;
    }

    // Goal: the inter-broker listener is SASL_PLAINTEXT, so the follower's fetches authenticate (PLAIN, user
    // broker); the replicated topic's ISR fills and acks=all produce succeeds. Each client sees its listener's
    // endpoints. Without inter-broker SASL the follower is refused (Fetch before authentication) and the ISR
    // stays at one replica.
    @Test
    void replicationRunsOverSasl() throws Exception {
        try (Admin plain = ClusterClients.admin(BROKERS.get(0).bootstrap());
             Admin admin = Admin.create(client(sasl(1), "PLAIN", "admin", "admin-secret"))) {
            assertEquals(Set.of(BROKERS.get(0).port(), BROKERS.get(1).port()), ports(plain),
                "a PLAINTEXT client is told the PLAINTEXT endpoints");
            assertEquals(new TreeSet<>(SASL_PORTS.values()), ports(admin),
                "a SASL client is told the SASL endpoints");
            admin.createTopics(List.of(new NewTopic("replicated", 1, (short) 2))).all().get();
            Await.until("the ISR of replicated-0 to hold both brokers", Duration.ofSeconds(60),
                () -> ClusterClients.isr(admin, "replicated", 0).size() == 2);
        }
        final Properties pp = client(sasl(2), "PLAIN", "carol", "carol-secret");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                 new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("replicated", "k" + i, "v" + i)).get();
            }
        }
        try (Admin admin = Admin.create(client(sasl(2), "PLAIN", "admin", "admin-secret"))) {
            assertEquals(2, ClusterClients.isr(admin, "replicated", 0).size(), "still full after acks=all");
        }
        assertEquals(20, consume(client(sasl(1), "PLAIN", "carol", "carol-secret"), "replicated", 20).size());
    }

    // Goal: kafka-configs through our SASL listener creates a SCRAM user (forwarded to Kafka's controller, back
    // through the metadata log), who produces and consumes at once; the other broker knows the user too. Without
    // the metadata log's credentials no SCRAM login succeeds in cluster mode.
    @Test
    void scramUserFromKafkaConfigsWorksOnEveryBroker() throws Exception {
        final Path commandConfig = PropertiesFiles.write(fixture.workDir().resolve("admin-sasl.properties"), Map.of(
            "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"admin\" password=\"admin-secret\";"));
        fixture.tools().run("org.apache.kafka.tools.ConfigCommand", List.of("--bootstrap-server", sasl(1),
            "--command-config", commandConfig.toString(), "--alter", "--entity-type", "users", "--entity-name",
            "alice", "--add-config", "SCRAM-SHA-512=[iterations=8192,password=alice-secret]")).ok();
        try (Admin admin = Admin.create(client(sasl(1), "PLAIN", "admin", "admin-secret"))) {
            // kafka-configs --describe --entity-type users also asks DescribeClientQuotas, which is not built.
            Await.until("broker 2 to describe alice's SCRAM-SHA-512 credential", Duration.ofSeconds(30),
                () -> describeScram(sasl(2), "alice"), d -> d.contains("SCRAM_SHA_512") && d.contains("8192"));
            admin.createTopics(List.of(new NewTopic("alice-topic", 1, (short) 2))).all().get();
        }
        final Properties pp = client(sasl(1), "SCRAM-SHA-512", "alice", "alice-secret");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                 new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("alice-topic", "a" + i, "x" + i)).get();
            }
        }
        // Broker 2 only: it authenticates alice with the credential the metadata log brought it.
        try (Admin alice2 = Admin.create(client(sasl(2), "SCRAM-SHA-512", "alice", "alice-secret"))) {
            assertEquals(new TreeSet<>(SASL_PORTS.values()), ports(alice2));
        }
        assertEquals(10, consume(client(sasl(2), "SCRAM-SHA-512", "alice", "alice-secret"), "alice-topic", 10)
            .size());
    }

    // Goal: librdkafka (kcat) and KafkaJS, each with PLAIN and SCRAM-SHA-512, produce and consume over SASL_PLAINTEXT
    // against our cluster. Without SASL on the client's listener both clients fail to connect; without the
    // tolerance for librdkafka's pre-2.6.1 SCRAM client-final nonce (Debian's kcat links librdkafka 2.0.2; see
    // ScramServer) kcat's SCRAM login is refused as "invalid credentials", as Kafka 4.x brokers refuse it.
    @Test
    void kcatAndKafkaJsOverSasl() throws Exception {
        final Path commandConfig = PropertiesFiles.write(fixture.workDir().resolve("admin-sasl-2.properties"), Map.of(
            "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"admin\" password=\"admin-secret\";"));
        fixture.tools().run("org.apache.kafka.tools.ConfigCommand", List.of("--bootstrap-server", sasl(2),
            "--command-config", commandConfig.toString(), "--alter", "--entity-type", "users", "--entity-name",
            "dave", "--add-config", "SCRAM-SHA-512=[iterations=4096,password=dave-secret]")).ok();
        try (Admin admin = Admin.create(client(sasl(1), "PLAIN", "admin", "admin-secret"))) {
            admin.createTopics(List.of(new NewTopic("other-clients", 1, (short) 2))).all().get();
        }
        final String both = sasl(1) + "," + sasl(2);
        final Kcat scramKcat = fixture.kcat().with(Map.of("security.protocol", "SASL_PLAINTEXT",
            "sasl.mechanism", "SCRAM-SHA-512", "sasl.username", "dave", "sasl.password", "dave-secret"));
        final Kcat plainKcat = fixture.kcat().with(Map.of("security.protocol", "SASL_PLAINTEXT",
            "sasl.mechanism", "PLAIN", "sasl.username", "carol", "sasl.password", "carol-secret"));
        // A user created a moment ago through the other broker: wait until both brokers know it.
        Await.until("both brokers to know dave", Duration.ofSeconds(30),
            () -> describeScram(sasl(1), "dave") + describeScram(sasl(2), "dave"),
            d -> d.indexOf("SCRAM_SHA_512") != d.lastIndexOf("SCRAM_SHA_512"));
        final KafkaJs js = fixture.kafkaJs();
        final KafkaJs.Sasl scramJs = new KafkaJs.Sasl("scram-sha-512", "dave", "dave-secret");
        final KafkaJs.Sasl plainJs = new KafkaJs.Sasl("plain", "carol", "carol-secret");
        // Every client runs before anything is asserted, so a failure shows which of the four families failed.
        final Map<String, KafkaTools.Result> produced = new LinkedHashMap<>();
        produced.put("kcat PLAIN", plainKcat.produce(both, "other-clients", 0, List.of("k2:plain-kcat")));
        produced.put("kcat SCRAM-SHA-512", scramKcat.produce(both, "other-clients", 0, List.of("k1:scram-kcat")));
        produced.put("kafkajs PLAIN", js.produce(both, "other-clients",
            List.of(new KafkaJs.Record("k4", "plain-js", 0)), plainJs));
        produced.put("kafkajs SCRAM-SHA-512", js.produce(both, "other-clients",
            List.of(new KafkaJs.Record("k3", "scram-js", 0)), scramJs));
        final Map<String, KafkaTools.Result> consumed = new LinkedHashMap<>();
        consumed.put("kcat PLAIN", plainKcat.consumeAll(both, "other-clients"));
        consumed.put("kcat SCRAM-SHA-512", scramKcat.consumeAll(both, "other-clients"));
        consumed.put("kafkajs PLAIN", js.consume(both, "other-clients", 4, plainJs));
        consumed.put("kafkajs SCRAM-SHA-512", js.consume(both, "other-clients", 4, scramJs));
        final List<String> failures = new ArrayList<>();
        produced.forEach((who, r) -> {
            if (r.exitCode() != 0) {
                failures.add(who + " could not produce:\n" + r.output());
            }
        });
        consumed.forEach((who, r) -> {
            for (String v : List.of("plain-kcat", "scram-kcat", "scram-js", "plain-js")) {
                if (!r.output().contains(v)) {
                    failures.add(who + " did not read " + v + ":\n" + r.output());
                }
            }
        });
        assertEquals(List.of(), failures);
    }

    // Goal: the closing note's "kcat over SASL_SSL", in cluster mode, and KafkaJS the same way: a SCRAM-SHA-512 user
    // created through the admin API logs in over TLS on both brokers (the listener's endpoints are the SASL_SSL
    // ones), produces and consumes. Without the SASL_SSL listener (TLS in front of SASL) neither connects; without
    // ScramServer's librdkafka nonce tolerance kcat's login is refused.
    @Test
    void kcatAndKafkaJsOverSaslSsl() throws Exception {
        try (Admin admin = Admin.create(client(sasl(1), "PLAIN", "admin", "admin-secret"))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("erin",
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "erin-secret"))).all().get();
            admin.createTopics(List.of(new NewTopic("tls-clients", 1, (short) 2))).all().get();
        }
        Await.until("both brokers to know erin", Duration.ofSeconds(30),
            () -> describeScram(sasl(1), "erin") + describeScram(sasl(2), "erin"),
            d -> d.indexOf("SCRAM_SHA_512") != d.lastIndexOf("SCRAM_SHA_512"));
        final String both = "127.0.0.1:" + SASL_SSL_PORTS.get(1) + ",127.0.0.1:" + SASL_SSL_PORTS.get(2);
        final Kcat kcat = fixture.kcat().with(Map.of("security.protocol", "SASL_SSL",
            "ssl.ca.location", certs.caPem().toString(), "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.username", "erin", "sasl.password", "erin-secret"));
        final KafkaJs js = fixture.kafkaJs();
        final KafkaJs.Sasl scramJs = new KafkaJs.Sasl("scram-sha-512", "erin", "erin-secret");
        final Map<String, KafkaTools.Result> runs = new LinkedHashMap<>();
        runs.put("kcat produce", kcat.produce(both, "tls-clients", 0, List.of("k1:tls-kcat")));
        runs.put("kafkajs produce", js.produce(both, "tls-clients", List.of(new KafkaJs.Record("k2", "tls-js", 0)),
            scramJs, certs.caPem()));
        runs.put("kcat consume", kcat.consumeAll(both, "tls-clients"));
        runs.put("kafkajs consume", js.consume(both, "tls-clients", 2, scramJs, certs.caPem()));
        runs.put("kcat metadata", kcat.metadata(both));
        final List<String> failures = new ArrayList<>();
        runs.forEach((who, r) -> {
            if (r.exitCode() != 0) {
                failures.add(who + " failed:\n" + r.output());
            }
        });
        for (String who : List.of("kcat consume", "kafkajs consume")) {
            for (String v : List.of("tls-kcat", "tls-js")) {
                if (!runs.get(who).output().contains(v)) {
                    failures.add(who + " did not read " + v + ":\n" + runs.get(who).output());
                }
            }
        }
        for (int port : SASL_SSL_PORTS.values()) {
            if (!runs.get("kcat metadata").output().contains("127.0.0.1:" + port)) {
                failures.add("kcat metadata does not show the SASL_SSL endpoint " + port + ":\n"
                    + runs.get("kcat metadata").output());
            }
        }
        assertEquals(List.of(), failures);
    }

    private static String describeScram(String bootstrap, String user) throws Exception {
        try (Admin a = Admin.create(client(bootstrap, "PLAIN", "admin", "admin-secret"))) {
            return a.describeUserScramCredentials(List.of(user)).all().get().toString();
        } catch (ExecutionException e) {
            return e.toString();
        }
    }

    private static List<String> consume(Properties p, String topic, int expected) throws Exception {
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic + "-" + p.get(SaslConfigs.SASL_MECHANISM));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                 new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < expected && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    out.add(r.key() + "=" + r.value());
                }
            }
        }
        return out;
    }
}
