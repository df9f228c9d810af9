package io.zcrx.ingest.broker.transport.nio;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.zcrx.ingest.protocol.bytes.ChunkOwner;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The NIO transport's receive memory for one reactor: one native arena of {@code bufferCount}
 * buffers of {@code bufferBytes}, read into by socket reads. Each read becomes an {@link RxChunk}
 * that points into the buffer; a buffer is free again when the connection reading into it has
 * moved on (its "holder" reference) and every chunk cut from it has been released.
 *
 * <pre>
 *   arena:  | buffer 0 | buffer 1 | ... | buffer n-1 |      refs[i] = holder (0/1) + live chunks
 *            [chunk][chunk][...free...]
 * </pre>
 *
 * <p>The arena is native memory (JNA {@link Memory}), so its address can go straight into the
 * log's {@code pwritev}. Fixed size: running out is backpressure (connections stop reading), never
 * growth.
 *
 * <p>The TLS layer ({@code transport.tls}) keeps its decrypted plaintext in a pool of this kind too, which is why
 * the buffer methods are public.
 *
 * <p>This class is not thread-safe: one pool per reactor thread.
 */
public final class NioReceiveMemory implements ChunkOwner {
    private final int bufferBytes;
    private final int bufferCount;
    private final Memory arena;
    private final long arenaAddress;
    /** Reactor-confined view handed to chunks (consumers may move its position and limit). */
    private final ByteBuffer chunkView;
    /** Reactor-confined view that socket reads fill. */
    private final ByteBuffer readView;
    private final int[] refs;
    private final int[] freeBuffers;
    private int freeBufferCount;
    private RxChunk[] freeChunks = new RxChunk[256];
    private int freeChunkCount;
    private long outstandingChunks;
    private long outstandingBytes;
    private long releasesSinceCheck;

    public NioReceiveMemory(int bufferBytes, int bufferCount) {
        if (bufferBytes < 4096 || bufferCount < 1) {
            throw new IllegalArgumentException("nio receive pool: bufferBytes=" + bufferBytes
                + ", bufferCount=" + bufferCount);
        }
        this.bufferBytes = bufferBytes;
        this.bufferCount = bufferCount;
        final long size = (long) bufferBytes * bufferCount;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nio receive pool larger than 2 GiB per reactor: bufferBytes="
                + bufferBytes + ", bufferCount=" + bufferCount);
        }
        this.arena = new Memory(size);
        this.arenaAddress = Pointer.nativeValue(arena);
        this.chunkView = arena.getByteBuffer(0, size).order(ByteOrder.BIG_ENDIAN);
        this.readView = arena.getByteBuffer(0, size);
        this.refs = new int[bufferCount];
        this.freeBuffers = new int[bufferCount];
        for (int i = 0; i < bufferCount; i++) {
            freeBuffers[i] = bufferCount - 1 - i;
        }
        this.freeBufferCount = bufferCount;
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    public int bufferCount() {
        return bufferCount;
    }

    /** Takes a free buffer for a connection to read into (the holder reference), or -1 if none. */
    public int acquireBuffer() {
        if (freeBufferCount == 0) {
            return -1;
        }
        final int id = freeBuffers[--freeBufferCount];
        refs[id] = 1;
        return id;
    }

    /** The connection stops reading into {@code id}; the buffer is free once its chunks are released. */
    public void releaseBuffer(int id) {
        unref(id);
    }

    /** References on {@code id}: 1 means only the reading connection holds it (no chunk alive). */
    public int refs(int id) {
        return refs[id];
    }

    /** Reactor-confined read view positioned at {@code [offset, bufferBytes)} of buffer {@code id}. */
    public ByteBuffer readView(int id, int offset) {
        final int base = id * bufferBytes;
        readView.limit(base + bufferBytes).position(base + offset);
        return readView;
    }

    /** Cuts a chunk of {@code length} bytes at {@code offset} of buffer {@code id} (one reference). */
    public RxChunk wrapChunk(int id, int offset, int length) {
        final RxChunk c = freeChunkCount > 0 ? freeChunks[--freeChunkCount] : new RxChunk();
        refs[id]++;
        outstandingChunks++;
        outstandingBytes += length;
        return c.wrap(this, chunkView, arenaAddress, id * bufferBytes + offset, length, id);
    }

    @Override
    public void onChunkReleased(RxChunk chunk) {
        outstandingChunks--;
        outstandingBytes -= chunk.length();
        releasesSinceCheck++;
        unref((int) chunk.token());
        if (freeChunkCount == freeChunks.length) {
            freeChunks = Arrays.copyOf(freeChunks, freeChunkCount * 2);
        }
        freeChunks[freeChunkCount++] = chunk;
    }

    private void unref(int id) {
        final int r = --refs[id];
        if (r == 0) {
            freeBuffers[freeBufferCount++] = id;
        } else if (r < 0) {
            throw new IllegalStateException("nio receive buffer released twice: buffer=" + id + ", refs=" + r);
        }
    }

    /** True (once) if buffers came back since the last call: starved connections may read again. */
    public boolean takeReleasedSinceCheck() {
        final boolean any = releasesSinceCheck > 0;
        releasesSinceCheck = 0;
        return any;
    }

    public int freeBuffers() {
        return freeBufferCount;
    }

    public long outstandingChunks() {
        return outstandingChunks;
    }

    public long outstandingBytes() {
        return outstandingBytes;
    }

    /** Frees the arena; every buffer must be back. */
    public void close() {
        if (freeBufferCount != bufferCount) {
            throw new IllegalStateException("nio receive pool closed with buffers in use: free=" + freeBufferCount
                + ", count=" + bufferCount + ", outstandingChunks=" + outstandingChunks);
        }
        arena.close();
    }

    /** Invariant: free + referenced buffers = all; outstanding counters are non-negative. */
    public void checkInvariants() {
        int referenced = 0;
        for (int r : refs) {
            if (r < 0) {
                throw new IllegalStateException("negative buffer refs");
            }
            if (r > 0) {
                referenced++;
            }
        }
        if (referenced + freeBufferCount != bufferCount || outstandingChunks < 0 || outstandingBytes < 0) {
            throw new IllegalStateException("nio receive pool: referenced=" + referenced + ", free=" + freeBufferCount
                + ", count=" + bufferCount + ", outstandingChunks=" + outstandingChunks);
        }
    }
}
