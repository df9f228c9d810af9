package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's Java clients (the test class path's kafka-clients) as the cluster tests use them: an
 * idempotent acks=all producer, a consumer group reading a topic to the end, an Admin waiting for
 * partition leaders; records compared byte for byte as {@code partition key base64(value)} lines.
 */
final class ClusterClients {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern BATCH = Pattern.compile("(?m)^baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+).*$");

    private ClusterClients() {
    }

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            "10000"));
    }

    /** An Admin talking to the controller itself ({@code bootstrap.controllers}, KIP-919). */
    static Admin controllerAdmin(KafkaController controller) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controller.quorumBootstrap(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            "10000"));
    }

    /**
     * Waits until the broker at {@code bootstrap} lists exactly {@code ids} as live brokers (each
     * registered and unfenced).
     */
    static void awaitBrokers(String bootstrap, Set<Integer> ids) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Await.until("the broker at " + bootstrap + " to list brokers " + ids, TIMEOUT,
                () -> admin.describeCluster().nodes().get().stream().map(Node::id).collect(Collectors.toSet()),
                ids::equals);
        }
    }

    /**
     * Reassigns partition 0 of {@code topic} to {@code replicas} with a request sent straight to the
     * controller (KIP-919); returns once the controller accepted it (not once it finished).
     */
    static void reassign(KafkaController controller, String topic, List<Integer> replicas) throws Exception {
        try (Admin controllerAdmin = controllerAdmin(controller)) {
            controllerAdmin.alterPartitionReassignments(Map.of(new TopicPartition(topic, 0),
                Optional.of(new NewPartitionReassignment(replicas)))).all().get();
        }
    }

    static Map<String, Object> producerConfig(String bootstrap) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // A topic without a leader fails a send after 15 s instead of blocking the test for a minute.
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return c;
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(producerConfig(bootstrap));
    }

    /**
     * Sends {@code count} records with random binary values (seeded) round-robin over
     * {@code partitions} partitions with one idempotent acks=all producer; returns every record as a
     * {@link #line} once all are acknowledged.
     */
    static List<String> produceJava(String bootstrap, String topic, int partitions, int count, String keyPrefix,
            long seed) throws InterruptedException, ExecutionException {
        final Random random = new Random(seed);
        final List<String> sent = new ArrayList<>();
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (int i = 0; i < count; i++) {
                final byte[] key = (keyPrefix + i).getBytes(StandardCharsets.UTF_8);
                final byte[] value = new byte[1 + random.nextInt(300)];
                random.nextBytes(value);
                final int partition = i % partitions;
                final Future<RecordMetadata> ack = p.send(new ProducerRecord<>(topic, partition, key, value));
                if (i == 0) {
                    ack.get(); // fail fast, with the cause, when the cluster cannot take records at all
                }
                acks.add(ack);
                sent.add(line(partition, key, value));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get();
            }
        }
        return sent;
    }

    /** A record as one comparable line: {@code partition key base64(value)}. */
    static String line(int partition, byte[] key, byte[] value) {
        return partition + " " + new String(key, StandardCharsets.UTF_8) + " "
            + Base64.getEncoder().encodeToString(value);
    }

    static String line(int partition, String key, String value) {
        return line(partition, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads {@code topic} in consumer group {@code group} from the earliest offset until
     * {@code expected} records arrived (fails after {@link #TIMEOUT} with what came), commits, and
     * returns them as {@link #line}s in arrival order.
     */
    static List<String> consumeGroup(String bootstrap, String group, String topic, int expected)
            throws InterruptedException {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        final List<String> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            Await.until("group " + group + " to read " + expected + " records of " + topic, TIMEOUT, () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(line(r.partition(), r.key(), r.value()));
                }
                return got.size();
            }, n -> n >= expected);
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return got;
    }

    /**
     * Reads every partition of {@code topic} from its start to the end offset it has now (no group),
     * as {@link #line}s; fails after {@link #TIMEOUT}.
     */
    static List<String> readToEnd(String bootstrap, String topic) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        final List<String> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < end.get(tp))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("could not read " + topic + " to " + end + " within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(line(r.partition(), r.key(), r.value()));
                }
            }
        }
        return got;
    }

    /**
     * Waits until every partition of {@code topic} has a leader among {@code allowed} and returns
     * partition -> leader node id.
     */
    static Map<Integer, Integer> awaitLeaders(Admin admin, String topic, Set<Integer> allowed)
            throws InterruptedException {
        return Await.until("every partition of " + topic + " to have a leader in " + allowed, TIMEOUT,
            () -> leaders(admin, topic), m -> !m.isEmpty() && m.values().stream().allMatch(allowed::contains));
    }

    /** partition -> leader id (-1 without a leader); empty when the topic cannot be described now. */
    static Map<Integer, Integer> leaders(Admin admin, String topic) {
        final Map<Integer, Integer> out = new HashMap<>();
        try {
            final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            for (TopicPartitionInfo p : d.partitions()) {
                out.put(p.partition(), p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id());
            }
        } catch (ExecutionException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return out;
    }

    /** partition -> its description (leader, replicas, ISR); empty when the topic cannot be described now. */
    static Map<Integer, TopicPartitionInfo> partitions(Admin admin, String topic) {
        final Map<Integer, TopicPartitionInfo> out = new HashMap<>();
        try {
            final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            for (TopicPartitionInfo p : d.partitions()) {
                out.put(p.partition(), p);
            }
        } catch (ExecutionException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return out;
    }

    /** The ISR of {@code topic-partition}, sorted (empty when it cannot be described now). */
    static List<Integer> isr(Admin admin, String topic, int partition) {
        final TopicPartitionInfo p = partitions(admin, topic).get(partition);
        return p == null ? List.of() : p.isr().stream().map(Node::id).sorted().toList();
    }

    /** The first segment of {@code topic-partition} in a broker's log dir. */
    static Path firstSegment(Path logDir, String topic, int partition) {
        return logDir.resolve(topic + "-" + partition).resolve("00000000000000000000.log");
    }

    /**
     * Checks DumpLogSegments' output: at least one batch, and every batch line says
     * {@code isvalid: true}; returns the number of records in the batches.
     */
    static long assertBatchesValid(String dumpOutput) {
        final Matcher m = BATCH.matcher(dumpOutput);
        long records = 0;
        int batches = 0;
        while (m.find()) {
            batches++;
            if (!m.group().contains("isvalid: true")) {
                throw new AssertionError("DumpLogSegments reports an invalid batch: " + m.group() + "\n" + dumpOutput);
            }
            records += Long.parseLong(m.group(3));
        }
        if (batches == 0) {
            throw new AssertionError("DumpLogSegments printed no batch:\n" + dumpOutput);
        }
        return records;
    }
}
