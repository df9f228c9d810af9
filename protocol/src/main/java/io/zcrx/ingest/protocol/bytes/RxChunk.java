package io.zcrx.ingest.protocol.bytes;

import java.nio.ByteBuffer;

/**
 * One receive completion's worth of bytes: {@code length} bytes at {@code index} in {@code memory}.
 *
 * <pre>
 *   memory (whole region: zcrx area, buffer-ring block or NIO arena; native address {@code address})
 *   +---------------------------+==================+---------------------+
 *   |                           | index .. +length |                     |
 *   +---------------------------+==================+---------------------+
 * </pre>
 *
 * <p>Lifecycle (docs/design.md, "Memory ownership"): received, framed, decoded, append submitted, persisted,
 * released. The transport wraps a pooled instance with one reference (its own) and hands it to the connection; the
 * frame assembler retains it once per slice that points into it; every slice holder releases its reference once its
 * bytes are persisted (the write that reads them has completed) or no longer needed. When the count reaches zero
 * the {@link ChunkOwner} gets the chunk back (refill entry, buffer ring re-add, pool free list) and may reuse this
 * object.
 *
 * <p>{@code memory} is a view over the owner's region that is confined to the reactor thread: code
 * on that thread may move its position and limit (for example to feed {@code CRC32C.update}); all
 * reads use absolute indices. Nothing may keep a reference to the chunk after releasing it.
 *
 * <p>This class is not thread-safe: it is used only on the reactor thread that received it.
 */
public final class RxChunk {
    private ChunkOwner owner;
    private ByteBuffer memory;
    private long address;
    private int index;
    private int length;
    private long token;
    private int refCount;

    /**
     * Points this (pooled) chunk at received bytes; the caller holds the single reference.
     *
     * @param owner   the transport that gets the chunk back when the last reference is released
     * @param memory  the region view, big-endian, confined to the reactor thread
     * @param address native address of {@code memory} index 0 (0 when the memory has none, tests only)
     * @param index   byte index of the first received byte in {@code memory}
     * @param length  number of received bytes, &gt; 0
     * @param token   the owner's handle for giving the memory back (area offset, buffer id, pool slot)
     */
    public RxChunk wrap(ChunkOwner owner, ByteBuffer memory, long address, int index, int length, long token) {
        if (refCount != 0) {
            throw new IllegalStateException("wrap of a chunk still referenced: refCount=" + refCount
                + ", token=" + this.token);
        }
        if (index < 0 || length <= 0 || index > memory.capacity() - length) {
            throw new IllegalArgumentException(
                "chunk outside its memory: index=" + index + ", length=" + length + ", capacity=" + memory.capacity());
        }
        this.owner = owner;
        this.memory = memory;
        this.address = address;
        this.index = index;
        this.length = length;
        this.token = token;
        this.refCount = 1;
        return this;
    }

    public void retain() {
        if (refCount <= 0) {
            throw new IllegalStateException("retain of a released chunk: token=" + token);
        }
        refCount++;
    }

    /** Drops one reference; the last one gives the chunk back to its owner. */
    public void release() {
        if (refCount <= 0) {
            throw new IllegalStateException("release of a released chunk: token=" + token + ", refCount=" + refCount);
        }
        if (--refCount == 0) {
            final ChunkOwner o = owner;
            owner = null;
            memory = null;
            o.onChunkReleased(this);
        }
    }

    public ByteBuffer memory() {
        return memory;
    }

    public long address() {
        return address;
    }

    public int index() {
        return index;
    }

    public int length() {
        return length;
    }

    public long token() {
        return token;
    }

    public int refCount() {
        return refCount;
    }

    @Override
    public String toString() {
        return "RxChunk(index=" + index + ", length=" + length + ", token=" + token + ", refCount=" + refCount + ")";
    }
}
