package io.zcrx.ingest.broker.transport.tls;

import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.nio.NioReceiveMemory;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SslAuthenticationContext;

/**
 * One TLS connection: to the transport it is the {@link ConnectionHandler}, to the broker's connection it is the
 * {@link ConnectionIo}. Both directions run through the JDK's {@link SSLEngine}.
 *
 * <pre>
 *   receive:  transport chunk (ciphertext) --unwrap--> plaintext pool buffer --RxChunk--> broker's framing
 *             (a TLS record split across chunks waits in netIn; the ciphertext chunk is released at once)
 *   send:     broker writes plaintext into {@link #outbound()} --wrap, up to OUTBOUND_HIGH_BYTES ahead-->
 *             transport's outbound queue --> socket; more is wrapped each time the transport has sent it all
 * </pre>
 *
 * <p>The plaintext chunks are cut from the reactor's pool exactly as the NIO transport cuts its own (one holder
 * reference per buffer the connection is filling, one per chunk), so they are released when the frames holding
 * them are closed, after the batch is written. Unwrapping stops (ciphertext kept, transport receive paused) when
 * the pool is empty, until the reactor grants a buffer, and while the broker has paused receive.
 *
 * <p>The handshake runs before anything reaches the broker: delegated tasks run inline (as Kafka's
 * {@code SslTransportLayer} does), the deadline is the listener's, and a failure sends the engine's alert, logs
 * the reason (rate-limited) and closes.
 *
 * <p>Not thread-safe: reactor thread only.
 */
final class TlsConnection implements ConnectionHandler, ConnectionIo, TlsPeer {
    /** Ciphertext queued ahead of the socket before wrapping pauses (until the transport has sent it). */
    private static final long OUTBOUND_HIGH_BYTES = 256 * 1024;
    /** The most plaintext one TLS record carries (RFC 8446 5.1). */
    private static final int MAX_RECORD_PLAINTEXT = 16 * 1024;
    private static final int TLS_HEADER_BYTES = 5;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final TlsReactorHandler reactor;
    private final ConnectionIo io;
    private final SSLEngine engine;
    private final String peerHost;
    private final NioReceiveMemory pool;
    private final OutboundQueue plain;
    private final int packetBytes;
    private final int appBytes;
    /** A TLS record split across receive chunks (heap: at most one record). */
    private final ByteBuffer netIn;
    /** Ciphertext chunks not yet unwrapped (unwrapping halted), the first from {@link #pendingOffset}. */
    private final ArrayDeque<RxChunk> pending = new ArrayDeque<>(2);
    private int pendingOffset;
    private final ByteBuffer[] gather = new ByteBuffer[16];
    private ByteBuffer fileScratch;
    private final Runnable resumeTask = this::resumeUnwrap;
    final long acceptNs;
    private ConnectionHandler inner;
    private int bufferId = -1;
    private int bufferUsed;
    private boolean handshaking = true;
    private boolean innerPaused;
    private boolean starved;
    private boolean readClosedPending;
    private boolean closeRequested;
    private boolean closeNotifyQueued;
    private boolean pumping;
    /** The broker asked to close: nothing more is unwrapped. */
    private boolean closing;
    private boolean closed;
    private KafkaPrincipal principal;

    TlsConnection(TlsReactorHandler reactor, ConnectionIo io, SSLEngine engine, String peerHost, long acceptNs) {
        this.reactor = reactor;
        this.io = io;
        this.engine = engine;
        this.peerHost = peerHost;
        this.acceptNs = acceptNs;
        this.pool = reactor.pool();
        this.plain = new OutboundQueue(reactor.plainBlocks());
        final SSLSession s = engine.getSession();
        this.packetBytes = s.getPacketBufferSize();
        this.appBytes = s.getApplicationBufferSize();
        this.netIn = ByteBuffer.allocate(packetBytes);
    }

    void attach(ConnectionHandler brokerConnection) {
        this.inner = brokerConnection;
    }

