package io.zcrx.ingest.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    private static Map<String, String> props(String... kv) {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String errorOf(String... kv) {
        return assertThrows(ConfigException.class, () -> new BrokerConfig(props(kv))).getMessage();
    }

    @Test
    void embeddedDefaultsAreTheDocumentedOnes() {
        // Goal: with no settings at all the broker runs on 127.0.0.1:9092, log dir under the working
        // directory, transport auto, Kafka's defaults for the Kafka-named settings.
        final BrokerConfig c = new BrokerConfig(props());
        assertEquals("127.0.0.1", c.listenAddress().getHostString());
        assertEquals(9092, c.listenAddress().getPort());
        assertEquals("127.0.0.1", c.advertisedHost());
        assertEquals(List.of(Paths.get("data/kafka-logs").toAbsolutePath().normalize()), c.logDirs());
        assertEquals("auto", c.transport());
        assertEquals(1048588, c.messageMaxBytes());
        assertEquals(32 * 1024 * 1024, c.socketRequestMaxBytes());
        assertEquals(168L * 3600_000, c.logRetentionMs());
        assertEquals(168L * 3600_000, c.logRollMs());
        assertEquals(1, c.numPartitions());
        assertTrue(c.autoCreateTopics());
        assertEquals(1000, c.getInt(BrokerConfig.LOG_OPEN_SEGMENTS_MAX));
    }

    @Test
    void thePrometheusEndpointIsOffUnlessAHostAndPortAreGiven() {
        // Goal: no second port unless asked for; host:port (IPv6 in brackets, port 0 = free port)
        // accepted, anything else refused with the key named.
        assertEquals(null, new BrokerConfig(props()).prometheusListener());
        assertEquals(null, new BrokerConfig(props(BrokerConfig.METRICS_PROMETHEUS_LISTENER, " ")).prometheusListener());
        final var a = new BrokerConfig(props(BrokerConfig.METRICS_PROMETHEUS_LISTENER, "127.0.0.1:9404"))
            .prometheusListener();
        assertEquals("127.0.0.1", a.getHostString());
        assertEquals(9404, a.getPort());
        assertEquals(0, new BrokerConfig(props(BrokerConfig.METRICS_PROMETHEUS_LISTENER, "[::1]:0"))
            .prometheusListener().getPort());
        for (String bad : List.of("9404", ":9404", "http://127.0.0.1:9404", "127.0.0.1:9404/metrics", "::1:9404",
                "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:x")) {
            assertTrue(errorOf(BrokerConfig.METRICS_PROMETHEUS_LISTENER, bad)
                .contains(BrokerConfig.METRICS_PROMETHEUS_LISTENER), bad);
        }
    }

    @Test
    void everyBadValueIsNamedWithItsKey() {
        // Goal: a bad value stops start-up with a message naming the key and the value.
        String m = errorOf("num.partitions", "0");
        assertTrue(m.contains("num.partitions") && m.contains("0"), m);
        m = errorOf("log.segment.bytes", "abc");
        assertTrue(m.contains("log.segment.bytes") && m.contains("abc"), m);
        m = errorOf("transport", "dpdk");
        assertTrue(m.contains("transport") && m.contains("dpdk"), m);
        m = errorOf("listeners", "SSL://127.0.0.1:9093");
        assertTrue(m.contains("listeners") && m.contains("SSL://127.0.0.1:9093"), m);
        m = errorOf("listeners", "PLAINTEXT://127.0.0.1:70000");
        assertTrue(m.contains("listeners") && m.contains("70000"), m);
        m = errorOf("uring.buffer.count", "1000");
        assertTrue(m.contains("uring.buffer.count") && m.contains("power of two"), m);
        m = errorOf("zcrx.area.bytes", "1000000");
        assertTrue(m.contains("zcrx.area.bytes") && m.contains("4096"), m);
        m = errorOf("log.cleanup.policy", "shrink");
        assertTrue(m.contains("log.cleanup.policy") && m.contains("shrink"), m);
        m = errorOf("log.cleaner.dedupe.buffer.size", "1000");
        assertTrue(m.contains("log.cleaner.dedupe.buffer.size") && m.contains("1 MiB per cleaner thread"), m);
        m = errorOf("log.cleaner.min.cleanable.ratio", "1.5");
        assertTrue(m.contains("log.cleaner.min.cleanable.ratio") && m.contains("1.5"), m);
        m = errorOf("zcrx.rx.queues", "1,x");
        assertTrue(m.contains("zcrx.rx.queues") && m.contains("x"), m);
        m = errorOf("log.open.segments.max", "0");
        assertTrue(m.contains("log.open.segments.max") && m.contains("0"), m);
        m = errorOf("log.open.segments.max", "2000000");
        assertTrue(m.contains("log.open.segments.max") && m.contains("2000000"), m);
    }

    @Test
    void crossFieldRules() {
        // Goal: combinations that cannot work are refused up front, naming what is wrong.
        String m = errorOf("message.max.bytes", "2000000", "socket.request.max.bytes", "1000000");
        assertTrue(m.contains("message.max.bytes") && m.contains("socket.request.max.bytes"), m);
        m = errorOf("socket.request.max.bytes", "40000000");
        assertTrue(m.contains("socket.request.max.bytes") && m.contains("40000000") && m.contains("nio.buffer.count"),
            m);
        m = errorOf("transport", "uring", "uring.buffer.count", "512");
        assertTrue(m.contains("socket.request.max.bytes") && m.contains("uring.buffer.count"), m);
        new BrokerConfig(props("transport", "nio", "uring.buffer.count", "512"));
        new BrokerConfig(props("socket.request.max.bytes", "100000000", "nio.buffer.count", "4096",
            "uring.buffer.count",
            "8192"));
        m = errorOf("transport", "zcrx");
        assertTrue(m.contains("zcrx.interface"), m);
        m = errorOf("zcrx.interface", "eth0");
        assertTrue(m.contains("zcrx.rx.queues"), m);
        m = errorOf("listeners", "PLAINTEXT://0.0.0.0:9092");
        assertTrue(m.contains("advertised.listeners"), m);
        final BrokerConfig ok = new BrokerConfig(props("listeners", "PLAINTEXT://0.0.0.0:9092",
            "advertised.listeners", "PLAINTEXT://broker1:19092"));
        assertEquals("broker1", ok.advertisedHost());
        assertEquals(19092, ok.advertisedPort());
    }

    @Test
    void retentionAndRollUnitsFollowKafkasPrecedence() {
        // Goal: .ms beats .minutes beats .hours, as in Kafka.
        assertEquals(5000L, new BrokerConfig(props("log.retention.ms", "5000", "log.retention.hours", "1"))
            .logRetentionMs());
        assertEquals(120_000L,
            new BrokerConfig(props("log.retention.minutes", "2", "log.retention.hours", "1")).logRetentionMs());
        assertEquals(-1L, new BrokerConfig(props("log.retention.hours", "-1")).logRetentionMs());
        assertEquals(7_000L, new BrokerConfig(props("log.roll.ms", "7000")).logRollMs());
    }

    @Test
    void unknownKeysAreReportedNotFatal() {
        // Goal: a Kafka server.properties with settings we do not implement still starts; the keys are listed.
        final BrokerConfig c = new BrokerConfig(props("zookeeper.connect", "x:2181", "num.io.threads", "8",
            "node.id", "3", "num.partitions", "2"));
        assertEquals(Set.of("zookeeper.connect", "num.io.threads"), c.unknownKeys());
    }

    @Test
    void topicOverridesAreValidatedAndDefaultsFollowTheBroker() {
        // Goal: CreateTopics configs are checked with the key and value named; unset ones follow the broker.
        final BrokerConfig b = new BrokerConfig(props("log.segment.bytes", "2097152"));
        final Map<String, TopicConfigs.Entry> eff =
            TopicConfigs.effective(b, TopicConfigs.validate(Map.of("retention.ms", "1000")));
        assertEquals("2097152", eff.get("segment.bytes").value());
        assertEquals(TopicConfigs.Source.STATIC_BROKER_CONFIG, eff.get("segment.bytes").source());
        assertEquals("1000", eff.get("retention.ms").value());
        assertEquals(TopicConfigs.Source.TOPIC_CONFIG, eff.get("retention.ms").source());
        assertEquals(TopicConfigs.Source.DEFAULT_CONFIG, eff.get("max.message.bytes").source());
        assertEquals("compact,delete", TopicConfigs.validate(Map.of("cleanup.policy", "compact, delete"))
            .get("cleanup.policy"));
        assertTrue(TopicConfigs.logConfig(b, Map.of("cleanup.policy", "compact")).compact);
        assertFalse(TopicConfigs.logConfig(b, Map.of("cleanup.policy", "compact")).delete);
        assertTrue(TopicConfigs.validationConfig(b, Map.of("cleanup.policy", "compact,delete")).compacted);
        String m = assertThrows(ConfigException.class, () -> TopicConfigs.validate(Map.of("cleanup.policy", "shrink")))
            .getMessage();
        assertTrue(m.contains("cleanup.policy") && m.contains("shrink"), m);
        m = assertThrows(ConfigException.class, () -> TopicConfigs.validate(Map.of("min.cleanable.dirty.ratio", "2")))
            .getMessage();
        assertTrue(m.contains("min.cleanable.dirty.ratio"), m);
        m = assertThrows(ConfigException.class, () -> TopicConfigs.validate(Map.of("remote.storage.enable", "true")))
            .getMessage();
        assertTrue(m.contains("remote.storage.enable"), m);
        m = assertThrows(ConfigException.class, () -> TopicConfigs.validate(Map.of("segment.bytes", "12")))
            .getMessage();
        assertTrue(m.contains("segment.bytes") && m.contains("12"), m);
        assertEquals(2097152, TopicConfigs.logConfig(b, Map.of()).segmentBytes);
        assertTrue(TopicConfigs.validationConfig(b, Map.of("message.timestamp.type", "LogAppendTime")).logAppendTime);
    }

    @Test
    void groupAndFetchSettingsHaveKafkaDefaultsAndAreValidated() {
        // Goal: the consumer-side settings carry Kafka's names and defaults, and contradictory or
        // out-of-range values stop the broker with the key and value named.
        final BrokerConfig c = new BrokerConfig(Map.of());
        assertEquals(3000, c.getInt(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS));
        assertEquals(6000, c.getInt(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS));
        assertEquals(1_800_000, c.getInt(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS));
        assertEquals(10080, c.getInt(BrokerConfig.OFFSETS_RETENTION_MINUTES));
        assertEquals(55 * 1024 * 1024, c.getInt(BrokerConfig.FETCH_MAX_BYTES));
        final ConfigException e = assertThrows(ConfigException.class, () -> new BrokerConfig(Map.of(
            BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS, "60000", BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS, "10000")));
        assertTrue(e.getMessage().contains("group.min.session.timeout.ms") && e.getMessage().contains("60000"),
            e.getMessage());
        final ConfigException neg = assertThrows(ConfigException.class,
            () -> new BrokerConfig(Map.of(BrokerConfig.OFFSETS_RETENTION_MINUTES, "0")));
        assertTrue(neg.getMessage().contains("offsets.retention.minutes"), neg.getMessage());
    }
}
