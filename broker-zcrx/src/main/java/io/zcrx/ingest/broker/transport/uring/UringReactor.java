package io.zcrx.ingest.broker.transport.uring;

import com.sun.jna.Memory;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.ReactorMetrics;
import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.broker.uring.CompletionBatch;
import io.zcrx.ingest.broker.uring.Ring;
import io.zcrx.ingest.broker.uring.Sockets;
import io.zcrx.ingest.broker.uring.SqeWriter;
import io.zcrx.ingest.broker.uring.UringConstants;
import io.zcrx.ingest.broker.uring.UringException;
import io.zcrx.ingest.broker.uring.UserData;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.Sys;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_CQE_F_MORE;

/**
 * One io_uring reactor thread (docs/design.md, "Threads"): it creates its ring on its own thread
 * ({@code SINGLE_ISSUER | DEFER_TASKRUN | CQE32 | SUBMIT_ALL | CQSIZE}), owns its receive memory (buffer
 * ring or zcrx area), its connections and, on the accepting reactor, the listening socket with a
 * multishot ACCEPT. Other threads reach it only through {@link #execute}, woken by an eventfd READ armed
 * on the ring.
 *
 * <pre>
 *   loop:  run tasks -> tick -> close deadlines -> re-arm starved receives -> backpressure
 *          -> publish given-back memory (buffer-ring / refill-ring tail)
 *          -> io_uring_enter(submit, GETEVENTS, wait 1 with timeout unless work is pending)
 *          -> drain CQEs in batches (copied out first) and dispatch by the op in user_data
 *   user_data: op u8 | slot u24 | generation u32  (UserData)
 * </pre>
 *
 * <p>Shutdown (docs/kernel-abi.md#shutdown-order): cancel the ACCEPT, close every connection (cancel its receive
 * and send, wait for their final CQEs, close the fd), let the handlers give back every chunk, unregister
 * the buffer group, close the ring, and only then unmap receive memory. Memory still referenced after
 * the grace period is leaked on purpose (and logged): unmapping it would turn a late reader into a crash.
 *
 * <p>Threads: all state is confined to the reactor thread except the task queue, the wake-up flag and
 * the published gauges.
 *
 * <p>The connection table is {@link ConnectionSlots} and the receive-memory pressure policy
 * {@link ReceivePressure}. What stays here is one job, the ring's event loop, and is kept together on
 * purpose even though it runs past 500 lines: set-up, the loop, completion dispatch, accept, wake-ups
 * and shutdown all touch the same ring, SQE writer and receive memory in a fixed order on one thread,
 * and the shutdown sequence above is only correct as a whole.
 */
