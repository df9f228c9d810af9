package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.ChildJvm;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka's own admin tools against the broker, each in a child JVM as a user runs it:
 * kafka-topics (create, list, describe, alter partitions, delete), kafka-consumer-groups (list,
 * describe, reset offsets) and kafka-get-offsets; the outputs are checked, and the effects are
 * checked again through the admin client.
 */
public abstract class AbstractAdminToolsIT extends SharedBrokerSuite {

    @Override
    protected String[] brokerSettings() {
        return new String[] {"group.initial.rebalance.delay.ms", "0"};
    }

    ChildJvm.Result tool(String mainClass, String... args) throws Exception {
        final ChildJvm.Result r = ChildJvm.run(120, mainClass, args);
        assertEquals(0, r.exitCode(), mainClass + " " + String.join(" ", args) + "\n" + r.output());
        return r;
    }

    ChildJvm.Result topics(String... args) throws Exception {
        final String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = broker.bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        return tool("org.apache.kafka.tools.TopicCommand", all);
    }

    ChildJvm.Result groups(String... args) throws Exception {
        final String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = broker.bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        return tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", all);
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()));
    }

    @Test
    void kafkaTopicsCreateListDescribeAlterDelete() throws Exception {
        // Goal: the whole kafka-topics life cycle: create with a setting, list, describe (partitions
        // and the setting), add partitions, delete; a deleted topic leaves Metadata and a recreated
        // one gets a new id. Method: TopicCommand in child JVMs, checks through the admin client.
        assertTrue(topics("--create", "--topic", "tools-t", "--partitions", "2", "--config", "retention.ms=3600000")
            .output().contains("Created topic tools-t."));
        assertTrue(topics("--list").output().lines().anyMatch("tools-t"::equals));
        final String describe = topics("--describe", "--topic", "tools-t").output();
        assertTrue(describe.contains("PartitionCount: 2"), describe);
        assertTrue(describe.contains("retention.ms=3600000"), describe);
        assertTrue(describe.contains("Partition: 1"), describe);
        topics("--alter", "--topic", "tools-t", "--partitions", "3");
        try (Admin admin = admin()) {
            final Uuid firstId = admin.describeTopics(List.of("tools-t")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("tools-t").topicId();
            assertEquals(3, admin.describeTopics(List.of("tools-t")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("tools-t").partitions().size());
            topics("--delete", "--topic", "tools-t");
            assertFalse(topics("--list").output().lines().anyMatch("tools-t"::equals), "deleted topic listed");
            assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("tools-t"));
            topics("--create", "--topic", "tools-t", "--partitions", "1");
            final Uuid secondId = admin.describeTopics(List.of("tools-t")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("tools-t").topicId();
            assertNotEquals(firstId, secondId, "a recreated topic gets a new id");
        }
    }

    @Test
    void kafkaConsumerGroupsListDescribeResetAndGetOffsets() throws Exception {
        // Goal: kafka-consumer-groups lists and describes a group (offsets, log end, lag) and resets
        // its offsets (to earliest, to an offset); kafka-get-offsets prints latest and earliest.
        // Method: a consumer commits 30 of 30 records and leaves; then the tools in child JVMs.
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (KafkaProducer<byte[], byte[]> pr =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 30; i++) {
                pr.send(new ProducerRecord<>("tools-g", 0, null, ("r" + i).getBytes()));
            }
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, "tools-group",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of("tools-g"));
            int n = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (n < 30 && System.nanoTime() < deadline) {
                n += c.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(30, n);
            c.commitSync();
        }
        assertTrue(groups("--list").output().lines().anyMatch("tools-group"::equals));
        final String describe = groups("--describe", "--group", "tools-group").output();
        assertTrue(describe.contains("has no active members"), describe);
        assertTrue(Pattern.compile("tools-group\\s+tools-g\\s+0\\s+30\\s+30\\s+0").matcher(describe).find(), describe);
        final String reset = groups("--reset-offsets", "--group", "tools-group", "--topic", "tools-g", "--to-earliest",
            "--execute").output();
        assertTrue(Pattern.compile("tools-group\\s+tools-g\\s+0\\s+0").matcher(reset).find(), reset);
        final TopicPartition tp = new TopicPartition("tools-g", 0);
        try (Admin admin = admin()) {
            assertEquals(0L, admin.listConsumerGroupOffsets("tools-group").partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(tp).offset());
            groups("--reset-offsets", "--group", "tools-group", "--topic", "tools-g", "--to-offset", "7", "--execute");
            assertEquals(7L, admin.listConsumerGroupOffsets("tools-group").partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(tp).offset());
        }
        final String latest = tool("org.apache.kafka.tools.GetOffsetShell", "--bootstrap-server", broker.bootstrap(),
            "--topic", "tools-g").output();
        assertTrue(latest.lines().anyMatch("tools-g:0:30"::equals), latest);
        final String earliest = tool("org.apache.kafka.tools.GetOffsetShell", "--bootstrap-server", broker.bootstrap(),
            "--topic", "tools-g", "--time", "-2").output();
        assertTrue(earliest.lines().anyMatch("tools-g:0:0"::equals), earliest);
    }
}
