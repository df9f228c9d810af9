package io.zcrx.ingest.broker.transport.tls;

import io.zcrx.ingest.broker.runtime.RateLimitedLog;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.nio.NioReceiveMemory;
import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS layer of one reactor on a TLS listener, in front of the broker's {@link ReactorHandler}: it makes a
 * {@link TlsConnection} per accepted socket (the broker's handler gets that connection as its
 * {@link ConnectionIo}), owns the reactor's plaintext receive memory (a fixed pool of the NIO transport's kind,
 * {@code nio.buffer.bytes x nio.buffer.count}) and the blocks of the connections' plaintext output queues,
 * closes handshakes that outlive {@code connection.request.receive.timeout.ms}, and gives freed plaintext memory
 * to starved connections first come, first served.
 *
 * <p>To the broker's handler it is also the {@link ReactorIo}: the free receive memory it reports is the smaller
 * share of the transport's and the plaintext pool's, so the broker's receive-memory reclaim sees both.
 *
 * <p>Not thread-safe: reactor thread only, except {@link #execute}, {@link #inReactorThread} and the published
 * counters.
 */
final class TlsReactorHandler implements ReactorHandler, ReactorIo {
    private static final Logger LOG = LoggerFactory.getLogger(TlsReactorHandler.class);
    private static final long CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Plaintext output blocks; a TLS record (16 KiB of plaintext) spans at most two. */
    private static final int PLAIN_BLOCK_BYTES = 64 * 1024;

    private final TlsListener listener;
    private final int reactorId;
    private final ReactorIo transportIo;
    private final NioReceiveMemory pool;
    private final OutboundBlockPool plainBlocks = new OutboundBlockPool(PLAIN_BLOCK_BYTES, 64);
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, 1);
    private final ArrayList<TlsConnection> handshaking = new ArrayList<>();
    private final ArrayDeque<TlsConnection> starved = new ArrayDeque<>();
    private ReactorHandler inner;
    private long nextCheckNs;
    /** What this reactor's plaintext pool has out, published for {@link TlsListener#outstandingChunks()}. */
    volatile long publishedChunks;
    volatile long publishedBytes;

    TlsReactorHandler(TlsListener listener, int reactorId, ReactorIo transportIo) {
        this.listener = listener;
        this.reactorId = reactorId;
        this.transportIo = transportIo;
        this.pool = new NioReceiveMemory(listener.bufferBytes(), listener.bufferCount());
    }

    void attach(ReactorHandler brokerHandler) {
        this.inner = brokerHandler;
    }

    TlsListener listener() {
        return listener;
    }

    NioReceiveMemory pool() {
        return pool;
    }

    OutboundBlockPool plainBlocks() {
        return plainBlocks;
    }

    // ---- ReactorHandler -----------------------------------------------------------------------

    @Override
    public ConnectionHandler onAccept(ConnectionIo io) {
        final String remote = io.remoteAddress();
        final int colon = remote.lastIndexOf(':');
        String host = colon > 0 ? remote.substring(0, colon) : remote;
        if (host.startsWith("/")) {
            host = host.substring(1);
        }
        int port = -1;
        try {
            port = colon > 0 ? Integer.parseInt(remote.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            // An address without a port: the engine only uses it as a session-cache key.
        }
        final SSLEngine engine = listener.newEngine(host, port);
        final TlsConnection c = new TlsConnection(this, io, engine, host, System.nanoTime());
        handshaking.add(c);
        c.attach(inner.onAccept(c));
        c.start();
        return c;
    }

    @Override
    public long onTick(long nowNs) {
        final long innerNext = inner.onTick(nowNs);
        if (!starved.isEmpty() && pool.takeReleasedSinceCheck()) {
            grantStarved();
        }
        if (nowNs - nextCheckNs >= 0) {
            nextCheckNs = nowNs + CHECK_INTERVAL_NS;
            publishedChunks = pool.outstandingChunks();
            publishedBytes = pool.outstandingBytes();
            if (!starved.isEmpty()) {
                grantStarved();
            }
            expireHandshakes(nowNs);
        }
        return innerNext - nextCheckNs < 0 ? innerNext : nextCheckNs;
    }

    private void expireHandshakes(long nowNs) {
        for (int i = handshaking.size() - 1; i >= 0; i--) {
            final TlsConnection c = handshaking.get(i);
            if (nowNs - c.acceptNs > listener.handshakeTimeoutNs()) {
                c.failHandshake("handshake not complete after connection.request.receive.timeout.ms="
                    + TimeUnit.NANOSECONDS.toMillis(listener.handshakeTimeoutNs()), null);
            }
        }
    }

    private void grantStarved() {
        while (!starved.isEmpty() && pool.freeBuffers() > 0) {
            starved.pollFirst().unstarve();
        }
    }

    @Override
    public void onReactorClose() {
        inner.onReactorClose();
        publishedChunks = pool.outstandingChunks();
        publishedBytes = pool.outstandingBytes();
        try {
            pool.close();
        } catch (IllegalStateException e) {
            LOG.error("listener {} reactor {}: TLS plaintext memory still held at close: {}", listener.name(),
                reactorId, e.getMessage());
        }
    }

    // ---- from connections ---------------------------------------------------------------------

    void onStarved(TlsConnection c) {
        starved.addLast(c);
    }

    void onHandshakeDone(TlsConnection c) {
        handshaking.remove(c);
        listener.handshakes.increment();
    }

    /** A handshake failed: one rate-limited line with the reason (never key material: the JDK's alert text). */
    void onHandshakeFailed(TlsConnection c, String why) {
        handshaking.remove(c);
        listener.handshakeFailures.increment();
        if (failureLog.tryAcquire(System.currentTimeMillis())) {
            LOG.warn("listener {}: closing {}: TLS handshake failed: {}", listener.name(), c.describe(), why);
        }
    }

    void onClosed(TlsConnection c) {
        handshaking.remove(c);
        starved.remove(c);
    }

    // ---- ReactorIo (what the broker's handler sees) -------------------------------------------

    @Override
    public boolean execute(Runnable task) {
        return transportIo.execute(task);
    }

    @Override
    public boolean inReactorThread() {
        return transportIo.inReactorThread();
    }

    @Override
    public int receiveMemoryFreePermille() {
        final int own = (int) (pool.freeBuffers() * 1000L / pool.bufferCount());
        return Math.min(own, transportIo.receiveMemoryFreePermille());
    }
}
