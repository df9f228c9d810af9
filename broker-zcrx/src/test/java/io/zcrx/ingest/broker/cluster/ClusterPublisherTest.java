package io.zcrx.ingest.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.security.ScramCredentials;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.checkpoint.MetaPropertiesFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.metadata.ConfigRecord;
import org.apache.kafka.common.metadata.FeatureLevelRecord;
import org.apache.kafka.common.metadata.PartitionRecord;
import org.apache.kafka.common.metadata.RegisterBrokerRecord;
import org.apache.kafka.common.metadata.RegisterBrokerRecord.BrokerEndpoint;
import org.apache.kafka.common.metadata.RegisterBrokerRecord.BrokerEndpointCollection;
import org.apache.kafka.common.metadata.RemoveUserScramCredentialRecord;
import org.apache.kafka.common.metadata.TopicRecord;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.metadata.UserScramCredentialRecord;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.image.MetadataDelta;
import org.apache.kafka.image.MetadataImage;
import org.apache.kafka.image.MetadataProvenance;
import org.apache.kafka.image.loader.SnapshotManifest;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our metadata publisher fed with Kafka's own images and deltas (built by replaying records, as the
 * loader does): an update that was not fully applied is not fatal, is counted, and the next update
 * applies the whole image, so what the failure skipped is not lost until a restart.
 */
class ClusterPublisherTest {
    private static final int SELF = 1;

    @TempDir
    Path dir;
    private LogManager logs;
    private MetricsRegistry metrics;
    private TopicRegistry topics;
    private ClusterPublisher publisher;
    private final List<String> fatal = new ArrayList<>();
    private BrokerConfig config;
    private final ScramCredentials scram = new ScramCredentials();
    private ClusterState cluster;

    @BeforeEach
    void open() throws Exception {
        config = new BrokerConfig(Map.of("process.roles", "broker", "node.id",
            Integer.toString(SELF), "controller.quorum.bootstrap.servers", "127.0.0.1:9093",
            "controller.listener.names", "CONTROLLER",
            "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT", "log.dirs", dir.toString()));
        new MetaPropertiesFile("Qk3b0aX2R0qfY3u3B0m2mA", SELF, MetaPropertiesFile.newDirectoryId()).write(dir);
        logs = LogManager.open(config.logDirs(), SELF, TopicConfigs.logConfig(config, Map.of()), 86_400_000L,
            LogManager.DEFAULT_OPEN_SEGMENTS_MAX, System::currentTimeMillis, true);
        metrics = new MetricsRegistry(1, false);
        topics = new TopicRegistry(config, logs, metrics);
        cluster = ClusterState.clusterMember(new BrokerNode(SELF, "localhost", 9092, null));
        publisher = new ClusterPublisher(SELF, "PLAINTEXT", cluster, topics, scram, fatal::add);
    }

    @AfterEach
    void close() throws Exception {
        logs.close();
        metrics.close();
    }

    private static void topic(MetadataDelta delta, String name, Uuid id) {
        delta.replay(new TopicRecord().setName(name).setTopicId(id));
        delta.replay(new PartitionRecord().setTopicId(id).setPartitionId(0).setReplicas(List.of(SELF))
            .setIsr(List.of(SELF)).setLeader(SELF).setLeaderEpoch(0).setPartitionEpoch(0));
    }

    private MetadataImage publish(MetadataDelta delta, long offset) {
        final MetadataProvenance provenance = new MetadataProvenance(offset, 1, 0L, true);
        final MetadataImage image = delta.apply(provenance);
        publisher.onMetadataUpdate(delta, image, new SnapshotManifest(provenance, 0L));
        return image;
    }

