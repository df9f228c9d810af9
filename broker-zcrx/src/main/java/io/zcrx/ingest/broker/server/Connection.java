package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.metrics.RequestMetrics;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestChannel;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.security.SaslSession;
import io.zcrx.ingest.broker.security.authz.TopicGrants;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.broker.transport.tls.TlsPeer;
import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.frame.FrameAssembler;
import io.zcrx.ingest.protocol.frame.FrameSink;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
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
 * <p>Request timing (Kafka's RequestMetrics, when metrics are recorded): a request's frame is
 * complete when the chunk that completes it arrives (one clock read per chunk); its handler starts
 * when the previous request of that chunk was handled (or at the chunk's arrival) and ends at a
 * clock read after it returns. A response written to the outbound queue is remembered with its
 * request's times until the queue is handed to the transport ({@code io.flush()}, one more clock
 * read), where all of its stages are recorded; a response that waits (deferred, or queued behind
 * one that is) carries its times in its {@link QueuedResponse}. A request without a response
 * (acks=0) is recorded when its handler returns. The send time ends at the hand-over to the
 * transport, not at the kernel's acceptance of the last byte: the transports send asynchronously.
 * Nothing is allocated per request: the pending times live in arrays that grow to the largest
 * pipeline seen.
 *
 * <p>This class is not thread-safe: it runs on its reactor thread.
 */
final class Connection implements ConnectionHandler, FrameSink, RequestChannel {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final ConnectionIo io;
    private final RequestProcessor processor;
    private final FrameAssembler assembler;
    private final int outboundMaxBytes;
    /** The listener this connection came in on ({@code listeners}). */
    private final String listener;
    /**
     * SASL listeners: the authentication state (docs/design.md "Connections and authentication"); null on a
     * PLAINTEXT listener, where every request is served. The dispatcher's only per-request cost.
     */
    final SaslSession sasl;
    /** The pre-authentication frame limit is in force (a SASL connection that has not authenticated yet). */
    private boolean preAuthLimit;
    private final int frameBytesMaxAfterAuth;
    private String clientId;
    /** The peer's address, parsed at the first authorization check. */
    private InetAddress clientAddress;
    /** Produce grants of this connection's principal, created at the first Produce under an authorizer. */
    private TopicGrants topicGrants;
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

    // ---- request timing (only when processor.timing()) ----
    private final boolean timing;
    /** When the chunk being framed arrived: the completion time of every frame it completes. */
    private long chunkNs;
    /** The end of the last request handled in this chunk: the next one's start. */
    private long lastEndNs;
    /** The request being handled. */
    private RequestMetrics curMetrics;
    private short curVersion;
    private long curFrameNs;
    private long curStartNs;
    /** Its response went straight to the outbound queue. */
    private boolean curImmediate;
    /** Its response waits in the in-order queue (deferred, or behind one that is). */
    private QueuedResponse curQueued;
    /** Responses in the outbound queue, not yet handed to the transport: [0, sentCount). */
    private int sentCount;
    private RequestMetrics[] sentMetrics = new RequestMetrics[4];
    private short[] sentVersions = new short[4];
    /** Per entry: frame complete, handler start, handler end, response ready, queued for sending. */
    private long[] sentTimes = new long[4 * SENT_STAGES];
    private static final int SENT_STAGES = 5;

    Connection(ConnectionIo io, RequestProcessor processor, int frameBytesMax, int outboundMaxBytes, int inflightMax,
               long nowNs) {
        this(io, processor, frameBytesMax, outboundMaxBytes, inflightMax, nowNs, null, null);
    }

    Connection(ConnectionIo io, RequestProcessor processor, int frameBytesMax, int outboundMaxBytes, int inflightMax,
               long nowNs, String listener, SaslSession sasl) {
        this.io = io;
        this.listener = listener;
        this.sasl = sasl;
        this.inflightMax = inflightMax;
        this.processor = processor;
        // Until a SASL client has authenticated, Kafka's sasl.server.max.receive.size bounds its requests.
        this.assembler = new FrameAssembler(sasl == null ? frameBytesMax : Math.min(frameBytesMax,
            processor.preAuthFrameBytesMax()));
        this.preAuthLimit = sasl != null && assembler.frameBytesMax() < frameBytesMax;
        this.frameBytesMaxAfterAuth = frameBytesMax;
        this.outboundMaxBytes = outboundMaxBytes;
        this.lastActivityNs = nowNs;
        this.timing = processor.timing();
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
        final long now = timing ? System.nanoTime() : processor.nowNs();
        lastActivityNs = now;
        chunkNs = now;
        lastEndNs = now;
        if (preAuthLimit && sasl.authenticated()) {
            preAuthLimit = false;
            assembler.frameBytesMax(frameBytesMaxAfterAuth);
        }
        final int rc = assembler.onChunk(chunk, this);
        if (rc != FrameAssembler.OK) {
            final String why = rc == FrameAssembler.ERR_FRAME_TOO_LARGE
                ? "request size " + assembler.failedSize() + (preAuthLimit
                    ? " before authentication exceeds sasl.server.max.receive.size=" + assembler.frameBytesMax()
                    : " exceeds socket.request.max.bytes=" + processor.frameBytesMax())
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
        if (sentCount > 0) {
            recordSent(System.nanoTime());
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
        Arrays.fill(sentMetrics, 0, sentCount, null);
        sentCount = 0;
        curQueued = null;
        assembler.close();
        if (sasl != null) {
            sasl.dispose();
        }
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
            curImmediate = true;
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
        curQueued = p;
    }

    @Override
    public void sendResponse(int correlationId, short headerVersion, Message body, short version) {
        final byte[] frame = serialize(correlationId, headerVersion, body, version);
        if (inflight.isEmpty()) {
            curImmediate = true;
            io.outbound().write(ByteBuffer.wrap(frame));
            return;
        }
        final QueuedResponse p = new QueuedResponse(this, correlationId, headerVersion, version);
        p.frame = frame;
        p.done = true;
        inflight.addLast(p);
        curQueued = p;
    }

    @Override
    public void sendResponse(ResponseWriter writer) {
        if (inflight.isEmpty()) {
            curImmediate = true;
            writer.writeTo(io.outbound());
            return;
        }
        final QueuedResponse p = new QueuedResponse(this, 0, (short) 0, (short) 0);
        p.writer = writer;
        p.done = true;
        inflight.addLast(p);
        curQueued = p;
    }

    @Override
    public PendingResponse defer(int correlationId, short headerVersion, short version) {
        final QueuedResponse p = new QueuedResponse(this, correlationId, headerVersion, version);
        inflight.addLast(p);
        curQueued = p;
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
        final long now = timing ? System.nanoTime() : 0L;
        p.readyNs = now;
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
            if (timing) {
                queuedForSending(head, now);
            }
        }
        if (pausedForInflight && inflight.size() < inflightMax / 2 + 1) {
            pausedForInflight = false;
            if (!pausedForOutput) {
                io.resumeReceive();
            }
        }
        if (wrote) {
            if (sentCount > 0) {
                recordSent(System.nanoTime());
            }
            io.flush();
        }
    }

    // ---- request timing -----------------------------------------------------------------------

    /** The processor is about to hand a request to its handler (timing only). */
    void beginRequest(RequestMetrics m, short version, int frameBytes) {
        m.requestBytes.record(processor.stripe(), frameBytes);
        curMetrics = m;
        curVersion = version;
        curFrameNs = chunkNs;
        curStartNs = lastEndNs;
        curImmediate = false;
        curQueued = null;
    }

    /** The handler returned at {@code endNs} (timing only). */
    void endRequest(long endNs) {
        lastEndNs = endNs;
        final QueuedResponse q = curQueued;
        curQueued = null;
        if (curImmediate) {
            addSent(curMetrics, curVersion, curFrameNs, curStartNs, endNs, endNs, endNs);
        } else if (q != null) {
            q.metrics = curMetrics;
            q.metricsVersion = curVersion;
            q.frameNs = curFrameNs;
            q.startNs = curStartNs;
            q.endNs = endNs;
            if (q.done) {
                // Complete now, queued behind an earlier response that is not.
                q.readyNs = endNs;
            }
            q.timed = true;
        } else if (!closed) {
            // No response (acks=0): the request ends with its handler, as Kafka's no-op response does.
            curMetrics.record(processor.stripe(), curVersion, curStartNs - curFrameNs, endNs - curStartNs, 0, 0, 0,
                endNs - curFrameNs);
        }
        curMetrics = null;
    }

    /** A waiting response has just been written to the outbound queue at {@code now}. */
    private void queuedForSending(QueuedResponse head, long now) {
        if (!head.timed) {
            // The response of the request whose handler is still running (it completed its own
            // deferred response): it counts as answered straight away when that handler returns.
            if (head == curQueued) {
                curQueued = null;
                curImmediate = true;
            }
            return;
        }
        addSent(head.metrics, head.metricsVersion, head.frameNs, head.startNs, head.endNs, head.readyNs, now);
    }

    private void addSent(RequestMetrics m, short version, long frameNs, long startNs, long endNs, long readyNs,
                         long queuedNs) {
        if (sentCount == sentMetrics.length) {
            sentMetrics = Arrays.copyOf(sentMetrics, sentCount * 2);
            sentVersions = Arrays.copyOf(sentVersions, sentCount * 2);
            sentTimes = Arrays.copyOf(sentTimes, sentCount * 2 * SENT_STAGES);
        }
        sentMetrics[sentCount] = m;
        sentVersions[sentCount] = version;
        final int t = sentCount * SENT_STAGES;
        sentTimes[t] = frameNs;
        sentTimes[t + 1] = startNs;
        sentTimes[t + 2] = endNs;
        sentTimes[t + 3] = readyNs;
        sentTimes[t + 4] = queuedNs;
        sentCount++;
    }

    /** The outbound queue is handed to the transport at {@code flushNs}: record every response in it. */
    private void recordSent(long flushNs) {
        final int stripe = processor.stripe();
        for (int i = 0; i < sentCount; i++) {
            final int t = i * SENT_STAGES;
            final long frameNs = sentTimes[t];
            final long startNs = sentTimes[t + 1];
            final long endNs = sentTimes[t + 2];
            final long readyNs = sentTimes[t + 3];
            final long queuedNs = sentTimes[t + 4];
            sentMetrics[i].record(stripe, sentVersions[i], startNs - frameNs, endNs - startNs, readyNs - endNs,
                queuedNs - readyNs, flushNs - queuedNs, flushNs - frameNs);
            sentMetrics[i] = null;
        }
        sentCount = 0;
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
    public String listener() {
        return listener;
    }

    /**
     * The connection's principal as Kafka's {@code DefaultKafkaPrincipalBuilder} gives it (what the authorizer
     * checks): the SASL session's on SASL listeners, SASL_SSL included; else, on an SSL listener, the client
     * certificate's ({@code User:CN=...} under the default {@code ssl.principal.mapping.rules}, {@code
     * User:ANONYMOUS} without one); else {@code User:ANONYMOUS}.
     */
    @Override
    public KafkaPrincipal principal() {
        if (sasl != null) {
            final KafkaPrincipal p = sasl.principal();
            return p == null ? KafkaPrincipal.ANONYMOUS : p;
        }
        if (io instanceof TlsPeer) {
            final KafkaPrincipal p = ((TlsPeer) io).tlsPrincipal();
            return p == null ? KafkaPrincipal.ANONYMOUS : p;
        }
        return KafkaPrincipal.ANONYMOUS;
    }

    @Override
    public SecurityProtocol securityProtocol() {
        if (io instanceof TlsPeer) {
            return sasl != null ? SecurityProtocol.SASL_SSL : SecurityProtocol.SSL;
        }
        return sasl != null ? SecurityProtocol.SASL_PLAINTEXT : SecurityProtocol.PLAINTEXT;
    }

    @Override
    public InetAddress clientAddress() {
        if (clientAddress == null) {
            clientAddress = parseAddress(clientHost().substring(1));
        }
        return clientAddress;
    }

    /**
     * The IP literal of {@code remoteAddress()}'s host ("name/1.2.3.4" keeps the part after the slash). Anything
     * else is never looked up (a name lookup would block the reactor): it reads as the unspecified address, which
     * matches only host "*" ACLs.
     */
    static InetAddress parseAddress(String host) {
        String literal = host.substring(host.lastIndexOf('/') + 1);
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        // IPv4: digits and dots; IPv6: a colon, hex digits, dots and a zone.
        final boolean v6 = literal.indexOf(':') >= 0;
        boolean ipLiteral = !literal.isEmpty();
        for (int i = 0; i < literal.length() && ipLiteral; i++) {
            final char ch = literal.charAt(i);
            ipLiteral = Character.isDigit(ch) || ch == '.' || v6 && (Character.digit(ch, 16) >= 0 || ch == ':'
                || ch == '%');
        }
        try {
            return InetAddress.getByName(ipLiteral ? literal : "0.0.0.0");
        } catch (UnknownHostException e) {
            return InetAddress.getLoopbackAddress();
        }
    }

    @Override
    public TopicGrants topicGrants() {
        if (topicGrants == null) {
            topicGrants = new TopicGrants();
        }
        return topicGrants;
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
