package io.zcrx.ingest.protocol.record;

import static io.zcrx.ingest.protocol.record.RecordBatchLayout.MAGIC_V2;

import io.zcrx.ingest.protocol.bytes.ChunkOwner;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.BufferSupplier;

/**
 * The decompression step of {@link BatchValidator} for compressed batches: the payload goes to
 * kafka-clients' codec ({@code Compression.wrapForInput}) as one buffer, the chunk memory itself
 * when it lies in one slice, else a copy in reusable scratch; the output goes into a reusable
 * scratch array that grows up to {@code decompressedBytesMax}. More output than that is
 * INVALID_RECORD (a decompression bomb), as is any codec failure. The decompressed records are
 * then lent as slices for the record walk.
 *
 * <p>Allocates (codec streams and their buffers, scratch growth); uncompressed batches never come
 * here. One per {@link BatchValidator}; not thread-safe.
 */
final class BatchDecompressor {
    private static final short NONE = Errors.NONE.code();
    private static final short INVALID_RECORD = Errors.INVALID_RECORD.code();
    private static final int DECOMPRESSED_SCRATCH_INITIAL = 64 * 1024;
    /** The scratch "chunk" for decompressed records is heap memory nobody needs back. */
    private static final ChunkOwner SCRATCH_OWNER = chunk -> { };

    private final int decompressedBytesMax;
    // Codecs (immutable, built once), their buffer cache and our scratch.
    private final Compression gzip = Compression.gzip().build();
    private final Compression snappy = Compression.snappy().build();
    private final Compression lz4 = Compression.lz4().build();
    private final Compression zstd = Compression.zstd().build();
    private final BufferSupplier bufferSupplier = BufferSupplier.create();
    private final SliceCursor copyCursor = new SliceCursor();
    private ByteBuffer compressedScratch = ByteBuffer.allocate(0);
    private byte[] decompressed = new byte[0];
    private ByteBuffer decompressedView = ByteBuffer.wrap(decompressed);
    private final RxChunk scratchChunk = new RxChunk();
    private final SliceList scratchSlices = new SliceList();
    private final SliceCursor scratchCursor = new SliceCursor();

    // Position and limit of a chunk memory view lent to a codec, restored afterwards.
    private int borrowedPosition;
    private int borrowedLimit;

    // Outcome of the last call.
    private String errorMessage;
    private int length;

    BatchDecompressor(int decompressedBytesMax) {
        this.decompressedBytesMax = decompressedBytesMax;
    }

    /**
     * Decompresses the logical range [from, to) of {@code slices} with {@code codec}.
     *
     * @return 0 (NONE), then {@link #length()} bytes are ready for {@link #openRecords()}; or
     *         INVALID_RECORD with {@link #errorMessage()}
     */
    short decompress(SliceList slices, int from, int to, int codec) {
        errorMessage = null;
        length = 0;
        final ByteBuffer input = payloadAsOneBuffer(slices, from, to);
        final int savedPosition = borrowedPosition;
        final int savedLimit = borrowedLimit;
        try {
            return inflate(input, codec);
        } finally {
            if (input != compressedScratch) {
                // The codec read the chunk memory itself: give the view its position and limit back.
                input.limit(savedLimit);
                input.position(savedPosition);
            }
        }
    }

    /** Bytes the last successful {@link #decompress} produced. */
    int length() {
        return length;
    }

    /** Message of the last failure. */
    String errorMessage() {
        return errorMessage;
    }

    /** A cursor over the decompressed records; {@link #closeRecords()} when the walk is done. */
    SliceCursor openRecords() {
        scratchChunk.wrap(SCRATCH_OWNER, decompressedView, 0L, 0, length, 0L);
        try {
            scratchSlices.add(scratchChunk, 0, length);
        } finally {
            scratchChunk.release(); // the slice holds the only reference now
        }
        return scratchCursor.wrap(scratchSlices, 0, length);
    }

    void closeRecords() {
        scratchSlices.releaseAll();
    }

    private short inflate(ByteBuffer input, int codec) {
        final Compression compression = codec(codec);
        int total = 0;
        InputStream in = null;
        try {
            in = compression.wrapForInput(input, MAGIC_V2, bufferSupplier);
            if (decompressed.length == 0) {
                growDecompressed(Math.min(DECOMPRESSED_SCRATCH_INITIAL, decompressedBytesMax));
            }
            while (true) {
                if (total == decompressed.length) {
                    if (total >= decompressedBytesMax) {
                        if (in.read() != -1) {
                            return fail("compressed record batch decompresses to more than the limit: codec="
                                + codec + ", decompressedBytesMax=" + decompressedBytesMax);
                        }
                        break;
                    }
                    growDecompressed((int) Math.min(2L * decompressed.length, decompressedBytesMax));
                }
                final int n = in.read(decompressed, total, decompressed.length - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // Codecs report corrupt streams as IOException or as KafkaException and friends.
            return fail("compressed record batch cannot be decompressed: codec=" + codec + ", error=" + e);
        } finally {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // Closing only returns buffers to the supplier; a failure there says nothing about the batch.
                    throw new IllegalStateException("closing decompression stream failed: codec=" + codec, e);
                }
            }
        }
        length = total;
        return NONE;
    }

    private void growDecompressed(int capacity) {
        decompressed = Arrays.copyOf(decompressed, capacity);
        decompressedView = ByteBuffer.wrap(decompressed);
    }

    private Compression codec(int codec) {
        switch (codec) {
            case RecordBatchLayout.CODEC_GZIP:
                return gzip;
            case RecordBatchLayout.CODEC_SNAPPY:
                return snappy;
            case RecordBatchLayout.CODEC_LZ4:
                return lz4;
            case RecordBatchLayout.CODEC_ZSTD:
                return zstd;
            default:
                throw new IllegalStateException("no decompressor for codec: codec=" + codec);
        }
    }

    /**
     * The logical range [from, to) as one buffer for a codec: the chunk memory itself (positioned on
     * the range; we may move a view's position and limit, and the caller restores them from
     * {@link #borrowedPosition}/{@link #borrowedLimit}) when the range lies in one slice, else a copy
     * in reusable scratch.
     */
    private ByteBuffer payloadAsOneBuffer(SliceList slices, int from, int to) {
        final int n = to - from;
        if (n > 0) {
            final int s = slices.sliceAt(from);
            final int offset = from - slices.start(s);
            if (offset + n <= slices.length(s)) {
                final ByteBuffer m = slices.chunk(s).memory();
                final int index = slices.index(s) + offset;
                borrowedPosition = m.position();
                borrowedLimit = m.limit();
                m.clear();
                m.limit(index + n);
                m.position(index);
                return m;
            }
        }
        if (compressedScratch.capacity() < n) {
            compressedScratch = ByteBuffer.allocate(Math.max(n, 2 * compressedScratch.capacity()));
        }
        compressedScratch.clear();
        copyCursor.wrap(slices, from, to).copyTo(compressedScratch, n);
        compressedScratch.flip();
        return compressedScratch;
    }

    private short fail(String message) {
        errorMessage = message;
        return INVALID_RECORD;
    }
}
