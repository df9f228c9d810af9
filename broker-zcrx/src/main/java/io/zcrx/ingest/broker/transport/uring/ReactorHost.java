package io.zcrx.ingest.broker.transport.uring;

/**
 * What a reactor needs from the transport that owns it: connection admission and numbering across
 * reactors, and where an accepted socket goes. Implemented by the io_uring transports; all methods are
 * thread-safe (called from any reactor thread).
 */
public interface ReactorHost {
    /**
     * A socket was accepted on {@code acceptor}'s listener: admit it (max.connections) and hand it to a
     * reactor, or close it.
     */
    void dispatchAccepted(UringReactor acceptor, int fd);

    /** A connection finished closing (its fd is closed and its slot free). */
    void onConnectionGone();

    /** Next broker-wide connection id (log lines). */
    long nextConnectionId();

    /** Applies SO_SNDBUF / SO_RCVBUF / TCP_NODELAY to an accepted socket; returns 0 or {@code -errno}. */
    int configureAccepted(int fd);

    /** Receive memory stayed above its high watermark: one rate-limited line for the operator. */
    void onBackpressure(int reactorId, String detail);
}
