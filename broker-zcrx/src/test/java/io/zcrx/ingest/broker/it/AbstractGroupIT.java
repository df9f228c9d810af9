package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Consumer groups with real Java consumers, transport-neutral: a two-member group rebalances
 * when a member joins and when one leaves, and with synchronous commits every record is consumed
 * exactly once across the group; committed offsets survive a broker restart.
 */
public abstract class AbstractGroupIT extends SharedBrokerSuite {
    private static final int PARTITIONS = 4;
    /** Joins, syncs and leaves of real consumers with heartbeats every 500 ms: slow on a busy machine. */
    private static final Duration REBALANCE_TIMEOUT = Duration.ofSeconds(90);

    @Override
    protected String[] brokerSettings() {
        return new String[] {"num.partitions", String.valueOf(PARTITIONS),
            "group.initial.rebalance.delay.ms", "0"};
    }

    void produce(String topic, int count) {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (KafkaProducer<byte[], byte[]> pr =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                pr.send(new ProducerRecord<>(topic, i % PARTITIONS, null, ("v" + i).getBytes()));
            }
        }
    }

    KafkaConsumer<byte[], byte[]> consumer(String group, String clientId) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20");
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** One group member on its own thread: poll, record, commitSync, until stopped. */
    final class Member implements Runnable {
        final String name;
        final KafkaConsumer<byte[], byte[]> consumer;
        final Map<String, String> consumed;
        final List<String> duplicates;
        final List<Set<TopicPartition>> assignments = new CopyOnWriteArrayList<>();
        volatile Set<TopicPartition> current = Set.of();
        volatile boolean stop;
        volatile Throwable failure;
        final Thread thread;

        Member(String name, String topic, Map<String, String> consumed, List<String> duplicates) {
            this.name = name;
            this.consumer = consumer("rebalance-group", name);
            this.consumed = consumed;
            this.duplicates = duplicates;
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    current = Set.of();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    current = Set.copyOf(partitions);
                    assignments.add(current);
                }
            });
            thread = new Thread(this, "member-" + name);
            thread.start();
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        final String key = r.partition() + ":" + r.offset();
                        final String prev = consumed.putIfAbsent(key, name);
                        if (prev != null) {
                            duplicates.add(key + " by " + prev + " and " + name);
                        }
                    }
                    // Synchronous commit of everything polled: nothing is read twice across a rebalance.
                    consumer.commitSync();
                    // Pacing, not waiting for anything: poll returns at once while records stream in,
                    // and this keeps a member from committing back to back in a tight loop.
                    Thread.sleep(5);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                consumer.close();
            }
        }

        void close() throws InterruptedException {
            stop = true;
            thread.join(60_000);
        }
    }

    @Test
    void twoMembersRebalanceOnJoinAndLeaveAndConsumeEveryRecordOnce() throws Exception {
        // Goal: the classic protocol end to end: a second member joining splits the partitions
        // (rebalance on join), its leaving gives them all back to the first (rebalance on leave),
        // and with commitSync after every poll each record is consumed exactly once across the
        // group. Method: 4 partitions, 4000 records produced in two halves, consumers on threads
        // recording (partition, offset) pairs.
        final Map<String, String> consumed = new ConcurrentHashMap<>();
        final List<String> duplicates = new CopyOnWriteArrayList<>();
        produce("rebal", 2000);
        final Member a = new Member("a", "rebal", consumed, duplicates);
        Await.until("member a owns all partitions", REBALANCE_TIMEOUT, () -> a.current.size() == PARTITIONS);
        Await.until("member a consumed something", REBALANCE_TIMEOUT, () -> consumed.size() >= 200);
        final Member b = new Member("b", "rebal", consumed, duplicates);
        Await.until("rebalance on join: 2 + 2 partitions", REBALANCE_TIMEOUT,
            () -> a.current.size() == 2 && b.current.size() == 2);
        final Set<TopicPartition> union = new HashSet<>(a.current);
        union.addAll(b.current);
        assertEquals(PARTITIONS, union.size(), "the two members share the partitions without overlap");
        produce("rebal", 2000);
        Await.until("b consumed something", REBALANCE_TIMEOUT, () -> consumed.containsValue("b"));
        b.close();
        Await.until("rebalance on leave: a owns all partitions again", REBALANCE_TIMEOUT,
            () -> a.current.size() == PARTITIONS);
        Await.until("every record consumed", REBALANCE_TIMEOUT, () -> consumed.size() == 4000);
        a.close();
        assertEquals(null, a.failure, () -> "member a failed: " + a.failure);
        assertEquals(null, b.failure, () -> "member b failed: " + b.failure);
        assertEquals(List.of(), duplicates, "records consumed twice");
        assertEquals(4000, consumed.size());
        assertTrue(a.assignments.size() >= 3, "a saw join and leave rebalances: " + a.assignments);
    }

    @Test
    void committedOffsetsSurviveARestart() throws Exception {
        // Goal: offsets committed before a broker restart are fetched after it (the journal is
        // reloaded), and a consumer of the group resumes exactly there. Method: commit explicit
        // offsets, restart the broker on the same log dir, read them back with a new consumer.
        produce("durable", 400);
        final Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            commits.put(new TopicPartition("durable", p), new OffsetAndMetadata(10L * (p + 1), "meta-" + p));
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer("durable-group", "c1")) {
            c.subscribe(List.of("durable"));
            Await.until("assignment", REBALANCE_TIMEOUT, () -> {
                c.poll(Duration.ofMillis(100));
                return c.assignment().size() == PARTITIONS;
            });
            c.commitSync(commits);
        }
        broker.restart();
        try (KafkaConsumer<byte[], byte[]> c = consumer("durable-group", "c2")) {
            final Map<TopicPartition, OffsetAndMetadata> after = c.committed(commits.keySet(), Duration.ofSeconds(30));
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : commits.entrySet()) {
                assertEquals(e.getValue().offset(), after.get(e.getKey()).offset(), e.getKey().toString());
                assertEquals(e.getValue().metadata(), after.get(e.getKey()).metadata(), e.getKey().toString());
            }
            c.subscribe(List.of("durable"));
            final Map<Integer, Long> first = new HashMap<>();
            Await.until("records from every partition", REBALANCE_TIMEOUT, () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    first.putIfAbsent(r.partition(), r.offset());
                }
                return first.size() == PARTITIONS;
            });
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(10L * (p + 1), first.get(p), "partition " + p + " resumes at its committed offset");
            }
        }
        final List<String> groups = new ArrayList<>();
        broker.broker().context().groups().listGroups(null, null).forEach(g -> groups.add(g.groupId()));
        assertTrue(groups.contains("durable-group"), groups.toString());
    }
}
