package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.security.SaslListener;
import io.zcrx.ingest.broker.security.SaslSession;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.ReactorIo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's side of one reactor: makes a {@link Connection} per accepted socket (all sharing
 * the reactor's {@link RequestProcessor} scratch), and once a second closes idle connections
 * ({@code connections.max.idle.ms}) and connections whose request has been arriving for longer than
 * {@code connection.request.receive.timeout.ms} (slow senders), and resumes connections paused for
 * unsent output. Every 100 ms it also checks the reactor's free receive memory: below
 * {@code receive.memory.reclaim.below.percent} it closes the connections whose request has been
 * arriving longest (older than {@code receive.memory.reclaim.request.age.ms}) until twice that share
 * is free. Without this, slow senders that each pin a receive buffer with a partial request could
 * hold all of it until their deadline, and every other connection's reads would wait.
 *
 * <p>Its connections are counted in Kafka's
 * {@code kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=<reactor id>}
 * attribute {@code connection-count}.
 *
 * <p>This class is not thread-safe: every call comes from its reactor thread.
 */
final class BrokerReactorHandler implements ReactorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerReactorHandler.class);
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MEMORY_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

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
    /** Reclaim below this much free receive memory (thousandths; 0 = never). */
    private final int reclaimBelowPermille;
    /** Only requests incomplete for longer than this are reclaimed. */
    private final long reclaimAgeNs;
    /** ... and only those arriving slower than this. */
    private final long reclaimSlowBytesPerSecond;
    /** Scratch for reclaim candidates, oldest request first. */
    private final ArrayList<Connection> reclaimCandidates = new ArrayList<>();
    /** zcrx:type=ReceiveMemory,name=ReclaimCloses,reactor=N; null without a registry (handler tests). */
    private final Meter reclaimCloses;
    private long nowNs = System.nanoTime();
    private long nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
    private long nextMemoryCheckNs = nowNs + MEMORY_CHECK_INTERVAL_NS;

    private final ControlPlane controlPlane;
    private final String listener;
    private final SaslListener sasl;
    /** connections.size(), published for the connection-count gauge (read on other threads). */
    private volatile int connectionCount;
    private final MetricName connectionCountMetric;

    BrokerReactorHandler(BrokerContext ctx, ControlPlane controlPlane, int reactorId, ReactorIo reactorIo) {
        this(ctx, controlPlane, reactorId, reactorIo, null, null, true);
    }

    /**
     * @param listener the listener's name (null: unnamed, tests)
     * @param sasl     its SASL set-up, null on a PLAINTEXT listener
     * @param first    the first listener keeps the metric names of a single-listener broker; the others' reactor
     *                 metrics carry a {@code listener} tag
     */
    BrokerReactorHandler(BrokerContext ctx, ControlPlane controlPlane, int reactorId, ReactorIo reactorIo,
                         String listener, SaslListener sasl, boolean first) {
        this.ctx = ctx;
        this.listener = listener;
        this.sasl = sasl;
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
        this.reclaimBelowPermille = ctx.config().getInt(BrokerConfig.RECEIVE_MEMORY_RECLAIM_BELOW_PERCENT) * 10;
        this.reclaimAgeNs = TimeUnit.MILLISECONDS.toNanos(
            ctx.config().getLong(BrokerConfig.RECEIVE_MEMORY_RECLAIM_REQUEST_AGE_MS));
        this.reclaimSlowBytesPerSecond =
            ctx.config().getLong(BrokerConfig.RECEIVE_MEMORY_RECLAIM_SLOW_BYTES_PER_SECOND);
        this.processor = new RequestProcessor(ctx, this);
        this.connectionCountMetric = first ? connectionCount(reactorId)
            : MetricName.attribute("kafka.server", "socket-server-metrics", "connection-count", "listener", listener,
                "networkProcessor", Integer.toString(reactorId));
        ctx.metrics().gauge(connectionCountMetric, () -> connectionCount);
        this.reclaimCloses = ctx.metrics().meter(first
            ? MetricName.of("zcrx", "ReceiveMemory", "ReclaimCloses", "reactor", Integer.toString(reactorId))
            : MetricName.of("zcrx", "ReceiveMemory", "ReclaimCloses", "listener", listener, "reactor",
                Integer.toString(reactorId)), "connections");
    }

    /** Kafka's per-listener, per-network-thread connection count (a Kafka Metrics attribute). */
    static MetricName connectionCount(int reactorId) {
        return MetricName.attribute("kafka.server", "socket-server-metrics", "connection-count",
            "listener", "PLAINTEXT", "networkProcessor", Integer.toString(reactorId));
    }

    int reactorId() {
        return reactorId;
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
        final Connection c = new Connection(io, processor, frameBytesMax, outboundMaxBytes, inflightMax, nowNs,
            listener, sasl == null ? null : new SaslSession(sasl));
        connections.add(c);
        connectionCount = connections.size();
        if (LOG.isDebugEnabled()) {
            LOG.debug("reactor {}: accepted {}", reactorId, c.describe());
        }
        return c;
    }

    void remove(Connection c) {
        connections.remove(c);
        connectionCount = connections.size();
    }

    @Override
    public long onTick(long now) {
        nowNs = now;
        if (now - nextHousekeepingNs >= 0) {
            nextHousekeepingNs = now + HOUSEKEEPING_INTERVAL_NS;
            housekeeping(now);
        }
        if (reclaimBelowPermille > 0) {
            if (now - nextMemoryCheckNs >= 0) {
                nextMemoryCheckNs = now + MEMORY_CHECK_INTERVAL_NS;
                if (reactorIo.receiveMemoryFreePermille() < reclaimBelowPermille) {
                    reclaimReceiveMemory(now);
                }
            }
            return nextMemoryCheckNs - nextHousekeepingNs < 0 ? nextMemoryCheckNs : nextHousekeepingNs;
        }
        return nextHousekeepingNs;
    }

    /**
     * Receive memory is low: close connections whose request is older than the reclaim age and
     * arrives slower than the reclaim rate, slowest first, until twice the threshold is free or none
     * is left. A partial request pins the blocks it arrived in; a normal client completes a request
     * in milliseconds, so an old, slow one is a slow or stalled sender. The rate (not the age) decides,
     * so a fast client whose request is old only because it waited for memory is spared. The closed
     * clients see a disconnect; Kafka clients reconnect and retry.
     */
    private void reclaimReceiveMemory(long now) {
        reclaimCandidates.clear();
        for (int i = 0; i < connections.size(); i++) {
            final Connection c = connections.get(i);
            if (!c.isClosed() && c.frameStartNs != 0 && now - c.frameStartNs > reclaimAgeNs) {
                c.reclaimRate = c.frameBytes * 1e9 / (now - c.frameStartNs);
                if (c.reclaimRate < reclaimSlowBytesPerSecond) {
                    reclaimCandidates.add(c);
                }
            }
        }
        if (reclaimCandidates.isEmpty()) {
            return;
        }
        reclaimCandidates.sort(SLOWEST_SENDER_FIRST);
        final int freeBefore = reactorIo.receiveMemoryFreePermille();
        int closed = 0;
        for (int i = 0; i < reclaimCandidates.size()
                && reactorIo.receiveMemoryFreePermille() < 2 * reclaimBelowPermille; i++) {
            final Connection c = reclaimCandidates.get(i);
            if (LOG.isDebugEnabled()) {
                LOG.debug("closing {} (client {}): receive memory low, request incomplete for {} ms at {} B/s",
                    c.describe(), c.clientId(), TimeUnit.NANOSECONDS.toMillis(now - c.frameStartNs),
                    (long) c.reclaimRate);
            }
            c.io().close("receive memory low: slow request", false);
            closed++;
        }
        reclaimCloses.mark(reactorId, closed);
        reclaimCandidates.clear();
        LOG.warn("reactor {}: receive memory low ({}% free, below {}={}): closed {} connection(s) whose request "
                + "was incomplete for more than {}={} ms at less than {}={}, slowest first; now {}% free", reactorId,
            freeBefore / 10.0, BrokerConfig.RECEIVE_MEMORY_RECLAIM_BELOW_PERCENT, reclaimBelowPermille / 10, closed,
            BrokerConfig.RECEIVE_MEMORY_RECLAIM_REQUEST_AGE_MS, TimeUnit.NANOSECONDS.toMillis(reclaimAgeNs),
            BrokerConfig.RECEIVE_MEMORY_RECLAIM_SLOW_BYTES_PER_SECOND, reclaimSlowBytesPerSecond,
            reactorIo.receiveMemoryFreePermille() / 10.0);
    }

    private static final Comparator<Connection> SLOWEST_SENDER_FIRST =
        (a, b) -> Double.compare(a.reclaimRate, b.reclaimRate);

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
        connectionCount = 0;
        ctx.metrics().remove(connectionCountMetric);
        if (!connections.isEmpty()) {
            LOG.warn("reactor {} closed with {} connections still registered", reactorId, connections.size());
        }
    }
}
