package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.transport.ReactorMetrics;
import java.util.ArrayList;

/**
 * The receive-memory pressure policy of one {@link UringReactor}. Receive memory is the in-flight
 * budget. Above the high watermark, pause receive on the connection holding the most (one per loop
 * iteration) while at least one other connection keeps receiving; below the low watermark resume
 * them all. Pausing never frees memory by itself (a partly received frame stays held until it
 * completes), so the last receiving connection is never paused: that keeps the reactor live. When
 * memory is truly exhausted, receives end for lack of it (ENOBUFS/ENOMEM): those connections are
 * starved, and re-armed once chunks come back.
 *
 * <p>Reactor thread only; allocates nothing once its lists have grown.
 */
final class ReceivePressure {
    private final ReactorHost host;
    private final int reactorId;
    private final ConnectionSlots slots;
    private final ReceiveMemory memory;
    private final String memoryDescription;
    private final ReactorMetrics metrics;
    private final ArrayList<UringConnection> starved = new ArrayList<>();
    private final ArrayList<UringConnection> ledgerPaused = new ArrayList<>();
    private final ArrayList<UringConnection> scratch = new ArrayList<>();
    private long starvationEvents;

    ReceivePressure(ReactorHost host, int reactorId, ConnectionSlots slots, ReceiveMemory memory,
                    String memoryDescription, ReactorMetrics metrics) {
        this.host = host;
        this.reactorId = reactorId;
        this.slots = slots;
        this.memory = memory;
        this.memoryDescription = memoryDescription;
        this.metrics = metrics;
    }

    /** A receive ended because receive memory ran dry. */
    void onStarved(UringConnection c) {
        starved.add(c);
        starvationEvents++;
        metrics.noBuffers();
        metrics.pause();
    }

    /** The connection is closing: nothing is re-armed or resumed for it any more. */
    void forget(UringConnection c) {
        starved.remove(c);
        ledgerPaused.remove(c);
    }

    /** Re-arms the starved receives once the memory can take them. */
    void rearmStarved() {
        if (starved.isEmpty() || !memory.memoryAvailableForRearm()) {
            return;
        }
        scratch.clear();
        scratch.addAll(starved);
        starved.clear();
        for (int i = 0; i < scratch.size(); i++) {
            scratch.get(i).onMemoryAvailable();
            metrics.resume();
        }
        scratch.clear();
    }

    /** One step of the watermark policy: pause the busiest connection, or resume all. */
    void apply() {
        final ReceiveLedger ledger = memory.ledger();
        if (ledger.overHighWatermark()) {
            UringConnection busiest = null;
            int receiving = 0;
            for (int s = 0; s < slots.highWater(); s++) {
                final UringConnection c = slots.at(s);
                if (c != null && c.isReceiving()) {
                    receiving++;
                    if (c.heldBytes() > 0 && (busiest == null || c.heldBytes() > busiest.heldBytes())) {
                        busiest = c;
                    }
                }
            }
            if (busiest != null && receiving >= 2) {
                busiest.pauseByLedger();
                ledgerPaused.add(busiest);
                metrics.pause();
                host.onBackpressure(reactorId, "receive memory " + ledger.blocksHeld() + " of "
                    + ledger.capacityBlocks() + " blocks held (" + memoryDescription + "); pausing receive on "
                    + busiest + " holding " + busiest.heldBytes() + " bytes");
            }
        } else if (!ledgerPaused.isEmpty() && ledger.belowLowWatermark()) {
            scratch.clear();
            scratch.addAll(ledgerPaused);
            ledgerPaused.clear();
            for (int i = 0; i < scratch.size(); i++) {
                scratch.get(i).resumeByLedger();
                metrics.resume();
            }
            scratch.clear();
        }
    }

    int starvedCount() {
        return starved.size();
    }

    int pausedCount() {
        return ledgerPaused.size();
    }

    long starvationEvents() {
        return starvationEvents;
    }
}
