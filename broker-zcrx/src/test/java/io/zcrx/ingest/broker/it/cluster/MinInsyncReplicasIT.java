package io.zcrx.ingest.broker.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, {@code min.insync.replicas} not met: two of our brokers, a replication-factor-2 topic with
 * {@code min.insync.replicas=2} led by broker 1. With broker 2 stopped and out of the ISR, an acks=all write
 * gets NOT_ENOUGH_REPLICAS (the Java client's {@link NotEnoughReplicasException}, a producer without retries
 * so the error is not retried away) while acks=1 is still acknowledged; once broker 2 is back in the ISR
 * acks=all succeeds again, and a consumer reads every acknowledged record exactly once.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MinInsyncReplicasIT {
    private static final String TOPIC = "guarded";
    private static final String SESSION_MS = "3000";
    private static ClusterFixture fixture;
    private static ZcrxBrokerProcess leader;
    private static ZcrxBrokerProcess follower;

    @BeforeAll
    static void startCluster() throws Exception {
        fixture = ClusterFixture.create(MinInsyncReplicasIT.class);
        fixture.startController(ControllerFeatures.COMPATIBLE, Map.of("broker.session.timeout.ms", SESSION_MS));
        final Map<String, String> settings = Map.of("broker.session.timeout.ms", SESSION_MS);
        leader = fixture.startZcrxBroker(1, settings);
        follower = fixture.startZcrxBroker(2, settings);
        ClusterClients.awaitBrokers(leader.bootstrap(), Set.of(1, 2));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String bootstrap() {
        return leader.bootstrap() + "," + follower.bootstrap();
    }

    /** A producer that reports the broker's first answer: no idempotence, no retries. */
    private static KafkaProducer<byte[], byte[]> producer(String acks) {
        final Map<String, Object> c = ClusterClients.producerConfig(bootstrap());
        c.put(ProducerConfig.ACKS_CONFIG, acks);
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        c.put(ProducerConfig.RETRIES_CONFIG, 0);
        return new KafkaProducer<>(c);
    }

    private static void send(KafkaProducer<byte[], byte[]> p, String key) throws Exception {
        p.send(new ProducerRecord<>(TOPIC, 0, key.getBytes(StandardCharsets.UTF_8),
            ("value of " + key).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    }

    @Test
    void acksAllIsRefusedWhileTheIsrIsBelowMinInsyncReplicasAndAcksOneIsNot() throws Exception {
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2)))
                .configs(Map.of("min.insync.replicas", "2")))).all().get();
            ClusterClients.awaitLeaders(admin, TOPIC, Set.of(1));
            Await.until("both replicas in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, TOPIC, 0),
                List.of(1, 2)::equals);
        }
        final Set<String> acked = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> all = producer("all")) {
            send(all, "before-0");
            acked.add("before-0");
        }

        final int exit = follower.stop();
        assertTrue(exit == 0 || exit == 143, "broker 2's exit code after SIGTERM: " + exit);
        try (Admin admin = ClusterClients.admin(leader.bootstrap())) {
            Await.until("the ISR to shrink to the leader", ClusterClients.TIMEOUT,
                () -> ClusterClients.isr(admin, TOPIC, 0), List.of(1)::equals);
        }
        try (KafkaProducer<byte[], byte[]> all = producer("all"); KafkaProducer<byte[], byte[]> one = producer("1")) {
            final ExecutionException refused = assertThrows(ExecutionException.class, () -> send(all, "refused-0"),
                "acks=all with ISR [1] below min.insync.replicas=2");
            assertInstanceOf(NotEnoughReplicasException.class, refused.getCause(), refused.toString());
            for (int i = 0; i < 5; i++) {
                send(one, "acks1-" + i);
                acked.add("acks1-" + i);
            }
        }

        follower.restart();
        try (Admin admin = ClusterClients.admin(bootstrap())) {
            Await.until("broker 2 back in the ISR", ClusterClients.TIMEOUT, () -> ClusterClients.isr(admin, TOPIC, 0),
                List.of(1, 2)::equals);
        }
        try (KafkaProducer<byte[], byte[]> all = producer("all")) {
            send(all, "after-0");
            acked.add("after-0");
        }
        final List<String> keys = ClusterClients.readToEnd(bootstrap(), TOPIC).stream()
            .map(l -> l.split(" ")[1]).toList();
        assertEquals(acked.size(), keys.size(), "records read: " + keys);
        assertEquals(acked, new HashSet<>(keys));
    }
}
