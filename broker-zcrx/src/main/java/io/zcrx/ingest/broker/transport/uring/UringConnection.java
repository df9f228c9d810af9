package io.zcrx.ingest.broker.transport.uring;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.broker.uring.UserData;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted socket on an io_uring reactor: one multishot receive (RECV or RECV_ZC) armed while the
 * connection wants bytes, at most one SEND in flight draining its {@link OutboundQueue}, and the state
 * machine that pauses, resumes and closes them in the documented order.
 *
 * <pre>
 *   receive: unarmed --arm--> armed --final CQE (no F_MORE)--> unarmed
 *            paused (handler or ledger) = cancel the armed receive; chunks that still arrive are queued
 *            in {@code pending} and delivered, in order, on resume (the handler never sees bytes while paused)
 *   send:    idle --SEND(head region)--> in flight --CQE res--> consumed(res), next SEND or idle
 *   close:   closing (handler told once, pending released, ASYNC_CANCEL on the fd)
 *            --> last in-flight CQE --> finished (outbound cleared, fd closed, slot free)
 * </pre>
 *
 * <p>Outbound memory is never freed while a SEND may read it: the queue is cleared only once the SEND's
 * CQE arrived. File regions (not used by produce) go through a per-connection bounce buffer.
 *
 * <p>This class is not thread-safe: everything runs on the owning reactor's thread.
 */
public final class UringConnection implements ConnectionIo, ReceiveAccount {
    private static final Logger LOG = LoggerFactory.getLogger(UringConnection.class);
    private static final int FILE_BOUNCE_BYTES = 64 * 1024;

    private final UringReactor reactor;
    final int slot;
    final int generation;
    final int fd;
    private final long id;
    private final String remote;
    private final OutboundQueue outbound;
    private final long recvUserData;
    private final long sendUserData;
    private final long cancelUserData;
    private ConnectionHandler handler;
    private long heldBytes;

    private boolean recvArmed;
    private boolean recvCancelPending;
    private boolean pausedByHandler;
    boolean pausedByLedger;
    boolean waitingForMemory;
    private boolean readClosed;
    private boolean eofPending;
    private RxChunk[] pending = new RxChunk[4];
    private int pendingHead;
    private int pendingCount;

    private boolean sendInFlight;
    private ByteBuffer fileBounce;
    private long fileBounceAddress;

    private boolean closing;
    private boolean finished;
    boolean closeAfterFlush;
    long closeDeadlineNs;
    private String closeReason;

    UringConnection(UringReactor reactor, int slot, int generation, int fd, long id, String remote,
                    OutboundQueue outbound) {
        this.reactor = reactor;
        this.slot = slot;
        this.generation = generation;
        this.fd = fd;
        this.id = id;
        this.remote = remote;
        this.outbound = outbound;
        this.recvUserData = UserData.encode(UringReactor.OP_RECV, slot, generation);
        this.sendUserData = UserData.encode(UringReactor.OP_SEND, slot, generation);
        this.cancelUserData = UserData.encode(UringReactor.OP_CANCEL, slot, generation);
    }

    void attach(ConnectionHandler handler) {
        this.handler = handler;
    }

    // ---- receive -------------------------------------------------------------------------------

    /** Arms the multishot receive when the connection wants bytes and none is armed. */
    void armIfWanted() {
        if (!recvArmed && !closing && !readClosed && !pausedByHandler && !pausedByLedger && !waitingForMemory
                && pendingCount == 0) {
            reactor.memory().armReceive(reactor.sqe(), fd, recvUserData);
            recvArmed = true;
            recvCancelPending = false;
        }
    }

    private void cancelReceive() {
        if (recvArmed && !recvCancelPending) {
            reactor.sqe().cancelUserData(recvUserData, cancelUserData);
            recvCancelPending = true;
        }
    }

    private boolean paused() {
        return pausedByHandler || pausedByLedger;
    }

    /** Receiving: not closed, not paused by anyone, not at EOF (a candidate for a ledger pause). */
    boolean isReceiving() {
        return !closing && !readClosed && !pausedByHandler && !pausedByLedger;
    }

    /**
     * A chunk for this connection (the transport's reference): to the handler now, or queued while the
     * handler has receive paused. Only the handler's pause holds chunks back: a ledger pause stops
     * arming receives, but chunks already received must reach the handler, which may need them to
     * complete a frame and release memory.
     */
    void deliver(RxChunk chunk) {
        if (closing) {
            chunk.release();
            return;
        }
        if (pausedByHandler || pendingCount > 0) {
            enqueuePending(chunk);
            return;
        }
        handOver(chunk);
    }

    private void handOver(RxChunk chunk) {
        try {
            handler.onReceive(chunk);
        } catch (RuntimeException e) {
            // A bug in request handling must not take the reactor (and every other connection) down.
            LOG.error("{}: closing after an unexpected error in the receive path", this, e);
            chunk.release();
            closeNow("internal error: " + e);
            return;
        }
        chunk.release();
    }

