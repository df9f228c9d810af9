package io.zcrx.ingest.broker.transport;

/**
 * What a reactor offers to other threads: a way to run a task on the reactor thread (the flusher
 * completing an fsync, an append on another reactor waking a long-poll, shutdown). Thread-safe.
 */
public interface ReactorIo {

    /**
     * Queues {@code task} to run on the reactor thread soon and wakes the reactor (eventfd / selector
     * wake-up). Returns false when the reactor has stopped (the task will not run).
     */
    boolean execute(Runnable task);

    /** True when called on this reactor's own thread. */
    boolean inReactorThread();

    /**
     * Free receive memory of this reactor in thousandths of its capacity (1000 = all free): NIO
     * buffers, provided buffers, or zcrx area blocks not held by any chunk. Reactor thread only; the
     * broker closes slow senders' connections when it runs low.
     */
    int receiveMemoryFreePermille();
}
