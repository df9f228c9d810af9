package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.testkit.TlsCerts;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.tls.TlsListener;
import io.zcrx.ingest.broker.uring.UringSupport;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * TLS listeners with real clients, on one broker per class: PLAINTEXT (the admin), SSL, SASL_SSL (SCRAM-SHA-512)
 * and MTLS (SSL with {@code ssl.client.auth=required}), certificates made by keytool in the test. The Java client
 * produces and consumes over SSL and SASL_SSL; a client without a certificate is refused on MTLS and one with a
 * certificate is served; a plaintext client on an SSL port is closed; every decrypted chunk and every receive
 * chunk is back after a produce burst; the authorizer sees the client certificate's principal
 * ({@code User:CN=client-one,OU=test,O=zcrx}); kcat (librdkafka) produces and consumes over SSL and over
 * SASL_SSL (SCRAM-SHA-512) where it is installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractTlsIT {
    private Path tmp;
    private TlsCerts certs;
    private TestBroker broker;

    /** {@code nio} or {@code uring}: every listener runs on it. */
    protected abstract String transport();

    @BeforeAll
    void start() throws Exception {
        if (transport().equals("uring")) {
            final UringSupport s = UringSupport.get();
            final String why = s.copyModeAvailable() ? null : "copy-mode io_uring unavailable: " + s.reason();
            if (why != null) {
                System.out.println(getClass().getSimpleName() + " skipped: " + why);
            }
            Assumptions.assumeTrue(why == null, () -> getClass().getSimpleName() + " skipped: " + why);
        }
        tmp = Files.createTempDirectory("zcrx-" + getClass().getSimpleName());
        certs = TlsCerts.generate(tmp.resolve("certs"));
        broker = TestBroker.start(tmp.resolve("logs"), transport(),
            "listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,MTLS://127.0.0.1:0",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,MTLS:SSL",
            "ssl.keystore.type", "PKCS12",
            "ssl.keystore.location", certs.broker().toString(),
            "ssl.keystore.password", TlsCerts.PASSWORD,
            "ssl.truststore.location", certs.truststore().toString(),
            "ssl.truststore.password", TlsCerts.PASSWORD,
            "listener.name.mtls.ssl.client.auth", "required",
            "listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512",
            // Kafka's authorizer, open where no ACL names a resource: one topic below is closed to all but the
            // client certificate's principal.
            "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found", "true");
    }

    @AfterAll
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (tmp != null) {
            TestBroker.deleteRecursively(tmp);
        }
    }

    private Transport listener(int index) {
        return broker.broker().otherListeners().get(index);
    }

    private String bootstrap(int index) {
        return "127.0.0.1:" + listener(index).localAddress().getPort();
    }

    private Properties ssl(int listenerIndex, boolean withCertificate) {
        final Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap(listenerIndex));
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certs.truststore().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TlsCerts.PASSWORD);
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        if (withCertificate) {
            p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, certs.client().toString());
            p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TlsCerts.PASSWORD);
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        }
        return p;
    }

    private Properties saslSsl(String user, String password) {
        final Properties p = ssl(1, false);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"" + user + "\" password=\"" + password + "\";");
        return p;
    }

    private static byte[] value(int i, int size) {
        final byte[] v = new byte[size];
        Arrays.fill(v, (byte) ('a' + i % 26));
        v[0] = (byte) i;
        return v;
    }

    /** Sends {@code n} records of {@code size} bytes with acks=1, all in flight at once, and waits for every ack. */
    private static void produce(Properties base, String topic, int n, int size) throws Exception {
        final Properties p = new Properties();
        p.putAll(base);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            final List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, value(i, size))));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<byte[]> consume(Properties base, String topic, int n) {
        final Properties p = new Properties();
        p.putAll(base);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final List<byte[]> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }

    private static void assertValues(List<byte[]> got, int n, int size) {
        assertEquals(n, got.size(), "records consumed");
        for (int i = 0; i < n; i++) {
            assertTrue(Arrays.equals(value(i, size), got.get(i)), "record " + i);
        }
    }

    private TlsListener tls(String name) {
        return broker.broker().tlsListener(name);
    }

    @Test
    void producesAndConsumesOverSslAndEveryDecryptedChunkComesBack() throws Exception {
        // A burst: 2000 x 10 KiB in flight at once, so requests span many TLS records and receive chunks.
        produce(ssl(0, false), "ssl-topic", 2000, 10 * 1024);
        assertValues(consume(ssl(0, false), "ssl-topic", 2000), 2000, 10 * 1024);
        Await.until("every decrypted chunk back on listener SSL", Duration.ofSeconds(10),
            () -> tls("SSL").outstandingChunks(), n -> n == 0);
        Await.until("every receive chunk back on listener SSL", Duration.ofSeconds(10),
            () -> listener(0).outstandingChunks(), n -> n == 0);
        assertTrue(tls("SSL").handshakes() >= 2, "handshakes: " + tls("SSL").handshakes());
        broker.assertNoLeaks();
    }

    @Test
    void producesAndConsumesOverSaslSslWithScram() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("tls-user",
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "tls-secret"))).all().get();
        }
        produce(saslSsl("tls-user", "tls-secret"), "sasl-ssl-topic", 50, 1000);
        assertValues(consume(saslSsl("tls-user", "tls-secret"), "sasl-ssl-topic", 50), 50, 1000);
        Await.until("every decrypted chunk back on listener SASL_SSL", Duration.ofSeconds(10),
            () -> tls("SASL_SSL").outstandingChunks(), n -> n == 0);
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateAndServesOneWithIt() throws Exception {
        final long failuresBefore = tls("MTLS").handshakeFailures();
        final Properties none = ssl(2, false);
        none.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        none.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(none)) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> admin.describeCluster().nodes().get());
            assertInstanceOf(SslAuthenticationException.class, e.getCause());
        }
        assertTrue(tls("MTLS").handshakeFailures() > failuresBefore, "the refusal is counted");
        produce(ssl(2, true), "mtls-topic", 20, 100);
        assertValues(consume(ssl(2, true), "mtls-topic", 20), 20, 100);
    }

    @Test
    void theAuthorizerSeesTheClientCertificatesPrincipal() throws Exception {
        final String topic = "cert-only";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic,
                PatternType.LITERAL), new AccessControlEntry("User:" + TlsCerts.CLIENT_DN, "*", AclOperation.WRITE,
                AclPermissionType.ALLOW)))).all().get();
        }
        // The certificate's principal may write; the same topic over SSL without a certificate (User:ANONYMOUS)
        // may not.
        produce(ssl(2, true), topic, 5, 100);
        final Properties anonymous = ssl(0, false);
        anonymous.put(ProducerConfig.RETRIES_CONFIG, "0");
        final ExecutionException e = assertThrows(ExecutionException.class,
            () -> produce(anonymous, topic, 1, 100));
        assertInstanceOf(TopicAuthorizationException.class, e.getCause());
    }

    @Test
    void aPlaintextClientOnAnSslPortIsClosed() throws Exception {
        final long failuresBefore = tls("SSL").handshakeFailures();
        try (Socket s = new Socket("127.0.0.1", listener(0).localAddress().getPort())) {
            s.setSoTimeout(20_000);
            // ApiVersions v3 as a plaintext Kafka client sends it first: size, api key, version, correlation id.
            s.getOutputStream().write(new byte[] {0, 0, 0, 12, 0, 18, 0, 3, 0, 0, 0, 7, 0, 0, 0, 0});
            final InputStream in = s.getInputStream();
            int n = 0;
            try {
                while (in.read() >= 0) {
                    n++;
                }
            } catch (IOException reset) {
                // A reset is a close too.
            }
            assertTrue(n < 100, "no Kafka response, at most a TLS alert: " + n + " bytes");
        }
        Await.until("the failed handshake counted", Duration.ofSeconds(10), () -> tls("SSL").handshakeFailures(),
            n -> n > failuresBefore);
    }

    @Test
    void kcatProducesAndConsumesOverSsl() throws Exception {
        final String kcat = Files.isExecutable(Path.of("/usr/bin/kcat")) ? "/usr/bin/kcat" : null;
        Assumptions.assumeTrue(kcat != null, "kcat (librdkafka) is not installed: apt-get install kcat");
        final Path input = tmp.resolve("kcat.in");
        Files.write(input, List.of("one", "two", "three"), StandardCharsets.UTF_8);
        final List<String> common = List.of(kcat, "-b", bootstrap(0), "-X", "security.protocol=ssl",
            "-X", "ssl.ca.location=" + certs.caPem(), "-t", "kcat-ssl");
        assertEquals(0, run(common, List.of("-P", "-l", input.toString()), tmp.resolve("kcat-p.out")).rc(),
            () -> read(tmp.resolve("kcat-p.out")));
        final Result c = run(common, List.of("-C", "-o", "beginning", "-e", "-q", "-f", "%s\\n"),
            tmp.resolve("kcat-c.out"));
        assertEquals(0, c.rc(), c.output());
        assertEquals(List.of("one", "two", "three"), c.output().lines().toList());
    }

    // Goal: librdkafka over SASL_SSL (TLS, then SCRAM-SHA-512 inside it) produces and consumes with a user created
    // through the admin API. Debian's kcat links librdkafka 2.0.2, whose SCRAM client-final nonce repeats the client
    // nonce: without ScramServer's tolerance for it the login is refused as invalid credentials.
    @Test
    void kcatProducesAndConsumesOverSaslSslWithScram() throws Exception {
        final String kcat = Files.isExecutable(Path.of("/usr/bin/kcat")) ? "/usr/bin/kcat" : null;
        Assumptions.assumeTrue(kcat != null, "kcat (librdkafka) is not installed: apt-get install kcat");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("kcat-user",
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "kcat-secret"))).all().get();
        }
        final Path input = tmp.resolve("kcat-sasl.in");
        Files.write(input, List.of("uno", "dos", "tres"), StandardCharsets.UTF_8);
        final List<String> common = List.of(kcat, "-b", bootstrap(1), "-X", "security.protocol=sasl_ssl",
            "-X", "ssl.ca.location=" + certs.caPem(), "-X", "sasl.mechanism=SCRAM-SHA-512",
            "-X", "sasl.username=kcat-user", "-X", "sasl.password=kcat-secret", "-t", "kcat-sasl-ssl");
        assertEquals(0, run(common, List.of("-P", "-l", input.toString()), tmp.resolve("kcat-sp.out")).rc(),
            () -> read(tmp.resolve("kcat-sp.out.err")));
        final Result c = run(common, List.of("-C", "-o", "beginning", "-e", "-q", "-f", "%s\\n"),
            tmp.resolve("kcat-sc.out"));
        assertEquals(0, c.rc(), () -> c.output() + read(tmp.resolve("kcat-sc.out.err")));
        assertEquals(List.of("uno", "dos", "tres"), c.output().lines().toList());
        Await.until("every decrypted chunk back on listener SASL_SSL", Duration.ofSeconds(10),
            () -> tls("SASL_SSL").outstandingChunks(), n -> n == 0);
    }

    private record Result(int rc, String output) {
    }

    private static Result run(List<String> common, List<String> more, Path out) throws Exception {
        final List<String> cmd = new ArrayList<>(common);
        cmd.addAll(more);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
            .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(
                out.resolveSibling(out.getFileName() + ".err").toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat did not finish: " + cmd);
        }
        return new Result(p.exitValue(), read(out));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
