package io.zcrx.ingest.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.frame.FrameAssembler;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import io.zcrx.ingest.protocol.produce.ProduceDecoder;
import io.zcrx.ingest.protocol.produce.ProduceRequestView;
import io.zcrx.ingest.protocol.produce.ProduceRequests;
import io.zcrx.ingest.protocol.produce.ProduceResponseEncoder;
import io.zcrx.ingest.protocol.produce.ProduceResults;
import io.zcrx.ingest.protocol.record.BatchValidationConfig;
import io.zcrx.ingest.protocol.record.BatchValidator;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProducePipelineTest {
    private static final long NOW = 1_700_000_000_000L;

    private final TestChunks chunks = new TestChunks();

    @AfterEach
    void noLeaks() {
        assertEquals(0, chunks.outstanding(), "chunks not given back");
    }

    // Goal: the pieces together give each partition of one request its own verdict, as Kafka's
    // handler does (one bad partition does not fail the others), and the response says so. Method:
    // two pipelined v6 requests in one stream (size prefixes), cut at random points; partitions
    // hold a good batch, zstd (not allowed before v7), null records, two batches, a corrupt CRC;
    // frames -> header -> decode -> validate -> encode -> kafka-clients parses the response.
    @Test
    void eachPartitionGetsItsOwnVerdict() {
        final short version = 6;
        final SimpleRecord[] records = ProduceRequests.records(new Random(3), 4, NOW);
        final byte[] good = ProduceRequests.bytes(ProduceRequests.batch(CompressionType.GZIP, records));
        final byte[] corrupt = good.clone();
        corrupt[corrupt.length - 1] ^= 0x10;
        final ByteBuffer two = ByteBuffer.allocate(2 * good.length).put(good).put(good).flip();

        final ProduceRequestData data = ProduceRequests.request(null, (short) 1, 1000);
        final ProduceRequestData.TopicProduceData a = ProduceRequests.addTopic(data, "a");
        ProduceRequests.addPartition(a, 0, MemoryRecords.readableRecords(ByteBuffer.wrap(good)));
        ProduceRequests.addPartition(a, 1, ProduceRequests.batch(CompressionType.ZSTD, records));
        ProduceRequests.addPartition(a, 2, null);
        final ProduceRequestData.TopicProduceData b = ProduceRequests.addTopic(data, "b");
        ProduceRequests.addPartition(b, 7, MemoryRecords.readableRecords(two));
        ProduceRequests.addPartition(b, 8, MemoryRecords.readableRecords(ByteBuffer.wrap(corrupt)));
        final short[] expected = {Errors.NONE.code(), Errors.UNSUPPORTED_COMPRESSION_TYPE.code(),
            Errors.INVALID_RECORD.code(), Errors.INVALID_RECORD.code(), Errors.CORRUPT_MESSAGE.code()};

        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(ProduceRequests.frameUnchecked(data, version, 1, "c", true));
        stream.writeBytes(ProduceRequests.frameUnchecked(data, version, 2, "c", true));
        final byte[] bytes = stream.toByteArray();

        final FrameAssembler assembler = new FrameAssembler(1 << 20);
        final List<Frame> frames = new ArrayList<>();
        final List<RxChunk> list = chunks.chunks(bytes, TestChunks.randomCuts(bytes.length, new Random(5), 25));
        for (RxChunk c : list) {
            assertEquals(FrameAssembler.OK, assembler.onChunk(c, frames::add));
        }
        TestChunks.releaseAll(list);
        assertEquals(2, frames.size());

        final SliceCursor cursor = new SliceCursor();
        final RequestHeaderView header = new RequestHeaderView();
        final ProduceRequestView view = new ProduceRequestView();
        final ProduceResults results = new ProduceResults();
        final BatchValidator validator = new BatchValidator(1 << 20);
        final ByteBuffer batchHeader = ByteBuffer.allocateDirect(64);
        final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
        int correlationId = 1;
        for (Frame frame : frames) {
            try {
                cursor.wrap(frame.body(), 0, frame.size());
                assertTrue(header.parse(cursor));
                assertEquals(correlationId, header.correlationId());
                new ProduceDecoder().decode(cursor, header.apiVersion(), view);
                results.reset(view.partitionCount());
                for (int slot = 0; slot < view.partitionCount(); slot++) {
                    final short code = validator.validate(frame.body(), view.recordsPosition(slot),
                        view.recordsLength(slot),
                        view.version(), new BatchValidationConfig(), NOW, batchHeader);
                    assertEquals(expected[slot], code, "slot " + slot + ": " + validator.errorMessage());
                    if (code == 0) {
                        results.setSuccess(slot, 100L, -1L, 0L);
                    } else {
                        results.setError(slot, code, validator.errorMessage(), validator.recordIndex());
                    }
                }
                final ByteBuffer out = ByteBuffer.allocate(encoder.encodedLength(view, results, frame.body()));
                encoder.encode(header.correlationId(), view, results, frame.body(), out);
                out.flip().position(4);
                assertEquals(correlationId, ResponseHeader.parse(out, ApiKeys.PRODUCE.responseHeaderVersion(version))
                    .correlationId());
                final Iterator<ProduceResponseData.TopicProduceResponse> topics =
                    ProduceResponse.parse(new ByteBufferAccessor(out), version).data().responses().iterator();
                int slot = 0;
                for (String name : new String[] {"a", "b"}) {
                    final ProduceResponseData.TopicProduceResponse t = topics.next();
                    assertEquals(name, t.name());
                    for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                        assertEquals(expected[slot], p.errorCode(), "response slot " + slot);
                        assertEquals(expected[slot] == 0 ? 100L : -1L, p.baseOffset(), "response slot " + slot);
                        slot++;
                    }
                }
                correlationId++;
            } finally {
                frame.close();
            }
        }
        assertEquals(0, assembler.openFrames());
        assembler.close();
    }
}
