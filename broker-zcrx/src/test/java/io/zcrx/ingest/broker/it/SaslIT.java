package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metrics.Gauge;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.testkit.RawClient;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two listeners (PLAINTEXT first, SASL_PLAINTEXT second with PLAIN and SCRAM-SHA-512, re-authentication every
 * second) and the Java client: a SCRAM user created with the admin API kafka-configs uses produces and consumes
 * at once and after a restart; PLAIN users from the JAAS setting; a wrong password, an unknown mechanism and a
 * Produce before authentication are refused; sessions are re-authenticated while producing; a re-authentication
 * as another user is refused and closes only that connection; a client that lets its session expire is closed
 * at its next request; each client is told the endpoint of the listener it connected on.
 */
class SaslIT {
    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "user_alice=\"alice-secret\" user_bob=\"bob-secret\";";

    @TempDir
    Path tmp;
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(tmp.resolve("logs"), "nio",
            "listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS,
            "listener.name.sasl_plaintext.connections.max.reauth.ms", "1000");
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.assertNoLeaks();
            broker.close();
        }
    }

    private String saslBootstrap() {
        return "127.0.0.1:" + broker.broker().otherListeners().get(0).localAddress().getPort();
    }

    private Properties sasl(String mechanism, String user, String password) {
        final Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap());
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        p.put(SaslConfigs.SASL_MECHANISM, mechanism);
        final String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password
            + "\";");
        return p;
    }

    private Admin plaintextAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()));
    }

    private void createScramUser(String user, String password) throws Exception {
        try (Admin admin = plaintextAdmin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get();
        }
    }

    private static void produce(Properties base, String topic, int n) throws Exception {
        final Properties p = new Properties();
        p.putAll(base);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
    }

    private static List<String> consume(Properties base, String topic, int n) {
        final Properties p = new Properties();
        p.putAll(base);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }

    @Test
    void scramUserCreatedWithTheAdminApiProducesAndConsumesAtOnceAndAfterARestart() throws Exception {
        createScramUser("carol", "carol-secret");
        try (Admin admin = plaintextAdmin()) {
            final UserScramCredentialsDescription d = admin.describeUserScramCredentials(List.of("carol"))
                .description("carol").get();
            assertEquals(ScramMechanism.SCRAM_SHA_512, d.credentialInfos().get(0).mechanism());
            assertEquals(4096, d.credentialInfos().get(0).iterations());
        }
        final Properties scram = sasl("SCRAM-SHA-512", "carol", "carol-secret");
        produce(scram, "scram-topic", 10);
        assertEquals(10, consume(scram, "scram-topic", 10).size());
        broker.restart();
        produce(sasl("SCRAM-SHA-512", "carol", "carol-secret"), "scram-topic", 1);
    }

    @Test
    void plainUsersFromTheJaasSettingProduceAndConsume() throws Exception {
        final Properties plain = sasl("PLAIN", "alice", "alice-secret");
        produce(plain, "plain-topic", 5);
        assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), consume(plain, "plain-topic", 5));
    }

    @Test
    void eachClientIsToldTheEndpointOfItsListener() throws Exception {
        final Properties plain = sasl("PLAIN", "bob", "bob-secret");
        try (Admin admin = Admin.create(plain)) {
            final Node n = admin.describeCluster().nodes().get().iterator().next();
            assertEquals(broker.broker().otherListeners().get(0).localAddress().getPort(), n.port());
        }
        try (Admin admin = plaintextAdmin()) {
            assertEquals(broker.port(), admin.describeCluster().nodes().get().iterator().next().port());
        }
    }

    @Test
    void wrongPasswordIsRefusedWithSaslAuthenticationFailed() throws Exception {
        createScramUser("dave", "right");
        for (Properties p : List.of(sasl("SCRAM-SHA-512", "dave", "wrong"), sasl("PLAIN", "alice", "wrong"))) {
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
            try (Admin admin = Admin.create(p)) {
                final ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get());
                assertInstanceOf(SaslAuthenticationException.class, e.getCause());
                assertFalse(e.getCause().getMessage().contains("wrong"), e.getCause().getMessage());
            }
        }
        assertTrue(counter("failed-authentication-total") >= 2);
    }

    @Test
    void unknownMechanismIsRefused() throws Exception {
        final Properties p = sasl("SCRAM-SHA-256", "carol", "x");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(p)) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> admin.describeCluster().nodes().get());
            assertInstanceOf(UnsupportedSaslMechanismException.class, e.getCause());
        }
    }

    @Test
    void produceBeforeAuthenticationClosesTheConnection() throws Exception {
        final int port = broker.broker().otherListeners().get(0).localAddress().getPort();
        try (RawClient raw = new RawClient(port)) {
            raw.send(ProduceRequest.builder(new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000))
                .build((short) 9), (short) 9);
            assertTrue(raw.closedByBroker());
        }
    }

    // Goal: before authentication a SASL connection's requests are bounded by sasl.server.max.receive.size (512 KiB,
    // Kafka's default), not socket.request.max.bytes: a larger size prefix closes the connection at once, before
    // the broker buffers its body (an unauthenticated client cannot hold receive memory).
    @Test
    void aLargeRequestBeforeAuthenticationIsRefusedAtItsSizePrefix() throws Exception {
        final int port = broker.broker().otherListeners().get(0).localAddress().getPort();
        try (RawClient raw = new RawClient(port)) {
            // A 600,000-byte request announced (within socket.request.max.bytes), 16 bytes of it sent.
            final byte[] start = new byte[20];
            ByteBuffer.wrap(start).putInt(600_000);
            raw.sendRaw(start);
            assertTrue(raw.closedByBroker(), "closed at the size prefix, not left waiting for the body");
        }
    }

    @Test
    void sessionsAreReauthenticatedWhileProducing() throws Exception {
        final Properties plain = sasl("PLAIN", "alice", "alice-secret");
        final Properties p = new Properties();
        p.putAll(plain);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int sent = 0;
            while (counter("successful-reauthentication-total") < 2 && System.nanoTime() < deadline) {
                producer.send(new ProducerRecord<>("reauth-topic", "v" + sent++)).get();
                Thread.sleep(50);
            }
            assertTrue(counter("successful-reauthentication-total") >= 2, "re-authentications counted");
            producer.send(new ProducerRecord<>("reauth-topic", "after")).get();
        }
    }

    // Goal: Kafka's KIP-368 rule: a re-authentication must keep the principal. A raw client logs in as alice (PLAIN)
    // and re-authenticates as bob with bob's right password: refused with SASL_AUTHENTICATION_FAILED and closed,
    // while a Java client keeps producing on the same listener. Without the rule the connection would become bob's.
    @Test
    void aReauthenticationAsAnotherUserIsRefusedAndOthersAreStillServed() throws Exception {
        final int port = broker.broker().otherListeners().get(0).localAddress().getPort();
        try (RawClient raw = new RawClient(port)) {
            // (No request in between: the listener's sessions last 1 s, and a re-authentication is allowed after.)
            assertEquals(Errors.NONE, plainLogin(raw, "alice", "alice-secret").error());
            final SaslAuthenticateResponse r = plainLogin(raw, "bob", "bob-secret");
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED, r.error());
            assertTrue(r.errorMessage().contains("Cannot change principals"), r.errorMessage());
            assertTrue(raw.closedByBroker(), "the connection is closed after the refusal");
        }
        assertTrue(counter("failed-reauthentication-total") >= 1);
        produce(sasl("PLAIN", "bob", "bob-secret"), "others-topic", 3);
        assertEquals(3, consume(sasl("PLAIN", "alice", "alice-secret"), "others-topic", 3).size());
    }

    // Goal: "an expired session is closed or re-authenticated as the client chooses": a raw client that does not
    // re-authenticate is told its session lifetime (SaslAuthenticate v2) and is closed at its first request after
    // the session ended (the Java client's choice, re-authenticating, is
    // sessionsAreReauthenticatedWhileProducing). Without the expiry the late Metadata would be answered.
    @Test
    void aClientThatDoesNotReauthenticateIsClosedAtItsNextRequestAfterTheSessionEnds() throws Exception {
        final int port = broker.broker().otherListeners().get(0).localAddress().getPort();
        try (RawClient raw = new RawClient(port)) {
            final SaslAuthenticateResponse r = plainLogin(raw, "alice", "alice-secret");
            final long answered = System.nanoTime();
            assertEquals(Errors.NONE, r.error());
            final long lifetimeMs = r.data().sessionLifetimeMs();
            assertEquals(1000, lifetimeMs, "connections.max.reauth.ms of the listener");
            // The broker starts the session before it answers: it ends at most lifetimeMs after the answer came.
            final long endNs = answered + Duration.ofMillis(lifetimeMs + 100).toNanos();
            while (System.nanoTime() - endNs < 0) {
                Thread.sleep(50);
            }
            raw.send(new MetadataRequest.Builder(new MetadataRequestData()).build((short) 12), (short) 12);
            assertTrue(raw.closedByBroker(), "closed at the first request after the session ended");
        }
        produce(sasl("PLAIN", "bob", "bob-secret"), "after-expiry-topic", 1);
    }

    /** SaslHandshake v1 and SaslAuthenticate v2 with a PLAIN token: a first login or a re-authentication. */
    private static SaslAuthenticateResponse plainLogin(RawClient raw, String user, String password) throws Exception {
        final SaslHandshakeResponse h = raw.roundTrip(new SaslHandshakeRequest.Builder(
            new SaslHandshakeRequestData().setMechanism("PLAIN")), (short) 1);
        assertEquals(Errors.NONE, h.error());
        final byte[] token = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
        return raw.roundTrip(new SaslAuthenticateRequest.Builder(
            new SaslAuthenticateRequestData().setAuthBytes(token)), (short) 2);
    }

    private long counter(String attribute) {
        final Gauge g = (Gauge) broker.broker().metrics().find(MetricName.attribute("kafka.server",
            "socket-server-metrics", attribute, "listener", "SASL_PLAINTEXT"));
        return (long) g.value();
    }
}
