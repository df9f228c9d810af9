package io.zcrx.ingest.broker.uring.bufring;

import com.sun.jna.Memory;
import io.zcrx.ingest.broker.uring.NativeRegion;
import io.zcrx.ingest.broker.uring.Ring;
import io.zcrx.ingest.broker.uring.UringException;
import io.zcrx.ingest.nativeio.Errno;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OFF_PBUF_RING;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OFF_PBUF_SHIFT;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_REGISTER_PBUF_RING;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_REGISTER_PBUF_STATUS;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_UNREGISTER_PBUF_RING;
import static io.zcrx.ingest.broker.uring.UringConstants.IOU_PBUF_RING_MMAP;
import static io.zcrx.ingest.broker.uring.UringConstants.PBUF_RING_ENTRIES_MAX;

/**
 * A provided-buffer ring (buffer group {@code bgid}) and the buffers behind it: copy mode's receive
 * memory (docs/kernel-abi.md#provided-buffer-rings). The ring memory is kernel-allocated
 * ({@code IOU_PBUF_RING_MMAP}) and mapped from the ring fd; the buffers are one anonymous block of
 * {@code entries × bufferBytes}, buffer id {@code bid} at byte {@code bid × bufferBytes}.
 *
 * <pre>
 *   ring memory: io_uring_buf[entries], 16 bytes each       buffers block (one mmap):
 *   +------------------+------+-----+------+                +--------+--------+-----+--------+
 *   | addr u64         |len u32|bid |resv* |  x entries     | bid 0  | bid 1  | ... | bid N-1|
 *   +------------------+------+-----+------+                +--------+--------+-----+--------+
 *   * bufs[0].resv (byte 14) is the ring tail (u16) we store-release; the kernel's head is private
 *     (IORING_REGISTER_PBUF_STATUS reads it).
 * </pre>
 *
 * <p>Consumption order: the kernel takes buffers from its head in ring-slot order; a CQE names the
 * first bid it used and, with bundles, covers the following slots too (docs/kernel-abi.md#bundles). We mirror what we
 * wrote into each slot ({@code slotBid}) and keep our own consumer head, so a bundle CQE maps to exact
 * buffer ids and a CQE whose bid is not the one at our head is detected as corruption.
 *
 * <p>Threads: registered, refilled, consumed and closed on the ring's thread only. Not thread-safe.
 */
