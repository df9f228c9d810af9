package io.zcrx.ingest.broker.transport;

import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One reactor's transport metrics (docs/metrics.md, "The broker's own: transports and reactors"):
 * its receive memory, the receive pauses and buffer exhaustion it saw, its io_uring traffic and how
 * much of its time it spends blocked waiting for events.
 *
 * <p>Threads: the reactor writes, JMX and the Prometheus endpoint read. Events are meters marked on
 * the reactor's own stripe (no atomics). Levels (chunks outstanding, memory in use, refill ring) live
 * in the reactor's structures, which other threads must not touch (an io_uring ring or refill region
 * may already be unmapped when a gauge is read), so the reactor copies them here once per loop
 * iteration with opaque stores, and gauges read them with opaque loads: never torn, at most one loop
 * iteration stale. Nothing here allocates after construction or takes a lock.
 *
 * <p>Idle time is what Kafka's {@code IdlePercent} measures (the selector's io-wait-ratio): time
 * blocked in the wait for events ({@code io_uring_enter} with GETEVENTS, {@code Selector.select}).
 * The reactor adds each blocking wait with {@link #idle}; every {@value #WINDOW_SECONDS} seconds (the
 * registry's tick) {@link #atLoopTop} turns the window's sum into the idle share the gauges show.
 *
 * <p>With a null registry (transport unit tests) nothing is registered and every record call does
 * nothing but the plain stores.
 */
public final class ReactorMetrics {
    /** Length of the idle-share window: the registry's tick, so it moves with the meters' rates. */
    public static final int WINDOW_SECONDS = MetricsRegistry.TICK_SECONDS;
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int CHUNKS = 0;
    private static final int BYTES = 1;
    private static final int IN_USE = 2;
    private static final int CAPACITY = 3;
    private static final int REFILL_PENDING = 4;
    private static final int REFILL_STASHED = 5;
    private static final int IDLE_SHARE = 6;

    /** What the reactor's transport has, and so which metrics it registers. */
    public enum Kind {
        /** NIO: receive memory, pauses, exhaustion, idle share. */
        NIO,
        /** Copy-mode io_uring: the above plus submissions, completions and CQ overflow. */
        URING,
        /** zcrx: the above plus the refill ring. */
        ZCRX
    }

    private final MetricsRegistry registry;
    private final int stripe;
    private final long[] slots = new long[IDLE_SHARE + 1];
    private final List<MetricName> registered = new ArrayList<>();

    private final Meter pauses;
    private final Meter resumes;
    private final Meter noBuffers;
    private final Meter submissions;
    private final Meter completions;
    private final Meter cqOverflow;
    private final Meter cqOverflowReceiveEnds;

    // ---- reactor-thread state ----
    private long windowStartNs;
    private long idleInWindowNs;
    private long lastSubmitted;
    private long lastCompleted;
    private long lastDropped;

    /**
     * @param registry  where to register, or null (record nothing)
     * @param transport the transport's name, the {@code transport} tag: {@code nio}, {@code uring}, {@code zcrx}
     * @param reactorId the reactor's id: the {@code reactor} tag, and the stripe its meters are marked on
     */
    public ReactorMetrics(MetricsRegistry registry, String transport, int reactorId, Kind kind) {
        this.registry = registry;
        this.stripe = reactorId;
        this.windowStartNs = System.nanoTime();
        setDouble(IDLE_SHARE, 1.0);
        final String r = Integer.toString(reactorId);
        pauses = meter(own("ReceiveMemory", "Pauses", transport, r), "pauses");
        resumes = meter(own("ReceiveMemory", "Resumes", transport, r), "resumes");
        noBuffers = meter(own("ReceiveMemory", "NoBuffers", transport, r), "events");
        final boolean ring = kind != Kind.NIO;
        submissions = ring ? meter(own("Reactor", "Submissions", transport, r), "sqes") : null;
        completions = ring ? meter(own("Reactor", "Completions", transport, r), "cqes") : null;
        cqOverflow = ring ? meter(own("Reactor", "CqOverflow", transport, r), "cqes") : null;
        cqOverflowReceiveEnds = ring ? meter(own("Reactor", "CqOverflowReceiveEnds", transport, r), "receives") : null;
        gauge(own("ReceiveMemory", "CapacityBytes", transport, r), () -> get(CAPACITY));
        gauge(own("ReceiveMemory", "InUseBytes", transport, r), () -> get(IN_USE));
        gauge(own("ReceiveMemory", "OutstandingChunks", transport, r), () -> get(CHUNKS));
        gauge(own("ReceiveMemory", "OutstandingBytes", transport, r), () -> get(BYTES));
        if (kind == Kind.ZCRX) {
            gauge(own("RefillRing", "Pending", transport, r), () -> get(REFILL_PENDING));
            gauge(own("RefillRing", "Stashed", transport, r), () -> get(REFILL_STASHED));
        }
        if (registry != null) {
            final MetricName busy = own("Reactor", "BusyShare", transport, r);
            registry.gauge(busy, () -> 1.0 - idleShare());
            registered.add(busy);
            // Kafka's per-processor gauge: only the networkProcessor tag, as Kafka registers it.
            final MetricName idle = MetricName.of("kafka.network", "Processor", "IdlePercent", "networkProcessor", r);
            registry.gauge(idle, this::idleShare);
            registered.add(idle);
        }
    }

    private static MetricName own(String type, String name, String transport, String reactor) {
        return MetricName.of("zcrx", type, name, "transport", transport, "reactor", reactor);
    }

    private Meter meter(MetricName name, String eventType) {
        if (registry == null) {
            return null;
        }
        registered.add(name);
        return registry.meter(name, eventType);
    }

    private void gauge(MetricName name, LongSupplier value) {
        if (registry != null) {
            registry.gauge(name, () -> value.getAsLong());
            registered.add(name);
        }
    }

    /**
     * Registers Kafka's {@code kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent}: the
     * average idle share of {@code reactors}. Returns its name (for {@link #remove}), or null without a registry.
     */
    public static MetricName registerAverageIdle(MetricsRegistry registry, ReactorMetrics[] reactors) {
        if (registry == null) {
            return null;
        }
        final MetricName name = MetricName.of("kafka.network", "SocketServer", "NetworkProcessorAvgIdlePercent");
        final ReactorMetrics[] all = reactors.clone();
        registry.gauge(name, () -> {
            double sum = 0;
            int n = 0;
            for (ReactorMetrics m : all) {
                if (m != null) {
                    sum += m.idleShare();
                    n++;
                }
            }
            return n == 0 ? 1.0 : sum / n;
        });
        return name;
    }

    // ---- reactor thread ----------------------------------------------------------------------------

    /** The receive memory's size (set once, when it exists). */
    public void capacity(long bytes) {
        set(CAPACITY, bytes);
    }

    /** The receive-memory levels, once per loop iteration. */
    public void receiveMemory(long outstandingChunks, long outstandingBytes, long inUseBytes) {
        set(CHUNKS, outstandingChunks);
        set(BYTES, outstandingBytes);
        set(IN_USE, inUseBytes);
    }

    /** The refill ring's entries not yet consumed by the kernel, and those waiting for room (zcrx). */
    public void refillRing(long pending, long stashed) {
        set(REFILL_PENDING, pending);
        set(REFILL_STASHED, stashed);
    }

    /**
     * The ring's running totals: SQEs the kernel consumed, CQEs reaped and CQEs it dropped (its overflow
     * counter); the meters advance by the difference since the last call.
     */
    public void ring(long submitted, long completed, long dropped) {
        if (submissions == null) {
            return;
        }
        if (submitted != lastSubmitted) {
            submissions.mark(stripe, submitted - lastSubmitted);
            lastSubmitted = submitted;
        }
        if (completed != lastCompleted) {
            completions.mark(stripe, completed - lastCompleted);
            lastCompleted = completed;
        }
        if (dropped != lastDropped) {
            // The kernel's counter is a u32: the difference of two readings is right across a wrap.
            cqOverflow.mark(stripe, (dropped - lastDropped) & 0xFFFF_FFFFL);
            lastDropped = dropped;
        }
    }

    /** A connection's receive stopped for lack of receive memory. */
    public void pause() {
        if (pauses != null) {
            pauses.mark(stripe, 1);
        }
    }

    /** A connection paused for lack of receive memory receives again. */
    public void resume() {
        if (resumes != null) {
            resumes.mark(stripe, 1);
        }
    }

    /** The buffers ran out: a receive ended with ENOBUFS / ENOMEM, or a read found no free buffer. */
    public void noBuffers() {
        if (noBuffers != null) {
            noBuffers.mark(stripe, 1);
        }
    }

    /** A multishot receive ended because the CQ ring was full (the kernel's overflow list took its CQE). */
    public void cqOverflowReceiveEnd() {
        if (cqOverflowReceiveEnds != null) {
            cqOverflowReceiveEnds.mark(stripe, 1);
        }
    }

    /** {@code ns} spent blocked waiting for events. */
    public void idle(long ns) {
        idleInWindowNs += ns;
    }

    /** Closes the idle window when it is over; {@code nowNs} is the loop's own clock read. */
    public void atLoopTop(long nowNs) {
        final long elapsed = nowNs - windowStartNs;
        if (elapsed >= WINDOW_NS) {
            setDouble(IDLE_SHARE, Math.max(0.0, Math.min(1.0, idleInWindowNs / (double) elapsed)));
            windowStartNs = nowNs;
            idleInWindowNs = 0;
        }
    }

    // ---- any thread --------------------------------------------------------------------------------

    /**
     * Share of the last window the reactor spent blocked waiting for events, 0..1 (1 until the first
     * window has passed).
     */
    public double idleShare() {
        return Double.longBitsToDouble(get(IDLE_SHARE));
    }

    /** Receive chunks handed out and not yet released, as last published. */
    public long outstandingChunks() {
        return get(CHUNKS);
    }

    /** Bytes of those chunks, as last published. */
    public long outstandingBytes() {
        return get(BYTES);
    }

    /** Unregisters every metric of this reactor (the transport stopped, or failed to start). */
    public void remove() {
        if (registry != null) {
            for (MetricName n : registered) {
                registry.remove(n);
            }
        }
        registered.clear();
    }

    /**
     * Removes a transport's metrics when it stops (or never started): the average {@link
     * #registerAverageIdle} returned and every reactor's (null entries and names are ignored), so
     * that {@code transport=auto} may start another transport in its place without leftovers.
     */
    public static void removeAll(MetricsRegistry registry, MetricName averageIdle, ReactorMetrics[] reactors) {
        if (registry != null && averageIdle != null) {
            registry.remove(averageIdle);
        }
        for (ReactorMetrics m : reactors) {
            if (m != null) {
                m.remove();
            }
        }
    }

    private void set(int slot, long value) {
        SLOTS.setOpaque(slots, slot, value);
    }

    private void setDouble(int slot, double value) {
        set(slot, Double.doubleToRawLongBits(value));
    }

    private long get(int slot) {
        return (long) SLOTS.getOpaque(slots, slot);
    }
}
