package io.zcrx.ingest.perf.micro;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.log.AppendBatch;
import io.zcrx.ingest.perf.load.ProduceTemplate;
import io.zcrx.ingest.protocol.bytes.ChunkOwner;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.kafka.common.Uuid;

/**
 * A Produce request frame (one partition, one batch of about 16 KB) laid out in native memory as
 * receive chunks, the way a transport hands it up: the batch is cut into {@code slices} equal
 * pieces, each in its own chunk; the size prefix and request header ride in the first chunk.
 *
 * <pre>
 *   arena:  | chunk 0: size, header, body start, batch piece 0 | gap | chunk 1: piece 1 | gap | ...
 * </pre>
 * The gaps (64 bytes) keep neighbouring chunks from looking contiguous, as two receive buffers
 * would be. The frame is encoded by kafka-clients (through {@link ProduceTemplate}), so every byte
 * is one a real producer sends.
 *
 * <p>This object is the chunks' {@link ChunkOwner}; it counts chunks given back so a benchmark can
 * check it leaks nothing. Benchmark-thread confined.
 */
final class SlicedFrame implements ChunkOwner {
    static final int GAP = 64;

    final ProduceTemplate template;
    final int frameLength;
    /** Position of the batch in the frame body (after the 4-byte size prefix). */
    final int batchPosition;
    final int batchLength;
    final short version;
    private final ByteBuffer arena;
    private final long address;
    private final int[] chunkIndexes;
    private final int[] chunkLengths;
    private final RxChunk[] chunks;
    private long released;

    SlicedFrame(int recordBytes, int slices, short version) {
        if (slices < 1) {
            throw new IllegalArgumentException("slices must be >= 1: slices=" + slices);
        }
        this.version = version;
        template = ProduceTemplate.build(version, "bench", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"), 1,
            (short) -1, 30_000, 1L, (short) 0, recordBytes, 16_384, System.currentTimeMillis(), 7, "bench");
        template.stamp(1, 0);
        final ByteBuffer frame = template.rewind();
        frameLength = frame.remaining();
        batchLength = template.batchLength();
        batchPosition = template.batchStart(0) - 4;
        // Cut points: the batch in `slices` equal pieces; the first piece also carries everything before it.
        final int[] cuts = new int[slices + 1];
        cuts[0] = 0;
        for (int k = 1; k < slices; k++) {
            cuts[k] = template.batchStart(0) + (int) ((long) batchLength * k / slices);
        }
        cuts[slices] = frameLength;
        arena = ByteBuffer.allocateDirect(frameLength + GAP * (slices + 1)).order(ByteOrder.BIG_ENDIAN);
        address = Pointer.nativeValue(Native.getDirectBufferPointer(arena));
        chunkIndexes = new int[slices];
        chunkLengths = new int[slices];
        chunks = new RxChunk[slices];
        int at = GAP;
        for (int k = 0; k < slices; k++) {
            final int length = cuts[k + 1] - cuts[k];
            if (length <= 0) {
                throw new IllegalArgumentException("batch too short for the slices: batchLength=" + batchLength
                    + ", slices=" + slices);
            }
            arena.put(at, frame, cuts[k], length);
            chunkIndexes[k] = at;
            chunkLengths[k] = length;
            chunks[k] = new RxChunk();
            at += length + GAP;
        }
    }

    int chunkCount() {
        return chunks.length;
    }

    /** Chunk {@code k}, wrapped afresh with the caller holding its one reference. */
    RxChunk wrap(int k) {
        return chunks[k].wrap(this, arena, address, chunkIndexes[k], chunkLengths[k], k);
    }

    /**
     * The frame body (everything after the size prefix) as a slice list holding one reference per
     * chunk; the caller releases it with {@link SliceList#releaseAll()}.
     */
    SliceList body() {
        final SliceList body = new SliceList();
        for (int k = 0; k < chunks.length; k++) {
            final RxChunk c = wrap(k);
            final int skip = k == 0 ? 4 : 0;
            body.add(c, chunkIndexes[k] + skip, chunkLengths[k] - skip);
            c.release();
        }
        if (body.totalLength() != frameLength - 4) {
            throw new IllegalStateException("body length: expected=" + (frameLength - 4) + ", actual="
                + body.totalLength());
        }
        return body;
    }

    /**
     * Loads the frame's batch into {@code batch} as the Produce path hands it to the log: a copy of the header, the
     * payload as ranges of {@code body} (from {@link #body()}). Idempotent: the header keeps its producer fields,
     * with {@code producerId} when it is not negative; otherwise Kafka's "no producer" values.
     */
    void loadAppendBatch(AppendBatch batch, SliceList body, boolean idempotent, long producerId) {
        final ByteBuffer batchBytes = template.frame();
        final ByteBuffer header = batch.header();
        for (int i = 0; i < RecordBatchLayout.RECORD_BATCH_OVERHEAD; i++) {
            header.put(i, batchBytes.get(template.batchStart(0) + i));
        }
        if (!idempotent) {
            header.putLong(RecordBatchLayout.PRODUCER_ID_OFFSET, RecordBatchLayout.NO_PRODUCER_ID);
            header.putShort(RecordBatchLayout.PRODUCER_EPOCH_OFFSET, RecordBatchLayout.NO_PRODUCER_EPOCH);
            header.putInt(RecordBatchLayout.BASE_SEQUENCE_OFFSET, RecordBatchLayout.NO_SEQUENCE);
        } else if (producerId >= 0) {
            // Appends do not check the CRC (the validator did), so only the producer id changes.
            header.putLong(RecordBatchLayout.PRODUCER_ID_OFFSET, producerId);
        }
        batch.payload().clear();
        batch.payload().addRange(body, batchPosition + RecordBatchLayout.RECORD_BATCH_OVERHEAD,
            batchLength - RecordBatchLayout.RECORD_BATCH_OVERHEAD);
    }

    /** Batch bytes covered by the CRC, as a frame-body range: [batchPosition + 21, batchPosition + batchLength). */
    int crcFrom() {
        return batchPosition + RecordBatchLayout.CRC_COVERED_OFFSET;
    }

    int crcTo() {
        return batchPosition + batchLength;
    }

    /** Chunks given back so far. */
    long released() {
        return released;
    }

    @Override
    public void onChunkReleased(RxChunk chunk) {
        released++;
    }
}