public final class BufferRing implements AutoCloseable {
    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());

    private final Ring ring;
    private final int bgid;
    private final int entries;
    private final int mask;
    private final int bufferBytes;
    private final NativeRegion ringRegion;
    private final NativeRegion buffers;
    private final ByteBuffer ringView;
    private final short[] slotBid;
    /** In-ring bookkeeping: our tail (published or not), the last published tail and our consumer head. */
    private int tail;
    private int publishedTail;
    private int consumerHead;
    /** First slot of the buffers the last {@link #consume} call accounted for. */
    private int lastConsumedStart;
    private boolean registered;
    private boolean corrupted;

    private BufferRing(Ring ring, int bgid, int entries, int bufferBytes, NativeRegion ringRegion,
                       NativeRegion buffers) {
        this.ring = ring;
        this.bgid = bgid;
        this.entries = entries;
        this.mask = entries - 1;
        this.bufferBytes = bufferBytes;
        this.ringRegion = ringRegion;
        this.buffers = buffers;
        this.ringView = ringRegion.nativeOrderView();
        this.slotBid = new short[entries];
        this.registered = true;
    }

    /**
     * Registers group {@code bgid} on {@code ring} with {@code entries} buffers of {@code bufferBytes}
     * each and puts every buffer in the ring (published). Call on the ring's thread.
     *
     * @throws UringException registration errno ({@link PbufRegisterOutcome#of}) or an mmap failure
     */
    public static BufferRing register(Ring ring, int bgid, int entries, int bufferBytes) throws UringException {
        if (Integer.bitCount(entries) != 1 || entries > PBUF_RING_ENTRIES_MAX) {
            throw new IllegalArgumentException("buffer ring entries must be a power of two <= " + PBUF_RING_ENTRIES_MAX
                + ": entries=" + entries);
        }
        if (bgid < 0 || bgid > 0xFFFF) {
            throw new IllegalArgumentException("buffer group id must be a u16: bgid=" + bgid);
        }
        if (bufferBytes <= 0 || (long) entries * bufferBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("buffer block must be 1 byte .. 2 GiB: entries=" + entries
                + ", bufferBytes=" + bufferBytes);
        }
        final Memory reg = new Memory(BufRingLayout.BufReg.SIZE);
        reg.clear();
        reg.setInt(BufRingLayout.BufReg.RING_ENTRIES_OFFSET, entries);
        reg.setShort(BufRingLayout.BufReg.BGID_OFFSET, (short) bgid);
        reg.setShort(BufRingLayout.BufReg.FLAGS_OFFSET, (short) IOU_PBUF_RING_MMAP);
        final int rc = ring.register(IORING_REGISTER_PBUF_RING, Memory.nativeValue(reg), 1);
        if (rc < 0) {
            final PbufRegisterOutcome outcome = PbufRegisterOutcome.of(-rc);
            throw new UringException("IORING_REGISTER_PBUF_RING", -rc, "buffer ring registration failed: errno="
                + Errno.describe(-rc) + ", outcome=" + outcome + " (" + outcome.meaning() + "), bgid=" + bgid
                + ", entries=" + entries);
        }
        NativeRegion ringRegion = null;
        NativeRegion buffers = null;
        try {
            ringRegion = NativeRegion.ofRingFd(ring.fd(), IORING_OFF_PBUF_RING | ((long) bgid << IORING_OFF_PBUF_SHIFT),
                (long) entries * BufRingLayout.Buf.SIZE, "buffer ring bgid=" + bgid);
            buffers = NativeRegion.anonymous((long) entries * bufferBytes, "receive buffers bgid=" + bgid);
            final BufferRing br = new BufferRing(ring, bgid, entries, bufferBytes, ringRegion, buffers);
            for (int bid = 0; bid < entries; bid++) {
                br.add(bid);
            }
            br.publish();
            return br;
        } catch (UringException | RuntimeException e) {
            if (buffers != null) {
                buffers.close();
            }
            if (ringRegion != null) {
                ringRegion.close();
            }
            unregister(ring, bgid);
            throw e;
        }
    }

    private static int unregister(Ring ring, int bgid) {
        final Memory reg = new Memory(BufRingLayout.BufReg.SIZE);
        reg.clear();
        reg.setShort(BufRingLayout.BufReg.BGID_OFFSET, (short) bgid);
        return ring.register(IORING_UNREGISTER_PBUF_RING, Memory.nativeValue(reg), 1);
    }

    /**
     * Puts buffer {@code bid} (full length) at the ring tail; visible to the kernel after {@link #publish()}.
     * Writes addr/len/bid only, never the {@code resv} half-word that doubles as the tail in slot 0.
     */
    public void add(int bid) {
        if (bid < 0 || bid >= entries) {
            throw new IllegalArgumentException("buffer id out of range: bid=" + bid + ", entries=" + entries);
        }
        if (tail - consumerHead == entries) {
            corrupted = true;
            throw new IllegalStateException("buffer ring over-filled (a buffer returned twice?): bid=" + bid
                + ", bgid=" + bgid + ", tail=" + tail + ", consumerHead=" + consumerHead);
        }
        final int slot = tail & mask;
        final int at = slot * BufRingLayout.Buf.SIZE;
        ringView.putLong(at + BufRingLayout.Buf.ADDR_OFFSET, buffers.address() + (long) bid * bufferBytes);
        ringView.putInt(at + BufRingLayout.Buf.LEN_OFFSET, bufferBytes);
        ringView.putShort(at + BufRingLayout.Buf.BID_OFFSET, (short) bid);
        slotBid[slot] = (short) bid;
        tail++;
    }

    /** Store-release of the tail after the entry writes, only when something was added. */
    public void publish() {
        if (tail != publishedTail) {
            U16.setRelease(ringView, BufRingLayout.Buf.RING_TAIL_OFFSET, (short) tail);
            publishedTail = tail;
        }
    }

    /**
     * Accounts for the buffers one receive CQE consumed and returns how many: 1 without bundles, else
     * {@code ceil(res / bufferBytes)} consecutive slots (every buffer we add has the full length). The
     * buffer ids are then {@link #consumedBid(int)} for {@code k = 0 .. n-1}, valid until the next call.
     *
     * @param firstBid the bid from the CQE flags ({@code flags >>> IORING_CQE_BUFFER_SHIFT})
     * @param res      bytes received (&gt; 0)
     * @param bundle   the receive was armed with {@code IORING_RECVSEND_BUNDLE}
     */
    public int consume(int firstBid, int res, boolean bundle) {
        if (corrupted) {
            throw new IllegalStateException("buffer ring corrupted earlier: bgid=" + bgid);
        }
        final int n = bundle ? Math.max(1, (int) ((res + (long) bufferBytes - 1) / bufferBytes)) : 1;
        final int expected = slotBid[consumerHead & mask] & 0xFFFF;
        if (n > tail - consumerHead || expected != firstBid) {
            corrupted = true;
            throw new IllegalStateException("receive CQE does not match the buffer ring: bgid=" + bgid
                + ", cqeBid=" + firstBid + ", expectedBid=" + expected + ", res=" + res + ", buffers=" + n
                + ", inRing=" + (tail - consumerHead));
        }
        lastConsumedStart = consumerHead;
        consumerHead += n;
        return n;
    }

    /** The k-th buffer id of the last {@link #consume} call. */
    public int consumedBid(int k) {
        return slotBid[(lastConsumedStart + k) & mask] & 0xFFFF;
    }

    /** Buffers in the ring (added, published or not, and not consumed by a CQE we saw). */
    public int available() {
        return tail - consumerHead;
    }

    /**
     * The kernel's consumer head via {@code IORING_REGISTER_PBUF_STATUS} (6.8+), or {@code -errno}; ring thread
     * only.
     */
    public int kernelHead() {
        final Memory status = new Memory(BufRingLayout.BufStatus.SIZE);
        status.clear();
        status.setInt(BufRingLayout.BufStatus.BUF_GROUP_OFFSET, bgid);
        final int rc = ring.register(IORING_REGISTER_PBUF_STATUS, Memory.nativeValue(status), 1);
        return rc < 0 ? rc : status.getInt(BufRingLayout.BufStatus.HEAD_OFFSET) & 0xFFFF;
    }

    /** Our consumer head as the kernel sees it (u16), for comparison with {@link #kernelHead()}. */
    public int consumerHead16() {
        return consumerHead & 0xFFFF;
    }

    public int bgid() {
        return bgid;
    }

    public int entries() {
        return entries;
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    /** The buffers block: bid {@code b} is at {@code bufferIndex(b)}. */
    public NativeRegion buffers() {
        return buffers;
    }

    public int bufferIndex(int bid) {
        return bid * bufferBytes;
    }

    public boolean isCorrupted() {
        return corrupted;
    }

    /** consumerHead &lt;= publishedTail &lt;= tail, at most {@code entries} buffers in the ring. */
    public void checkInvariants() {
        if (tail - publishedTail < 0 || publishedTail - consumerHead < 0 || tail - consumerHead > entries) {
            throw new IllegalStateException("buffer ring indexes out of order: bgid=" + bgid
                + ", consumerHead=" + consumerHead + ", publishedTail=" + publishedTail + ", tail=" + tail
                + ", entries=" + entries);
        }
    }

    /**
     * Unregisters the group while the ring is still open. The memory itself is released by
     * {@link #close()} once the ring is closed and nothing references a buffer any more.
     */
    public void unregister() {
        if (registered && !ring.isClosed()) {
            registered = false;
            final int rc = unregister(ring, bgid);
            if (rc < 0) {
                throw new IllegalStateException("buffer ring unregistration failed: bgid=" + bgid
                    + ", errno=" + Errno.describe(-rc));
            }
        }
    }

    /** Unmaps the ring and the buffers. The caller guarantees no chunk still points into them. */
    @Override
    public void close() {
        if (!ring.isClosed()) {
            unregister();
        }
        ringRegion.close();
        buffers.close();
    }
}
