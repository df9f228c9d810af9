package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Authorization in cluster mode (issue 14): the ACLs live in the controller's metadata log. A Kafka 4.4 controller
 * with Kafka's {@code StandardAuthorizer} ({@code super.users=User:ANONYMOUS}: the brokers' principal on its
 * PLAINTEXT listener, which registers, heartbeats and forwards) and one of our brokers with the same authorizer and
 * a SASL_PLAINTEXT listener (PLAIN users admin, alice, bob; {@code super.users=User:admin}). {@code kafka-acls
 * --bootstrap-server <our broker>} adds an ACL: our broker forwards CreateAcls, the controller commits it, and our
 * broker loads it back from the metadata log into its authorizer (DescribeAcls, answered by our broker from its own
 * authorizer, shows it); then alice may produce and bob may not; {@code kafka-acls --remove} takes it away again.
 *
 * <p>Until our broker registers a SASL endpoint of its own, the PLAINTEXT (inter-broker) listener advertises the
 * SASL listener's port, so the clients that connect on SASL are sent back to it (there are no followers here).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterAclIT {
    private static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    private static final String ACL_COMMAND = "org.apache.kafka.tools.AclCommand";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "user_admin=\"admin-secret\" user_alice=\"alice-secret\" user_bob=\"bob-secret\";";
    private static final String TOPIC = "orders";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess broker;
    private static int saslPort;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ClusterAclIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of("authorizer.class.name", AUTHORIZER,
            "super.users", "User:ANONYMOUS"));
        final Map<String, String> settings = new HashMap<>();
        settings.put("listener.security.protocol.map",
            "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
        settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS);
        settings.put("authorizer.class.name", AUTHORIZER);
        settings.put("super.users", "User:admin");
        broker = fixture.createZcrxBroker(1, fixture.controller(), ZcrxBrokerProcess.Format.ZCRX_STORAGE, settings);
        // The fixture's PLAINTEXT port stays (it waits for ApiVersions there); the SASL listener is added after it.
        saslPort = BrokerProcess.freePort();
        Files.writeString(fixture.workDir().resolve("zcrx-1").resolve("server.properties"),
            "listeners=PLAINTEXT://127.0.0.1:" + broker.port() + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + "\n"
                + "advertised.listeners=PLAINTEXT://127.0.0.1:" + saslPort + "\n",
            StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        broker.restart();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static Map<String, Object> sasl(String user) {
        final Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + saslPort);
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        c.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        c.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"" + user + "\" password=\"" + user + "-secret\";");
        return c;
    }

    private static Admin admin() {
        final Map<String, Object> c = sasl("admin");
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(c);
    }

    private static void produce(String user, boolean idempotent) throws Exception {
        final Map<String, Object> c = sasl(user);
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(c, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(TOPIC, 0, null, user.getBytes(StandardCharsets.UTF_8))).get(30,
                TimeUnit.SECONDS);
        }
    }

    private static Throwable produceFailure(String user) {
        final Throwable t = assertThrows(Exception.class, () -> produce(user, false));
        return t instanceof ExecutionException ? t.getCause() : t;
    }

    /** {@code kafka-acls.sh --bootstrap-server <our SASL listener> --command-config admin.properties ARGS}. */
    private static String kafkaAcls(String... args) throws Exception {
        final Path config = fixture.workDir().resolve("admin.properties");
        Files.writeString(config, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config="
            + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" "
            + "password=\"admin-secret\";\n", StandardCharsets.UTF_8);
        final List<String> all = new ArrayList<>(List.of("--bootstrap-server", "127.0.0.1:" + saslPort,
            "--command-config", config.toString()));
        all.addAll(List.of(args));
        return fixture.tools().run(ACL_COMMAND, all).ok();
    }

    /** The ACLs our broker's authorizer holds: DescribeAcls is answered by our broker, not the controller. */
    private static Collection<AclBinding> brokerAcls(Admin admin) throws Exception {
        return admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS);
    }

    @Test
    void kafkaAclsThroughOurBrokerReachesTheControllerAndComesBackThroughTheMetadataLog() throws Exception {
        try (Admin admin = admin()) {
            // The super user may do anything, also before any ACL exists (CreateTopics is forwarded).
            Await.until("the broker to create " + TOPIC + " (it registers and is unfenced first)", TIMEOUT, () -> {
                try {
                    admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (ExecutionException e) {
                    return e.getCause() instanceof TopicExistsException;
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue(brokerAcls(admin).isEmpty());
            assertInstanceOf(TopicAuthorizationException.class, produceFailure("alice"));

            final String added = kafkaAcls("--add", "--allow-principal", "User:alice", "--operation", "Write",
                "--topic", TOPIC);
            assertTrue(added.contains("User:alice"), added);
            Await.until("our broker to load alice's ACL from the metadata log", TIMEOUT,
                () -> brokerAcls(admin), acls -> acls.size() == 1);
            final AclBinding acl = brokerAcls(admin).iterator().next();
            assertEquals(AclOperation.WRITE, acl.entry().operation());
            assertEquals("User:alice", acl.entry().principal());
            try (Admin controller = ClusterClients.controllerAdmin(fixture.controller())) {
                assertEquals(List.of(acl), List.copyOf(controller.describeAcls(AclBindingFilter.ANY).values()
                    .get(30, TimeUnit.SECONDS)), "the controller holds the ACL our broker forwarded");
            }

            // Idempotent: WRITE on some topic stands for IDEMPOTENT_WRITE (Kafka 4's InitProducerId rule).
            produce("alice", true);
            assertInstanceOf(TopicAuthorizationException.class, produceFailure("bob"));

            kafkaAcls("--remove", "--force", "--allow-principal", "User:alice", "--operation", "Write", "--topic",
                TOPIC);
            Await.until("our broker to drop alice's ACL", TIMEOUT, () -> brokerAcls(admin), Collection::isEmpty);
            assertInstanceOf(TopicAuthorizationException.class, produceFailure("alice"));
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\nbroker output:\n" + tail(broker.outputAndLog()), e);
        }
    }

    private static String tail(String s) {
        return s.length() <= 20_000 ? s : s.substring(s.length() - 20_000);
    }
}
