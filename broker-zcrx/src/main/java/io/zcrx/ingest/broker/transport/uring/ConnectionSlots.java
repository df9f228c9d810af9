package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.uring.UserData;
import java.util.Arrays;

/**
 * The connections of one {@link UringReactor} by slot, the slot and generation that every receive,
 * send and cancel carries in its user_data ({@link UserData}). A slot is reused once its connection
 * is finished; its generation is bumped on reuse, so a late completion for the previous connection
 * finds nothing rather than the new one.
 *
 * <p>Reactor thread only; allocates only when the table grows.
 */
final class ConnectionSlots {
    private final int reactorId;
    private UringConnection[] slots = new UringConnection[64];
    private int[] generations = new int[64];
    private int[] freeSlots = new int[64];
    private int freeSlotCount;
    private int highWater;
    private int count;

    ConnectionSlots(int reactorId) {
        this.reactorId = reactorId;
    }

    /** A free slot, for {@link #nextGeneration} and {@link #put}. */
    int allocate() {
        if (freeSlotCount > 0) {
            return freeSlots[--freeSlotCount];
        }
        if (highWater == slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
            generations = Arrays.copyOf(generations, generations.length * 2);
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        if (highWater > UserData.SLOT_MAX) {
            throw new IllegalStateException("connection slots exhausted: reactor=" + reactorId
                + ", slots=" + highWater);
        }
        return highWater++;
    }

    int nextGeneration(int slot) {
        return ++generations[slot];
    }

    void put(int slot, UringConnection c) {
        slots[slot] = c;
        count++;
    }

    void free(int slot) {
        slots[slot] = null;
        freeSlots[freeSlotCount++] = slot;
        count--;
    }

    /** The live connection a completion's user_data names, or null (finished, or its slot reused). */
    UringConnection find(long userData) {
        final int slot = UserData.slot(userData);
        if (slot >= highWater) {
            return null;
        }
        final UringConnection c = slots[slot];
        return c != null && c.generation == UserData.generation(userData) ? c : null;
    }

    /** Slots below this may hold a connection ({@link #at} is null for a free one). */
    int highWater() {
        return highWater;
    }

    UringConnection at(int slot) {
        return slots[slot];
    }

    /** Live connections. */
    int count() {
        return count;
    }
}
