package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.ChildJvm;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's StandardAuthorizer behind a SASL_PLAINTEXT listener (PLAIN users alice, bob and the super user admin), ACLs
 * managed with Kafka's own {@code kafka-acls} in a child JVM: a grant lets alice produce to its topic and only that
 * one; bob is denied; the super user may do everything; a consumer without READ on its group gets
 * GroupAuthorizationException; DescribeAcls lists and DeleteAcls removes (the cached grant goes with it); ACLs
 * survive a restart; prefixed patterns; {@code allow.everyone.if.no.acl.found}; without an authorizer CreateAcls
 * answers SECURITY_DISABLED.
 */
class AclIT {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "user_alice=\"alice-secret\" user_bob=\"bob-secret\" user_admin=\"admin-secret\";";
    private static final String ACL_COMMAND = "org.apache.kafka.tools.AclCommand";

    @TempDir
    Path tmp;
    private TestBroker broker;

    private void start(String... extra) throws Exception {
        final String[] base = {
            "listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS,
            "group.initial.rebalance.delay.ms", "0",
        };
        final String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        broker = TestBroker.start(tmp.resolve("logs"), "nio", all);
    }

    private void startWithAuthorizer(String... extra) throws Exception {
        final String[] base = {
            "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users", "User:admin",
        };
        final String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        start(all);
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

    private Properties user(String name) {
        final Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap());
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"" + name + "\" password=\"" + name + "-secret\";");
        return p;
    }

    /** kafka-acls as the super user, over SASL. */
    private String acls(String... args) throws Exception {
        final Path config = tmp.resolve("admin.properties");
        final StringBuilder sb = new StringBuilder();
        for (Map.Entry<Object, Object> e : user("admin").entrySet()) {
            if (!e.getKey().equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
        }
        Files.writeString(config, sb.toString(), StandardCharsets.UTF_8);
        final String[] all = new String[args.length + 4];
        all[0] = "--bootstrap-server";
        all[1] = saslBootstrap();
        all[2] = "--command-config";
        all[3] = config.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        final ChildJvm.Result r = ChildJvm.run(120, ACL_COMMAND, all);
        assertEquals(0, r.exitCode(), "kafka-acls " + String.join(" ", args) + "\n" + r.output());
        return r.output();
    }

    private static void produce(Properties base, String topic) throws Exception {
        final Properties p = new Properties();
        p.putAll(base);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
        }
    }

    /** The producer's failure, unwrapped from the future (or thrown by send itself). */
    private static Throwable produceFailure(Properties base, String topic) {
        final Throwable t = assertThrows(Exception.class, () -> produce(base, topic));
        return t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    }

    private static Throwable consumeFailure(Properties base, String topic, String group) {
        final Properties p = new Properties();
        p.putAll(base);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            return assertThrows(Exception.class, () -> {
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
            });
        }
    }

    @Test
    void kafkaAclsGrantsAliceHerTopicAndGroupOnlyAndTheAclsSurviveARestart() throws Exception {
        startWithAuthorizer();
        produce(user("admin"), "a");
        produce(user("admin"), "b");
        acls("--add", "--allow-principal", "User:alice", "--operation", "Write", "--operation", "Read",
            "--topic", "a");
        acls("--add", "--allow-principal", "User:alice", "--operation", "Read", "--group", "g");

        produce(user("alice"), "a");
        assertInstanceOf(TopicAuthorizationException.class, produceFailure(user("alice"), "b"));
        assertInstanceOf(TopicAuthorizationException.class, produceFailure(user("bob"), "a"));
        assertInstanceOf(GroupAuthorizationException.class, consumeFailure(user("alice"), "a", "other"));
        // bob may not even describe the topic: the consumer's metadata fails first.
        assertInstanceOf(TopicAuthorizationException.class, consumeFailure(user("bob"), "a", "g"));

        final String listed = acls("--list", "--topic", "a");
        assertTrue(listed.contains("User:alice") && listed.contains("WRITE"), listed);

        broker.restart();
        produce(user("alice"), "a");
        assertInstanceOf(TopicAuthorizationException.class, produceFailure(user("alice"), "b"));

        // One connection across the removal: its cached grant must not outlive the ACL.
        final Properties p = user("alice");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("a", "k", "before")).get();
            acls("--remove", "--force", "--allow-principal", "User:alice", "--operation", "Write", "--topic", "a");
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> producer.send(new ProducerRecord<>("a", "k", "after")).get());
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
        // A new idempotent producer of alice (WRITE on no topic now) is refused at InitProducerId, as by Kafka 4.
        assertInstanceOf(ClusterAuthorizationException.class, produceFailure(user("alice"), "a"));
        produce(user("admin"), "a");
    }

    @Test
    void prefixedPatternsAndAllowEveryoneIfNoAclFound() throws Exception {
        startWithAuthorizer("allow.everyone.if.no.acl.found", "true");
        // No ACL on "open": everyone may write it.
        produce(user("bob"), "open");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT", SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, user("admin").getProperty(SaslConfigs.SASL_JAAS_CONFIG)))) {
            final AclBinding prefixed = new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "logs-", PatternType.PREFIXED),
                new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
            admin.createAcls(List.of(prefixed)).all().get();
            assertEquals(List.of(prefixed), List.copyOf(admin.describeAcls(prefixed.toFilter()).values().get()));
        }
        produce(user("alice"), "logs-1");
        // Now an ACL matches "logs-2": only alice.
        assertInstanceOf(TopicAuthorizationException.class, produceFailure(user("bob"), "logs-2"));
        produce(user("bob"), "open");
    }

    @Test
    void withoutAnAuthorizerCreateAclsAnswersSecurityDisabled() throws Exception {
        start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            final ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createAcls(List.of(
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, "a", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                .all().get());
            assertInstanceOf(SecurityDisabledException.class, e.getCause());
        }
        produce(user("bob"), "a");
    }
}
