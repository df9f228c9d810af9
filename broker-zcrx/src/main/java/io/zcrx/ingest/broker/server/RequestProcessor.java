package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.handler.ApiVersionTable;
import io.zcrx.ingest.broker.handler.ApiVersionsHandler;
import io.zcrx.ingest.broker.produce.ProduceHandler;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.ControlHandler;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.request.RequestLimits;
import io.zcrx.ingest.broker.runtime.RateLimitedLog;
import io.zcrx.ingest.broker.security.SaslSession;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches the requests of every connection on one reactor: parses the header over the frame's
 * slices, refuses api keys and versions we do not implement (by closing the connection, as Kafka
 * does; ApiVersions excepted, which answers with the downgrade reply), sends Produce to the
 * zero-copy {@link ProduceHandler}, and everything else, small and rare, through kafka-clients'
 * generated message classes after one copy of the body into a heap buffer.
 *
 * <p>Each request accepted is timed for Kafka's RequestMetrics of its api key (see
 * {@link Connection#beginRequest}): the handler's start and end here, the rest on the connection.
 * Under {@code metrics.enable=false} nothing is timed and the clock is not read.
 *
 * <p>One per reactor thread, holding that thread's scratch objects. Not thread-safe.
 */
final class RequestProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(RequestProcessor.class);

    private final BrokerContext ctx;
    private final BrokerReactorHandler reactor;
    private final SliceCursor cursor = new SliceCursor();
    private final RequestHeaderView header = new RequestHeaderView();
    private final ProduceHandler produce;
    private final ApiVersionsHandler apiVersions;
    /** Cluster mode advertises and accepts the controller-owned APIs too (ApiVersionTable). */
    private final boolean clusterMode;
    private final ControlPlane controlPlane;
    private final RateLimitedLog badInput = new RateLimitedLog(LOG, 10);
    private final int frameBytesMax;
    /** sasl.server.max.receive.size: the frame limit of a SASL connection until it has authenticated. */
    private final int preAuthFrameBytesMax;
    private final RequestLimits limits;
    private ByteBuffer bodyScratch = ByteBuffer.allocate(4096);
    /** metrics.enable: time requests (one clock read per request, two per received chunk). */
    private final boolean timing;
    /** The reactor's id: its stripe in every metric. */
    private final int stripe;

    RequestProcessor(BrokerContext ctx, BrokerReactorHandler reactor) {
        this.ctx = ctx;
        this.reactor = reactor;
        this.stripe = reactor.reactorId();
        this.timing = ctx.metrics().recording();
        this.controlPlane = reactor.controlPlane();
        this.produce = new ProduceHandler(ctx, stripe, controlPlane.leaders());
        this.clusterMode = ctx.clusterMode();
        this.apiVersions = new ApiVersionsHandler(clusterMode);
        this.frameBytesMax = ctx.config().getInt(BrokerConfig.SOCKET_REQUEST_MAX_BYTES);
        this.preAuthFrameBytesMax = Math.min(frameBytesMax,
            ctx.config().getInt(BrokerConfig.SASL_SERVER_MAX_RECEIVE_SIZE));
        this.limits = new RequestLimits(ctx.config().getInt(BrokerConfig.REQUEST_MAX_TOPICS),
            ctx.config().getInt(BrokerConfig.REQUEST_MAX_PARTITIONS), ctx.config().numPartitions());
    }

    int frameBytesMax() {
        return frameBytesMax;
    }

    int preAuthFrameBytesMax() {
        return preAuthFrameBytesMax;
    }

    long nowNs() {
        return reactor.nowNs();
    }

    boolean timing() {
        return timing;
    }

    int stripe() {
        return stripe;
    }

    ProduceHandler produce() {
        return produce;
    }

    void onFrame(Connection c, Frame frame) {
        final SaslSession sasl = c.sasl;
        if (sasl != null && sasl.rawTokens()) {
            rawSaslToken(c, sasl, frame);
            return;
        }
        cursor.wrap(frame.body(), 0, frame.size());
        if (!header.parse(cursor)) {
            c.closeAfterFailure("unknown api key " + header.apiKey() + " (version " + header.apiVersion() + ")");
            return;
        }
        if (!c.hasClientId()) {
            c.clientId(header.clientId(frame.body()));
        }
        final short key = header.apiKey();
        final short version = header.apiVersion();
        if (key != ApiKeys.API_VERSIONS.id && !ApiVersionTable.accepts(key, version, clusterMode)) {
            c.closeAfterFailure(unsupported(key, version));
            return;
        }
        if (sasl != null && !sasl.mayServe(reactor.nowNs()) && !allowedBeforeAuthentication(c, sasl, key)) {
            return;
        }
        if (!timing) {
            dispatch(c, frame, key, version);
            return;
        }
        c.beginRequest(ctx.requestMetrics(key), version, frame.size());
        dispatch(c, frame, key, version);
        c.endRequest(System.nanoTime());
    }

    /** Hands an accepted request to its handler. */
    private void dispatch(Connection c, Frame frame, short key, short version) {
        if (key == ApiKeys.API_VERSIONS.id) {
            apiVersions.handle(c, header, cursor, bodyScratch(cursor.remaining()));
            return;
        }
        if (key == ApiKeys.PRODUCE.id) {
            produce.handle(c, frame, header, cursor);
            return;
        }
        if (c.sasl != null && (key == ApiKeys.SASL_HANDSHAKE.id || key == ApiKeys.SASL_AUTHENTICATE.id)) {
            saslRequest(c, c.sasl, key, version);
            return;
        }
        final ControlHandler handler = controlPlane.handler(key);
        if (handler == null) {
            throw new IllegalStateException("advertised api without a handler: key=" + key);
        }
        final ApiKeys api = ApiKeys.forId(key);
        final RequestContext req = new RequestContext(c, api, version, header.correlationId(), c.clientId(), stripe);
        final ByteBuffer body = copyBody();
        final String overLimit = limits.violation(api, version, body);
        if (overLimit != null) {
            c.closeAfterFailure(overLimit);
            return;
        }
        try {
            handler.handle(req, new ByteBufferAccessor(body));
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            // kafka-clients' readers throw unchecked exceptions on malformed bodies.
            c.closeAfterFailure("malformed " + api + " v" + version + " request: " + e);
        }
    }

    /**
     * A SASL connection not (or no longer) authenticated: Kafka's rule (SaslServerAuthenticator, KIP-368) is that
     * only ApiVersions (before the first authentication), SaslHandshake and SaslAuthenticate are served; anything
     * else closes the connection with a log line. Past the session's end, only a re-authentication.
     */
    private boolean allowedBeforeAuthentication(Connection c, SaslSession sasl, short key) {
        if (key == ApiKeys.SASL_HANDSHAKE.id || key == ApiKeys.SASL_AUTHENTICATE.id) {
            return true;
        }
        final String api = ApiKeys.forId(key).name;
        if (!sasl.authenticated()) {
            if (key == ApiKeys.API_VERSIONS.id) {
                return true;
            }
            c.closeAfterFailure("listener " + sasl.listener().name() + ": " + api + " request before SASL "
                + "authentication (only ApiVersions, SaslHandshake and SaslAuthenticate are served until then)");
        } else {
            c.closeAfterFailure("listener " + sasl.listener().name() + ": SASL session of " + sasl.principal()
                + " expired (connections.max.reauth.ms=" + sasl.listener().reauthMs() + ") without "
                + "re-authentication; " + api + " refused");
        }
        return false;
    }

    /** SaslHandshake / SaslAuthenticate on a SASL listener: the connection's session answers. */
    private void saslRequest(Connection c, SaslSession sasl, short key, short version) {
        final ByteBufferAccessor body = new ByteBufferAccessor(copyBody());
        final ApiKeys api = ApiKeys.forId(key);
        final Message response;
        try {
            response = key == ApiKeys.SASL_HANDSHAKE.id
                ? sasl.handshake(new SaslHandshakeRequestData(body, version).mechanism(), version)
                : sasl.authenticate(new SaslAuthenticateRequestData(body, version).authBytes(), version,
                    reactor.nowNs());
        } catch (RuntimeException e) {
            c.closeAfterFailure("malformed " + api + " v" + version + " request: " + e.getClass().getSimpleName());
            return;
        }
        c.sendResponse(header.correlationId(), api.responseHeaderVersion(version), response, version);
        if (sasl.closeReason() != null) {
            c.closeAfterFailure(sasl.closeReason());
        }
    }

    /**
     * After SaslHandshake v0 the client sends bare SASL tokens, size-prefixed without a request header, and gets
     * bare tokens back (Kafka still serves this for old clients); a failure closes without an answer.
     */
    private void rawSaslToken(Connection c, SaslSession sasl, Frame frame) {
        cursor.wrap(frame.body(), 0, frame.size());
        final ByteBuffer in = bodyScratch(frame.size());
        cursor.copyTo(in, frame.size());
        final byte[] token = new byte[frame.size()];
        in.flip();
        in.get(token);
        final byte[] answer = sasl.rawToken(token, reactor.nowNs());
        if (answer == null) {
            c.closeAfterFailure(sasl.closeReason());
            return;
        }
        final ByteBuffer out = c.beginResponse(4 + answer.length);
        out.putInt(answer.length).put(answer);
        c.commitResponse();
    }

    private String unsupported(short key, short version) {
        if (!ApiVersionTable.isImplemented(key, clusterMode)) {
            final String name = ApiKeys.hasId(key) ? ApiKeys.forId(key).name : "unknown";
            return "request for api " + name + " (key " + key + ") which this broker does not implement or advertise";
        }
        return "unsupported version: api=" + ApiKeys.forId(key).name + ", version=" + version + ", supported=["
            + ApiVersionTable.acceptedMin(key) + ", " + ApiVersionTable.advertisedMax(key) + "]";
    }

    /** Copies the rest of the frame (the request body) into the reusable heap scratch. */
    private ByteBuffer copyBody() {
        final int n = cursor.remaining();
        final ByteBuffer b = bodyScratch(n);
        cursor.copyTo(b, n);
        b.flip();
        return b;
    }

    private ByteBuffer bodyScratch(int n) {
        if (bodyScratch.capacity() < n) {
            bodyScratch = ByteBuffer.allocate(Math.max(n, bodyScratch.capacity() * 2));
        }
        bodyScratch.clear();
        return bodyScratch;
    }

    void logClose(Connection c, String reason) {
        if (badInput.tryAcquire(ctx.nowMs())) {
            LOG.warn("closing {} (client {}): {}", c.describe(), c.clientId(), reason);
        }
    }

    void onConnectionClosed(Connection c, String reason) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} closed: {}", c.describe(), reason);
        }
        reactor.remove(c);
    }
}
