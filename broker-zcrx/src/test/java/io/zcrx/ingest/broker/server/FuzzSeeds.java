package io.zcrx.ingest.broker.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Seed corpora for the fuzz targets, every byte made by kafka-clients 4.3.1 (requests as the Java
 * clients send them), and the input formats the targets share. {@link #main} writes them under
 * {@code src/test/resources/io/zcrx/ingest/broker/server/<Target>Inputs/<method>/seed-*}, where
 * Jazzer finds them (regression mode runs each one; fuzzing mode starts from them).
 */
public final class FuzzSeeds {
    /** The topic the seeds produce to; the harness creates it (two partitions). */
    static final String TOPIC = "fuzz";
    /** Control-plane APIs the control-plane target picks from with its first input byte. */
    static final ApiKeys[] CONTROL_APIS = {
        ApiKeys.METADATA, ApiKeys.INIT_PRODUCER_ID, ApiKeys.CREATE_TOPICS, ApiKeys.DESCRIBE_CONFIGS,
        ApiKeys.DESCRIBE_CLUSTER, ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.OFFSET_FOR_LEADER_EPOCH,
        ApiKeys.DELETE_TOPICS, ApiKeys.CREATE_PARTITIONS, ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP,
        ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH,
        ApiKeys.OFFSET_DELETE, ApiKeys.DESCRIBE_GROUPS, ApiKeys.LIST_GROUPS, ApiKeys.DELETE_GROUPS,
        ApiKeys.API_VERSIONS,
    };

    private FuzzSeeds() {
    }

    /** Chunk length from one input byte: 0 = whole input in one chunk, else 1..255 bytes. */
    static int chunkLength(byte b) {
        return b & 0xFF;
    }

    /** A size-prefixed request frame. */
    static byte[] frame(ByteBuffer headerAndBody) {
        final byte[] f = new byte[4 + headerAndBody.remaining()];
        ByteBuffer.wrap(f).putInt(headerAndBody.remaining()).put(headerAndBody);
        return f;
    }

    /** Request header bytes for {@code api} at {@code version} (header v1 or v2), client id "fuzz". */
    static byte[] header(ApiKeys api, short version, int correlationId) {
        final RequestHeader h = new RequestHeader(api, version, "fuzz", correlationId);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final short hv = api.requestHeaderVersion(version);
        final int size = h.data().size(cache, hv);
        final ByteBuffer b = ByteBuffer.allocate(size);
        h.data().write(new ByteBufferAccessor(b), cache, hv);
        return b.array();
    }

    /** The body of {@code data} serialised at {@code version}. */
    static byte[] body(ApiMessage data, short version) {
        final ByteBuffer b = MessageUtil.toByteBufferAccessor(data, version).buffer();
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static MemoryRecords records(int n, boolean idempotent, Compression compression, int sequence) {
        final SimpleRecord[] recs = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            recs[i] = new SimpleRecord(1_700_000_000_000L + i, ("k" + i).getBytes(), ("value-" + i).getBytes());
        }
        return idempotent ? MemoryRecords.withIdempotentRecords(compression, 1000L, (short) 0, sequence, recs)
            : MemoryRecords.withRecords(compression, recs);
    }

    static ProduceRequestData produceData(Uuid topicId, short acks, MemoryRecords... perPartition) {
        final ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(TOPIC)
            .setTopicId(topicId);
        for (int p = 0; p < perPartition.length; p++) {
            t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p)
                .setRecords(perPartition[p]));
        }
        final ProduceRequestData d = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
        d.topicData().add(t);
        return d;
    }

    static byte[] produceFrame(Uuid topicId, short version, short acks, int correlationId, MemoryRecords... recs) {
        final ProduceRequest r = new ProduceRequest.Builder(version, version, produceData(topicId, acks, recs))
            .build(version);
        return frame(r.serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, version, "fuzz", correlationId)));
    }

    /** One valid request body per control-plane API (at a version our table accepts), keyed "api-vN". */
    static Map<String, byte[]> controlInputs(Uuid topicId) {
        final Map<String, byte[]> out = new LinkedHashMap<>();
        final Object[][] cases = {
            {ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName(TOPIC).setTopicId(topicId)))},
            {ApiKeys.METADATA, (short) 4, new MetadataRequestData().setTopics(null)},
            {ApiKeys.INIT_PRODUCER_ID, (short) 4, new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(60_000)},
            {ApiKeys.CREATE_TOPICS, (short) 7, new CreateTopicsRequestData().setTimeoutMs(1000).setTopics(
                new CreateTopicsRequestData.CreatableTopicCollection(
                    List.of(new CreateTopicsRequestData.CreatableTopic()
                    .setName("created").setNumPartitions(1).setReplicationFactor((short) 1)
                    .setConfigs(new CreateTopicsRequestData.CreatableTopicConfigCollection(List.of(
                        new CreateTopicsRequestData.CreatableTopicConfig().setName("flush.messages").setValue("2"))
                        .iterator()))).iterator()))},
            {ApiKeys.DESCRIBE_CONFIGS, (short) 4, new DescribeConfigsRequestData().setResources(List.of(
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                    .setResourceName(TOPIC).setConfigurationKeys(null)))},
            {ApiKeys.DESCRIBE_CLUSTER, (short) 1, new DescribeClusterRequestData()},
            {ApiKeys.FETCH, (short) 13, new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(TOPIC).setTopicId(topicId)
                    .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 16)))))},
            {ApiKeys.FETCH, (short) 4, new FetchRequestData().setMaxWaitMs(5).setMinBytes(1).setMaxBytes(1 << 20)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(TOPIC)
                    .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 16)))))},
            {ApiKeys.LIST_OFFSETS, (short) 7, new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                    new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1),
                    new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(1).setTimestamp(0)))))},
            {ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, new OffsetForLeaderEpochRequestData().setTopics(
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection(List.of(
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC).setPartitions(List.of(
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                            .setLeaderEpoch(0)))).iterator()))},
            {ApiKeys.DELETE_TOPICS, (short) 6, new DeleteTopicsRequestData().setTimeoutMs(1000).setTopics(List.of(
                new DeleteTopicsRequestData.DeleteTopicState().setName("created")))},
            {ApiKeys.CREATE_PARTITIONS, (short) 3, new CreatePartitionsRequestData().setTimeoutMs(1000).setTopics(
                new CreatePartitionsRequestData.CreatePartitionsTopicCollection(List.of(
                    new CreatePartitionsRequestData.CreatePartitionsTopic().setName("created").setCount(2)
                        .setAssignments(null)).iterator()))},
            {ApiKeys.FIND_COORDINATOR, (short) 4, new FindCoordinatorRequestData().setKeyType((byte) 0)
                .setCoordinatorKeys(List.of("g"))},
            {ApiKeys.JOIN_GROUP, (short) 9, new JoinGroupRequestData().setGroupId("g").setSessionTimeoutMs(6000)
                .setRebalanceTimeoutMs(1000).setMemberId("").setProtocolType("consumer").setProtocols(
                    new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                        new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                            .setMetadata(new byte[] {0, 1})).iterator()))},
            {ApiKeys.SYNC_GROUP, (short) 5, new SyncGroupRequestData().setGroupId("g").setGenerationId(1)
                .setMemberId("m").setProtocolType("consumer").setProtocolName("range")},
            {ApiKeys.HEARTBEAT, (short) 4, new HeartbeatRequestData().setGroupId("g").setGenerationId(1)
                .setMemberId("m")},
            {ApiKeys.LEAVE_GROUP, (short) 5, new LeaveGroupRequestData().setGroupId("g").setMembers(List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId("m")))},
            {ApiKeys.OFFSET_COMMIT, (short) 8,
                new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(-1)
                .setMemberId("").setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC)
                    .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0).setCommittedOffset(1).setCommittedMetadata("m")))))},
            {ApiKeys.OFFSET_FETCH, (short) 8, new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g").setTopics(null)))},
            {ApiKeys.OFFSET_DELETE, (short) 0, new OffsetDeleteRequestData().setGroupId("g").setTopics(
                new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection(List.of(
                    new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC).setPartitions(List.of(
                        new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))))
                            .iterator()))},
            {ApiKeys.DESCRIBE_GROUPS, (short) 5, new DescribeGroupsRequestData().setGroups(List.of("g"))},
            {ApiKeys.LIST_GROUPS, (short) 4, new ListGroupsRequestData()},
            {ApiKeys.DELETE_GROUPS, (short) 2, new DeleteGroupsRequestData().setGroupsNames(List.of("g"))},
            {ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequest.Builder((short) 3).build((short) 3).data()},
        };
        for (Object[] c : cases) {
            final ApiKeys api = (ApiKeys) c[0];
            final short version = (Short) c[1];
            int index = -1;
            for (int i = 0; i < CONTROL_APIS.length; i++) {
                if (CONTROL_APIS[i] == api) {
                    index = i;
                }
            }
            final byte[] body = body((ApiMessage) c[2], version);
            final byte[] input = new byte[3 + body.length];
            input[0] = (byte) index;
            input[1] = (byte) version;
            input[2] = (byte) (out.size() % 3 == 0 ? 0 : out.size() % 3 == 1 ? 7 : 64);
            System.arraycopy(body, 0, input, 3, body.length);
            out.put(api.name.replace(' ', '_') + "-v" + version, input);
        }
        return out;
    }

    /** Whole connection streams: a client's first requests, then produce (several codecs) and reads. */
    static Map<String, byte[]> streamInputs(Uuid topicId) throws IOException {
        final Map<String, byte[]> out = new LinkedHashMap<>();
        int corr = 1;
        final ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.write(frame(new ApiVersionsRequest.Builder((short) 3).build((short) 3)
            .serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "fuzz", corr++))));
        for (Map.Entry<String, byte[]> e : controlInputs(topicId).entrySet()) {
            final byte[] in = e.getValue();
            final ApiKeys api = CONTROL_APIS[in[0]];
            if (api == ApiKeys.METADATA || api == ApiKeys.INIT_PRODUCER_ID || api == ApiKeys.FETCH) {
                final byte[] h = header(api, in[1], corr++);
                final ByteBuffer b = ByteBuffer.allocate(h.length + in.length - 3).put(h).put(in, 3, in.length - 3);
                b.flip();
                s.write(frame(b));
            }
        }
        s.write(produceFrame(topicId, (short) 9, (short) -1, corr++, records(3, true, Compression.NONE, 0),
            records(2, false, Compression.NONE, 0)));
        final byte[] base = s.toByteArray();
        out.put("handshake-produce-whole", prefixed((byte) 0, base));
        out.put("handshake-produce-7", prefixed((byte) 7, base));
        for (short v = 3; v <= 13; v += 5) {
            final byte[] p = produceFrame(topicId, v, (short) 1, 9, records(4, v > 3, Compression.gzip().build(), 3),
                records(1, false, v >= 8 ? Compression.lz4().build() : Compression.NONE, 0));
            out.put("produce-v" + v + "-chunks-13", prefixed((byte) 13, p));
        }
        out.put("produce-acks0", prefixed((byte) 0, produceFrame(topicId, (short) 11, (short) 0, 3,
            records(2, false, Compression.zstd().build(), 0))));
        return out;
    }

    /** Produce bodies (no header) for the decode target: input = version byte, chunk byte, body. */
    static Map<String, byte[]> produceBodyInputs(Uuid topicId) {
        final Map<String, byte[]> out = new LinkedHashMap<>();
        for (short v = 3; v <= 13; v++) {
            final ProduceRequest r = new ProduceRequest.Builder(v, v, produceData(topicId, (short) -1,
                records(3, true, v % 2 == 0 ? Compression.NONE : Compression.snappy().build(), 0),
                records(2, false, Compression.NONE, 0))).build(v);
            final byte[] b = body(r.data(), v);
            final byte[] in = new byte[2 + b.length];
            in[0] = (byte) (v - 3);
            in[1] = (byte) (v * 5);
            System.arraycopy(b, 0, in, 2, b.length);
            out.put("produce-v" + v, in);
        }
        return out;
    }

    /** Whole frames without size prefix for the header target: input = chunk byte, header + body. */
    static Map<String, byte[]> headerInputs(Uuid topicId) {
        final Map<String, byte[]> out = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, byte[]> e : controlInputs(topicId).entrySet()) {
            final byte[] in = e.getValue();
            final byte[] h = header(CONTROL_APIS[in[0]], in[1], 1000 + i);
            final byte[] x = new byte[1 + h.length + in.length - 3];
            x[0] = (byte) (i++ % 5);
            System.arraycopy(h, 0, x, 1, h.length);
            System.arraycopy(in, 3, x, 1 + h.length, in.length - 3);
            out.put(e.getKey(), x);
        }
        return out;
    }

    private static byte[] prefixed(byte first, byte[] rest) {
        final byte[] out = new byte[1 + rest.length];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Writes every corpus into the test resources (run from the broker-zcrx module directory). */
    public static void main(String[] args) throws IOException {
        final Uuid topicId = Uuid.fromString(args.length > 0 ? args[0] : "AAAAAAAAAAAAAAAAAAAAAA");
        final Path root = Paths.get("src/test/resources/io/zcrx/ingest/broker/server");
        write(root.resolve("BrokerStreamFuzzTestInputs/stream"), streamInputs(topicId));
        write(root.resolve("ControlPlaneFuzzTestInputs/request"), controlInputs(topicId));
        write(root.resolve("RequestHeaderFuzzTestInputs/header"), headerInputs(topicId));
        write(root.resolve("ProduceDecodeFuzzTestInputs/produce"), produceBodyInputs(topicId));
        final Map<String, byte[]> framing = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : streamInputs(topicId).entrySet()) {
            framing.put(e.getKey(), e.getValue());
        }
        write(root.resolve("FramingFuzzTestInputs/frames"), framing);
    }

    private static void write(Path dir, Map<String, byte[]> inputs) throws IOException {
        Files.createDirectories(dir);
        final List<String> names = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : inputs.entrySet()) {
            Files.write(dir.resolve("seed-" + e.getKey()), e.getValue());
            names.add(e.getKey());
        }
        System.out.println(dir + ": " + names);
    }
}