    private void enqueuePending(RxChunk chunk) {
        if (pendingCount == pending.length) {
            final RxChunk[] grown = new RxChunk[pending.length * 2];
            for (int i = 0; i < pendingCount; i++) {
                grown[i] = pending[(pendingHead + i) % pending.length];
            }
            pending = grown;
            pendingHead = 0;
        }
        pending[(pendingHead + pendingCount) % pending.length] = chunk;
        pendingCount++;
    }

    private void deliverPending() {
        while (pendingCount > 0 && !pausedByHandler && !closing) {
            final RxChunk c = pending[pendingHead];
            pending[pendingHead] = null;
            pendingHead = (pendingHead + 1) % pending.length;
            pendingCount--;
            handOver(c);
        }
        if (eofPending && pendingCount == 0 && !closing) {
            eofPending = false;
            handler.onReadClosed();
        }
    }

    private void releasePending() {
        while (pendingCount > 0) {
            final RxChunk c = pending[pendingHead];
            pending[pendingHead] = null;
            pendingHead = (pendingHead + 1) % pending.length;
            pendingCount--;
            c.release();
        }
    }

    /** The final CQE of the receive arrived ({@code res} > 0 only for copy-mode data that ended the multishot). */
    void onReceiveEnded(int res) {
        recvArmed = false;
        recvCancelPending = false;
        if (closing) {
            maybeFinish();
            return;
        }
        // Copy mode: a last CQE that still carries data means the kernel could not post into a full CQ.
        final RecvEnd end = res > 0 ? RecvEnd.CQ_OVERFLOW : reactor.memory().classifyEnd(res);
        switch (end) {
            case CQ_OVERFLOW:
                reactor.onReceiveEndedByOverflow();
                armIfWanted();
                break;
            case REARM:
            case CANCELED:
                armIfWanted();
                break;
            case REARM_WHEN_MEMORY:
                waitingForMemory = true;
                reactor.onStarved(this);
                break;
            case EOF:
                readClosed = true;
                if (pendingCount > 0) {
                    eofPending = true;
                } else {
                    handler.onReadClosed();
                }
                break;
            case SOCKET_ERROR:
                closeNow("socket error: " + Errno.describe(-res));
                break;
            case MISROUTED:
                closeNow("RECV_ZC " + Errno.describe(-res) + ": this connection's packets arrive on another zcrx"
                    + " queue than this reactor's (steer the port to one queue per reactor with an ntuple rule)");
                break;
            case NOT_PLAIN_TCP:
                closeNow("RECV_ZC " + Errno.describe(-res) + ": socket is not plain TCP");
                break;
            default:
                throw new IllegalStateException("receive ended with an errno that means a bug: connection=" + id
                    + ", fd=" + fd + ", res=" + Errno.describe(-res));
        }
    }

    /**
     * The CQE of one of our ASYNC_CANCELs. {@code -EALREADY} means the receive was running and will go on:
     * ask again, or a paused connection would keep receiving into its pending queue.
     */
    void onCancelCompleted(int res) {
        if (res == -Errno.EALREADY && recvArmed && recvCancelPending && !closing) {
            recvCancelPending = false;
            cancelReceive();
        }
    }

    /** Receive memory came back after ENOBUFS/ENOMEM. */
    void onMemoryAvailable() {
        waitingForMemory = false;
        armIfWanted();
    }

    void pauseByLedger() {
        if (!pausedByLedger) {
            pausedByLedger = true;
            cancelReceive();
        }
    }

    void resumeByLedger() {
        if (pausedByLedger) {
            pausedByLedger = false;
            resumeIfUnpaused();
        }
    }

    private void resumeIfUnpaused() {
        if (!pausedByHandler && !closing) {
            deliverPending();
        }
        if (!paused() && !closing) {
            armIfWanted();
        }
    }

    // ---- send ----------------------------------------------------------------------------------

    private void startSend() {
        if (sendInFlight || outbound.isEmpty() || finished) {
            return;
        }
        if (outbound.headIsFile()) {
            if (!fillFileBounce()) {
                return;
            }
        } else {
            final int length = outbound.headLength();
            if (length == 0) {
                return;
            }
            reactor.sqe().send(fd, outbound.headAddress(), length, sendUserData);
        }
        sendInFlight = true;
    }

    private boolean fillFileBounce() {
        if (fileBounce == null) {
            fileBounce = ByteBuffer.allocateDirect(FILE_BOUNCE_BYTES);
            fileBounceAddress = Pointer.nativeValue(Native.getDirectBufferPointer(fileBounce));
        }
        fileBounce.clear().limit((int) Math.min(FILE_BOUNCE_BYTES, outbound.headFileRemaining()));
        try {
            final int n = outbound.headFile().read(fileBounce, outbound.headFilePosition());
            if (n <= 0) {
                closeNow("file region shorter than queued: position=" + outbound.headFilePosition());
                return false;
            }
            reactor.sqe().send(fd, fileBounceAddress, n, sendUserData);
            return true;
        } catch (IOException e) {
            closeNow("reading a file region failed: " + e.getMessage());
            return false;
        }
    }

