package io.zcrx.ingest.broker.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter with one cell per writer stripe, summed when read. Stripe {@code i < writers} has
 * exactly one writing thread (reactor {@code i}), which adds with a plain read and an opaque
 * write: no atomic instruction, no lock, no allocation, and no cache line shared with another
 * reactor (cells are 128 bytes apart, two cache lines, against adjacent-line prefetch). The last
 * stripe, {@link #ANY}, is for every other thread (the flusher, the timer, a test) and adds
 * atomically. Readers (JMX, the Prometheus endpoint, the ticker) sum the cells with opaque reads:
 * a sum may miss an add that is happening at that instant, never tear one.
 */
final class StripedLong {
    /** Pass as the stripe from a thread that is not a reactor. */
    static final int ANY = -1;

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 16;

    private final long[] cells;
    private final int writers;

    StripedLong(int writers) {
        this.writers = writers;
        // Slot 0 is padding (the array header shares its line), then writers + 1 cells.
        this.cells = new long[(writers + 2) * STRIDE];
    }

    void add(int stripe, long n) {
        if (stripe >= 0 && stripe < writers) {
            final int i = (stripe + 1) * STRIDE;
            CELLS.setOpaque(cells, i, cells[i] + n);
        } else {
            CELLS.getAndAdd(cells, (writers + 1) * STRIDE, n);
        }
    }

    long sum() {
        long s = 0;
        for (int i = STRIDE; i < cells.length; i += STRIDE) {
            s += (long) CELLS.getOpaque(cells, i);
        }
        return s;
    }
}
