package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.uring.SqeWriter;
import io.zcrx.ingest.broker.uring.bufring.BufferRing;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.nio.ByteBuffer;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_CQE_BUFFER_SHIFT;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_CQE_F_BUFFER;

/**
 * Copy-mode receive memory: a provided-buffer ring shared by all connections of the reactor, filled by
 * multishot RECV (with bundles where the kernel has them, docs/kernel-abi.md#bundles). Each buffer a CQE used
 * becomes one chunk (buffer id {@code bid} = chunk token, index {@code bid × bufferBytes}); releasing the chunk
 * puts the buffer back at the ring tail, published before the next enter.
 *
 * <p>One pooled {@link RxChunk} per buffer id: a buffer is outstanding at most once, so the pool never
 * grows and nothing is allocated per CQE. A buffer is one ledger block.
 *
 * <p>Not thread-safe: reactor thread only.
 */
public final class CopyReceiveMemory extends ReceiveMemory {
    private final BufferRing ring;
    private final boolean bundles;
    private final ByteBuffer chunkView;
    private final long address;
    private final RxChunk[] chunks;
    private final ReceiveAccount[] accounts;
    /** Buffers that must be back in the ring before a receive starved by ENOBUFS is armed again. */
    private final int rearmThreshold;

    public CopyReceiveMemory(BufferRing ring, boolean bundles, ChunkSink sink) {
        super(new ReceiveLedger(ring.entries()), sink);
        this.ring = ring;
        this.bundles = bundles;
        this.chunkView = ring.buffers().bigEndianView();
        this.address = ring.buffers().address();
        this.chunks = new RxChunk[ring.entries()];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = new RxChunk();
        }
        this.accounts = new ReceiveAccount[ring.entries()];
        this.rearmThreshold = Math.max(1, ring.entries() / 16);
    }

    @Override
    public void armReceive(SqeWriter sqe, int fd, long userData) {
        sqe.recvMultishot(fd, ring.bgid(), bundles, userData);
    }

    @Override
    public void onData(ReceiveAccount account, int res, int flags, long extra) {
        if ((flags & IORING_CQE_F_BUFFER) == 0) {
            throw new IllegalStateException("copy-mode receive CQE with data but no buffer: res=" + res + ", flags=0x"
                + Integer.toHexString(flags));
        }
        final int count = ring.consume(flags >>> IORING_CQE_BUFFER_SHIFT, res, bundles);
        final int bufferBytes = ring.bufferBytes();
        int left = res;
        for (int k = 0; k < count; k++) {
            final int bid = ring.consumedBid(k);
            final int length = Math.min(left, bufferBytes);
            left -= length;
            ledger.onBlockHeld();
            if (length <= 0) {
                // A buffer charged without bytes would never come back through a chunk: return it now.
                ledger.onBlockFreed();
                ring.add(bid);
                continue;
            }
            accounts[bid] = account;
            ledger.onChunkReceived(account, length);
            sink.deliver(account, chunks[bid].wrap(this, chunkView, address, ring.bufferIndex(bid), length, bid));
        }
    }

    @Override
    public void onChunkReleased(RxChunk chunk) {
        checkReleaseThread();
        final int bid = (int) chunk.token();
        final ReceiveAccount account = accounts[bid];
        accounts[bid] = null;
        ledger.onChunkReleased(account, chunk.length());
        ledger.onBlockFreed();
        ring.add(bid);
    }

    @Override
    public RecvEnd classifyEnd(int res) {
        if (res == -Errno.ENOBUFS) {
            return RecvEnd.REARM_WHEN_MEMORY;
        }
        return classifyCommon(res);
    }

    @Override
    public boolean memoryAvailableForRearm() {
        return ring.available() >= rearmThreshold;
    }

    @Override
    public void publish() {
        ring.publish();
    }

    /** Buffers in the ring right now (our count). */
    public int buffersInRing() {
        return ring.available();
    }

    public BufferRing bufferRing() {
        return ring;
    }

    @Override
    public long capacityBytes() {
        return (long) ring.entries() * ring.bufferBytes();
    }

    @Override
    public long inUseBytes() {
        return ledger.blocksHeld() * ring.bufferBytes();
    }

    @Override
    public String describe() {
        return ring.entries() + " x " + (ring.bufferBytes() / 1024) + " KiB provided buffers per ring"
            + (bundles ? " (bundles)" : "");
    }

    @Override
    public void beforeRingClose() {
        ring.unregister();
    }

    @Override
    public void unmap() {
        ring.close();
    }

    @Override
    public void checkInvariants() {
        ledger.checkInvariants();
        ring.checkInvariants();
        if (ring.available() + ledger.blocksHeld() != ring.entries()) {
            throw new IllegalStateException("buffers neither in the ring nor held: inRing=" + ring.available()
                + ", held=" + ledger.blocksHeld() + ", entries=" + ring.entries());
        }
    }
}
