package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.transport.ReactorMetrics;
import io.zcrx.ingest.broker.uring.SqeWriter;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.protocol.bytes.ChunkOwner;

/**
 * One reactor's receive memory and the receive op that fills it: the provided-buffer ring (copy
 * mode, {@link CopyReceiveMemory}) or a zcrx area with its refill ring ({@link ZcrxReceiveMemory}). The
 * reactor is the same for both; only arming, turning a data CQE into chunks, giving memory back and
 * the meaning of a final CQE differ.
 *
 * <p>Ownership: every chunk it wraps starts with one reference (the transport's), is charged to a
 * {@link ReceiveAccount} in the {@link ReceiveLedger}, and comes back through
 * {@link #onChunkReleased} on the reactor thread when its last reference goes.
 *
 * <p>Not thread-safe: created and used on the reactor thread only (releases from another thread are
 * refused, since they would race the ring).
 */
public abstract class ReceiveMemory implements ChunkOwner {
    protected final ReceiveLedger ledger;
    protected final ChunkSink sink;
    private final Thread owner;

    protected ReceiveMemory(ReceiveLedger ledger, ChunkSink sink) {
        this.ledger = ledger;
        this.sink = sink;
        this.owner = Thread.currentThread();
    }

    /** Submits the multishot receive for socket {@code fd} with {@code userData}. */
    public abstract void armReceive(SqeWriter sqe, int fd, long userData);

    /**
     * A receive CQE with data ({@code res > 0}): wraps the bytes as chunk(s) charged to {@code account}
     * and hands each to the sink in stream order.
     */
    public abstract void onData(ReceiveAccount account, int res, int flags, long extra);

    /** Meaning of a final receive CQE with {@code res <= 0}. */
    public abstract RecvEnd classifyEnd(int res);

    /** Enough memory came back for a receive that ended with {@link RecvEnd#REARM_WHEN_MEMORY} to be armed again. */
    public abstract boolean memoryAvailableForRearm();

    /** Makes given-back memory visible to the kernel (store-release of the ring tail); called before entering. */
    public abstract void publish();

    /** One line for the start-up log. */
    public abstract String describe();

    /** Called while the ring is still open, after every receive ended (e.g. unregister a buffer group). */
    public abstract void beforeRingClose();

    /** Unmaps the memory; only after the ring is closed and the ledger is empty. */
    public abstract void unmap();

    public abstract void checkInvariants();

    /** Size of the receive memory, in bytes. */
    public abstract long capacityBytes();

    /** Bytes of the blocks held by at least one chunk: memory the kernel cannot receive into now. */
    public abstract long inUseBytes();

    /** Copies what the reactor's metrics show of this memory beyond the ledger (zcrx: its refill ring). */
    public void publishMetrics(ReactorMetrics metrics) {
    }

    public ReceiveLedger ledger() {
        return ledger;
    }

    protected final void checkReleaseThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("receive chunk released off its reactor thread: thread="
                + Thread.currentThread().getName() + ", reactor=" + owner.getName());
        }
    }

    /** Classification shared by both modes; {@code res} is 0 or a negative errno. */
    protected static RecvEnd classifyCommon(int res) {
        if (res == 0) {
            return RecvEnd.EOF;
        }
        switch (-res) {
            case Errno.ECANCELED:
                return RecvEnd.CANCELED;
            case Errno.EINTR:
            case Errno.EAGAIN:
                return RecvEnd.REARM;
            case Errno.ECONNRESET:
            case Errno.ETIMEDOUT:
            case Errno.EPIPE:
            case Errno.ENOTCONN:
            case Errno.EHOSTUNREACH:
            case Errno.ENETDOWN:
            case Errno.ECONNABORTED:
            case Errno.ECONNREFUSED:
                return RecvEnd.SOCKET_ERROR;
            default:
                return RecvEnd.BUG;
        }
    }
}
