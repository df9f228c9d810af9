package io.zcrx.ingest.broker.transport;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Which reactor serves a newly accepted connection: the one with the fewest open connections, ties broken
 * round-robin from the reactor after the last one chosen (so equal reactors are dealt out in turn, as before).
 *
 * <p>Why least connections and not round-robin: round-robin ignores closes, so after a burst of reconnects (a
 * client restart, clients that come and go) one reactor can own most of the long-lived connections while another
 * idles, and one reactor is one core. Why connections and not bytes: at accept time nothing is known of a
 * connection's traffic, and a byte count would favour the reactor whose heavy connection happened to pause; a
 * producer's connection is long-lived and keeps its rate, so its count is the better predictor of the load to come.
 *
 * <p>Threads: {@link #choose} on the accepting reactor only (one thread); {@link #release} on the reactor that
 * owned the connection, or on the acceptor when the hand-over failed. The counts are atomics, touched once per
 * connection open and close, never per request: nothing here is on the Produce path.
 */
public final class ReactorBalancer {
    private final AtomicIntegerArray connections;
    /** Where the next tie-break scan starts (acceptor thread only). */
    private int next;

    public ReactorBalancer(int reactors) {
        if (reactors < 1) {
            throw new IllegalArgumentException("reactors must be >= 1: reactors=" + reactors);
        }
        this.connections = new AtomicIntegerArray(reactors);
    }

    /** The reactor for a new connection, counted as its owner from now on (acceptor thread). */
    public int choose() {
        final int n = connections.length();
        int best = next;
        int bestCount = Integer.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            final int i = (next + k) % n;
            final int c = connections.get(i);
            if (c < bestCount) {
                best = i;
                bestCount = c;
            }
        }
        next = (best + 1) % n;
        connections.incrementAndGet(best);
        return best;
    }

    /** A connection {@link #choose} gave to {@code reactor} is gone (or never got there). */
    public void release(int reactor) {
        connections.decrementAndGet(reactor);
    }

    /** Connections counted on {@code reactor} now (any thread; tests and describe). */
    public int connections(int reactor) {
        return connections.get(reactor);
    }

    public int reactors() {
        return connections.length();
    }
}
