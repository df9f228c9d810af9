package io.zcrx.ingest.perf.load;

import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One Produce request frame, encoded once by kafka-clients' own classes and re-sent many times: only
 * the correlation id and, for an idempotent producer, each batch's baseSequence and CRC change
 * between sends ({@link #stamp}). The frame carries one batch per partition of the topic, like the
 * Java producer's request to a single broker; every batch has the same records, so they share one
 * {@link SequenceCrcPatch}.
 *
 * <pre>
 *   frame:  INT32 size | request header (correlation id at byte 8) | Produce body
 *                                     ... | batch for partition 0 | ... | batch for partition P-1 |
 *   batch:  the 61-byte v2 header (baseSequence at 53, CRC at 17) + records of null key and a
 *           random value of recordBytes each, as many as fit in batchBytesMax (like batch.size)
 * </pre>
 *
 * <p>The frame lives in a direct buffer (a heap buffer would be copied into a temporary direct one
 * by every socket write). Owned by one firehose connection; not thread-safe.
 */
public final class ProduceTemplate {
    /** Byte offset of the correlation id: size prefix (4), api key (2), api version (2). */
    static final int CORRELATION_ID_OFFSET = 8;

    private final ByteBuffer frame;
    private final int frameLength;
    private final int[] batchStarts;
    private final int batchLength;
    private final int recordsPerBatch;
    private final int recordBytes;
    private final short version;
    private final boolean idempotent;
    private final SequenceCrcPatch patch;

    private ProduceTemplate(ByteBuffer frame, int[] batchStarts, int batchLength, int recordsPerBatch, int recordBytes,
                            short version, boolean idempotent) {
        this.frame = frame;
        this.frameLength = frame.limit();
        this.batchStarts = batchStarts;
        this.batchLength = batchLength;
        this.recordsPerBatch = recordsPerBatch;
        this.recordBytes = recordBytes;
        this.version = version;
        this.idempotent = idempotent;
        this.patch = idempotent ? new SequenceCrcPatch(frame, batchStarts[0], batchLength) : null;
    }

    /**
     * Encodes the request.
     *
     * @param topic        topic name (versions 3..12)
     * @param topicId      topic id (version 13; may be {@link Uuid#ZERO_UUID} below 13)
     * @param producerId   -1 for a plain producer, else the id InitProducerId returned
     * @param seed         for the record values (random bytes, as kafka-producer-perf-test sends)
     */
    public static ProduceTemplate build(short version, String topic, Uuid topicId, int partitions, short acks,
                                        int timeoutMs, long producerId, short producerEpoch, int recordBytes,
                                        int batchBytesMax, long timestampMs, long seed, String clientId) {
        if (version < 3 || version > ApiKeys.PRODUCE.latestVersion()) {
            throw new IllegalArgumentException("unsupported Produce version: version=" + version);
        }
        final int smallestBatch = RecordBatchLayout.RECORD_BATCH_OVERHEAD + recordBytes;
        if (partitions < 1 || recordBytes < 1 || batchBytesMax < smallestBatch) {
            throw new IllegalArgumentException("template shape: partitions=" + partitions + ", recordBytes="
                + recordBytes + ", batchBytesMax=" + batchBytesMax);
        }
        final boolean idempotent = producerId >= 0;
        final byte[] value = new byte[recordBytes];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < recordBytes; i++) {
            // Upper-case letters, as kafka-producer-perf-test's generateRandomPayload does.
            value[i] = (byte) ('A' + random.nextInt(26));
        }
        final int count = recordsFitting(batchBytesMax, recordBytes, timestampMs, value, idempotent, producerId,
            producerEpoch);
        final MemoryRecords batch = batch(count, timestampMs, value, idempotent, producerId, producerEpoch);

        final List<ProduceRequestData.PartitionProduceData> partitionData = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            partitionData.add(new ProduceRequestData.PartitionProduceData().setIndex(p)
                .setRecords(MemoryRecords.readableRecords(batch.buffer().duplicate())));
        }
        final var topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(topicId)
            .setPartitionData(partitionData));
        final ProduceRequestData data = new ProduceRequestData().setTransactionalId(null).setAcks(acks)
            .setTimeoutMs(timeoutMs).setTopicData(topics);
        final ByteBuffer encoded = ProduceRequest.builder(data).build(version)
            .serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, version, clientId, 0));

        final int[] starts = batchStarts(encoded, version, partitions, batch.sizeInBytes());
        final ByteBuffer frame = ByteBuffer.allocateDirect(4 + encoded.remaining()).order(ByteOrder.BIG_ENDIAN);
        frame.putInt(encoded.remaining());
        frame.put(encoded.duplicate());
        frame.flip();
        for (int i = 0; i < partitions; i++) {
            starts[i] += 4;
            // The positions come from kafka-clients' own parse; check they point at our batch.
            if (!frame.slice(starts[i], batch.sizeInBytes()).equals(batch.buffer().duplicate())) {
                throw new IllegalStateException("batch not found where the parse put it: partition=" + i
                    + ", start=" + starts[i]);
            }
        }
        return new ProduceTemplate(frame, starts, batch.sizeInBytes(), count, recordBytes, version, idempotent);
    }

    private static MemoryRecords batch(int count, long timestampMs, byte[] value, boolean idempotent, long producerId,
                                       short producerEpoch) {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(timestampMs, null, value);
        }
        return idempotent
            ? MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, producerEpoch, 0, records)
            : MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** The most records of this size whose batch fits in {@code batchBytesMax} (at least one). */
    static int recordsFitting(int batchBytesMax, int recordBytes, long timestampMs, byte[] value, boolean idempotent,
                              long producerId, short producerEpoch) {
        int n = Math.max(1, (batchBytesMax - RecordBatchLayout.RECORD_BATCH_OVERHEAD) / (recordBytes + 8));
        while (n > 1 && batch(n, timestampMs, value, idempotent, producerId, producerEpoch).sizeInBytes()
                > batchBytesMax) {
            n--;
        }
        while (batch(n + 1, timestampMs, value, idempotent, producerId, producerEpoch).sizeInBytes() <= batchBytesMax) {
            n++;
        }
        return n;
    }

    /**
     * Positions (in {@code encoded}, header included, size prefix not) of each partition's batch,
     * found by parsing the request back with kafka-clients: its records are slices of the parsed
     * buffer, so their array offsets are the positions.
     */
    private static int[] batchStarts(ByteBuffer encoded, short version, int partitions, int batchLength) {
        if (!encoded.hasArray() || encoded.arrayOffset() != 0 || encoded.position() != 0) {
            throw new IllegalStateException("serializeWithHeader returned an unexpected buffer: " + encoded);
        }
        final ByteBuffer b = encoded.duplicate();
        RequestHeader.parse(b);
        final ProduceRequest parsed = ProduceRequest.parse(new ByteBufferAccessor(b), version);
        final int[] starts = new int[partitions];
        int seen = 0;
        for (ProduceRequestData.TopicProduceData t : parsed.data().topicData()) {
            for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                final BaseRecords r = p.records();
                final ByteBuffer rb = ((MemoryRecords) r).buffer();
                if (rb.remaining() != batchLength || rb.array() != encoded.array()) {
                    throw new IllegalStateException("records not a slice of the request: partition=" + p.index()
                        + ", length=" + rb.remaining());
                }
                starts[p.index()] = rb.arrayOffset() + rb.position();
                seen++;
            }
        }
        if (seen != partitions) {
            throw new IllegalStateException("parsed partitions: expected=" + partitions + ", actual=" + seen);
        }
        return starts;
    }

    /** Sets the correlation id and, if idempotent, every batch's baseSequence (CRC patched to match). */
    public void stamp(int correlationId, int baseSequence) {
        frame.putInt(CORRELATION_ID_OFFSET, correlationId);
        if (idempotent) {
            final int crc = patch.crcFor(baseSequence);
            for (int start : batchStarts) {
                frame.putInt(start + RecordBatchLayout.BASE_SEQUENCE_OFFSET, baseSequence);
                frame.putInt(start + RecordBatchLayout.CRC_OFFSET, crc);
            }
        }
    }

    /** The frame, positioned at 0 and limited to its length: ready for a socket write. */
    public ByteBuffer rewind() {
        frame.limit(frameLength).position(0);
        return frame;
    }

    /** The frame buffer without touching its position (for the writer to continue a partial write). */
    public ByteBuffer frame() {
        return frame;
    }

    public int frameLength() {
        return frameLength;
    }

    public int partitions() {
        return batchStarts.length;
    }

    public int batchStart(int partition) {
        return batchStarts[partition];
    }

    public int batchLength() {
        return batchLength;
    }

    public int recordsPerBatch() {
        return recordsPerBatch;
    }

    public int recordsPerRequest() {
        return recordsPerBatch * batchStarts.length;
    }

    /** Record value bytes per request: what kafka-producer-perf-test counts as MB. */
    public long payloadBytesPerRequest() {
        return (long) recordsPerRequest() * recordBytes;
    }

    public short version() {
        return version;
    }

    public boolean idempotent() {
        return idempotent;
    }

    /**
     * The sequence after a batch that starts at {@code sequence}: sequences wrap from
     * Integer.MAX_VALUE to 0 (docs/kafka-protocol-notes.md#record-batch-v2).
     */
    public static int nextSequence(int sequence, int count) {
        final long next = (long) sequence + count;
        return (int) (next > Integer.MAX_VALUE ? next - Integer.MAX_VALUE - 1 : next);
    }
}
