package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.ChildJvm;
import io.zcrx.ingest.broker.testkit.RawClient;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;

/**
 * Protocol edges, bad input and the control plane against a real broker, transport-neutral:
 * requests built with kafka-clients (or raw bytes) over a plain socket, and the real AdminClient /
 * kafka-topics. Every bad input gets a Kafka error code or a clean close, and no receive chunk
 * leaks.
 */
public abstract class AbstractProtocolIT extends SharedBrokerSuite {

    @Override
    protected String[] brokerSettings() {
        return new String[] {"socket.request.max.bytes", "2000000",
            "message.max.bytes", "100000", "num.partitions", "2"};
    }

    /** Auto-creates a topic (num.partitions=2) through Metadata v12 and returns its id. */
    private Uuid createTopic(String name) throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            final MetadataResponse md = c.roundTrip(new MetadataRequest.Builder(new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(name)))
                .setAllowAutoTopicCreation(true)), (short) 12);
            assertEquals(Errors.NONE.code(), md.data().topics().iterator().next().errorCode());
            return md.data().topics().iterator().next().topicId();
        }
    }

    static ProduceRequest.Builder produce(String topic, Uuid id, int partition, short acks, MemoryRecords records) {
        final ProduceRequestData.TopicProduceDataCollection topics =
            new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(id)
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                .setRecords(records))));
        return ProduceRequest.builder(new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000).setTopicData(topics));
    }

    static ProduceResponseData.PartitionProduceResponse only(ProduceResponse r) {
        return r.data().responses().iterator().next().partitionResponses().get(0);
    }

    @Test
    void apiVersionsAtEveryVersionAndTheDowngradeReply() throws Exception {
        // Goal: every ApiVersions version a client may send is answered (header v0), and a version
        // newer than ours gets the exact KIP-511 downgrade bytes
        // (docs/kafka-protocol-notes.md#downgrade-reply-kip-511).
        try (RawClient c = new RawClient(broker.port())) {
            for (short v = 0; v <= 4; v++) {
                final ApiVersionsResponse r = c.roundTrip(new ApiVersionsRequest.Builder(v), v);
                assertEquals(Errors.NONE.code(), r.data().errorCode(), "v" + v);
                assertEquals(13, r.data().apiKeys().find(ApiKeys.PRODUCE.id).maxVersion(), "v" + v);
            }
            // ApiVersions v5 (kafka-clients 4.4): header v2, correlation id 99, a body we must not parse.
            final ByteBuffer req = ByteBuffer.allocate(64);
            req.putInt(0).putShort((short) 18).putShort((short) 5).putInt(99).putShort((short) 3).put("cli".getBytes())
                .put((byte) 0).put(new byte[] {1, 2, 3, 4, 5});
            req.putInt(0, req.position() - 4);
            c.sendRaw(Arrays.copyOf(req.array(), req.position()));
            final byte[] resp = c.readFrame();
            assertArrayEquals(new byte[] {0, 0, 0, 99, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4}, resp);
            // The connection stays usable at the version we advertise.
            final ApiVersionsResponse r4 = c.roundTrip(new ApiVersionsRequest.Builder((short) 4), (short) 4);
            assertEquals(Errors.NONE.code(), r4.data().errorCode());
        }
        try (RawClient c = new RawClient(broker.port())) {
            final ApiVersionsResponse bad = c.roundTrip(new ApiVersionsRequest.Builder(new ApiVersionsRequestData()
                .setClientSoftwareName("bad name!").setClientSoftwareVersion("1.0"), (short) 3, (short) 3), (short) 3);
            assertEquals(Errors.INVALID_REQUEST.code(), bad.data().errorCode());
        }
    }

    @Test
    void unknownApisAndUnsupportedVersionsCloseTheConnection() throws Exception {
        // Goal: requests we cannot parse are refused the way Kafka refuses them: the connection is
        // closed without a response (docs/kafka-protocol-notes.md#unknown-apis-and-versions).
        try (RawClient c = new RawClient(broker.port())) {
            final ByteBuffer b = ByteBuffer.allocate(14).putInt(10).putShort((short) 999).putShort((short) 0).putInt(7)
                .putShort((short) -1);
            c.sendRaw(b.array());
            assertTrue(c.closedByBroker());
        }
        try (RawClient c = new RawClient(broker.port())) {
            // Fetch is not implemented: not advertised, and a request for it closes the connection.
            final ByteBuffer b = ByteBuffer.allocate(14).putInt(10).putShort(ApiKeys.FETCH.id).putShort((short) 4)
                .putInt(7)
                .putShort((short) -1);
            c.sendRaw(b.array());
            assertTrue(c.closedByBroker());
        }
        final Uuid id = createTopic("old-produce");
        try (RawClient c = new RawClient(broker.port())) {
            final MemoryRecords recs = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()));
            c.send(produce("old-produce", id, 0, (short) 1, recs).build((short) 3), (short) 3);
            c.readFrame();
            // Produce v2 is advertised (librdkafka feature detection) but refused.
            final ByteBuffer b = ByteBuffer.allocate(14).putInt(10).putShort(ApiKeys.PRODUCE.id).putShort((short) 2)
                .putInt(7)
                .putShort((short) -1);
            c.sendRaw(b.array());
            assertTrue(c.closedByBroker());
        }
    }

    @Test
    void oversizedNegativeAndTruncatedFramesCloseAndReleaseEverything() throws Exception {
        // Goal: a size prefix above socket.request.max.bytes or below 0, or a peer that leaves in the
        // middle of a frame, closes the connection and releases every receive chunk it held.
        try (RawClient c = new RawClient(broker.port())) {
            c.sendRaw(ByteBuffer.allocate(4).putInt(3_000_000).array());
            assertTrue(c.closedByBroker());
        }
        try (RawClient c = new RawClient(broker.port())) {
            c.sendRaw(ByteBuffer.allocate(4).putInt(-5).array());
            assertTrue(c.closedByBroker());
        }
        try (RawClient c = new RawClient(broker.port())) {
            final byte[] half = new byte[500_000];
            ByteBuffer.wrap(half).putInt(1_000_000);
            c.sendRaw(half);
        }
        broker.awaitNoConnections();
    }

    @Test
    void badBatchesGetTheirKafkaErrorAndTheConnectionStaysOpen() throws Exception {
        // Goal: a corrupt CRC, an oversized batch, an unknown topic / id / partition and invalid acks
        // are answered with Kafka's error codes; the connection keeps working.
        final Uuid id = createTopic("bad-batches");
        try (RawClient c = new RawClient(broker.port())) {
            final MemoryRecords good = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("ok".getBytes()));
            final MemoryRecords corrupt = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes()));
            corrupt.buffer().put(corrupt.buffer().limit() - 1,
                (byte) (corrupt.buffer().get(corrupt.buffer().limit() - 1) ^ 1));
            ProduceResponse r = c.roundTrip(produce("bad-batches", id, 0, (short) 1, corrupt), (short) 9);
            assertEquals(Errors.CORRUPT_MESSAGE.code(), only(r).errorCode());
            assertEquals(-1L, only(r).baseOffset());

            final MemoryRecords big = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[150_000]));
            r = c.roundTrip(produce("bad-batches", id, 0, (short) -1, big), (short) 11);
            assertEquals(Errors.MESSAGE_TOO_LARGE.code(), only(r).errorCode());

            r = c.roundTrip(produce("no-such-topic", Uuid.ZERO_UUID, 0, (short) 1, good), (short) 12);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), only(r).errorCode());
            r = c.roundTrip(produce(null, Uuid.randomUuid(), 0, (short) 1, good), (short) 13);
            assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), only(r).errorCode());
            r = c.roundTrip(produce("bad-batches", id, 7, (short) 1, good), (short) 12);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), only(r).errorCode());
            r = c.roundTrip(produce("bad-batches", id, 0, (short) 2, good), (short) 12);
            assertEquals(Errors.INVALID_REQUIRED_ACKS.code(), only(r).errorCode());

            r = c.roundTrip(produce(null, id, 1, (short) 1, good), (short) 13);
            assertEquals(Errors.NONE.code(), only(r).errorCode());
            assertEquals(0L, only(r).baseOffset());
            r = c.roundTrip(produce("bad-batches", id, 1, (short) 1, good), (short) 3);
            assertEquals(Errors.NONE.code(), only(r).errorCode());
            assertEquals(1L, only(r).baseOffset());
        }
    }

    @Test
    void acksZeroFailureClosesTheConnectionWithoutAResponse() throws Exception {
        // Goal: acks=0 never gets a response; if its append fails the broker closes the connection
        // so the producer notices (docs/kafka-protocol-notes.md#requests-with-acks-0).
        final Uuid id = createTopic("acks0");
        try (RawClient c = new RawClient(broker.port())) {
            final MemoryRecords good = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("ok".getBytes()));
            c.send(produce("acks0", id, 0, (short) 0, good).build((short) 9), (short) 9);
            // No response to that one: the next response must be for the ApiVersions sent after it.
            final ApiVersionsResponse av = c.roundTrip(new ApiVersionsRequest.Builder((short) 3), (short) 3);
            assertEquals(Errors.NONE.code(), av.data().errorCode());
            final MemoryRecords corrupt = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes()));
            corrupt.buffer().put(corrupt.buffer().limit() - 1, (byte) 0x55);
            c.send(produce("acks0", id, 0, (short) 0, corrupt).build((short) 9), (short) 9);
            assertTrue(c.closedByBroker());
        }
    }

    @Test
    void idempotentRetriesGetTheirOriginalOffsetsAndGapsAreRefused() throws Exception {
        // Goal: the broker-side idempotence rules (docs/kafka-protocol-notes.md#idempotence) hold over the wire:
        // a retried batch returns its original offset and is not written twice; a sequence gap is
        // OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is INVALID_PRODUCER_EPOCH.
        final Uuid id = createTopic("idem");
        try (RawClient c = new RawClient(broker.port())) {
            final InitProducerIdResponse init =
                c.roundTrip(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null).setTransactionTimeoutMs(Integer.MAX_VALUE)), (short) 4);
            assertEquals(Errors.NONE.code(), init.data().errorCode());
            final long pid = init.data().producerId();
            final short epoch = init.data().producerEpoch();
            final MemoryRecords b0 = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, 0,
                new SimpleRecord("a".getBytes()), new SimpleRecord("b".getBytes()));
            final MemoryRecords b1 = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, 2,
                new SimpleRecord("c".getBytes()));
            assertEquals(0L, only(c.roundTrip(produce("idem", id, 0, (short) -1, b0), (short) 13)).baseOffset());
            assertEquals(2L, only(c.roundTrip(produce("idem", id, 0, (short) -1, b1), (short) 13)).baseOffset());
            b0.buffer().rewind();
            final ProduceResponse retry = c.roundTrip(produce("idem", id, 0, (short) -1, b0), (short) 13);
            assertEquals(Errors.NONE.code(), only(retry).errorCode());
            assertEquals(0L, only(retry).baseOffset());
            final MemoryRecords gap = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, 10,
                new SimpleRecord("g".getBytes()));
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(),
                only(c.roundTrip(produce("idem", id, 0, (short) -1, gap), (short) 13)).errorCode());
            final MemoryRecords bumped =
                MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) (epoch + 1), 0,
                new SimpleRecord("d".getBytes()));
            assertEquals(3L, only(c.roundTrip(produce("idem", id, 0, (short) -1, bumped), (short) 13)).baseOffset());
            final MemoryRecords stale = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, 3,
                new SimpleRecord("e".getBytes()));
            assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(),
                only(c.roundTrip(produce("idem", id, 0, (short) -1, stale), (short) 13)).errorCode());
            final InitProducerIdResponse again =
                c.roundTrip(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null).setTransactionTimeoutMs(Integer.MAX_VALUE)), (short) 4);
            assertNotEquals(pid, again.data().producerId(), "producer ids are never handed out twice");
            final InitProducerIdResponse txn =
                c.roundTrip(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId("txn-1").setTransactionTimeoutMs(60_000)), (short) 4);
            assertNotEquals(Errors.NONE.code(), txn.data().errorCode(), "transactional ids are refused");
        }
    }

    @Test
    void adminClientCreatesDescribesAndRefusesWhatASingleNodeCannotDo() throws Exception {
        // Goal: the AdminClient calls kafka-topics makes work: create (with configs, validate-only),
        // describe topics (ids, leader, ISR), describe configs (values and sources), describe
        // cluster; and the errors a single node must give.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("admin-t", 4, (short) 1)
                .configs(Map.of("retention.ms", "3600000"))))
                .all().get(30, TimeUnit.SECONDS);
            admin.createTopics(List.of(new NewTopic("validate-only", 2, (short) 1)),
                new CreateTopicsOptions().validateOnly(true))
                .all().get(30, TimeUnit.SECONDS);
            assertTrue(!admin.listTopics().names().get().contains("validate-only"));
            final TopicDescription d = admin.describeTopics(List.of("admin-t")).allTopicNames().get().get("admin-t");
            assertEquals(4, d.partitions().size());
            assertNotEquals(Uuid.ZERO_UUID, d.topicId());
            assertEquals(1, d.partitions().get(3).leader().id());
            assertEquals(1, d.partitions().get(3).isr().size());
            final Config cfg = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "admin-t")))
                .all().get().values().iterator().next();
            assertEquals("3600000", cfg.get("retention.ms").value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, cfg.get("retention.ms").source());
            assertEquals("delete", cfg.get("cleanup.policy").value());
            assertEquals(1, admin.describeCluster().nodes().get().size());
            assertEquals(1, admin.describeCluster().controller().get().id());

            ExecutionException e = assertThrows(ExecutionException.class, () ->
                admin.createTopics(List.of(new NewTopic("admin-t", 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicExistsException.class, e.getCause());
            e = assertThrows(ExecutionException.class, () ->
                admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(InvalidReplicationFactorException.class, e.getCause());
            e = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("compacted", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "shrink")))).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(InvalidConfigurationException.class, e.getCause());
        }
        final ChildJvm.Result res = ChildJvm.run(120, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server",
            broker.bootstrap(), "--describe", "--topic", "admin-t");
        assertEquals(0, res.exitCode(), res.output());
        assertTrue(res.output().contains("PartitionCount: 4"), res.output());
        assertTrue(res.output().contains("retention.ms=3600000"), res.output());
        assertTrue(res.output().contains("Leader: 1"), res.output());
    }
}
