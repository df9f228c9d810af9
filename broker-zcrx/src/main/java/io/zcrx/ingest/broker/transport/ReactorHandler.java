package io.zcrx.ingest.broker.transport;

/**
 * The broker's side of one reactor thread: it makes the connection handlers and runs periodic
 * work (timeouts, deadlines). One per reactor, created on that reactor's thread by
 * {@link ReactorHandlerFactory}; every call happens on that thread.
 */
public interface ReactorHandler {

    /** A connection was accepted on this reactor; returns the handler the transport feeds. */
    ConnectionHandler onAccept(ConnectionIo io);

    /**
     * Called on every loop iteration of the reactor (and at least every 100 ms).
     *
     * @param nowNs {@link System#nanoTime()}
     * @return the {@code System.nanoTime()} by which it wants to be called again, or
     *     {@link Long#MAX_VALUE}
     */
    long onTick(long nowNs);

    /** The reactor is stopping; every connection has already been closed. */
    void onReactorClose();
}
