package io.zcrx.ingest.broker.transport;

import io.zcrx.ingest.protocol.bytes.RxChunk;

/**
 * The broker's side of one connection, fed by its transport on the connection's reactor thread.
 */
public interface ConnectionHandler {

    /**
     * Received bytes, in stream order. The transport holds one reference on {@code chunk} for the
     * duration of the call and releases it afterwards; the handler retains the chunk (through a
     * {@link io.zcrx.ingest.protocol.bytes.SliceList}) for as long as it needs the bytes.
     */
    void onReceive(RxChunk chunk);

    /**
     * The peer closed its side (EOF). The handler finishes what it can answer and then calls
     * {@link ConnectionIo#close}.
     */
    void onReadClosed();

    /**
     * Everything in {@link ConnectionIo#outbound()} has been sent. A layer that fills the queue in
     * bounded steps (TLS wraps the next records) may queue more now; the transport then sends it
     * without a further {@link ConnectionIo#flush()}. Called before a close-after-flush completes, so
     * such a layer can finish its output first.
     *
     * @return true when something was queued
     */
    default boolean onOutboundDrained() {
        return false;
    }

    /**
     * The connection is gone (closed by either side, by an error, or by shutdown). The handler
     * releases every chunk reference and every outbound entry it holds. Called exactly once; no other
     * call follows.
     */
    void onClosed(String reason);
}
