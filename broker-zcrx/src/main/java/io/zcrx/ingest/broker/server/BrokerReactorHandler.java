package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.ReactorIo;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The broker's side of one reactor: makes a {@link Connection} per accepted socket (all sharing
 * the reactor's {@link RequestProcessor} scratch), and once a second closes idle connections
 * ({@code connections.max.idle.ms}) and connections whose request has been arriving for longer than
 * {@code connection.request.receive.timeout.ms} (slow senders), and resumes connections paused for
 * unsent output.
 *
 * <p>This class is not thread-safe: every call comes from its reactor thread.
 */
final class BrokerReactorHandler implements ReactorHandler {
    private static final Logger LOG = LogManager.getLogger(BrokerReactorHandler.class);
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final BrokerContext ctx;
    private final int reactorId;
    private final ReactorIo reactorIo;
    private final RequestProcessor processor;
    private final ArrayList<Connection> connections = new ArrayList<>();
    private final int frameBytesMax;
    private final int outboundMaxBytes;
    private final int inflightMax;
    private final long idleNs;
    /** connection.request.receive.timeout.ms: a request still incomplete after this closes its connection. */
    private final long frameTimeoutNs;
    private long nowNs = System.nanoTime();
    private long nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;

    private final ControlPlane controlPlane;

    BrokerReactorHandler(BrokerContext ctx, ControlPlane controlPlane, int reactorId, ReactorIo reactorIo) {
        this.ctx = ctx;
        this.controlPlane = controlPlane;
        this.reactorId = reactorId;
        this.reactorIo = reactorIo;
        this.frameBytesMax = ctx.config().getInt(BrokerConfig.SOCKET_REQUEST_MAX_BYTES);
        this.outboundMaxBytes = ctx.config().getInt(BrokerConfig.CONNECTION_OUTBOUND_MAX_BYTES);
        this.inflightMax = ctx.config().getInt(BrokerConfig.CONNECTION_MAX_INFLIGHT_REQUESTS);
        final long idleMs = ctx.config().getLong(BrokerConfig.CONNECTIONS_MAX_IDLE_MS);
        this.idleNs = idleMs < 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(idleMs);
        this.frameTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            ctx.config().getLong(BrokerConfig.CONNECTION_REQUEST_RECEIVE_TIMEOUT_MS));
        this.processor = new RequestProcessor(ctx, this);
    }

    ControlPlane controlPlane() {
        return controlPlane;
    }

    long nowNs() {
        return nowNs;
    }

    RequestProcessor processor() {
        return processor;
    }

    ReactorIo reactorIo() {
        return reactorIo;
    }

    @Override
    public ConnectionHandler onAccept(ConnectionIo io) {
        nowNs = System.nanoTime();
        final Connection c = new Connection(io, processor, frameBytesMax, outboundMaxBytes, inflightMax, nowNs);
        connections.add(c);
        if (LOG.isDebugEnabled()) {
            LOG.debug("reactor {}: accepted {}", reactorId, c.describe());
        }
        return c;
    }

    void remove(Connection c) {
        connections.remove(c);
    }

    @Override
    public long onTick(long now) {
        nowNs = now;
        if (now - nextHousekeepingNs >= 0) {
            nextHousekeepingNs = now + HOUSEKEEPING_INTERVAL_NS;
            housekeeping(now);
        }
        return nextHousekeepingNs;
    }

    private void housekeeping(long now) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            final Connection c = connections.get(i);
            if (c.isClosed()) {
                continue;
            }
            if (c.pausedForOutput()) {
                c.maybeResume();
            }
            if (c.frameStartNs != 0 && now - c.frameStartNs > frameTimeoutNs) {
                // A slow sender (slowloris) holds receive memory for a request it never finishes.
                LOG.warn("closing {} (client {}): request incomplete after connection.request.receive.timeout.ms={}",
                    c.describe(), c.clientId(), TimeUnit.NANOSECONDS.toMillis(frameTimeoutNs));
                c.io().close("request receive timeout", false);
                continue;
            }
            if (now - c.lastActivityNs > idleNs && c.io().outbound().isEmpty()) {
                LOG.info("closing {}: idle for more than connections.max.idle.ms={}", c.describe(),
                    TimeUnit.NANOSECONDS.toMillis(idleNs));
                c.io().close("idle timeout", false);
            }
        }
    }

    @Override
    public void onReactorClose() {
        if (!connections.isEmpty()) {
            LOG.warn("reactor {} closed with {} connections still registered", reactorId, connections.size());
        }
    }
}
