package io.zcrx.ingest.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.group.OffsetsTopicStore;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.ProducerIdManager;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FindCoordinator in cluster mode against a real topic registry: the coordinator of a group is the
 * leader of its {@code __consumer_offsets} partition as the cluster view knows it; a missing topic
 * is created through the controller channel with Kafka's settings. The controller is a channel that
 * records the request and answers when the test says so (the real one is the KRaft core's).
 */
class FindCoordinatorHandlerTest {
    @TempDir
    Path tmp;
    LogManager logs;
    MetricsRegistry metrics;
    TopicRegistry topics;
    BrokerContext ctx;
    ClusterState cluster;
    final List<CreateTopicsRequestData> sent = new ArrayList<>();
    final List<CompletableFuture<AbstractResponse>> answers = new ArrayList<>();
    FindCoordinatorHandler handler;

    @BeforeEach
    void setUp() throws Exception {
        final BrokerConfig config = new BrokerConfig(Map.of(BrokerConfig.LOG_DIRS, tmp.toString(),
            BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "5", BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR, "1"));
        logs = LogManager.open(List.of(tmp), config.nodeId(), LogConfig.builder().build(), 86_400_000L,
            System::currentTimeMillis);
        metrics = new MetricsRegistry(2, false);
        topics = new TopicRegistry(config, logs, metrics);
        ctx = new BrokerContext(config, logs, topics, new ProducerIdManager(tmp, -1L), System::currentTimeMillis,
            metrics);
        cluster = ClusterState.clusterMember(new BrokerNode(1, "127.0.0.1", 9092, null));
        ctx.attachCluster(cluster, this::recordCreation);
        handler = new FindCoordinatorHandler(ctx);
    }

    private CompletableFuture<AbstractResponse> recordCreation(
            AbstractRequest.Builder<? extends AbstractRequest> request) {
        sent.add(((CreateTopicsRequest.Builder) request).build().data());
        final CompletableFuture<AbstractResponse> f = new CompletableFuture<>();
        answers.add(f);
        return f;
    }

    @AfterEach
    void tearDown() throws Exception {
        logs.close();
        metrics.close();
    }

    FindCoordinatorResponseData.Coordinator find(String key) {
        final FindCoordinatorResponseData r = handler.handle(new FindCoordinatorRequestData()
            .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of(key)), (short) 4);
        return r.coordinators().get(0);
    }

    @Test
    void aMissingOffsetsTopicIsCreatedThroughTheControllerOnce() {
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), find("g").errorCode());
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), find("g").errorCode());
        assertEquals(1, sent.size(), "one creation in flight at a time");
        final CreatableTopic t = sent.get(0).topics().find(Topic.GROUP_METADATA_TOPIC_NAME);
        assertNotNull(t);
        assertEquals(5, t.numPartitions());
        assertEquals(1, t.replicationFactor());
        assertEquals("compact", t.configs().find("cleanup.policy").value());
        assertEquals("producer", t.configs().find("compression.type").value());
        assertEquals("104857600", t.configs().find("segment.bytes").value());
        final CreateTopicsResponseData refused = new CreateTopicsResponseData();
        refused.topics().add(new CreatableTopicResult().setName(Topic.GROUP_METADATA_TOPIC_NAME)
            .setErrorCode(Errors.INVALID_REPLICATION_FACTOR.code()));
        answers.get(0).complete(new CreateTopicsResponse(refused));
        // Refused (too few brokers, as Kafka's controller does): the next lookup asks again.
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), find("g").errorCode());
        assertEquals(2, sent.size());
    }

    @Test
    void theCoordinatorIsTheLiveLeaderOfTheGroupsPartition() {
        topics.create(Topic.GROUP_METADATA_TOPIC_NAME, 5, Map.of(), false);
        // Leader of every partition here: broker 1, not yet in the view (not alive).
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), find("g").errorCode());
        cluster.publish(new ClusterView(1, Map.of(1, new BrokerNode(1, "10.0.0.1", 19092, null),
            2, new BrokerNode(2, "10.0.0.2", 29092, null)), 1, true));
        final FindCoordinatorResponseData.Coordinator c = find("g");
        assertEquals(Errors.NONE.code(), c.errorCode());
        assertEquals(1, c.nodeId());
        assertEquals("10.0.0.1", c.host());
        assertEquals(19092, c.port());
        assertNull(c.errorMessage());
        assertEquals(0, sent.size());
        assertEquals(Utils.abs("g".hashCode()) % 5, OffsetsTopicStore.partitionFor("g", 5));
        // v0-v3: one key, the same answer in the top-level fields.
        final FindCoordinatorResponseData v3 = handler.handle(new FindCoordinatorRequestData().setKey("g")
            .setKeyType(CoordinatorType.GROUP.id()), (short) 3);
        assertEquals(19092, v3.port());
    }
}
