package io.zcrx.ingest.broker.transport.outbound;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Fixed-size direct-memory blocks for one reactor's outbound queues. A block's memory never moves,
 * so a send that the kernel is still reading from (an io_uring SEND in flight) stays valid while the
 * connection appends more responses behind it. Blocks are recycled when drained; at most
 * {@code pooledMax} idle blocks are kept.
 *
 * <p>This class is not thread-safe: one pool per reactor thread.
 */
public final class OutboundBlockPool {
    private final int blockBytes;
    private final int pooledMax;
    private Block[] free;
    private int freeCount;
    private long blocksInUse;

    public OutboundBlockPool(int blockBytes, int pooledMax) {
        if (blockBytes < 1024 || pooledMax < 0) {
            throw new IllegalArgumentException("outbound pool: blockBytes=" + blockBytes + ", pooledMax=" + pooledMax);
        }
        this.blockBytes = blockBytes;
        this.pooledMax = pooledMax;
        this.free = new Block[Math.max(4, Math.min(pooledMax, 64))];
    }

    public int blockBytes() {
        return blockBytes;
    }

    /** A pooled block of {@link #blockBytes()}, or a dedicated one when {@code minBytes} is larger. */
    Block acquire(int minBytes) {
        blocksInUse++;
        if (minBytes > blockBytes) {
            return new Block(minBytes, false);
        }
        if (freeCount > 0) {
            final Block b = free[--freeCount];
            free[freeCount] = null;
            b.reset();
            return b;
        }
        return new Block(blockBytes, true);
    }

    void release(Block b) {
        blocksInUse--;
        b.clearFile();
        if (!b.pooled || freeCount >= pooledMax) {
            return;
        }
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = b;
    }

    /** Blocks held by queues (leak checks). */
    public long blocksInUse() {
        return blocksInUse;
    }

    /**
     * One entry of an outbound queue: either a byte region of direct memory
     * ({@code [readIndex, writeIndex)}) or a file region.
     */
    static final class Block {
        final ByteBuffer memory;
        final long address;
        final ByteBuffer readView;
        final ByteBuffer writeView;
        final boolean pooled;
        int readIndex;
        int writeIndex;
        /** No more bytes may be appended (a file region follows it). */
        boolean sealed;
        Block next;
        // File region (memory unused): the channel, next position to send, bytes left.
        FileChannel file;
        long filePosition;
        long fileRemaining;
        /** Unpinned when the region is sent or dropped; null for a file that stays open anyway. */
        FileRegionRecords.Source filePin;

        Block(int bytes, boolean pooled) {
            this.memory = ByteBuffer.allocateDirect(bytes).order(ByteOrder.BIG_ENDIAN);
            this.address = Pointer.nativeValue(Native.getDirectBufferPointer(memory));
            this.readView = memory.duplicate().order(ByteOrder.BIG_ENDIAN);
            this.writeView = memory.duplicate().order(ByteOrder.BIG_ENDIAN);
            this.pooled = pooled;
        }

        /** A file-region entry (no memory of its own). */
        Block() {
            this.memory = null;
            this.address = 0;
            this.readView = null;
            this.writeView = null;
            this.pooled = false;
        }

        boolean isFile() {
            return file != null;
        }

        void reset() {
            readIndex = 0;
            writeIndex = 0;
            sealed = false;
            next = null;
        }

        void clearFile() {
            file = null;
            filePin = null;
            filePosition = 0;
            fileRemaining = 0;
            next = null;
        }

        int capacity() {
            return memory.capacity();
        }
    }
}
