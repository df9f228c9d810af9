package io.zcrx.ingest.broker.transport.nio;

import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.transport.ReactorBalancer;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.ReactorMetrics;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable transport: java.nio selectors, one per reactor thread, reading into a fixed native
 * receive pool per reactor (so appends still write from receive memory with one gather write and
 * the same release ledger as the io_uring transports). Runs wherever Java runs, including where
 * io_uring is unavailable (older kernels, Docker's default seccomp profile, macOS).
 */
public final class NioTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);
    private static final int ACCEPT_BACKLOG = 1024;

    private final TransportSettings settings;
    private final int bufferBytes;
    private final int bufferCount;
    private final ReactorHandlerFactory handlerFactory;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong nextConnectionId = new AtomicLong();
    private final AtomicLong starvationEvents = new AtomicLong();
    private NioReactor[] reactors;
    private ReactorMetrics[] reactorMetrics = new ReactorMetrics[0];
    private MetricName averageIdle;
    private ServerSocketChannel listener;
    private InetSocketAddress localAddress;
    private ReactorBalancer balancer;
    private boolean closed;

    public NioTransport(TransportSettings settings, int bufferBytes, int bufferCount,
                        ReactorHandlerFactory handlerFactory) {
        this.settings = settings;
        this.bufferBytes = bufferBytes;
        this.bufferCount = bufferCount;
        this.handlerFactory = handlerFactory;
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public synchronized void start() throws IOException {
        if (reactors != null) {
            throw new IllegalStateException("nio transport already started");
        }
        listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(settings.bindAddress(), ACCEPT_BACKLOG);
            listener.configureBlocking(false);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + settings.bindAddress() + ": " + e.getMessage(), e);
        }
        localAddress = (InetSocketAddress) listener.getLocalAddress();
        reactors = new NioReactor[settings.reactors()];
        balancer = new ReactorBalancer(reactors.length);
        reactorMetrics = new ReactorMetrics[reactors.length];
        try {
            for (int i = 0; i < reactors.length; i++) {
                reactorMetrics[i] = new ReactorMetrics(settings.metrics(), name(), i, ReactorMetrics.Kind.NIO);
                reactors[i] = new NioReactor(this, i, new NioReceiveMemory(bufferBytes, bufferCount),
                    new OutboundBlockPool(settings.outboundBlockBytes(), 256), handlerFactory, reactorMetrics[i]);
            }
            averageIdle = ReactorMetrics.registerAverageIdle(settings.metrics(), reactorMetrics);
            reactors[0].listen(listener);
            for (int i = 0; i < reactors.length; i++) {
                reactors[i].start("nio-reactor-" + i);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Called on reactor 0 for each accepted socket: enforce max.connections, pick a reactor. */
    void dispatchAccepted(SocketChannel ch) {
        final String remote;
        try {
            remote = String.valueOf(ch.getRemoteAddress()).replaceFirst("^/", "");
        } catch (IOException e) {
            closeQuietly(ch);
            return;
        }
        if (openConnections.incrementAndGet() > settings.maxConnections()) {
            openConnections.decrementAndGet();
            LOG.warn("closing connection from {}: max.connections={} reached", remote, settings.maxConnections());
            closeQuietly(ch);
            return;
        }
        final long id = nextConnectionId.incrementAndGet();
        final int index = balancer.choose();
        final NioReactor target = reactors[index];
        if (target.inReactorThread()) {
            target.register(ch, id, remote);
        } else if (!target.execute(() -> target.register(ch, id, remote))) {
            balancer.release(index);
            openConnections.decrementAndGet();
            closeQuietly(ch);
        }
    }

    void applySocketBuffers(SocketChannel ch) throws IOException {
        if (settings.sendBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, settings.sendBufferBytes());
        }
        if (settings.receiveBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferBytes());
        }
    }

    /** A connection of reactor {@code reactorIndex} is gone (on that reactor's thread). */
    void onConnectionGone(int reactorIndex) {
        balancer.release(reactorIndex);
        openConnections.decrementAndGet();
    }

    void onStarved(int reactorId) {
        // Receive memory is the in-flight budget: say so when it runs out, but not per connection.
        if (starvationEvents.incrementAndGet() % 1000 == 1) {
            LOG.warn("reactor {}: receive buffers exhausted ({} x {} bytes); pausing reads until appends release "
                + "memory (raise nio.buffer.count if this persists)", reactorId, bufferCount, bufferBytes);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public long outstandingChunks() {
        long n = 0;
        for (NioReactor r : reactors) {
            n += r.outstandingChunks();
        }
        return n;
    }

    @Override
    public long outstandingBytes() {
        long n = 0;
        for (NioReactor r : reactors) {
            n += r.outstandingBytes();
        }
        return n;
    }

    @Override
    public int connectionCount() {
        return Math.max(0, openConnections.get());
    }

    /** Each reactor's open connections as that reactor last published them (tests: where connections landed). */
    public int[] connectionsPerReactor() {
        final NioReactor[] r = reactors;
        final int[] n = new int[r == null ? 0 : r.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = r[i] == null ? 0 : r[i].connectionCount();
        }
        return n;
    }

    /**
     * Runs {@code probe} on reactor {@code reactor}'s thread with that reactor's receive pool, whose counters only
     * that thread may read (tests compare the published gauges with them). False if the reactor has stopped.
     */
    public boolean inspectReceiveMemory(int reactor, Consumer<NioReceiveMemory> probe) {
        final NioReactor r = reactors[reactor];
        return r.execute(() -> probe.accept(r.pool()));
    }

    /** How often a reactor ran out of receive buffers (backpressure events). */
    public long starvationEvents() {
        return starvationEvents.get();
    }

    @Override
    public String describe() {
        return settings.reactors() + " reactor(s), " + bufferCount + " x " + (bufferBytes / 1024)
            + " KiB receive buffers per reactor";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException e) {
                LOG.warn("closing listener {}: {}", localAddress, e.getMessage());
            }
        }
        if (reactors == null) {
            return;
        }
        try {
            stopReactors();
        } finally {
            ReactorMetrics.removeAll(settings.metrics(), averageIdle, reactorMetrics);
        }
    }

    private void stopReactors() {
        for (NioReactor r : reactors) {
            if (r != null) {
                r.stop();
            }
        }
        for (NioReactor r : reactors) {
            if (r == null) {
                continue;
            }
            try {
                if (!r.awaitStopped(30_000)) {
                    LOG.error("nio reactor did not stop within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Refused or broken before it was used.
        }
    }
}
