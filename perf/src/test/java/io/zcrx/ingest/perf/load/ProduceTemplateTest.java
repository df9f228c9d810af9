package io.zcrx.ingest.perf.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class ProduceTemplateTest {
    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    /** Parses a stamped frame with kafka-clients and checks every batch. */
    private static void assertFrame(ProduceTemplate t, short version, int correlationId, long producerId,
        int sequence) {
        final ByteBuffer frame = t.rewind().duplicate();
        assertEquals(t.frameLength() - 4, frame.getInt(0));
        frame.position(4);
        final RequestHeader header = RequestHeader.parse(frame);
        assertEquals(ApiKeys.PRODUCE, header.apiKey());
        assertEquals(version, header.apiVersion());
        assertEquals(correlationId, header.correlationId());
        final ProduceRequest request = ProduceRequest.parse(new ByteBufferAccessor(frame), version);
        assertEquals(-1, request.acks());
        int partitions = 0;
        for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
            if (version >= 13) {
                assertEquals(TOPIC_ID, topic.topicId());
            } else {
                assertEquals("perf", topic.name());
            }
            for (ProduceRequestData.PartitionProduceData p : topic.partitionData()) {
                int batches = 0;
                for (MutableRecordBatch b : ((MemoryRecords) p.records()).batches()) {
                    b.ensureValid();
                    assertEquals(producerId, b.producerId());
                    assertEquals(sequence, b.baseSequence());
                    assertEquals(t.recordsPerBatch(), b.countOrNull());
                    assertEquals(0L, b.baseOffset());
                    batches++;
                }
                assertEquals(1, batches);
                partitions++;
            }
        }
        assertEquals(t.partitions(), partitions);
    }

    @Test
    void stampedIdempotentFramesParseAndValidateAtEveryProduceVersion() {
        // Goal: the template is a valid Produce request at every version 3..13 after any number of
        // re-stamps. Method: build with kafka-clients, stamp correlation ids and sequences (wrapping
        // too), parse back with kafka-clients and ensureValid() every batch.
        for (short v = 3; v <= ApiKeys.PRODUCE.latestVersion(); v++) {
            final ProduceTemplate t = ProduceTemplate.build(v, "perf", TOPIC_ID, 3, (short) -1, 30_000, 77L, (short) 2,
                1024, 16_384, System.currentTimeMillis(), 1, "test");
            assertTrue(t.idempotent());
            int seq = 0;
            for (int i = 0; i < 5; i++) {
                t.stamp(100 + i, seq);
                assertFrame(t, v, 100 + i, 77L, seq);
                seq = ProduceTemplate.nextSequence(seq, t.recordsPerBatch());
            }
            t.stamp(9, Integer.MAX_VALUE - 2);
            assertFrame(t, v, 9, 77L, Integer.MAX_VALUE - 2);
        }
    }

    @Test
    void batchesFillBatchSizeLikeTheJavaProducer() {
        // Goal: records per batch is the most that fit in batch.size. Method: compare the encoded
        // batch length with the limit, and one more record with the limit.
        for (int recordBytes : new int[] {100, 1024, 10_000}) {
            final ProduceTemplate t = ProduceTemplate.build((short) 12, "perf", Uuid.ZERO_UUID, 1, (short) 1, 30_000,
                -1,
                (short) -1, recordBytes, 16_384, 0L, 1, "test");
            assertTrue(t.batchLength() <= 16_384, "recordBytes=" + recordBytes);
            final SimpleRecord[] more =
                new SimpleRecord[t.recordsPerBatch() + 1];
            Arrays.fill(more, new SimpleRecord(0L, null,
                new byte[recordBytes]));
            final int oneMore = MemoryRecords.withRecords(Compression.NONE,
                more).sizeInBytes();
            assertTrue(oneMore > 16_384, "recordBytes=" + recordBytes + ", oneMore=" + oneMore);
            assertEquals((long) t.recordsPerBatch() * recordBytes, t.payloadBytesPerRequest());
        }
    }

    @Test
    void plainProducerFramesCarryNoSequence() {
        // Goal: a non-idempotent template has producerId/sequence -1 and only its correlation id changes.
        // Method: stamp with an arbitrary sequence, parse back.
        final ProduceTemplate t = ProduceTemplate.build((short) 11, "perf", Uuid.ZERO_UUID, 2, (short) -1, 30_000, -1,
            (short) -1, 100, 16_384, 0L, 1, "test");
        t.stamp(5, 12345);
        assertFrame(t, (short) 11, 5, -1L, -1);
    }

    @Test
    void sequencesWrapFromMaxToZero() {
        // Goal: the sequence arithmetic matches Kafka's (wrap from Integer.MAX_VALUE to 0).
        assertEquals(10, ProduceTemplate.nextSequence(5, 5));
        assertEquals(0, ProduceTemplate.nextSequence(Integer.MAX_VALUE, 1));
        assertEquals(4, ProduceTemplate.nextSequence(Integer.MAX_VALUE - 5, 10));
    }
}
