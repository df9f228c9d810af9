package io.zcrx.ingest.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.zcrx.ingest.protocol.bytes.ChunkOwner;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.frame.FrameAssembler;
import io.zcrx.ingest.protocol.frame.FrameSink;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import io.zcrx.ingest.protocol.produce.ProduceDecoder;
import io.zcrx.ingest.protocol.produce.ProduceRequestView;
import io.zcrx.ingest.protocol.produce.ProduceRequests;
import io.zcrx.ingest.protocol.produce.ProduceResponseEncoder;
import io.zcrx.ingest.protocol.produce.ProduceResults;
import io.zcrx.ingest.protocol.record.BatchValidationConfig;
import io.zcrx.ingest.protocol.record.BatchValidator;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Random;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.CompressionType;
import org.junit.jupiter.api.Test;

class HotPathAllocationTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final int WARMUP = 3_000;
    private static final int MEASURED = 20_000;

    /** The transport side: one pooled chunk object per receive slot, a count of chunks given back. */
    private static final class Slots implements ChunkOwner {
        int outstanding;

        @Override
        public void onChunkReleased(RxChunk chunk) {
            outstanding--;
        }
    }

    private final Slots owner = new Slots();
    private final FrameAssembler assembler = new FrameAssembler(1 << 20);
    private final SliceCursor cursor = new SliceCursor();
    private final RequestHeaderView header = new RequestHeaderView();
    private final ProduceDecoder decoder = new ProduceDecoder();
    private final ProduceRequestView view = new ProduceRequestView();
    private final ProduceResults results = new ProduceResults();
    private final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
    private final BatchValidator validator = new BatchValidator(1 << 20);
    private final BatchValidationConfig config = new BatchValidationConfig();
    private final ByteBuffer batchHeader = ByteBuffer.allocateDirect(64);
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
    private int responses;
    private int failedRequests;
    // Kept in a field, as the broker does, so the sink is not a new object per chunk.
    private final FrameSink sink = this::onFrame;

    private void onFrame(Frame frame) {
        try {
            cursor.wrap(frame.body(), 0, frame.size());
            header.parse(cursor);
            decoder.decode(cursor, header.apiVersion(), view);
            results.reset(view.partitionCount());
            for (int slot = 0; slot < view.partitionCount(); slot++) {
                final short code = validator.validate(frame.body(), view.recordsPosition(slot),
                    view.recordsLength(slot),
                    view.version(), config, NOW, batchHeader);
                if (code == 0) {
                    results.setSuccess(slot, slot * 10L, -1L, 0L);
                } else {
                    results.setError(slot, code, validator.errorMessage(), validator.recordIndex());
                }
            }
            out.clear();
            encoder.encode(header.correlationId(), view, results, frame.body(), out);
            responses++;
            if (results.anyError() || out.position() == 0) {
                failedRequests++;
            }
        } finally {
            frame.close();
        }
    }

    // Goal: the receive-to-response path (framing, header, Produce decode, uncompressed batch checks,
    // response encode, release) allocates nothing per request once warm (docs/design.md, "Code rules").
    // Method: a real v9 request (3 topics x 2 partitions, idempotent batches) in three chunks that
    // are re-wrapped like pooled transport chunks; the thread's allocated-bytes counter
    // (com.sun.management.ThreadMXBean) must grow by less than one byte per request, which no
    // per-request object (16+ bytes) can satisfy.
    @Test
    void steadyStateAllocatesNothing() {
        final ThreadMXBean mx =
            (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count per-thread allocation");
        final ProduceRequestData data = ProduceRequests.randomRequest(new Random(7), 3, 2, 20, CompressionType.NONE,
            true, NOW);
        final byte[] frame = ProduceRequests.frame(data, (short) 9, 99, "perf", true);
        final ByteBuffer memory = ByteBuffer.allocateDirect(frame.length + 64);
        memory.put(16, frame);
        final int[] cuts = {0, 3, frame.length / 2, frame.length};
        final RxChunk[] chunks = {new RxChunk(), new RxChunk(), new RxChunk()};

        runRequests(memory, cuts, chunks, WARMUP);
        final long before = mx.getCurrentThreadAllocatedBytes();
        runRequests(memory, cuts, chunks, MEASURED);
        final long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertEquals(0, owner.outstanding, "chunks not given back");
        assertEquals(0, assembler.openFrames());
        assertEquals(WARMUP + MEASURED, responses);
        assertEquals(0, failedRequests, "every batch must pass: " + validator.errorMessage());
        assertTrue(allocated < MEASURED, "allocated " + allocated + " bytes over " + MEASURED + " requests");
    }

    private void runRequests(ByteBuffer memory, int[] cuts, RxChunk[] chunks, int requests) {
        for (int r = 0; r < requests; r++) {
            for (int c = 0; c < chunks.length; c++) {
                final RxChunk chunk = chunks[c].wrap(owner, memory, 0L, 16 + cuts[c], cuts[c + 1] - cuts[c], c);
                owner.outstanding++;
                if (assembler.onChunk(chunk, sink) != FrameAssembler.OK) {
                    throw new IllegalStateException("framing failed: " + assembler);
                }
                chunk.release();
            }
        }
    }
}
