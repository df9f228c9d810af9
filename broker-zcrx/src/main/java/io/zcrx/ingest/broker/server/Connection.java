package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestChannel;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.frame.FrameAssembler;
import io.zcrx.ingest.protocol.frame.FrameSink;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.requests.RequestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's side of one client connection, transport-neutral: received chunks go through a
 * {@link FrameAssembler}; each complete frame is handled by the reactor's
 * {@link RequestProcessor} and then closed, which releases its receive memory (the appends it
 * caused have completed by then). Responses are queued in request order on the transport's
 * outbound queue.
 *
 * <p>A close decided while a chunk is being framed (acks=0 failure, malformed request) is carried
 * out only after the assembler returns, so the assembler is never closed from inside itself.
 *
 * <p>This class is not thread-safe: it runs on its reactor thread.
 */
final class Connection implements ConnectionHandler, FrameSink, RequestChannel {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final ConnectionIo io;
    private final RequestProcessor processor;
    private final FrameAssembler assembler;
    private final int outboundMaxBytes;
    private String clientId;
    private String pendingCloseReason;
    private boolean closed;
    private boolean pausedForOutput;
    private boolean pausedForInflight;
    /**
     * Responses not yet queued for sending, in request order, when at least one earlier response
     * is still pending. Empty in the common case, where responses go straight to the outbound queue.
     */
    private final ArrayDeque<QueuedResponse> inflight = new ArrayDeque<>();
    private final int inflightMax;
    /** Scratch for a response encoded while an earlier one is still pending. */
    private ByteBuffer detour;
    long lastActivityNs;
    /** When the frame now being received started (for the slow-sender deadline); 0 when none. */
    long frameStartNs;
    /** Bytes received since {@link #frameStartNs} (about: counted per chunk), for the receive-memory reclaim. */
    long frameBytes;
    /** Scratch for the reclaim's ordering: frameBytes per second of the frame's age. */
    double reclaimRate;

    Connection(ConnectionIo io, RequestProcessor processor, int frameBytesMax, int outboundMaxBytes, int inflightMax,
               long nowNs) {
        this.io = io;
        this.inflightMax = inflightMax;
        this.processor = processor;
        this.assembler = new FrameAssembler(frameBytesMax);
        this.outboundMaxBytes = outboundMaxBytes;
        this.lastActivityNs = nowNs;
    }

    ConnectionIo io() {
        return io;
    }

    boolean isClosed() {
        return closed;
    }

    /** Frames handed out and not closed (must be 0 between chunks). */
    int openFrames() {
        return assembler.openFrames();
    }

    // ---- ConnectionHandler ------------------------------------------------------------------

    @Override
    public void onReceive(RxChunk chunk) {
        if (closed || pendingCloseReason != null) {
            return;
        }
        final long now = processor.nowNs();
        lastActivityNs = now;
        final int rc = assembler.onChunk(chunk, this);
        if (rc != FrameAssembler.OK) {
            final String why = rc == FrameAssembler.ERR_FRAME_TOO_LARGE
                ? "request size " + assembler.failedSize() + " exceeds socket.request.max.bytes="
                    + processor.frameBytesMax()
                : rc == FrameAssembler.ERR_NEGATIVE_SIZE ? "negative request size " + assembler.failedSize()
                : "framing failed earlier";
            requestClose(why);
        }
        if (!assembler.inFrame()) {
            frameStartNs = 0;
            frameBytes = 0;
        } else if (frameStartNs == 0) {
            frameStartNs = now;
            frameBytes = chunk.length();
        } else {
            frameBytes += chunk.length();
        }
        if (pendingCloseReason != null) {
            final String reason = pendingCloseReason;
            processor.logClose(this, reason);
            io.close(reason, true);
            return;
        }
        final OutboundQueue out = io.outbound();
        if (!out.isEmpty()) {
            io.flush();
            if (out.queuedBytes() > outboundMaxBytes && !pausedForOutput) {
                // The client is not reading its responses: stop reading its requests until it does.
                pausedForOutput = true;
                io.pauseReceive();
            }
        }
    }

    @Override
    public void onFrame(Frame frame) {
        try {
            if (!closed && pendingCloseReason == null) {
                processor.onFrame(this, frame);
            }
        } catch (ProtocolException e) {
            requestClose("malformed request: " + e.getMessage());
        } finally {
            frame.close();
        }
    }

    @Override
    public void onReadClosed() {
        // The client half-closed: answer what has been received, then close.
        io.close("client closed the connection", true);
    }

    @Override
    public void onClosed(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        inflight.clear();
        assembler.close();
        processor.onConnectionClosed(this, reason);
    }

