package io.zcrx.ingest.broker.transport.nio;

import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One accepted socket on an NIO reactor: reads into the reactor's {@link NioReceiveMemory} (one
 * chunk per read), hands chunks to the broker's {@link ConnectionHandler}, and drains the
 * connection's {@link OutboundQueue} with gathering writes (file regions with
 * {@code FileChannel.transferTo}, i.e. sendfile).
 *
 * <p>This class is not thread-safe: everything runs on the owning reactor's thread.
 */
final class NioConnection implements ConnectionIo {
    /** Reads per readiness event before other connections get a turn. */
    private static final int READS_PER_EVENT = 4;
    /** Below this much room left in the current buffer, take a fresh one. */
    private static final int MIN_READ_ROOM = 1024;
    private static final int GATHER_MAX = 16;

    private final NioReactor reactor;
    private final NioReceiveMemory pool;
    private final SocketChannel channel;
    private final long id;
    private final String remote;
    private final OutboundQueue outbound;
    private final ByteBuffer[] gather = new ByteBuffer[GATHER_MAX];
    private SelectionKey key;
    private ConnectionHandler handler;
    private int bufferId = -1;
    private int bufferUsed;
    private boolean paused;
    private boolean starved;
    private boolean readClosed;
    private boolean closed;
    private boolean closeAfterFlush;
    private long closeDeadlineNs;
    private String closeReason;

    NioConnection(NioReactor reactor, SocketChannel channel, long id, String remote, OutboundQueue outbound) {
        this.reactor = reactor;
        this.pool = reactor.pool();
        this.channel = channel;
        this.id = id;
        this.remote = remote;
        this.outbound = outbound;
    }

    void attach(SelectionKey key, ConnectionHandler handler) {
        this.key = key;
        this.handler = handler;
    }

    boolean isClosed() {
        return closed;
    }

    boolean isStarved() {
        return starved;
    }

    // ---- reading --------------------------------------------------------------------------

    void onReadable() throws IOException {
        for (int i = 0; i < READS_PER_EVENT && !paused && !closed && !readClosed; i++) {
            if (bufferId < 0 || pool.bufferBytes() - bufferUsed < MIN_READ_ROOM) {
                if (bufferId >= 0) {
                    pool.releaseBuffer(bufferId);
                    bufferId = -1;
                }
                // Connections already waiting for memory go first (FIFO): a newcomer queues behind them,
                // so many readers cannot keep taking every freed buffer from one that waits.
                bufferId = reactor.hasStarved() ? -1 : pool.acquireBuffer();
                bufferUsed = 0;
                if (bufferId < 0) {
                    starve();
                    return;
                }
            }
            final int room = pool.bufferBytes() - bufferUsed;
            final int n = channel.read(pool.readView(bufferId, bufferUsed));
            if (n > 0) {
                final RxChunk chunk = pool.wrapChunk(bufferId, bufferUsed, n);
                bufferUsed += n;
                try {
                    handler.onReceive(chunk);
                } finally {
                    chunk.release();
                }
                if (n < room) {
                    break;
                }
            } else if (n < 0) {
                readClosed = true;
                updateInterest();
                handler.onReadClosed();
                break;
            } else {
                break;
            }
        }
        // An idle connection keeps no receive buffer: if nothing cut from it is still referenced,
        // hand it back now (1000 idle clients must not pin 1000 buffers).
        if (bufferId >= 0 && !closed && pool.refs(bufferId) == 1) {
            pool.releaseBuffer(bufferId);
            bufferId = -1;
        }
    }

    private void starve() {
        if (!starved) {
            starved = true;
            reactor.onStarved(this);
            updateInterest();
        }
    }

    /** Receive memory came back: read again, into {@code grantedBufferId} (the reactor took it for us). */
    void unstarve(int grantedBufferId) {
        if (starved && !closed && bufferId < 0) {
            bufferId = grantedBufferId;
            bufferUsed = 0;
        } else {
            pool.releaseBuffer(grantedBufferId);
        }
        starved = false;
        updateInterest();
    }

    // ---- writing --------------------------------------------------------------------------

    @Override
    public void flush() {
        if (closed) {
            return;
        }
        try {
            writeQueued();
        } catch (IOException e) {
            closeNow("send failed: " + e.getMessage());
        }
    }

    void onWritable() throws IOException {
        writeQueued();
    }

    private void writeQueued() throws IOException {
        do {
            while (!outbound.isEmpty()) {
                final long n;
                if (outbound.headIsFile()) {
                    n = outbound.headFile().transferTo(outbound.headFilePosition(), outbound.headFileRemaining(),
                        channel);
                } else {
                    final int count = outbound.headBuffers(gather);
                    n = count == 1 ? channel.write(gather[0]) : channel.write(gather, 0, count);
                    for (int i = 0; i < count; i++) {
                        gather[i] = null;
                    }
                }
                if (n <= 0) {
                    break;
                }
                outbound.consumed(n);
            }
        } while (outbound.isEmpty() && handler != null && !closed && handler.onOutboundDrained());
        if (closed) {
            return;
        }
        if (outbound.isEmpty() && closeAfterFlush) {
            closeNow(closeReason);
            return;
        }
        updateInterest();
    }

    // ---- ConnectionIo ---------------------------------------------------------------------

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
    public void pauseReceive() {
        if (!paused) {
            paused = true;
            updateInterest();
        }
    }

    @Override
    public void resumeReceive() {
        if (paused) {
            paused = false;
            updateInterest();
        }
    }

    @Override
    public void close(String reason, boolean flushFirst) {
        if (closed) {
            return;
        }
        if (flushFirst && !outbound.isEmpty()) {
            closeAfterFlush = true;
            closeReason = reason;
            closeDeadlineNs = reactor.nowNs() + NioReactor.CLOSE_FLUSH_TIMEOUT_NS;
            paused = true;
            updateInterest();
            flush();
            return;
        }
        closeNow(reason);
    }

    @Override
    public ReactorIo reactor() {
        return reactor;
    }

    /** A close-after-flush whose output never drained is forced closed at its deadline. */
    boolean closeDeadlinePassed(long nowNs) {
        return closeAfterFlush && nowNs - closeDeadlineNs > 0;
    }

    void closeNow(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a socket that failed: nothing more to learn.
        }
        if (bufferId >= 0) {
            pool.releaseBuffer(bufferId);
            bufferId = -1;
        }
        outbound.clear();
        reactor.onConnectionClosed(this);
        if (handler != null) {
            handler.onClosed(reason);
        }
    }

    private void updateInterest() {
        if (closed || key == null || !key.isValid()) {
            return;
        }
        int ops = 0;
        if (!paused && !starved && !readClosed) {
            ops |= SelectionKey.OP_READ;
        }
        if (!outbound.isEmpty()) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + remote;
    }
}
