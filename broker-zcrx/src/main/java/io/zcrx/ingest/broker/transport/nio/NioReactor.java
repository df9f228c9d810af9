package io.zcrx.ingest.broker.transport.nio;

import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.ReactorMetrics;
import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NIO reactor thread: a {@link Selector}, the connections it owns, its receive pool and its
 * outbound blocks. Reactor 0 also owns the listening socket and deals accepted sockets out to the
 * reactor with the fewest connections ({@code ReactorBalancer}). Other threads reach a reactor only
 * through {@link #execute}.
 */
final class NioReactor implements ReactorIo, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(NioReactor.class);
    static final long CLOSE_FLUSH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long TICK_MAX_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final NioTransport transport;
    private final int reactorId;
    private final NioReceiveMemory pool;
    private final OutboundBlockPool blocks;
    private final Selector selector;
    private final ReactorHandlerFactory handlerFactory;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ArrayList<NioConnection> connections = new ArrayList<>();
    private final ArrayList<NioConnection> starved = new ArrayList<>();
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    /** Gauges published once per loop iteration for other threads (the pool's counters are plain). */
    private final ReactorMetrics metrics;
    private volatile int publishedConnections;
    private ServerSocketChannel listener;
    private ReactorHandler handler;
    private Thread thread;
    private long nowNs;
    /** Set before a blocking select; the first ready key clears it and notes the time: the end of the wait. */
    private boolean awaitingFirstKey;
    private long firstKeyNs;

    NioReactor(NioTransport transport, int reactorId, NioReceiveMemory pool, OutboundBlockPool blocks,
               ReactorHandlerFactory handlerFactory, ReactorMetrics metrics) throws IOException {
        this.transport = transport;
        this.reactorId = reactorId;
        this.pool = pool;
        this.blocks = blocks;
        this.handlerFactory = handlerFactory;
        this.metrics = metrics;
        metrics.capacity((long) pool.bufferBytes() * pool.bufferCount());
        this.selector = Selector.open();
    }

    NioReceiveMemory pool() {
        return pool;
    }

    long nowNs() {
        return nowNs;
    }

    int connectionCount() {
        return publishedConnections;
    }

    void listen(ServerSocketChannel ch) {
        this.listener = ch;
    }

    void start(String name) throws IOException {
        thread = new Thread(this, name);
        thread.setDaemon(false);
        thread.start();
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + name, e);
        }
        if (failure != null) {
            throw new IOException("reactor " + reactorId + " failed to start: " + failure, failure);
        }
    }

    @Override
    public void run() {
        try {
            nowNs = System.nanoTime();
            handler = handlerFactory.newReactorHandler(reactorId, this);
            if (listener != null) {
                listener.register(selector, SelectionKey.OP_ACCEPT, null);
            }
        } catch (Throwable t) {
            failure = t;
            started.countDown();
            stopped.countDown();
            return;
        }
        started.countDown();
        try {
            loop();
        } catch (Throwable t) {
            LOG.error("reactor {} stopped by an unexpected error; closing its connections", reactorId, t);
        } finally {
            shutdownInThread();
            stopped.countDown();
        }
    }

    private void loop() throws IOException {
        long nextTickNs = nowNs;
        while (running) {
            final long waitStartNs = System.nanoTime();
            final long waitNs = Math.min(TICK_MAX_NS, Math.max(0, nextTickNs - waitStartNs));
            final boolean blocking = tasks.isEmpty();
            if (!blocking) {
                selector.selectNow(onSelected);
            } else {
                final long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNs));
                awaitingFirstKey = true;
                selector.select(onSelected, waitMs);
            }
            wakeupPending.set(false);
            nowNs = System.nanoTime();
            if (blocking) {
                // Ready keys are handled inside select: the wait ended at the first one, or at the timeout/wake-up.
                metrics.idle((awaitingFirstKey ? nowNs : firstKeyNs) - waitStartNs);
                awaitingFirstKey = false;
            }
            metrics.atLoopTop(nowNs);
            runTasks();
            if (!starved.isEmpty() && pool.takeReleasedSinceCheck()) {
                retryStarved();
            }
            nextTickNs = onTickSafely();
            if (!connections.isEmpty()) {
                enforceCloseDeadlines();
            }
            publishGauges();
        }
    }

    private void publishGauges() {
        metrics.receiveMemory(pool.outstandingChunks(), pool.outstandingBytes(),
            (long) (pool.bufferCount() - pool.freeBuffers()) * pool.bufferBytes());
        publishedConnections = connections.size();
    }

    long outstandingChunks() {
        return metrics.outstandingChunks();
    }

    long outstandingBytes() {
        return metrics.outstandingBytes();
    }

    private long onTickSafely() {
        try {
            return handler.onTick(nowNs);
        } catch (RuntimeException e) {
            LOG.error("reactor {}: periodic work failed", reactorId, e);
            return nowNs + TICK_MAX_NS;
        }
    }

    private void onSelected(SelectionKey key) {
        if (awaitingFirstKey) {
            awaitingFirstKey = false;
            firstKeyNs = System.nanoTime();
        }
        final Object att = key.attachment();
        if (att == null) {
            if (key.isValid() && key.isAcceptable()) {
                acceptAll();
            }
            return;
        }
        final NioConnection c = (NioConnection) att;
        try {
            if (key.isValid() && key.isReadable()) {
                c.onReadable();
            }
            if (key.isValid() && key.isWritable() && !c.isClosed()) {
                c.onWritable();
            }
        } catch (IOException e) {
            c.closeNow("socket error: " + e.getMessage());
        } catch (RuntimeException e) {
            // A bug in request handling must not take the reactor (and every other connection) down.
            LOG.error("{}: closing after an unexpected error", c, e);
            c.closeNow("internal error: " + e);
        }
    }

    private void acceptAll() {
        while (true) {
            final SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                LOG.warn("accept failed on {}: {}", transport.localAddress(), e.getMessage());
                return;
            }
            if (ch == null) {
                return;
            }
            transport.dispatchAccepted(ch);
        }
    }

    /** Runs on this reactor's thread: takes over an accepted socket. */
    void register(SocketChannel ch, long id, String remote) {
        if (!running) {
            closeQuietly(ch);
            transport.onConnectionGone(reactorId);
            return;
        }
        final NioConnection c = new NioConnection(this, ch, id, remote, new OutboundQueue(blocks));
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            transport.applySocketBuffers(ch);
            final SelectionKey key = ch.register(selector, SelectionKey.OP_READ, c);
            connections.add(c);
            final ConnectionHandler h = handler.onAccept(c);
            c.attach(key, h);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not set up connection {} from {}: {}", id, remote, e.toString());
            connections.remove(c);
            closeQuietly(ch);
            transport.onConnectionGone(reactorId);
        }
    }

    void onConnectionClosed(NioConnection c) {
        connections.remove(c);
        starved.remove(c);
        transport.onConnectionGone(reactorId);
    }

    void onStarved(NioConnection c) {
        starved.add(c);
        metrics.pause();
        if (pool.freeBuffers() == 0) {
            // Not when it only queues behind connections already waiting (buffers are free, granted in order).
            metrics.noBuffers();
        }
        transport.onStarved(reactorId);
    }

    /** True while some connection waits for a receive buffer (newcomers queue behind it). */
    boolean hasStarved() {
        return !starved.isEmpty();
    }

    /** Hands free buffers to starved connections, longest waiting first. */
    private void retryStarved() {
        while (!starved.isEmpty() && pool.freeBuffers() > 0) {
            final NioConnection c = starved.remove(0);
            c.unstarve(pool.acquireBuffer());
            metrics.resume();
        }
    }

    private void enforceCloseDeadlines() {
        for (int i = connections.size() - 1; i >= 0; i--) {
            final NioConnection c = connections.get(i);
            if (c.closeDeadlinePassed(nowNs)) {
                c.closeNow("output not drained within the close timeout");
            }
        }
    }

    private void runTasks() {
        Runnable r;
        int budget = 4096;
        while (budget-- > 0 && (r = tasks.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("reactor {}: task failed", reactorId, e);
            }
        }
    }

    // ---- ReactorIo -------------------------------------------------------------------------

    @Override
    public boolean execute(Runnable task) {
        if (!running) {
            return false;
        }
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
        return true;
    }

    @Override
    public boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    @Override
    public int receiveMemoryFreePermille() {
        return (int) ((long) pool.freeBuffers() * 1000 / pool.bufferCount());
    }

    // ---- shutdown ----------------------------------------------------------------------------

    void stop() {
        running = false;
        selector.wakeup();
    }

    boolean awaitStopped(long timeoutMs) throws InterruptedException {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void shutdownInThread() {
        running = false;
        // Tasks queued before the stop still run: they may hand back resources (e.g. a completed flush).
        runTasks();
        for (int i = connections.size() - 1; i >= 0; i--) {
            connections.get(i).closeNow("broker shutting down");
        }
        try {
            if (handler != null) {
                handler.onReactorClose();
            }
        } catch (RuntimeException e) {
            LOG.error("reactor {}: close of the reactor handler failed", reactorId, e);
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the reactor is going away.
        }
        publishGauges();
        if (pool.outstandingChunks() != 0) {
            LOG.error("reactor {}: {} receive chunks ({} bytes) still referenced at shutdown; receive memory leaked",
                reactorId, pool.outstandingChunks(), pool.outstandingBytes());
        } else {
            pool.close();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Dropping a socket we never used.
        }
    }

}
