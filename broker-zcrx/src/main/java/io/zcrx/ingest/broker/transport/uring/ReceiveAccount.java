package io.zcrx.ingest.broker.transport.uring;

/**
 * Whoever a received chunk is charged to (a connection): the ledger adds a chunk's bytes when it is
 * handed over and subtracts them when its last reference is released, so backpressure can pick the
 * connection holding the most receive memory. Reactor thread only.
 */
public interface ReceiveAccount {
    /** Adds {@code delta} (negative on release) to the bytes this account holds. */
    void addHeldBytes(long delta);

    long heldBytes();
}