    /** Called by the reactor's periodic check: resume a connection paused for unsent output. */
    void maybeResume() {
        if (pausedForOutput && !closed && io.outbound().queuedBytes() <= outboundMaxBytes / 2) {
            pausedForOutput = false;
            if (!pausedForInflight) {
                io.resumeReceive();
            }
        }
    }

    boolean pausedForOutput() {
        return pausedForOutput;
    }

    // ---- RequestChannel ---------------------------------------------------------------------

    @Override
    public ByteBuffer beginResponse(int length) {
        if (inflight.isEmpty()) {
            return io.outbound().beginWrite(length);
        }
        // An earlier response is still pending: this one waits behind it in its own buffer.
        detour = ByteBuffer.allocate(length);
        return detour;
    }

    @Override
    public void commitResponse() {
        if (detour == null) {
            io.outbound().commitWrite();
            return;
        }
        final QueuedResponse p = new QueuedResponse(this, 0, (short) 0, (short) 0);
        p.frame = Arrays.copyOf(detour.array(), detour.position());
        p.done = true;
        detour = null;
        inflight.addLast(p);
    }

    @Override
    public void sendResponse(int correlationId, short headerVersion, Message body, short version) {
        final byte[] frame = serialize(correlationId, headerVersion, body, version);
        if (inflight.isEmpty()) {
            io.outbound().write(ByteBuffer.wrap(frame));
            return;
        }
        final QueuedResponse p = new QueuedResponse(this, correlationId, headerVersion, version);
        p.frame = frame;
        p.done = true;
        inflight.addLast(p);
    }

    @Override
    public void sendResponse(ResponseWriter writer) {
        if (inflight.isEmpty()) {
            writer.writeTo(io.outbound());
            return;
        }
        final QueuedResponse p = new QueuedResponse(this, 0, (short) 0, (short) 0);
        p.writer = writer;
        p.done = true;
        inflight.addLast(p);
    }

    @Override
    public PendingResponse defer(int correlationId, short headerVersion, short version) {
        final QueuedResponse p = new QueuedResponse(this, correlationId, headerVersion, version);
        inflight.addLast(p);
        if (inflight.size() >= inflightMax && !pausedForInflight) {
            pausedForInflight = true;
            io.pauseReceive();
        }
        return p;
    }

    /** On the reactor thread: a pending response is ready; send every ready one at the head, in order. */
    void completePending(QueuedResponse p, byte[] frame) {
        completePending(p, frame, null);
    }

    /** As {@link #completePending(QueuedResponse, byte[])} with a self-writing response (Fetch). */
    void completePending(QueuedResponse p, byte[] frame, ResponseWriter writer) {
        if (closed || p.done) {
            return;
        }
        p.frame = frame;
        p.writer = writer;
        p.done = true;
        final OutboundQueue out = io.outbound();
        boolean wrote = false;
        while (!inflight.isEmpty() && inflight.peekFirst().done) {
            final QueuedResponse head = inflight.pollFirst();
            if (head.writer != null) {
                head.writer.writeTo(out);
            } else {
                out.write(ByteBuffer.wrap(head.frame));
            }
            wrote = true;
        }
        if (pausedForInflight && inflight.size() < inflightMax / 2 + 1) {
            pausedForInflight = false;
            if (!pausedForOutput) {
                io.resumeReceive();
            }
        }
        if (wrote) {
            io.flush();
        }
    }

    /** Response header + body with the 4-byte size prefix. */
    static byte[] serialize(int correlationId, short headerVersion, Message body, short version) {
        final ByteBuffer bytes = RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(correlationId),
            headerVersion, body, version);
        final byte[] frame = new byte[4 + bytes.remaining()];
        ByteBuffer.wrap(frame).putInt(bytes.remaining()).put(bytes);
        return frame;
    }

    /** Responses promised and not yet sent (for tests and the in-flight limit). */
    int inflightResponses() {
        return inflight.size();
    }

    @Override
    public void closeAfterFailure(String reason) {
        requestClose(reason);
    }

    private void requestClose(String reason) {
        if (pendingCloseReason == null) {
            pendingCloseReason = reason;
        }
    }

    @Override
    public String describe() {
        return "connection " + io.connectionId() + " from " + io.remoteAddress();
    }

    @Override
    public ReactorIo reactor() {
        return io.reactor();
    }

    @Override
    public String clientHost() {
        final String remote = io.remoteAddress();
        final int colon = remote.lastIndexOf(':');
        final String host = colon > 0 ? remote.substring(0, colon) : remote;
        return host.startsWith("/") ? host : "/" + host;
    }

    @Override
    public String clientId() {
        return clientId == null ? "" : clientId;
    }

    void clientId(String id) {
        this.clientId = id;
    }

    boolean hasClientId() {
        return clientId != null;
    }
}