    // Goal: a partition whose log could not be created (a file is in the way) is counted as an apply
    // error; once the obstacle is gone, the next update, although it only creates another topic,
    // applies the whole image and the partition is led. Without the resync it stays unled for ever.
    @Test
    void anUpdateNotFullyAppliedIsRetriedWithTheWholeImage() throws Exception {
        final MetadataDelta first = new MetadataDelta.Builder().setImage(MetadataImage.EMPTY).build();
        first.replay(new FeatureLevelRecord().setName(MetadataVersion.FEATURE_NAME)
            .setFeatureLevel(MetadataVersion.LATEST_PRODUCTION.featureLevel()));
        topic(first, "t", Uuid.randomUuid());
        final Path obstacle = Files.writeString(dir.resolve("t-0"), "not a directory");
        final MetadataImage image = publish(first, 10);
        assertNull(topics.get("t").partition(0), "its log could not be created");
        assertEquals(1, publisher.applyErrorCount());
        assertEquals(10, publisher.publishedOffset(), "published anyway: the broker goes on");

        Files.delete(obstacle);
        final MetadataDelta second = new MetadataDelta.Builder().setImage(image).build();
        topic(second, "u", Uuid.randomUuid());
        publish(second, 11);
        assertNotNull(topics.get("u").partition(0));
        assertNotNull(topics.get("t").partition(0), "retried with the whole image");
        assertEquals(1, publisher.applyErrorCount());
        assertEquals(2, publisher.leading());
        assertEquals(List.of(), fatal, "never fatal");
    }

    private static void brokerConfig(MetadataDelta delta, String broker, String key, String value) {
        delta.replay(new ConfigRecord().setResourceType(ConfigResource.Type.BROKER.id()).setResourceName(broker)
            .setName(key).setValue(value));
    }

    // Goal: the dynamic broker configs of the metadata log (cluster default "" and this node's id) become the
    // broker's layers, reach the topics' logs through the listeners, and leave again when deleted; another
    // broker's layer, a key not dynamic here and a value not valid are ignored, never fatal. Without the
    // publishing step the layers stay empty and the topic keeps the static retention.
    @Test
    void brokerConfigsOfTheMetadataLogApplyLive() throws Exception {
        final DynamicBrokerConfig dynamic = DynamicBrokerConfig.none(config);
        dynamic.addListener(topics::applyBrokerConfig);
        publisher.brokerConfigs(dynamic);
        final MetadataDelta first = new MetadataDelta.Builder().setImage(MetadataImage.EMPTY).build();
        first.replay(new FeatureLevelRecord().setName(MetadataVersion.FEATURE_NAME)
            .setFeatureLevel(MetadataVersion.LATEST_PRODUCTION.featureLevel()));
        topic(first, "t", Uuid.randomUuid());
        brokerConfig(first, "", "log.retention.ms", "3600000");
        brokerConfig(first, "", "num.network.threads", "5");
        brokerConfig(first, "", "log.segment.bytes", "not-a-number");
        brokerConfig(first, Integer.toString(SELF), "log.retention.bytes", "1048576");
        brokerConfig(first, "2", "log.retention.ms", "1");
        final MetadataImage image = publish(first, 10);
        assertEquals(Map.of("log.retention.ms", "3600000"), dynamic.layer(true));
        assertEquals(Map.of("log.retention.bytes", "1048576"), dynamic.layer(false));
        assertEquals(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, dynamic.source("log.retention.ms"));
        assertEquals(ConfigSource.DYNAMIC_BROKER_CONFIG, dynamic.source("log.retention.bytes"));
        assertEquals(3_600_000L, topics.get("t").partition(0).config().retentionMs);
        assertEquals(1_048_576L, topics.get("t").partition(0).config().retentionBytes);

        final MetadataDelta second = new MetadataDelta.Builder().setImage(image).build();
        brokerConfig(second, "", "log.retention.ms", null);
        publish(second, 11);
        assertEquals(Map.of(), dynamic.layer(true));
        assertEquals(ConfigSource.DEFAULT_CONFIG, dynamic.source("log.retention.ms"));
        assertEquals(TopicConfigs.logConfig(config, Map.of()).retentionMs,
            topics.get("t").partition(0).config().retentionMs);
        assertEquals(0, publisher.applyErrorCount());
        assertEquals(List.of(), fatal, "never fatal");
    }

    private static MetadataDelta firstDelta() {
        final MetadataDelta d = new MetadataDelta.Builder().setImage(MetadataImage.EMPTY).build();
        d.replay(new FeatureLevelRecord().setName(MetadataVersion.FEATURE_NAME)
            .setFeatureLevel(MetadataVersion.LATEST_PRODUCTION.featureLevel()));
        return d;
    }

