package io.zcrx.ingest.broker.uring.zcrx;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_ZCRX_AREA_MASK;

/**
 * The producer side of a zcrx refill ring: how received area memory goes back to the kernel
 * (docs/kernel-abi.md#zcrx-receive-and-refill). We write {@code struct io_uring_zcrx_rqe} entries and store-release
 * the tail; the kernel (NAPI context, any CPU) load-acquires the tail, consumes entries lazily and
 * store-releases its head.
 *
 * <pre>
 *   refill region (offsets returned in io_uring_zcrx_ifq_reg.offsets):
 *     + head  u32   kernel writes  -> load-acquire to count free slots
 *     + tail  u32   we write       -> store-release after the entry writes
 *     + rqes  rqe[entries], 16 bytes each, plain writes:
 *             off u64 = (area index &amp; ~IORING_ZCRX_AREA_MASK) | rq_area_token
 *             len u32 = the CQE's res
 *             pad u32 = 0 (a non-zero pad makes the kernel skip the entry: a leaked buffer)
 * </pre>
 *
 * <p>A full ring is normal under bursts because the kernel only consumes when its page pool needs
 * buffers. Entries that do not fit are <em>stashed</em> (growable arrays, allocation only on growth)
 * and written by {@link #flushStash()} as slots free up; nothing is ever dropped (unlike liburing's
 * example). Stashed entries go out before new ones, so a long-held buffer is not starved.
 *
 * <p>Threads: one producer, the reactor that owns the ring. Not thread-safe.
 */
public final class RefillRing {
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer region;
    private final int headOffset;
    private final int tailOffset;
    private final int rqesOffset;
    private final int entries;
    private final int mask;
    private final long areaToken;

    private int tail;
    private int publishedTail;
    /** Stash: FIFO of entries that did not fit, [stashHead, stashTail) in a power-of-two circular buffer. */
    private long[] stashIndex = new long[64];
    private int[] stashLength = new int[64];
    private int stashHead;
    private int stashTail;

    private long entriesWritten;
    private long entriesStashed;
    private int stashHighWater;

    /**
     * @param region     native-order view of the refill region (or, in tests, memory laid out like it)
     * @param headOffset {@code offsets.head}
     * @param tailOffset {@code offsets.tail}
     * @param rqesOffset {@code offsets.rqes}
     * @param entries    {@code rq_entries} as written back by the kernel (power of two)
     * @param areaToken  {@code io_uring_zcrx_area_reg.rq_area_token}
     */
    public RefillRing(ByteBuffer region, int headOffset, int tailOffset, int rqesOffset, int entries, long areaToken) {
        if (Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("refill ring entries must be a power of two: entries=" + entries);
        }
        if ((headOffset & 3) != 0 || (tailOffset & 3) != 0 || (rqesOffset & 7) != 0
                || rqesOffset + (long) entries * ZcrxLayout.Rqe.SIZE > region.capacity()) {
            throw new IllegalArgumentException("refill ring offsets do not fit the region: head=" + headOffset
                + ", tail=" + tailOffset + ", rqes=" + rqesOffset + ", entries=" + entries
                + ", capacity=" + region.capacity());
        }
        if ((areaToken & ~IORING_ZCRX_AREA_MASK) != 0) {
            throw new IllegalArgumentException("area token must only use the area-id bits: areaToken=0x"
                + Long.toHexString(areaToken));
        }
        this.region = region;
        this.headOffset = headOffset;
        this.tailOffset = tailOffset;
        this.rqesOffset = rqesOffset;
        this.entries = entries;
        this.mask = entries - 1;
        this.areaToken = areaToken;
        this.tail = (int) U32.getAcquire(region, tailOffset);
        this.publishedTail = tail;
    }

    /**
     * Gives {@code length} bytes at {@code areaIndex} back (one call per RECV_ZC data CQE, exactly once).
     * Written now if a slot is free and nothing is stashed before it, stashed otherwise. Call
     * {@link #publish()} after a batch.
     */
    public void offer(long areaIndex, int length) {
        if (length <= 0 || areaIndex < 0 || (areaIndex & IORING_ZCRX_AREA_MASK) != 0) {
            throw new IllegalArgumentException("refill entry out of range: areaIndex=" + areaIndex
                + ", length=" + length);
        }
        if (stashHead == stashTail && freeSlots() > 0) {
            write(areaIndex, length);
        } else {
            stash(areaIndex, length);
        }
    }

