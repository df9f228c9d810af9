package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.transport.ReactorMetrics;
import io.zcrx.ingest.broker.uring.NativeRegion;
import io.zcrx.ingest.broker.uring.SqeWriter;
import io.zcrx.ingest.broker.uring.zcrx.RefillRing;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxIfq;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_ZCRX_AREA_MASK;

/**
 * zcrx receive memory: the area the NIC DMAs payload into and the refill ring that gives it back
 * (docs/kernel-abi.md#zcrx-receive-and-refill). Every RECV_ZC data CQE becomes one chunk at {@code area + (zcqe.off &
 * ~IORING_ZCRX_AREA_MASK)}, {@code res} bytes; when its last reference goes, exactly one refill entry
 * {@code (off | area token, res)} is offered (stashed if the refill ring is full, never dropped).
 *
 * <pre>
 *   area:  | niov 0 (4 KiB) | niov 1 | ... |      niovRefs[n] = chunks currently pinning niov n
 *            [cqe][cqe]       [cqe ...]           (a CQE never crosses a niov)
 *   chunk pool slot s:  RxChunk + areaIndex[s] + account[s]; token = s
 * </pre>
 *
 * <p>Ledger blocks are niovs: that is what the NIC's page pool runs out of. Chunks are pooled in a free
 * stack that grows only when more chunks are outstanding than ever before (allocation-free in steady
 * state).
 *
 * <p>Constructed either from a registered {@link ZcrxIfq} or, in tests, from an area and a refill ring
 * laid out like the kernel's. Not thread-safe: reactor thread only.
 */
public final class ZcrxReceiveMemory extends ReceiveMemory {
    /** niov size: PAGE_SIZE, as long as we do not ask for rx_buf_len (7.0+). */
    public static final int NIOV_BYTES = NativeRegion.PAGE_SIZE;
    private static final int NIOV_SHIFT = Integer.numberOfTrailingZeros(NIOV_BYTES);

    private final ZcrxIfq ifq;
    private final int zcrxId;
    private final NativeRegion area;
    private final RefillRing refill;
    private final ByteBuffer chunkView;
    private final long address;
    private final long areaLength;
    private final int[] niovRefs;

    private RxChunk[] chunks = new RxChunk[0];
    private long[] areaIndex = new long[0];
    private ReceiveAccount[] accounts = new ReceiveAccount[0];
    private int[] freeSlots = new int[0];
    private int freeCount;

    public ZcrxReceiveMemory(ZcrxIfq ifq, ChunkSink sink) {
        this(ifq, ifq.zcrxId(), ifq.area(), ifq.refillRing(), sink);
    }

    /** Test constructor: an area and a refill ring that no kernel registered. */
    public ZcrxReceiveMemory(int zcrxId, NativeRegion area, RefillRing refill, ChunkSink sink) {
        this(null, zcrxId, area, refill, sink);
    }

    private ZcrxReceiveMemory(ZcrxIfq ifq, int zcrxId, NativeRegion area, RefillRing refill, ChunkSink sink) {
        super(new ReceiveLedger(area.length() / NIOV_BYTES), sink);
        this.ifq = ifq;
        this.zcrxId = zcrxId;
        this.area = area;
        this.refill = refill;
        this.chunkView = area.bigEndianView();
        this.address = area.address();
        this.areaLength = area.length();
        this.niovRefs = new int[(int) (area.length() / NIOV_BYTES)];
        grow(256);
    }

    @Override
    public void armReceive(SqeWriter sqe, int fd, long userData) {
        sqe.recvZc(fd, zcrxId, userData);
    }

    @Override
    public void onData(ReceiveAccount account, int res, int flags, long extra) {
        final long index = extra & ~IORING_ZCRX_AREA_MASK;
        final long niov = index >>> NIOV_SHIFT;
        if (res <= 0 || index + res > areaLength || ((index + res - 1) >>> NIOV_SHIFT) != niov) {
            throw new IllegalStateException("RECV_ZC CQE outside the area or across a niov: off=0x"
                + Long.toHexString(extra) + ", res=" + res + ", areaLength=" + areaLength);
        }
        if (freeCount == 0) {
            grow(chunks.length * 2);
        }
        final int slot = freeSlots[--freeCount];
        areaIndex[slot] = index;
        accounts[slot] = account;
        if (niovRefs[(int) niov]++ == 0) {
            ledger.onBlockHeld();
        }
        ledger.onChunkReceived(account, res);
        sink.deliver(account, chunks[slot].wrap(this, chunkView, address, (int) index, res, slot));
    }

    @Override
    public void onChunkReleased(RxChunk chunk) {
        checkReleaseThread();
        final int slot = (int) chunk.token();
        final long index = areaIndex[slot];
        final ReceiveAccount account = accounts[slot];
        accounts[slot] = null;
        freeSlots[freeCount++] = slot;
        ledger.onChunkReleased(account, chunk.length());
        if (--niovRefs[(int) (index >>> NIOV_SHIFT)] == 0) {
            ledger.onBlockFreed();
        }
        refill.offer(index, chunk.length());
    }

    private void grow(int capacity) {
        final int old = chunks.length;
        chunks = Arrays.copyOf(chunks, capacity);
        areaIndex = Arrays.copyOf(areaIndex, capacity);
        accounts = Arrays.copyOf(accounts, capacity);
        freeSlots = Arrays.copyOf(freeSlots, capacity);
        for (int s = capacity - 1; s >= old; s--) {
            chunks[s] = new RxChunk();
            freeSlots[freeCount++] = s;
        }
    }

    @Override
    public RecvEnd classifyEnd(int res) {
        switch (-res) {
            case Errno.ENOSPC:
                // CQ ring was full; the unread bytes stay in the socket: drain, then arm again.
                return RecvEnd.CQ_OVERFLOW;
            case Errno.ENOMEM:
                return RecvEnd.REARM_WHEN_MEMORY;
            case Errno.EFAULT:
                return RecvEnd.MISROUTED;
            case Errno.EPROTONOSUPPORT:
                return RecvEnd.NOT_PLAIN_TCP;
            default:
                return classifyCommon(res);
        }
    }

    @Override
    public boolean memoryAvailableForRearm() {
        return ledger.takeReleasedSinceCheck() || !ledger.overHighWatermark();
    }

    @Override
    public void publish() {
        refill.flushStash();
        refill.publish();
    }

    public RefillRing refillRing() {
        return refill;
    }

    @Override
    public long capacityBytes() {
        return areaLength;
    }

    @Override
    public long inUseBytes() {
        return ledger.blocksHeld() * NIOV_BYTES;
    }

    @Override
    public void publishMetrics(ReactorMetrics metrics) {
        metrics.refillRing(refill.pendingEntries(), refill.stashed());
    }

    @Override
    public String describe() {
        return (ifq == null ? "zcrx area" : "zcrx " + ifq.interfaceName() + " rx queue " + ifq.rxQueue() + ", area")
            + " " + (areaLength >> 20) + " MiB, refill ring " + refill.entries() + " entries";
    }

    @Override
    public void beforeRingClose() {
        // No unregister exists for an ifq: closing the ring releases it.
    }

    @Override
    public void unmap() {
        if (ifq != null) {
            ifq.close();
        }
    }

    @Override
    public void checkInvariants() {
        ledger.checkInvariants();
        refill.checkInvariants();
        if (freeCount + ledger.outstandingChunks() != chunks.length) {
            throw new IllegalStateException("zcrx chunk pool inconsistent: free=" + freeCount + ", outstanding="
                + ledger.outstandingChunks() + ", pool=" + chunks.length);
        }
    }
}