    void start() {
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            failHandshake(e.getMessage(), e);
        } catch (RuntimeException e) {
            failHandshake("TLS engine failed: " + e, e);
        }
    }

    String describe() {
        return "connection " + io.connectionId() + " from " + io.remoteAddress();
    }

    // ---- receive (ConnectionHandler, from the transport) --------------------------------------

    @Override
    public void onReceive(RxChunk chunk) {
        if (closed) {
            return;
        }
        if (!pending.isEmpty() || halted()) {
            chunk.retain();
            pending.addLast(chunk);
            return;
        }
        final ByteBuffer src = view(chunk, 0);
        if (!feed(src) && !closed) {
            chunk.retain();
            pending.addLast(chunk);
            pendingOffset = src.position() - chunk.index();
        }
        afterFeed();
    }

    @Override
    public void onReadClosed() {
        if (closed) {
            return;
        }
        if (!pending.isEmpty() || halted()) {
            readClosedPending = true;
            return;
        }
        readClosed();
    }

    private void readClosed() {
        if (handshaking) {
            failHandshake("the client closed the connection during the handshake", null);
        } else {
            inner.onReadClosed();
        }
    }

    @Override
    public void onClosed(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        while (!pending.isEmpty()) {
            pending.pollFirst().release();
        }
        netIn.clear();
        plain.clear();
        if (bufferId >= 0) {
            pool.releaseBuffer(bufferId);
            bufferId = -1;
        }
        engine.closeOutbound();
        reactor.onClosed(this);
        if (inner != null) {
            inner.onClosed(reason);
        }
    }

    @Override
    public boolean onOutboundDrained() {
        return pump();
    }

    private boolean halted() {
        return closed || closing || innerPaused || starved;
    }

    private static ByteBuffer view(RxChunk c, int offset) {
        final ByteBuffer m = c.memory();
        m.limit(c.index() + c.length()).position(c.index() + offset);
        return m;
    }

    /**
     * Unwraps what {@code src} holds, completing a record carried in {@link #netIn} first and keeping a trailing
     * partial record there. Returns false when unwrapping halted; {@code src}'s position is then its first byte
     * not taken.
     */
    private boolean feed(ByteBuffer src) {
        while (true) {
            if (netIn.position() > 0) {
                // Complete the carried record from src (only up to its end, so netIn never holds two).
                final int need = carriedRecordBytes() - netIn.position();
                if (need > 0) {
                    final int n = Math.min(need, src.remaining());
                    final int limit = src.limit();
                    src.limit(src.position() + n);
                    netIn.put(src);
                    src.limit(limit);
                    if (n < need) {
                        return true;
                    }
                }
                netIn.flip();
                final boolean more = unwrapAll(netIn);
                netIn.compact();
                if (!more) {
                    return false;
                }
                if (netIn.position() == netIn.capacity()) {
                    // A "record" longer than any TLS record: not TLS, or a broken peer.
                    final String why = "TLS record longer than " + netIn.capacity() + " bytes";
                    if (handshaking) {
                        failHandshake(why + " (not TLS?)", null);
                    } else {
                        sendAlertAndClose(why);
                    }
                    return false;
                }
                if (netIn.position() > 0 && !src.hasRemaining()) {
                    return true;
                }
                continue;
            }
            if (!src.hasRemaining()) {
                return true;
            }
            if (!unwrapAll(src)) {
                return false;
            }
            // The rest of src is the start of a record.
            if (src.hasRemaining()) {
                if (src.remaining() > netIn.remaining()) {
                    throw new IllegalStateException("partial TLS record larger than the packet size: "
                        + src.remaining());
                }
                netIn.put(src);
            }
            return true;
        }
    }

    /** Length of the record whose first bytes are in netIn (header included); the header's length until known. */
    private int carriedRecordBytes() {
        if (netIn.position() < TLS_HEADER_BYTES) {
            return TLS_HEADER_BYTES;
        }
        final int len = TLS_HEADER_BYTES + (((netIn.get(3) & 0xff) << 8) | (netIn.get(4) & 0xff));
        // A length past the packet size is not TLS (or an attack): let the engine refuse what netIn holds.
        return Math.min(len, netIn.capacity());
    }

    /**
     * Unwraps records from {@code in} until it holds no complete record (true) or unwrapping must halt (false).
     * Each record's plaintext goes to the broker as one chunk.
     */
    private boolean unwrapAll(ByteBuffer in) {
        try {
            while (true) {
                if (halted()) {
                    return false;
                }
                if (!runHandshakeSteps()) {
                    return false;
                }
                if (!in.hasRemaining()) {
                    return true;
                }
                if (!ensurePlainRoom()) {
                    return false;
                }
                final ByteBuffer dst = pool.readView(bufferId, bufferUsed);
                final SSLEngineResult r = engine.unwrap(in, dst);
                final int produced = r.bytesProduced();
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakeDone();
                }
                if (produced > 0) {
                    deliver(produced);
                }
                switch (r.getStatus()) {
                    case OK:
                        break;
                    case BUFFER_UNDERFLOW:
                        return runHandshakeSteps();
                    case BUFFER_OVERFLOW:
                        // Fewer than appBytes left after all: take a fresh buffer.
                        bufferUsed = pool.bufferBytes();
                        break;
                    case CLOSED:
                        // close_notify from the client: as an EOF.
                        runHandshakeSteps();
                        in.position(in.limit());
                        readClosedPending = true;
                        return true;
                    default:
                        throw new IllegalStateException("unwrap status " + r.getStatus());
                }
            }
        } catch (SSLException e) {
            if (handshaking) {
                failHandshake(e.getMessage(), e);
            } else {
                sendAlertAndClose("TLS record failed: " + e.getMessage());
            }
            return false;
        } catch (RuntimeException e) {
            // The JDK's engine throws unchecked exceptions on some malformed input (fuzzing found a
            // ClassCastException inside sun.security.ssl for a handshake message of the wrong direction): a bad
            // peer, closed like any failed handshake, never an exception out of the reactor.
            final String why = "TLS engine failed on the peer's input: " + e;
            if (handshaking) {
                failHandshake(why, e);
            } else {
                sendAlertAndClose(why);
            }
            return false;
        }
    }

    /** The broker gets {@code produced} plaintext bytes just unwrapped at the buffer's fill mark. */
    private void deliver(int produced) {
        final RxChunk c = pool.wrapChunk(bufferId, bufferUsed, produced);
        bufferUsed += produced;
        try {
            inner.onReceive(c);
        } finally {
            c.release();
        }
    }

    /** A plaintext buffer with room for a whole record; false (starved, receive paused) when the pool is empty. */
    private boolean ensurePlainRoom() {
        if (bufferId >= 0 && pool.bufferBytes() - bufferUsed >= appBytes) {
            return true;
        }
        if (bufferId >= 0) {
            pool.releaseBuffer(bufferId);
            bufferId = -1;
        }
        bufferId = pool.acquireBuffer();
        bufferUsed = 0;
        if (bufferId < 0) {
            starved = true;
            io.pauseReceive();
            reactor.onStarved(this);
            return false;
        }
        return true;
    }

    /** After a chunk: an idle connection keeps no plaintext buffer; queued handshake output goes out. */
    private void afterFeed() {
        if (closed) {
            return;
        }
        if (bufferId >= 0 && pool.refs(bufferId) == 1 && pending.isEmpty()) {
            pool.releaseBuffer(bufferId);
            bufferId = -1;
        }
        if (!io.outbound().isEmpty()) {
            io.flush();
        }
        if (readClosedPending && pending.isEmpty() && !halted()) {
            readClosedPending = false;
            readClosed();
        }
    }

    /** The reactor granted plaintext memory (FIFO among starved connections). */
    void unstarve() {
        starved = false;
        resumeUnwrap();
    }

    /** Unwraps what waited (in netIn and pending chunks), then lets the transport deliver again. */
    private void resumeUnwrap() {
        if (halted()) {
            return;
        }
        if (netIn.position() > 0 && !feed(EMPTY)) {
            afterFeed();
            return;
        }
        while (!pending.isEmpty()) {
            final RxChunk c = pending.peekFirst();
            final ByteBuffer src = view(c, pendingOffset);
            if (!feed(src)) {
                if (!closed) {
                    pendingOffset = src.position() - c.index();
                }
                afterFeed();
                return;
            }
            pending.pollFirst().release();
            pendingOffset = 0;
        }
        afterFeed();
        if (!halted()) {
            io.resumeReceive();
        }
    }

    // ---- handshake ----------------------------------------------------------------------------

    /**
     * Runs the engine's delegated tasks and queues what it wants to send (handshake messages, TLS 1.3 session
     * tickets, alerts). Returns false when the connection failed.
     */
    private boolean runHandshakeSteps() throws SSLException {
        while (true) {
            final HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                final SSLEngineResult r = wrapInto(io.outbound(), EMPTY);
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                    handshakeDone();
                }
                if (r.getStatus() == Status.CLOSED) {
                    return !closed;
                }
            } else {
                if (handshaking && hs == HandshakeStatus.NOT_HANDSHAKING) {
                    handshakeDone();
                }
                return !closed;
            }
        }
    }

    private void handshakeDone() {
        if (!handshaking) {
            return;
        }
        handshaking = false;
        final SSLSession session = engine.getSession();
        try {
            principal = reactor.listener().principalBuilder().build(new SslAuthenticationContext(session,
                InetAddress.getByName(peerHost), reactor.listener().name()));
        } catch (IOException | KafkaException e) {
            // ssl.principal.mapping.rules did not match the certificate's subject: Kafka fails the connection.
            failHandshake("no principal for the client certificate: " + e.getMessage(), null);
            return;
        }
        reactor.onHandshakeDone(this);
    }

    /** Closes with the engine's alert sent first where it has one; a rate-limited line says why. */
    void failHandshake(String why, Throwable cause) {
        if (closed) {
            return;
        }
        reactor.onHandshakeFailed(this, why == null ? String.valueOf(cause) : why);
        sendAlertAndClose("TLS handshake failed");
    }

    private void sendAlertAndClose(String reason) {
        closing = true;
        engine.closeOutbound();
        try {
            // As Kafka's SslTransportLayer after a failure: wrap whatever the engine still has (its alert).
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                final SSLEngineResult r = wrapInto(io.outbound(), EMPTY);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException | RuntimeException e) {
            // The alert is a courtesy: close anyway.
        }
        io.close(reason, true);
    }

    // ---- send (ConnectionIo, from the broker) -------------------------------------------------

    /**
     * Wraps the broker's plaintext into the transport's queue until that holds {@link #OUTBOUND_HIGH_BYTES}
     * (the rest is wrapped as the transport drains it: {@link #onOutboundDrained}); after a close request, the
     * close_notify once everything is wrapped. Returns true when something was queued.
     */
    private boolean pump() {
        if (pumping || handshaking || closed) {
            return false;
        }
        pumping = true;
        boolean queued = false;
        final OutboundQueue out = io.outbound();
        try {
            while (!plain.isEmpty() && out.queuedBytes() < OUTBOUND_HIGH_BYTES) {
                final SSLEngineResult r;
                if (plain.headIsFile()) {
                    r = wrapInto(out, readFileRegion());
                } else {
                    final int n = plain.headBuffers(gather);
                    final ByteBuffer dst = out.beginWrite(packetBytes);
                    try {
                        r = engine.wrap(gather, 0, n, dst);
                    } finally {
                        out.commitWrite();
                        for (int i = 0; i < n; i++) {
                            gather[i] = null;
                        }
                    }
                }
                if (r.bytesConsumed() > 0) {
                    plain.consumed(r.bytesConsumed());
                }
                queued |= r.bytesProduced() > 0;
                if (r.getStatus() != Status.OK || r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    break;
                }
            }
            if (closeRequested && plain.isEmpty() && !closeNotifyQueued) {
                closeNotifyQueued = true;
                engine.closeOutbound();
                while (!engine.isOutboundDone()) {
                    final SSLEngineResult r = wrapInto(out, EMPTY);
                    queued |= r.bytesProduced() > 0;
                    if (r.bytesProduced() == 0) {
                        break;
                    }
                }
            }
        } catch (SSLException | RuntimeException e) {
            pumping = false;
            io.close("TLS wrap failed: " + (e instanceof SSLException ? e.getMessage() : e.toString()), false);
            return false;
        } catch (IOException e) {
            pumping = false;
            io.close("reading a file region failed: " + e.getMessage(), false);
            return false;
        }
        pumping = false;
        return queued;
    }

    /** Wraps {@code src} into one record at the tail of {@code out}; the write is closed whatever happens. */
    private SSLEngineResult wrapInto(OutboundQueue out, ByteBuffer src) throws SSLException {
        final ByteBuffer dst = out.beginWrite(packetBytes);
        try {
            return engine.wrap(src, dst);
        } finally {
            out.commitWrite();
        }
    }

    /** Up to one record's worth of the head file region, read into a scratch buffer. */
    private ByteBuffer readFileRegion() throws IOException {
        if (fileScratch == null) {
            fileScratch = ByteBuffer.allocateDirect(MAX_RECORD_PLAINTEXT);
        }
        final int want = (int) Math.min(MAX_RECORD_PLAINTEXT, plain.headFileRemaining());
        fileScratch.clear().limit(want);
        long pos = plain.headFilePosition();
        while (fileScratch.hasRemaining()) {
            final int n = plain.headFile().read(fileScratch, pos);
            if (n <= 0) {
                throw new IOException("file region shorter than queued: position=" + pos);
            }
            pos += n;
        }
        fileScratch.flip();
        return fileScratch;
    }

    @Override
    public OutboundQueue outbound() {
        return plain;
    }

    @Override
    public void flush() {
        if (closed || handshaking) {
            return;
        }
        pump();
        if (!io.outbound().isEmpty()) {
            io.flush();
        }
    }

    @Override
    public void pauseReceive() {
        if (!innerPaused) {
            innerPaused = true;
            io.pauseReceive();
        }
    }

    @Override
    public void resumeReceive() {
        if (innerPaused) {
            innerPaused = false;
            if (!starved && !closed) {
                // Not from inside the broker's own call: unwrapping may hand it chunks again.
                reactor.execute(resumeTask);
            }
        }
    }

    @Override
    public void close(String reason, boolean flushFirst) {
        if (closed) {
            return;
        }
        closing = true;
        if (flushFirst && !handshaking) {
            closeRequested = true;
            pump();
        }
        io.close(reason, flushFirst);
    }

    @Override
    public long connectionId() {
        return io.connectionId();
    }

    @Override
    public String remoteAddress() {
        return io.remoteAddress();
    }

    @Override
    public ReactorIo reactor() {
        return reactor;
    }

    // ---- TlsPeer ------------------------------------------------------------------------------

    @Override
    public KafkaPrincipal tlsPrincipal() {
        return principal;
    }

    @Override
    public SSLSession tlsSession() {
        return engine.getSession();
    }

    @Override
    public String toString() {
        return "TLS " + describe();
    }
}
