package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.runtime.RateLimitedLog;
import io.zcrx.ingest.broker.transport.ReactorBalancer;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.ReactorMetrics;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.uring.Sockets;
import io.zcrx.ingest.broker.uring.UringException;
import io.zcrx.ingest.broker.uring.UringSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the two io_uring transports share: the listening socket (accepted by reactor 0 with a multishot
 * ACCEPT), admission ({@code max.connections}), handing accepted sockets to reactors (the one with the fewest
 * connections, {@link ReactorBalancer}), the gauges summed over reactors, and ordered shutdown. Subclasses say how
 * many reactors there are and what receive memory each builds on its own thread.
 *
 * <p>Each reactor gets its own {@link ReactorHost} view of this transport ({@link Seat}), so a connection that
 * finishes is given back to the balancer under the reactor that owned it without the reactor having to say which.
 *
 * <p>Threads: {@link #start} and {@link #close} on the broker's main thread; {@link ReactorHost}
 * callbacks on reactor threads (thread-safe).
 */
abstract class AbstractUringTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractUringTransport.class);
    private static final int ACCEPT_BACKLOG = 1024;

    protected final TransportSettings settings;
    protected final UringSettings uring;
    protected final ReactorHandlerFactory handlerFactory;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong nextConnectionId = new AtomicLong();
    private final AtomicLong backpressureEvents = new AtomicLong();
    private final RateLimitedLog backpressureLog = new RateLimitedLog(LOG, 1);
    protected UringReactor[] reactors;
    private ReactorBalancer balancer;
    private ReactorMetrics[] reactorMetrics = new ReactorMetrics[0];
    private MetricName averageIdle;
    private int listenFd = -1;
    private InetSocketAddress localAddress;
    private boolean closed;

    AbstractUringTransport(TransportSettings settings, UringSettings uring, ReactorHandlerFactory handlerFactory) {
        this.settings = settings;
        this.uring = uring;
        this.handlerFactory = handlerFactory;
    }

    /** Reactor count for this transport. */
    protected abstract int reactorCount();

    /** Receive memory factory of reactor {@code i}, run on that reactor's thread. */
    protected abstract UringReactor.MemoryFactory memoryFactory(int reactorIndex);

    /** Which metrics the reactors have: copy mode's, or zcrx's with the refill ring. */
    protected ReactorMetrics.Kind metricsKind() {
        return ReactorMetrics.Kind.URING;
    }

    /** Checks this machine can run the transport at all; throws with the reason otherwise. */
    protected void checkSupport(UringSupport support) throws IOException {
        if (!support.copyModeAvailable()) {
            throw new IOException("io_uring unavailable: " + support.reason());
        }
    }

    @Override
    public final synchronized void start() throws IOException {
        if (reactors != null) {
            throw new IllegalStateException(name() + " transport already started");
        }
        checkSupport(UringSupport.get());
        try {
            listenFd = Sockets.listen(settings.bindAddress(), ACCEPT_BACKLOG, false);
            localAddress = Sockets.localAddress(listenFd);
        } catch (UringException e) {
            if (listenFd >= 0) {
                Sockets.close(listenFd);
                listenFd = -1;
            }
            throw new IOException("cannot listen on " + settings.bindAddress() + ": " + e.getMessage(), e);
        }
        reactors = new UringReactor[reactorCount()];
        balancer = new ReactorBalancer(reactors.length);
        reactorMetrics = new ReactorMetrics[reactors.length];
        try {
            for (int i = 0; i < reactors.length; i++) {
                reactorMetrics[i] = new ReactorMetrics(settings.metrics(), name(), i, metricsKind());
                reactors[i] = new UringReactor(new Seat(i), i, uring.sqEntries(), uring.cqEntries(), memoryFactory(i),
                    handlerFactory, settings.outboundBlockBytes(), i == 0 ? listenFd : -1, reactorMetrics[i]);
                reactors[i].start(name() + "-reactor-" + i);
            }
            averageIdle = ReactorMetrics.registerAverageIdle(settings.metrics(), reactorMetrics);
        } catch (IOException | RuntimeException e) {
            if (reactors[0] == null || !reactors[0].isSetUp()) {
                // Reactor 0 never took ownership of the listening socket.
                Sockets.close(listenFd);
            }
            closeReactors();
            throw e;
        }
    }

    private void dispatchAccepted(UringReactor acceptor, int fd) {
        if (openConnections.incrementAndGet() > settings.maxConnections()) {
            openConnections.decrementAndGet();
            LOG.warn("closing connection from {}: max.connections={} reached",
                Sockets.remoteAddress(fd), settings.maxConnections());
            Sockets.close(fd);
            return;
        }
        // zcrx: the NIC, not we, decides which queue (so which reactor) a flow's bytes reach; with one queue
        // there is one reactor, with several the choice is a guess either way (ZcrxTransport).
        final int index = balancer.choose();
        final UringReactor target = reactors[index];
        if (target == acceptor) {
            target.adopt(fd);
        } else if (!target.execute(() -> target.adopt(fd))) {
            balancer.release(index);
            openConnections.decrementAndGet();
            Sockets.close(fd);
        }
    }

    private void onConnectionGone(int reactorIndex) {
        balancer.release(reactorIndex);
        openConnections.decrementAndGet();
    }

    private int configureAccepted(int fd) {
        int rc = Sockets.setNoDelay(fd);
        if (rc >= 0 && settings.sendBufferBytes() > 0) {
            rc = setInt(fd, Sockets.SO_SNDBUF, settings.sendBufferBytes());
        }
        if (rc >= 0 && settings.receiveBufferBytes() > 0) {
            rc = setInt(fd, Sockets.SO_RCVBUF, settings.receiveBufferBytes());
        }
        return rc;
    }

    private static int setInt(int fd, int option, int value) {
        try {
            Sockets.setIntOption(fd, Sockets.SOL_SOCKET, option, value, "SO_SNDBUF/SO_RCVBUF");
            return 0;
        } catch (UringException e) {
            return -e.errno();
        }
    }

    private void onBackpressure(int reactorId, String detail) {
        backpressureEvents.incrementAndGet();
        synchronized (backpressureLog) {
            if (backpressureLog.tryAcquire(System.currentTimeMillis())) {
                LOG.warn("{} reactor {}: {}", name(), reactorId, detail);
            }
        }
    }

    /** Times a reactor paused a connection because receive memory passed its high watermark. */
    public long backpressureEvents() {
        return backpressureEvents.get();
    }

    /** Receives that ended for lack of receive memory, over all reactors. */
    public long starvationEvents() {
        long n = 0;
        for (UringReactor r : reactors()) {
            n += r == null ? 0 : r.starvationEvents();
        }
        return n;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public long outstandingChunks() {
        long n = 0;
        for (UringReactor r : reactors()) {
            n += r == null ? 0 : r.outstandingChunks();
        }
        return n;
    }

    @Override
    public long outstandingBytes() {
        long n = 0;
        for (UringReactor r : reactors()) {
            n += r == null ? 0 : r.outstandingBytes();
        }
        return n;
    }

    @Override
    public int connectionCount() {
        return Math.max(0, openConnections.get());
    }

    /** Each reactor's open connections as that reactor last published them (tests: where connections landed). */
    public int[] connectionsPerReactor() {
        final UringReactor[] r = reactors();
        final int[] n = new int[r.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = r[i] == null ? 0 : r[i].connectionCount();
        }
        return n;
    }

    /** The reactors (tests run checks on them through {@code execute}). */
    public UringReactor[] reactors() {
        final UringReactor[] r = reactors;
        return r == null ? new UringReactor[0] : r;
    }

    @Override
    public String describe() {
        final UringReactor[] r = reactors();
        return r.length + " reactor(s), " + (r.length > 0 ? r[0].memoryDescription() : "not started");
    }

    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeReactors();
    }

    private void closeReactors() {
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
        for (UringReactor r : reactors) {
            if (r != null) {
                r.stop();
            }
        }
        for (UringReactor r : reactors) {
            if (r == null) {
                continue;
            }
            try {
                if (!r.awaitStopped(60_000)) {
                    LOG.error("{} did not stop within 60 s", r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Reactor {@code index}'s view of its transport: the {@link ReactorHost} it was built with. */
    private final class Seat implements ReactorHost {
        private final int index;

        Seat(int index) {
            this.index = index;
        }

        @Override
        public void dispatchAccepted(UringReactor acceptor, int fd) {
            AbstractUringTransport.this.dispatchAccepted(acceptor, fd);
        }

        @Override
        public void onConnectionGone() {
            AbstractUringTransport.this.onConnectionGone(index);
        }

        @Override
        public long nextConnectionId() {
            return nextConnectionId.incrementAndGet();
        }

        @Override
        public int configureAccepted(int fd) {
            return AbstractUringTransport.this.configureAccepted(fd);
        }

        @Override
        public void onBackpressure(int reactorId, String detail) {
            AbstractUringTransport.this.onBackpressure(reactorId, detail);
        }
    }
}