public final class UringReactor implements ReactorIo, ChunkSink, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(UringReactor.class);

    static final int OP_WAKE = 1;
    static final int OP_ACCEPT = 2;
    static final int OP_RECV = 3;
    static final int OP_SEND = 4;
    static final int OP_CANCEL = 5;
    static final int OP_ACCEPT_CANCEL = 6;

    static final long CLOSE_FLUSH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long TICK_MAX_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long ACCEPT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SHUTDOWN_GRACE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int COMPLETION_BATCH = 256;
    private static final int TASK_BUDGET = 4096;
    /** The value written to the eventfd by {@link #execute} (shared, never modified). */
    private static final Memory EVENTFD_ONE = new Memory(8);

    static {
        EVENTFD_ONE.setLong(0, 1L);
    }

    /** Builds the receive memory on the reactor thread, after the ring exists (registration needs the owner thread). */
    @FunctionalInterface
    public interface MemoryFactory {
        ReceiveMemory create(Ring ring, ChunkSink sink) throws UringException;
    }

    /** Charges chunks of a connection that is already gone: they are given back at once. */
    private static final ReceiveAccount DISCARD = new ReceiveAccount() {
        @Override
        public void addHeldBytes(long delta) {
        }

        @Override
        public long heldBytes() {
            return 0;
        }
    };

    private final ReactorHost host;
    private final int reactorId;
    private final int sqEntries;
    private final int cqEntries;
    private final MemoryFactory memoryFactory;
    private final ReactorHandlerFactory handlerFactory;
    private final int outboundBlockBytes;
    private final int listenFd;
    private final ReactorMetrics metrics;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile int publishedConnections;
    private volatile long publishedStarvationEvents;
    private volatile long publishedOverflowEnds;
    private volatile String memoryDescription = "";
    private volatile boolean setUpDone;
    private Thread thread;

    // ---- reactor-thread state ----
    private Ring ring;
    private SqeWriter sqe;
    private CompletionBatch batch;
    private ReceiveMemory memory;
    private ReactorHandler handler;
    private OutboundBlockPool blocks;
    private int wakeFd = -1;
    private final Memory wakeBuffer = new Memory(8);
    private boolean wakeArmed;
    private boolean acceptArmed;
    private long acceptRetryAtNs;
    private final ConnectionSlots slots;
    private ReceivePressure pressure;
    private final ArrayList<UringConnection> closingAfterFlush = new ArrayList<>();
    private long nowNs;
    private long staleCompletions;
    private long overflowEnds;

    /**
     * @param listenFd the listening socket this reactor accepts on, or -1 (the transport hands it connections)
     * @param metrics  where the reactor publishes its gauges and marks its meters
     */
    public UringReactor(ReactorHost host, int reactorId, int sqEntries, int cqEntries, MemoryFactory memoryFactory,
                        ReactorHandlerFactory handlerFactory, int outboundBlockBytes, int listenFd,
                        ReactorMetrics metrics) {
        this.host = host;
        this.reactorId = reactorId;
        this.sqEntries = sqEntries;
        this.cqEntries = cqEntries;
        this.memoryFactory = memoryFactory;
        this.handlerFactory = handlerFactory;
        this.outboundBlockBytes = outboundBlockBytes;
        this.listenFd = listenFd;
        this.metrics = metrics;
        this.slots = new ConnectionSlots(reactorId);
    }

    /** Starts the thread and waits until its ring and receive memory are set up; throws their failure. */
    public void start(String name) throws IOException {
        thread = new Thread(this, name);
        thread.start();
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + name, e);
        }
        final Throwable f = failure;
        if (f != null) {
            if (f instanceof IOException) {
                throw (IOException) f;
            }
            throw new IOException("reactor " + reactorId + " failed to start: " + f, f);
        }
    }

    @Override
    public void run() {
        try {
            setUp();
        } catch (Throwable t) {
            failure = t;
            tearDownAfterFailedSetUp();
            started.countDown();
            stopped.countDown();
            return;
        }
        setUpDone = true;
        started.countDown();
        try {
            loop();
        } catch (Throwable t) {
            LOG.error("reactor {} stopped by an unexpected error; closing its connections", reactorId, t);
        } finally {
            running = false;
            try {
                shutdownInThread();
            } catch (Throwable t) {
                LOG.error("reactor {}: shutdown failed", reactorId, t);
            }
            stopped.countDown();
        }
    }

    private void setUp() throws UringException {
        nowNs = System.nanoTime();
        ring = Ring.create(sqEntries, cqEntries, UringConstants.REACTOR_SETUP_FLAGS);
        sqe = new SqeWriter(ring);
        batch = new CompletionBatch(COMPLETION_BATCH);
        memory = memoryFactory.create(ring, this);
        memoryDescription = memory.describe();
        metrics.capacity(memory.capacityBytes());
        pressure = new ReceivePressure(host, reactorId, slots, memory, memoryDescription, metrics);
        blocks = new OutboundBlockPool(outboundBlockBytes, 256);
        // Blocking on purpose: an O_NONBLOCK fd may make io_uring complete the READ with -EAGAIN instead of
        // waiting for a write; writers never block (the counter cannot realistically overflow).
        wakeFd = Sys.eventFd(0, Sys.EFD_CLOEXEC);
        if (wakeFd < 0) {
            throw new UringException("eventfd", -wakeFd,
                "eventfd for reactor wake-ups failed: errno=" + Errno.describe(-wakeFd));
        }
        armWake();
        handler = handlerFactory.newReactorHandler(reactorId, this);
        if (listenFd >= 0) {
            armAccept();
        }
        ring.submit();
    }

    private void tearDownAfterFailedSetUp() {
        if (ring != null) {
            if (memory != null) {
                try {
                    memory.beforeRingClose();
                } catch (RuntimeException e) {
                    LOG.debug("reactor {}: releasing receive memory after a failed start", reactorId, e);
                }
            }
            ring.close();
            if (memory != null) {
                memory.unmap();
            }
        }
        if (wakeFd >= 0) {
            Sys.closeFd(wakeFd);
        }
    }

    // ---- the loop --------------------------------------------------------------------------------

    private void loop() {
        long nextTickNs = System.nanoTime();
        while (running) {
            nowNs = System.nanoTime();
            metrics.atLoopTop(nowNs);
            runTasks();
            // The handler is ticked every iteration (its contract), at least every TICK_MAX_NS.
            nextTickNs = tick();
            if (!closingAfterFlush.isEmpty()) {
                enforceCloseDeadlines();
            }
            pressure.rearmStarved();
            pressure.apply();
            if (listenFd >= 0 && !acceptArmed && nowNs - acceptRetryAtNs >= 0) {
                armAccept();
            }
            memory.publish();
            final boolean busy = !tasks.isEmpty() || ring.completionsReady() > 0 || ring.cqOverflowPending();
            if (busy) {
                ring.submitAndWait(0, 0);
            } else {
                final long waitStartNs = System.nanoTime();
                final long waitNs = Math.max(0, Math.min(TICK_MAX_NS, nextTickNs - waitStartNs));
                ring.submitAndWait(waitNs > 1000 ? 1 : 0, waitNs);
                if (waitNs > 1000) {
                    // Blocked in io_uring_enter waiting for a completion: the reactor's idle time.
                    metrics.idle(System.nanoTime() - waitStartNs);
                }
            }
            drainCompletions();
            publishGauges();
            // With -ea (tests) the O(1) ring and receive-memory invariants are checked every iteration.
            assert loopInvariantsHold();
        }
    }

    private boolean loopInvariantsHold() {
        ring.checkInvariants();
        memory.checkInvariants();
        return true;
    }

    private long tick() {
        try {
            return handler.onTick(nowNs);
        } catch (RuntimeException e) {
            LOG.error("reactor {}: periodic work failed", reactorId, e);
            return nowNs + TICK_MAX_NS;
        }
    }

    private void drainCompletions() {
        int n;
        do {
            n = ring.drain(batch);
            for (int i = 0; i < n; i++) {
                dispatch(batch.userData(i), batch.res(i), batch.flags(i), batch.extra(i));
            }
        } while (n == batch.capacity());
    }

    private void dispatch(long userData, int res, int flags, long extra) {
        final int op = UserData.op(userData);
        switch (op) {
            case OP_RECV: {
                final UringConnection c = slots.find(userData);
                if (c == null) {
                    staleCompletions++;
                    if (res > 0) {
                        memory.onData(DISCARD, res, flags, extra);
                    }
                    return;
                }
                if (res > 0) {
                    memory.onData(c, res, flags, extra);
                }
                if ((flags & IORING_CQE_F_MORE) == 0) {
                    c.onReceiveEnded(res);
                }
                return;
            }
            case OP_SEND: {
                final UringConnection c = slots.find(userData);
                if (c == null) {
                    staleCompletions++;
                    return;
                }
                c.onSendCompleted(res);
                return;
            }
            case OP_CANCEL: {
                final UringConnection c = slots.find(userData);
                if (c != null) {
                    c.onCancelCompleted(res);
                }
                return;
            }
            case OP_WAKE:
                onWake(res);
                return;
            case OP_ACCEPT:
                onAccept(res, flags);
                return;
            case OP_ACCEPT_CANCEL:
                return;
            default:
                throw new IllegalStateException("CQE with an op tag this reactor never submits: reactor=" + reactorId
                    + ", userData=0x" + Long.toHexString(userData) + ", res=" + res
                    + ", flags=0x" + Integer.toHexString(flags));
        }
    }

    // ---- ChunkSink -------------------------------------------------------------------------------

    @Override
    public void deliver(ReceiveAccount account, RxChunk chunk) {
        if (account == DISCARD) {
            chunk.release();
            return;
        }
        ((UringConnection) account).deliver(chunk);
    }

    // ---- wake-ups and tasks ----------------------------------------------------------------------

    private void armWake() {
        sqe.read(wakeFd, Memory.nativeValue(wakeBuffer), 8, UserData.encode(OP_WAKE, 0, 0));
        wakeArmed = true;
    }

    private void onWake(int res) {
        wakeArmed = false;
        wakeupPending.set(false);
        if (res == -Errno.ECANCELED || !running) {
            return;
        }
        if (res < 0 && res != -Errno.EAGAIN && res != -Errno.EINTR) {
            throw new IllegalStateException("eventfd read failed: reactor=" + reactorId
                + ", errno=" + Errno.describe(-res));
        }
        armWake();
    }

    @Override
    public boolean execute(Runnable task) {
        if (!running) {
            return false;
        }
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            final long rc = Sys.writeFd(wakeFd, Memory.nativeValue(EVENTFD_ONE), 8);
            if (rc < 0 && rc != -Errno.EAGAIN) {
                wakeupPending.set(false);
                throw new IllegalStateException("eventfd write failed: reactor=" + reactorId
                    + ", errno=" + Errno.describe((int) -rc));
            }
        }
        return true;
    }

    @Override
    public boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    @Override
    public int receiveMemoryFreePermille() {
        final ReceiveLedger l = memory.ledger();
        return (int) ((l.capacityBlocks() - l.blocksHeld()) * 1000 / l.capacityBlocks());
    }

    private void runTasks() {
        Runnable r;
        int budget = TASK_BUDGET;
        while (budget-- > 0 && (r = tasks.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("reactor {}: task failed", reactorId, e);
            }
        }
    }

    // ---- accepting -------------------------------------------------------------------------------

    private void armAccept() {
        sqe.acceptMultishot(listenFd, UserData.encode(OP_ACCEPT, 0, 0));
        acceptArmed = true;
    }

    private void onAccept(int res, int flags) {
        if (res >= 0) {
            host.dispatchAccepted(this, res);
        }
        if ((flags & IORING_CQE_F_MORE) != 0) {
            return;
        }
        acceptArmed = false;
        if (res >= 0 || res == -Errno.EINTR || res == -Errno.EAGAIN || res == -Errno.ECONNABORTED) {
            acceptRetryAtNs = nowNs;
        } else if (res != -Errno.ECANCELED) {
            // EMFILE/ENFILE/ENOMEM/ENOBUFS: out of resources; try again shortly rather than spin.
            LOG.warn("reactor {}: accept ended with {}; retrying in {} ms", reactorId, Errno.describe(-res),
                TimeUnit.NANOSECONDS.toMillis(ACCEPT_RETRY_NS));
            acceptRetryAtNs = nowNs + ACCEPT_RETRY_NS;
        }
    }

    /** Takes over an accepted socket; runs on this reactor's thread. */
    public void adopt(int fd) {
        if (!running) {
            Sockets.close(fd);
            host.onConnectionGone();
            return;
        }
        final int rc = host.configureAccepted(fd);
        if (rc < 0) {
            LOG.warn("reactor {}: could not set up an accepted socket: {}", reactorId, Errno.describe(-rc));
            Sockets.close(fd);
            host.onConnectionGone();
            return;
        }
        final int slot = slots.allocate();
        final int generation = slots.nextGeneration(slot);
        final UringConnection c = new UringConnection(this, slot, generation, fd, host.nextConnectionId(),
            Sockets.remoteAddress(fd), new OutboundQueue(blocks));
        slots.put(slot, c);
        final ConnectionHandler h;
        try {
            h = handler.onAccept(c);
        } catch (RuntimeException e) {
            LOG.warn("reactor {}: the broker refused {}: {}", reactorId, c, e.toString());
            c.closeNow("refused by the broker: " + e);
            return;
        }
        c.attach(h);
        c.armIfWanted();
    }

    // ---- connection callbacks --------------------------------------------------------------------

    void onConnectionClosing(UringConnection c) {
        pressure.forget(c);
        closingAfterFlush.remove(c);
    }

    void onConnectionFinished(UringConnection c) {
        final int rc = Sockets.close(c.fd);
        if (rc < 0) {
            LOG.warn("{}: close failed: {}", c, Errno.describe(-rc));
        }
        slots.free(c.slot);
        host.onConnectionGone();
    }

    void onCloseAfterFlush(UringConnection c) {
        closingAfterFlush.add(c);
    }

    void onReceiveEndedByOverflow() {
        overflowEnds++;
        metrics.cqOverflowReceiveEnd();
    }

    void onStarved(UringConnection c) {
        pressure.onStarved(c);
    }

    private void enforceCloseDeadlines() {
        for (int i = closingAfterFlush.size() - 1; i >= 0; i--) {
            final UringConnection c = closingAfterFlush.get(i);
            if (c.closeAfterFlush && nowNs - c.closeDeadlineNs > 0) {
                c.closeNow("output not drained within the close timeout");
            }
        }
    }

    // ---- accessors for connections -----------------------------------------------------------------

    SqeWriter sqe() {
        return sqe;
    }

    ReceiveMemory memory() {
        return memory;
    }

    long nowNs() {
        return nowNs;
    }

    public int reactorId() {
        return reactorId;
    }

    // ---- gauges (any thread) ---------------------------------------------------------------------

    private void publishGauges() {
        final ReceiveLedger ledger = memory.ledger();
        metrics.receiveMemory(ledger.outstandingChunks(), ledger.outstandingBytes(), memory.inUseBytes());
        memory.publishMetrics(metrics);
        // The kernel's overflow counter is a u32 (CQEs dropped; 0 with FEAT_NODROP unless memory ran out).
        metrics.ring(ring.submittedTotal(), ring.reapedTotal(), ring.droppedCompletions() & 0xFFFF_FFFFL);
        publishedConnections = slots.count();
        publishedStarvationEvents = pressure.starvationEvents();
        publishedOverflowEnds = overflowEnds;
    }

    public long outstandingChunks() {
        return metrics.outstandingChunks();
    }

    public long outstandingBytes() {
        return metrics.outstandingBytes();
    }

    /** This reactor's metrics (any thread: what they read is published by the reactor). */
    public ReactorMetrics metrics() {
        return metrics;
    }

    public int connectionCount() {
        return publishedConnections;
    }

    /** True once the ring, receive memory and handler were set up (the reactor then owns its listening socket). */
    public boolean isSetUp() {
        return setUpDone;
    }

    /** Description of the receive memory (set once set-up finished). */
    public String memoryDescription() {
        return memoryDescription;
    }

    // ---- reactor-thread inspection (tests) -------------------------------------------------------

    /**
     * Runs invariant checks of the ring, the receive memory (buffers all accounted for, ledger
     * consistent) and every connection, on the reactor thread.
     */
    public void checkInvariants() {
        if (!inReactorThread()) {
            throw new IllegalStateException("checkInvariants off the reactor thread");
        }
        ring.checkInvariants();
        memory.checkInvariants();
        for (int s = 0; s < slots.highWater(); s++) {
            if (slots.at(s) != null) {
                slots.at(s).checkInvariants();
            }
        }
    }

    /** Multi-line state of the reactor and its connections for diagnostics; reactor thread only. */
    public String describeState() {
        final StringBuilder b = new StringBuilder(toString()).append(": ").append(memory.ledger()).append(", starved=")
            .append(pressure.starvedCount()).append(", ledgerPaused=").append(pressure.pausedCount())
            .append(", acceptArmed=").append(acceptArmed);
        for (int s = 0; s < slots.highWater(); s++) {
            if (slots.at(s) != null) {
                b.append("\n  ").append(slots.at(s).describeState());
            }
        }
        return b.toString();
    }

    /** The receive memory; reactor thread only (tests inspect it from tasks). */
    public ReceiveMemory receiveMemory() {
        return memory;
    }

    public long staleCompletions() {
        return staleCompletions;
    }

    /** Receives the kernel ended because the CQ ring was full (then re-armed); any thread. */
    public long overflowEnds() {
        return publishedOverflowEnds;
    }

    /** Receives that ended because receive memory ran dry (ENOBUFS / ENOMEM); any thread. */
    public long starvationEvents() {
        return publishedStarvationEvents;
    }

    // ---- shutdown --------------------------------------------------------------------------------

    /** Asks the reactor to stop; {@link #awaitStopped} waits for it. */
    public void stop() {
        running = false;
        if (thread != null && Thread.currentThread() != thread && wakeFd >= 0) {
            Sys.writeFd(wakeFd, Memory.nativeValue(EVENTFD_ONE), 8);
        }
    }

    public boolean awaitStopped(long timeoutMs) throws InterruptedException {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void shutdownInThread() {
        nowNs = System.nanoTime();
        // Tasks queued before the stop still run: they may hand back resources (a completed flush).
        runTasks();
        if (acceptArmed) {
            sqe.cancelUserData(UserData.encode(OP_ACCEPT, 0, 0), UserData.encode(OP_ACCEPT_CANCEL, 0, 0));
        }
        for (int s = 0; s < slots.highWater(); s++) {
            final UringConnection c = slots.at(s);
            if (c != null) {
                c.closeNow("broker shutting down");
            }
        }
        try {
            if (handler != null) {
                handler.onReactorClose();
            }
        } catch (RuntimeException e) {
            LOG.error("reactor {}: close of the reactor handler failed", reactorId, e);
        }
        final long deadline = System.nanoTime() + SHUTDOWN_GRACE_NS;
        while ((slots.count() > 0 || acceptArmed || !memory.ledger().isEmpty()) && System.nanoTime() - deadline < 0) {
            runTasks();
            memory.publish();
            ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(10));
            drainCompletions();
        }
        memory.publish();
        publishGauges();
        if (slots.count() > 0 || acceptArmed) {
            LOG.error("reactor {}: {} connection(s) still had requests in flight after {} s;"
                + " closing the ring cancels them", reactorId, slots.count(),
                TimeUnit.NANOSECONDS.toSeconds(SHUTDOWN_GRACE_NS));
        }
        final boolean memoryBack = memory.ledger().isEmpty();
        try {
            memory.beforeRingClose();
        } catch (RuntimeException e) {
            LOG.warn("reactor {}: releasing receive memory registration: {}", reactorId, e.getMessage());
        }
        ring.close();
        if (memoryBack) {
            memory.unmap();
        } else {
            LOG.error("reactor {}: {} receive chunks ({} bytes) still referenced at shutdown; receive memory leaked"
                + " rather than unmapped under a reader", reactorId, memory.ledger().outstandingChunks(),
                memory.ledger().outstandingBytes());
        }
        Sys.closeFd(wakeFd);
        if (listenFd >= 0) {
            Sockets.close(listenFd);
        }
    }

    @Override
    public String toString() {
        return "uring reactor " + reactorId;
    }
}