    void onSendCompleted(int res) {
        sendInFlight = false;
        if (res > 0) {
            outbound.consumed(res);
        }
        if (closing) {
            maybeFinish();
            return;
        }
        if (res < 0) {
            if (res == -Errno.EINTR || res == -Errno.EAGAIN) {
                startSend();
            } else {
                closeNow("send failed: " + Errno.describe(-res));
            }
            return;
        }
        if (res == 0) {
            closeNow("send made no progress: res=0, queued=" + outbound.queuedBytes());
            return;
        }
        if (outbound.isEmpty() && handler != null) {
            handler.onOutboundDrained();
            if (closing) {
                return;
            }
        }
        if (outbound.isEmpty() && closeAfterFlush) {
            closeNow(closeReason);
            return;
        }
        startSend();
    }

    // ---- close ---------------------------------------------------------------------------------

    /**
     * Starts closing: the handler hears {@code onClosed} now (and nothing after it), queued chunks are
     * released, in-flight requests on the fd are cancelled; the fd is closed and the slot freed once
     * their final CQEs arrived ({@link #maybeFinish}).
     */
    void closeNow(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeAfterFlush = false;
        releasePending();
        if (recvArmed || sendInFlight) {
            reactor.sqe().cancelFd(fd, cancelUserData);
        }
        reactor.onConnectionClosing(this);
        try {
            if (handler != null) {
                handler.onClosed(reason);
            }
        } catch (RuntimeException e) {
            LOG.error("{}: connection handler failed while closing", this, e);
        }
        maybeFinish();
    }

    private void maybeFinish() {
        if (closing && !finished && !recvArmed && !sendInFlight) {
            finished = true;
            outbound.clear();
            reactor.onConnectionFinished(this);
        }
    }

    boolean isClosing() {
        return closing;
    }

    boolean isFinished() {
        return finished;
    }

    boolean isReceiveArmed() {
        return recvArmed;
    }

    int pendingChunks() {
        return pendingCount;
    }

    // ---- ReceiveAccount ------------------------------------------------------------------------

    @Override
    public void addHeldBytes(long delta) {
        heldBytes += delta;
    }

    @Override
    public long heldBytes() {
        return heldBytes;
    }

    // ---- ConnectionIo --------------------------------------------------------------------------

    @Override
    public long connectionId() {
        return id;
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    @Override
    public OutboundQueue outbound() {
        return outbound;
    }

    @Override
    public void flush() {
        if (!closing) {
            startSend();
        }
    }

    @Override
    public void pauseReceive() {
        if (!pausedByHandler) {
            pausedByHandler = true;
            cancelReceive();
        }
    }

    @Override
    public void resumeReceive() {
        if (pausedByHandler && !closeAfterFlush) {
            pausedByHandler = false;
            resumeIfUnpaused();
        }
    }

    @Override
    public void close(String reason, boolean flushFirst) {
        if (closing || closeAfterFlush) {
            return;
        }
        if (flushFirst && !outbound.isEmpty()) {
            closeAfterFlush = true;
            closeReason = reason;
            closeDeadlineNs = reactor.nowNs() + UringReactor.CLOSE_FLUSH_TIMEOUT_NS;
            pausedByHandler = true;
            cancelReceive();
            reactor.onCloseAfterFlush(this);
            startSend();
            return;
        }
        closeNow(reason);
    }

    @Override
    public ReactorIo reactor() {
        return reactor;
    }

    /** Invariants between calls: a finished connection has nothing in flight; pending only while paused/closing. */
    void checkInvariants() {
        if (finished && (recvArmed || sendInFlight || pendingCount != 0) || pendingCount < 0
                || (pendingCount > 0 && !pausedByHandler && !closing)) {
            throw new IllegalStateException("connection state inconsistent: " + this + ", recvArmed=" + recvArmed
                + ", sendInFlight=" + sendInFlight + ", pending=" + pendingCount + ", paused=" + paused()
                + ", closing=" + closing + ", finished=" + finished);
        }
    }

    /** One line of state for diagnostics (reactor thread). */
    String describeState() {
        return this + ": fd=" + fd + ", recvArmed=" + recvArmed + ", cancelPending=" + recvCancelPending
            + ", pausedByHandler=" + pausedByHandler + ", pausedByLedger=" + pausedByLedger
            + ", waitingForMemory=" + waitingForMemory + ", readClosed=" + readClosed
            + ", eofPending=" + eofPending + ", pending=" + pendingCount + ", sendInFlight=" + sendInFlight
            + ", queued=" + outbound.queuedBytes() + ", closing=" + closing + ", closeAfterFlush=" + closeAfterFlush
            + ", heldBytes=" + heldBytes;
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + remote;
    }
}
