package io.zcrx.ingest.broker.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.produce.ProduceDecoder;
import io.zcrx.ingest.protocol.produce.ProduceRequestView;
import io.zcrx.ingest.protocol.record.BatchValidationConfig;
import io.zcrx.ingest.protocol.record.BatchValidator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Fuzz target: {@link ProduceDecoder} and {@link BatchValidator} over a Produce body cut into chunks,
 * with kafka-clients as the oracle for every batch we would append. Input: version selector byte
 * (3 + b % 11), chunk length byte, body.
 */
class ProduceDecodeFuzzTest {
    private static final ThreadLocal<BatchValidator> VALIDATOR =
        ThreadLocal.withInitial(() -> new BatchValidator(1 << 20));

    @FuzzTest(maxDuration = "8s")
    void produce(byte[] input) {
        // Goal: decode and batch checks answer a ProtocolException or a Kafka error code, never throw
        // anything else, and every batch the validator accepts is one kafka-clients accepts too
        // (exactly one batch filling the region, CRC valid, every record readable): what we would
        // write is never invalid. Method: decode; validate each partition's records; re-check the
        // accepted ones with MemoryRecords.
        if (input.length < 2) {
            return;
        }
        final short version = (short) (3 + (input[0] & 0xFF) % 11);
        final int chunk = FuzzSeeds.chunkLength(input[1]);
        final byte[] body = Arrays.copyOfRange(input, 2, input.length);
        final TestChunks chunks = new TestChunks();
        final SliceList slices = chunks.slices(body, chunk == 0 ? new int[0]
            : FramingFuzzTest.cutsEvery(body.length, chunk));
        try {
            final ProduceRequestView view = new ProduceRequestView();
            final ProduceDecoder decoder = new ProduceDecoder();
            decoder.limits(64, 256);
            try {
                decoder.decode(new SliceCursor().wrap(slices, 0, body.length), version, view);
            } catch (ProtocolException e) {
                return;
            }
            final BatchValidationConfig config = new BatchValidationConfig();
            final ByteBuffer header = ByteBuffer.allocateDirect(61).order(ByteOrder.BIG_ENDIAN);
            for (int slot = 0; slot < view.partitionCount(); slot++) {
                final int position = view.recordsPosition(slot);
                final int length = view.recordsLength(slot);
                if (length < 0) {
                    continue;
                }
                final short code = VALIDATOR.get().validate(slices, position, length, version, config,
                    1_700_000_000_000L, header);
                if (code == 0) {
                    checkWithKafkaClients(body, position, length);
                }
            }
        } finally {
            slices.releaseAll();
        }
        if (chunks.outstanding() != 0) {
            throw new AssertionError("chunks leaked: outstanding=" + chunks.outstanding());
        }
    }

    private static void checkWithKafkaClients(byte[] body, int position, int length) {
        final ByteBuffer region = ByteBuffer.wrap(body, position, length).slice();
        int batches = 0;
        try {
            for (MutableRecordBatch b : MemoryRecords.readableRecords(region).batches()) {
                b.ensureValid();
                if (b.sizeInBytes() != length) {
                    throw new AssertionError("accepted batch does not fill its region: size=" + b.sizeInBytes()
                        + ", length=" + length);
                }
                int records = 0;
                for (Record r : b) {
                    r.ensureValid();
                    records++;
                }
                if (b.countOrNull() != null && records != b.countOrNull()) {
                    throw new AssertionError("record count mismatch: header=" + b.countOrNull() + ", read=" + records);
                }
                batches++;
            }
        } catch (RuntimeException e) {
            throw new AssertionError("the validator accepted a batch kafka-clients rejects: " + e, e);
        }
        if (batches != 1) {
            throw new AssertionError("accepted region holds " + batches + " batches");
        }
    }
}