    /** An unfenced broker registration with these listeners, each NAME=port on 10.0.0.<id>. */
    private static void broker(MetadataDelta d, int id, Map<String, Integer> listeners) {
        final BrokerEndpointCollection endpoints = new BrokerEndpointCollection();
        listeners.forEach((name, port) -> endpoints.add(new BrokerEndpoint().setName(name).setHost("10.0.0." + id)
            .setPort(port).setSecurityProtocol(name.startsWith("SASL") ? SecurityProtocol.SASL_PLAINTEXT.id
                : SecurityProtocol.PLAINTEXT.id)));
        d.replay(new RegisterBrokerRecord().setBrokerId(id).setBrokerEpoch(100 + id).setIncarnationId(Uuid.randomUuid())
            .setEndPoints(endpoints).setFenced(false).setLogDirs(List.of(Uuid.randomUuid())));
    }

    // Goal: every broker's endpoints are kept by listener name; a client of a listener is told only the brokers
    // that have it (broker 3 has no SASL listener), each on that listener's port; replicas use the inter-broker
    // listener. Without per-listener endpoints a SASL client would be sent to the PLAINTEXT ports.
    @Test
    void endpointsAreKeptByListener() {
        final MetadataDelta d = firstDelta();
        broker(d, SELF, Map.of("PLAINTEXT", 9092, "SASL_PLAINTEXT", 9093));
        broker(d, 2, Map.of("PLAINTEXT", 9192, "SASL_PLAINTEXT", 9193));
        broker(d, 3, Map.of("PLAINTEXT", 9292));
        publish(d, 5);
        final ClusterView view = cluster.view();
        assertEquals(List.of(9092, 9192, 9292), view.aliveBrokers().stream().map(BrokerNode::port).toList(),
            "the inter-broker listener (PLAINTEXT)");
        assertEquals(List.of(9093, 9193), view.aliveBrokers("SASL_PLAINTEXT").stream().map(BrokerNode::port)
            .toList());
        assertEquals(9193, view.broker(2, "SASL_PLAINTEXT").port());
        assertEquals("10.0.0.2", view.broker(2, "SASL_PLAINTEXT").host());
        assertNull(view.broker(3, "SASL_PLAINTEXT"), "broker 3 has no such listener");
        assertEquals(9292, view.broker(3, "PLAINTEXT").port());
        assertEquals(9292, view.broker(3).port());
        assertEquals(List.of(), view.aliveBrokers("OTHER"), "a listener nobody registered");
    }

    // Goal: SCRAM credentials come from the metadata log, as Kafka's ScramPublisher applies them: the first
    // image's, then each delta's additions and removals. Without it no SCRAM user can log in in cluster mode.
    @Test
    void scramCredentialsComeFromTheMetadataLog() {
        final MetadataDelta d = firstDelta();
        d.replay(scramRecord("alice", ScramMechanism.SCRAM_SHA_512));
        final MetadataImage image = publish(d, 5);
        final ScramCredential alice = scram.get("alice", ScramMechanism.SCRAM_SHA_512);
        assertNotNull(alice);
        assertEquals(8192, alice.iterations());
        assertNull(scram.get("alice", ScramMechanism.SCRAM_SHA_256));

        final MetadataDelta second = new MetadataDelta.Builder().setImage(image).build();
        second.replay(scramRecord("bob", ScramMechanism.SCRAM_SHA_256));
        second.replay(new RemoveUserScramCredentialRecord().setName("alice")
            // fully qualified: the record names the admin API's mechanism type, the cache the internal one
            .setMechanism(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512.type()));
        publish(second, 6);
        assertNull(scram.get("alice", ScramMechanism.SCRAM_SHA_512), "removed by the controller");
        assertNotNull(scram.get("bob", ScramMechanism.SCRAM_SHA_256));
        assertEquals(List.of("bob"), List.copyOf(scram.all().keySet()));
    }

    private static UserScramCredentialRecord scramRecord(String user, ScramMechanism mechanism) {
        // fully qualified: the record names the admin API's mechanism type, the cache the internal one
        final byte type = org.apache.kafka.clients.admin.ScramMechanism.fromMechanismName(mechanism.mechanismName())
            .type();
        return new UserScramCredentialRecord().setName(user).setMechanism(type).setSalt(new byte[] {1, 2, 3})
            .setStoredKey(new byte[] {4, 5, 6}).setServerKey(new byte[] {7, 8, 9}).setIterations(8192);
    }
}
