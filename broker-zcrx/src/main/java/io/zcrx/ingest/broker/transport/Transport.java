package io.zcrx.ingest.broker.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A network transport: it listens, accepts, receives into memory it owns, hands the bytes to
 * connections as {@link io.zcrx.ingest.protocol.bytes.RxChunk}s, sends what connections queue, and
 * takes the memory back when the release ledger says it is persisted (docs/design.md, "The data path" to "Threads").
 *
 * <p>Implementations: {@code nio} (portable), {@code uring} (copy-mode io_uring with a provided
 * buffer ring), {@code zcrx} (io_uring zero-copy receive). All keep this contract; only the memory
 * owner differs.
 *
 * <p>Threads: {@link #start} and {@link #close} are called by the broker's main thread; everything
 * a transport calls on {@link ReactorHandler} / {@link ConnectionHandler} happens on the reactor
 * thread that owns the connection.
 */
public interface Transport extends AutoCloseable {

    /** {@code nio}, {@code uring} or {@code zcrx}. */
    String name();

    /**
     * Binds the listener, sets up receive memory and starts the reactor threads. Throws with the
     * reason (errno and what it means) if this transport cannot run here.
     */
    void start() throws IOException;

    /** The address actually bound (a listener with port 0 gets a free port). */
    InetSocketAddress localAddress();

    /** Receive chunks handed to connections and not yet given back, over all reactors. */
    long outstandingChunks();

    /** Bytes of those chunks. */
    long outstandingBytes();

    /** Open connections over all reactors. */
    int connectionCount();

    /**
     * One line describing the receive memory and reactors (logged at start), e.g.
     * {@code "2 reactors, 2048 x 32 KiB provided buffers per ring"}.
     */
    String describe();

    /**
     * Clean shutdown: stop accepting, close every connection (each releases what it holds), wait
     * until every chunk is back, release the receive memory and stop the threads. Idempotent.
     */
    @Override
    void close();
}