    /** Writes as many stashed entries as there are free slots; returns how many are still stashed. */
    public int flushStash() {
        if (stashHead != stashTail) {
            int free = freeSlots();
            final int m = stashIndex.length - 1;
            while (free > 0 && stashHead != stashTail) {
                write(stashIndex[stashHead & m], stashLength[stashHead & m]);
                stashHead++;
                free--;
            }
        }
        return stashTail - stashHead;
    }

    /** Store-release of the tail after the entry writes, only when entries were added. */
    public void publish() {
        if (tail != publishedTail) {
            U32.setRelease(region, tailOffset, tail);
            publishedTail = tail;
        }
    }

    private void write(long areaIndex, int length) {
        final int at = rqesOffset + (tail & mask) * ZcrxLayout.Rqe.SIZE;
        region.putLong(at + ZcrxLayout.Rqe.OFF_OFFSET, (areaIndex & ~IORING_ZCRX_AREA_MASK) | areaToken);
        region.putInt(at + ZcrxLayout.Rqe.LEN_OFFSET, length);
        region.putInt(at + ZcrxLayout.Rqe.PAD_OFFSET, 0);
        tail++;
        entriesWritten++;
    }

    private void stash(long areaIndex, int length) {
        if (stashTail - stashHead == stashIndex.length) {
            growStash();
        }
        final int m = stashIndex.length - 1;
        stashIndex[stashTail & m] = areaIndex;
        stashLength[stashTail & m] = length;
        stashTail++;
        entriesStashed++;
        stashHighWater = Math.max(stashHighWater, stashTail - stashHead);
    }

    private void growStash() {
        final int size = stashTail - stashHead;
        final int m = stashIndex.length - 1;
        final long[] index = new long[stashIndex.length * 2];
        final int[] length = new int[stashIndex.length * 2];
        for (int i = 0; i < size; i++) {
            index[i] = stashIndex[(stashHead + i) & m];
            length[i] = stashLength[(stashHead + i) & m];
        }
        stashIndex = index;
        stashLength = length;
        stashHead = 0;
        stashTail = size;
    }

    /** Slots the kernel has consumed and we may write again. */
    public int freeSlots() {
        return entries - (tail - (int) U32.getAcquire(region, headOffset));
    }

    /** Entries written but not yet consumed by the kernel (published or not). */
    public int pendingEntries() {
        return tail - (int) U32.getAcquire(region, headOffset);
    }

    public int stashed() {
        return stashTail - stashHead;
    }

    public int stashHighWater() {
        return stashHighWater;
    }

    public long entriesWritten() {
        return entriesWritten;
    }

    public long entriesStashed() {
        return entriesStashed;
    }

    public int entries() {
        return entries;
    }

    public long areaToken() {
        return areaToken;
    }

    /** kernel head &lt;= published tail &lt;= tail, at most {@code entries} in the ring, stash non-negative. */
    public void checkInvariants() {
        final int head = (int) U32.getAcquire(region, headOffset);
        if (publishedTail - head < 0 || tail - publishedTail < 0 || tail - head > entries
                || stashTail - stashHead < 0) {
            throw new IllegalStateException("refill ring indexes out of order: head=" + head
                + ", publishedTail=" + publishedTail + ", tail=" + tail + ", entries=" + entries
                + ", stashed=" + (stashTail - stashHead));
        }
    }

    @Override
    public String toString() {
        return "RefillRing(entries=" + entries + ", tail=" + tail + ", published=" + publishedTail
            + ", stashed=" + stashed() + ", written=" + entriesWritten
            + ", token=0x" + Long.toHexString(areaToken) + ")";
    }

    /** Test/diagnostic: a copy of the stash contents, oldest first. */
    long[] stashSnapshot() {
        final int size = stashTail - stashHead;
        final long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = stashIndex[(stashHead + i) & (stashIndex.length - 1)];
        }
        return Arrays.copyOf(out, size);
    }
}
