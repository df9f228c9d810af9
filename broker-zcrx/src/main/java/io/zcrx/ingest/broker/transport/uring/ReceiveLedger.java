package io.zcrx.ingest.broker.transport.uring;

/**
 * The release ledger's counters for one reactor's receive memory (docs/design.md, "Memory ownership"): what was
 * handed to connections and not yet given back, in chunks, bytes and <em>blocks</em> (the unit the kernel runs out
 * of: provided buffers in copy mode, 4 KiB niovs of the area in zcrx mode, where several chunks may pin one niov).
 * Blocks drive backpressure: above the high watermark the reactor pauses receive on the connections holding the
 * most, below the low watermark it resumes them, so the area or buffer ring never runs dry silently (zcrx
 * starvation is invisible to us: the NIC just drops packets).
 *
 * <pre>
 *   0 ........ low (1/2) ........ high (3/4) ........ capacityBlocks
 *   resume paused connections      pause the busiest connection, warn
 * </pre>
 *
 * <p>Invariant: {@code 0 <= outstandingChunks}, {@code 0 <= outstandingBytes}, {@code 0 <= blocksHeld
 * <= capacityBlocks}, and received - released totals equal the outstanding counts.
 *
 * <p>Not thread-safe: reactor thread only; other threads read the reactor's published gauges.
 */
public final class ReceiveLedger {
    private final long capacityBlocks;
    private final long highWatermarkBlocks;
    private final long lowWatermarkBlocks;
    private long outstandingChunks;
    private long outstandingBytes;
    private long blocksHeld;
    private long receivedChunks;
    private long releasedChunks;
    private long receivedBytes;
    private long releasedBytes;
    /** Releases since the last {@link #takeReleasedSinceCheck()}: lets starved receives re-arm. */
    private boolean releasedSinceCheck;

    public ReceiveLedger(long capacityBlocks) {
        if (capacityBlocks <= 0) {
            throw new IllegalArgumentException("ledger capacity must be > 0: capacityBlocks=" + capacityBlocks);
        }
        this.capacityBlocks = capacityBlocks;
        this.highWatermarkBlocks = Math.max(1, capacityBlocks * 3 / 4);
        this.lowWatermarkBlocks = capacityBlocks / 2;
    }

    public void onChunkReceived(ReceiveAccount account, int bytes) {
        outstandingChunks++;
        outstandingBytes += bytes;
        receivedChunks++;
        receivedBytes += bytes;
        account.addHeldBytes(bytes);
    }

    public void onChunkReleased(ReceiveAccount account, int bytes) {
        outstandingChunks--;
        outstandingBytes -= bytes;
        releasedChunks++;
        releasedBytes += bytes;
        account.addHeldBytes(-bytes);
        releasedSinceCheck = true;
        if (outstandingChunks < 0 || outstandingBytes < 0) {
            throw new IllegalStateException("receive ledger went negative (a chunk released twice?): outstandingChunks="
                + outstandingChunks + ", outstandingBytes=" + outstandingBytes);
        }
    }

    /** A block (buffer / niov) went from free to held by at least one chunk. */
    public void onBlockHeld() {
        blocksHeld++;
    }

    /** A block's last chunk was released. */
    public void onBlockFreed() {
        blocksHeld--;
    }

    public boolean overHighWatermark() {
        return blocksHeld >= highWatermarkBlocks;
    }

    public boolean belowLowWatermark() {
        return blocksHeld <= lowWatermarkBlocks;
    }

    /** True once after any release since the previous call. */
    public boolean takeReleasedSinceCheck() {
        final boolean r = releasedSinceCheck;
        releasedSinceCheck = false;
        return r;
    }

    public long outstandingChunks() {
        return outstandingChunks;
    }

    public long outstandingBytes() {
        return outstandingBytes;
    }

    public long blocksHeld() {
        return blocksHeld;
    }

    public long capacityBlocks() {
        return capacityBlocks;
    }

    public long receivedChunks() {
        return receivedChunks;
    }

    public long receivedBytes() {
        return receivedBytes;
    }

    public boolean isEmpty() {
        return outstandingChunks == 0 && blocksHeld == 0;
    }

    public void checkInvariants() {
        if (outstandingChunks < 0 || outstandingBytes < 0 || blocksHeld < 0 || blocksHeld > capacityBlocks
                || receivedChunks - releasedChunks != outstandingChunks
                || receivedBytes - releasedBytes != outstandingBytes
                || (outstandingChunks == 0) != (blocksHeld == 0)) {
            throw new IllegalStateException("receive ledger inconsistent: outstandingChunks=" + outstandingChunks
                + ", outstandingBytes=" + outstandingBytes + ", blocksHeld=" + blocksHeld
                + ", capacityBlocks=" + capacityBlocks
                + ", received=" + receivedChunks + "/" + receivedBytes + " B"
                + ", released=" + releasedChunks + "/" + releasedBytes + " B");
        }
    }

    @Override
    public String toString() {
        return "ReceiveLedger(chunks=" + outstandingChunks + ", bytes=" + outstandingBytes
            + ", blocks=" + blocksHeld + "/" + capacityBlocks + ")";
    }
}
