package io.zcrx.ingest.protocol.produce;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Test fixture (published in this module's test-jar): Produce request frames and record batches
 * built with kafka-clients 4.3.1, so tests decode exactly the bytes a Java producer sends.
 *
 * <pre>
 *   frame(...):  [INT32 size (optional)] request header v1/v2 | ProduceRequest body at the version
 * </pre>
 *
 * {@link #frame} goes through kafka-clients' {@code ProduceRequest.Builder} like a producer;
 * {@link #frameUnchecked} skips the builder's record checks for negative tests. Topic names and
 * ids are both set, so one {@link ProduceRequestData} serialises at every version
 * (v13 writes the id, v3..v12 the name). Not thread-safe.
 */
public final class ProduceRequests {
    public static final short OLDEST = ApiKeys.PRODUCE.oldestVersion();
    public static final short LATEST = ApiKeys.PRODUCE.latestVersion();
    public static final String CLIENT_ID = "producer-1";

    private ProduceRequests() {
    }

    /**
     * Request header + body at {@code version}, with the 4-byte size prefix when asked, built the
     * way the Java producer builds it ({@code ProduceRequest.Builder.build}, which also runs
     * {@code ProduceRequest.validateRecords} on every partition).
     */
    public static byte[] frame(ProduceRequestData data, short version, int correlationId, String clientId,
                               boolean sizePrefix) {
        return serialize(new ProduceRequest.Builder(OLDEST, LATEST, data).build(version), correlationId, clientId,
            sizePrefix);
    }

    /**
     * As {@link #frame(ProduceRequestData, short, int, String, boolean)} but without the builder's
     * record checks, for requests a real producer would refuse to send (zstd below v7, several
     * batches in one partition, a batch with magic 1).
     */
    public static byte[] frameUnchecked(ProduceRequestData data, short version, int correlationId, String clientId,
                                        boolean sizePrefix) {
        return serialize(new ProduceRequest(data, version), correlationId, clientId, sizePrefix);
    }

    private static byte[] serialize(ProduceRequest request, int correlationId, String clientId, boolean sizePrefix) {
        final short version = request.version();
        final ByteBuffer body = request.serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, version, clientId,
            correlationId));
        final int n = body.remaining();
        final ByteBuffer out = ByteBuffer.allocate(n + (sizePrefix ? 4 : 0));
        if (sizePrefix) {
            out.putInt(n);
        }
        out.put(body);
        return out.array();
    }

    /** The frame without size prefix, correlation id 7, client id {@link #CLIENT_ID}. */
    public static byte[] frame(ProduceRequestData data, short version) {
        return frame(data, version, 7, CLIENT_ID, false);
    }

    /** kafka-clients' own parse of a frame without size prefix: the oracle for our decoder. */
    public static ProduceRequestData parse(byte[] frameWithoutPrefix) {
        final ByteBuffer buffer = ByteBuffer.wrap(frameWithoutPrefix);
        final RequestHeader header = RequestHeader.parse(buffer);
        return new ProduceRequestData(new ByteBufferAccessor(buffer), header.apiVersion());
    }

    /** Starts a request. */
    public static ProduceRequestData request(String transactionalId, short acks, int timeoutMs) {
        return new ProduceRequestData()
            .setTransactionalId(transactionalId)
            .setAcks(acks)
            .setTimeoutMs(timeoutMs)
            .setTopicData(new ProduceRequestData.TopicProduceDataCollection());
    }

    /** Adds a topic (name for v3..v12, a stable id derived from the name for v13). */
    public static ProduceRequestData.TopicProduceData addTopic(ProduceRequestData data, String name) {
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
            .setName(name)
            .setTopicId(topicId(name));
        data.topicData().add(topic);
        return topic;
    }

    /** Adds a partition; {@code records} may be null. */
    public static void addPartition(ProduceRequestData.TopicProduceData topic, int index, MemoryRecords records) {
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(index).setRecords(records));
    }

    /** A deterministic non-zero topic id for a name. */
    public static Uuid topicId(String name) {
        final long h = name.hashCode();
        return new Uuid(0x5EED000000000000L | (h & 0xFFFFFFFFL), ~h * 0x9E3779B97F4A7C15L | 1L);
    }

    /** One batch, plain producer (producerId -1). */
    public static MemoryRecords batch(CompressionType codec, SimpleRecord... records) {
        return MemoryRecords.withRecords(Compression.of(codec).build(), records);
    }

    /** One batch from an idempotent producer. */
    public static MemoryRecords idempotentBatch(CompressionType codec, long producerId, short epoch, int baseSequence,
                                                SimpleRecord... records) {
        return MemoryRecords.withIdempotentRecords(Compression.of(codec).build(), producerId, epoch, baseSequence,
            records);
    }

    /**
     * {@code count} records with timestamps around {@code baseTimestampMs}: keys (some null),
     * values (some null, some larger), and headers (some with null values).
     */
    public static SimpleRecord[] records(Random random, int count, long baseTimestampMs) {
        final SimpleRecord[] out = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            final byte[] key = random.nextInt(4) == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
            final byte[] value;
            final int kind = random.nextInt(8);
            if (kind == 0) {
                value = null;
            } else {
                value = new byte[kind == 1 ? 200 + random.nextInt(400) : random.nextInt(40)];
                random.nextBytes(value);
            }
            final int headerCount = random.nextInt(3);
            final Header[] headers = new Header[headerCount];
            for (int h = 0; h < headerCount; h++) {
                final byte[] hv = random.nextBoolean() ? null : ("v" + h).getBytes(StandardCharsets.UTF_8);
                headers[h] = new RecordHeader("h" + h, hv);
            }
            out[i] = new SimpleRecord(baseTimestampMs + random.nextInt(1000), key, value, headers);
        }
        return out;
    }

    /**
     * A typical request: {@code topics} topics with {@code partitions} partitions each, every
     * partition one batch of 1..{@code recordsMax} random records with the given codec; idempotent
     * producers get increasing sequences per partition.
     */
    public static ProduceRequestData randomRequest(Random random, int topics, int partitions, int recordsMax,
                                                   CompressionType codec, boolean idempotent, long nowMs) {
        final ProduceRequestData data = request(null, (short) (random.nextBoolean() ? -1 : 1), 30_000);
        for (int t = 0; t < topics; t++) {
            final ProduceRequestData.TopicProduceData topic = addTopic(data, "topic-" + t + "-" + random.nextInt(1000));
            for (int p = 0; p < partitions; p++) {
                final SimpleRecord[] records = records(random, 1 + random.nextInt(recordsMax), nowMs);
                final MemoryRecords batch = idempotent
                    ? idempotentBatch(codec, 4242L, (short) 3, random.nextInt(1000), records)
                    : batch(codec, records);
                addPartition(topic, p, batch);
            }
        }
        return data;
    }

    /** The bytes of a batch (one MemoryRecords) as an array. */
    public static byte[] bytes(MemoryRecords records) {
        final ByteBuffer b = records.buffer().duplicate();
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Every Produce version kafka-clients 4.3.1 speaks, oldest first (3..13). */
    public static List<Short> versions() {
        final List<Short> out = new ArrayList<>();
        for (short v = OLDEST; v <= LATEST; v++) {
            out.add(v);
        }
        return out;
    }
}
