package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11's lifecycle tests on a controller and two of our brokers, in order on one cluster:
 * SIGTERM is a controlled shutdown (the stopped broker's partitions show no leader, the other
 * broker keeps serving its own) and a restart brings them back with nothing lost; kill -9 under an
 * idempotent producer gets the broker fenced after the session timeout, and after the restart every
 * acknowledged record is there exactly once; and last, with the controller gone, a broker stops
 * acknowledging produce once its session would have expired. The controller's
 * {@code broker.session.timeout.ms} is short (3 s) so fencing comes quickly; no test asserts a
 * duration, only that each thing happens within a generous bound.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterLifecycleIT {
    private static final String TOPIC = "lifecycle";
    private static final int PARTITIONS = 4;
    private static final String SESSION_MS = "3000";
    private static ClusterFixture fixture;
    private static boolean sigtermPassed;
    private static ZcrxBrokerProcess broker1;
    private static ZcrxBrokerProcess broker2;
    /** Every acknowledged record (key -> value), over all tests. */
    private static final Map<String, String> ACKED = Collections.synchronizedMap(new HashMap<>());

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(ClusterLifecycleIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of("broker.session.timeout.ms", SESSION_MS,
            "broker.heartbeat.interval.ms", "500"));
        final Map<String, String> settings = Map.of("broker.session.timeout.ms", SESSION_MS);
        broker1 = fixture.startZcrxBroker(1, settings);
        broker2 = fixture.startZcrxBroker(2, settings);
        fixture.tools().topics(broker1.bootstrap(), "--create", "--topic", TOPIC, "--partitions",
            String.valueOf(PARTITIONS), "--replication-factor", "1").ok();
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            final Map<Integer, Integer> leaders = ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1, 2));
            assertEquals(Set.of(1, 2), new HashSet<>(leaders.values()), "leaders on both brokers: " + leaders);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String bootstrap() {
        return broker1.bootstrap() + "," + broker2.bootstrap();
    }

    @Test
    @Order(1)
    void sigtermIsAControlledShutdownAndARestartBringsThePartitionsBack() throws Exception {
        produceAcked("before-term-", 40);
        final Map<Integer, Integer> before;
        try (Admin admin = ClusterClients.admin(broker1.bootstrap())) {
            before = ClusterClients.leaders(admin, TOPIC);
            // 143 = 128 + SIGTERM: the JVM's exit status after its shutdown hooks ran (Kafka's too).
            final int exit = broker2.stop();
            assertTrue(exit == 0 || exit == 143, "exit code after SIGTERM: " + exit + "; output:\n"
                + ManagedProcess.tail(broker2.output(), 4000));
            // With one replica there is nobody to move leadership to: the controller takes it away.
            final Map<Integer, Integer> during = Await.until("broker 2's partitions to show no leader",
                ClusterClients.TIMEOUT, () -> ClusterClients.leaders(admin, TOPIC),
                m -> m.size() == PARTITIONS && m.values().stream().noneMatch(l -> l == 2));
            for (Map.Entry<Integer, Integer> e : before.entrySet()) {
                assertEquals(e.getValue() == 2 ? -1 : 1, (int) during.get(e.getKey()), "partition " + e.getKey());
            }
        }
        // Broker 1 keeps serving its own partitions meanwhile.
        final int own = before.entrySet().stream().filter(e -> e.getValue() == 1).findFirst().orElseThrow().getKey();
        try (KafkaProducer<byte[], byte[]> p = ClusterClients.producer(broker1.bootstrap())) {
            for (int i = 0; i < 10; i++) {
                final String key = "during-term-" + i;
                p.send(new ProducerRecord<>(TOPIC, own, bytes(key), bytes("v" + i))).get();
                ACKED.put(key, "v" + i);
            }
        }
        broker2.restart();
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            assertEquals(before, ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1, 2)), "leaders after the restart");
        }
        assertEverythingAckedExactlyOnce("after-term");
        sigtermPassed = true;
    }

    @Test
    @Order(2)
    void kill9UnderAnIdempotentProducerLosesAndDuplicatesNothing() throws Exception {
        assumeTrue(sigtermPassed, "needs both brokers back after the SIGTERM test, which failed");
        final Map<String, Object> config = ClusterClients.producerConfig(bootstrap());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread producer = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(config)) {
                for (int i = 0; !stop.get(); i++) {
                    final String key = "kill-" + i;
                    final String value = "value-" + i;
                    p.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, bytes(key), bytes(value)), (md, e) -> {
                        if (e == null) {
                            ACKED.put(key, value);
                        }
                    });
                    if (i % 50 == 49) {
                        p.flush();
                    }
                }
                p.flush();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "idempotent-producer");
        producer.start();
        try {
            final int ackedBefore = ACKED.size();
            Await.until("the producer to get 200 acknowledgements", ClusterClients.TIMEOUT,
                () -> ACKED.size() > ackedBefore + 200);
            broker2.kill();
            try (Admin admin = ClusterClients.admin(broker1.bootstrap())) {
                // Fenced after the session timeout: the controller takes broker 2's leaderships away.
                Await.until("the controller to fence broker 2 (its partitions lose their leader)",
                    ClusterClients.TIMEOUT, () -> ClusterClients.leaders(admin, TOPIC),
                    m -> m.size() == PARTITIONS && !m.containsValue(2));
            }
            broker2.restart();
            try (Admin admin = ClusterClients.admin(bootstrap())) {
                ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1, 2));
            }
            final int ackedNow = ACKED.size();
            Await.until("more acknowledgements after the restart", ClusterClients.TIMEOUT,
                () -> ACKED.size() > ackedNow + 100);
        } finally {
            stop.set(true);
            producer.join(TimeUnit.MINUTES.toMillis(3));
        }
        assertNull(failure.get(), "producer failed");
        assertEverythingAckedExactlyOnce("after-kill");
    }

    @Test
    @Order(3)
    void aBrokerWhoseControllerIsGoneStopsAcknowledgingProduce() throws Exception {
        fixture.controller().kill();
        final Map<String, Object> config = ClusterClients.producerConfig(broker1.bootstrap());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 4000);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(config)) {
            // Eventually (bounded): its session would have expired at the controller, so it must not
            // lead any more; every send fails from then on.
            final String failed = Await.until("broker 1 to stop acknowledging produce without a controller",
                Duration.ofSeconds(60), () -> {
                    try {
                        p.send(new ProducerRecord<>(TOPIC, bytes("after-controller"), bytes("x"))).get();
                        return null;
                    } catch (ExecutionException e) {
                        return String.valueOf(e.getCause());
                    }
                }, f -> f != null);
            assertTrue(!failed.isEmpty(), failed);
            for (int i = 0; i < 3; i++) {
                final ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.send(new ProducerRecord<>(TOPIC, bytes("still-no-controller"), bytes("x"))).get());
                assertTrue(e.getCause() != null, String.valueOf(e));
            }
        }
    }

    private static void produceAcked(String prefix, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = ClusterClients.producer(bootstrap())) {
            for (int i = 0; i < count; i++) {
                final String key = prefix + i;
                p.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, bytes(key), bytes("v" + i))).get();
                ACKED.put(key, "v" + i);
            }
        }
    }

    /** Reads the whole topic: every acknowledged record there, none twice. */
    private static void assertEverythingAckedExactlyOnce(String what) {
        final Map<String, String> acked;
        synchronized (ACKED) {
            acked = new HashMap<>(ACKED);
        }
        final List<String> lines = ClusterClients.readToEnd(bootstrap(), TOPIC);
        final Map<String, Integer> seen = new HashMap<>();
        for (String line : lines) {
            seen.merge(line.split(" ")[1], 1, Integer::sum);
        }
        final List<String> duplicated = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
            .toList();
        assertTrue(duplicated.isEmpty(), what + ": records read more than once: " + duplicated);
        final List<String> missing = acked.keySet().stream().filter(k -> !seen.containsKey(k)).toList();
        assertTrue(missing.isEmpty(), what + ": acknowledged records missing: " + missing);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
