package io.zcrx.ingest.broker.transport;

import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;

/**
 * What a transport offers to one connection's handler. Called only on the connection's reactor
 * thread (except {@link #reactor()}'s own thread-safe methods).
 */
public interface ConnectionIo {

    /** Unique per broker run; used in log lines. */
    long connectionId();

    /** {@code host:port} of the peer, for log lines. */
    String remoteAddress();

    /** The connection's queue of response bytes (and, later, file regions); the transport drains it. */
    OutboundQueue outbound();

    /** Something was added to {@link #outbound()}: send it (asynchronously; partial sends continue). */
    void flush();

    /**
     * Stop handing received bytes to the handler (backpressure: too many requests in flight, too
     * much unsent output, or receive memory running out). Bytes keep queuing in the kernel socket
     * buffer, so TCP flow control slows the sender. Idempotent.
     */
    void pauseReceive();

    /** Undo {@link #pauseReceive()}. Idempotent. */
    void resumeReceive();

    /**
     * Close the connection. With {@code flushFirst} the queued output is sent first (bounded by the
     * transport's close timeout). {@link ConnectionHandler#onClosed} follows on this thread.
     */
    void close(String reason, boolean flushFirst);

    /** The reactor this connection lives on. */
    ReactorIo reactor();
}
