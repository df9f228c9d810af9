package io.zcrx.ingest.broker.server;

import org.apache.kafka.common.protocol.Message;

/**
 * A response promised now and completed later (a JoinGroup waiting for the other members, a Fetch
 * long-poll, an acks=all Produce waiting for an fsync). Responses on a connection still leave in
 * request order: later responses wait behind this one until it completes.
 *
 * <p>{@link #complete} must run on the connection's reactor thread; from any other thread use
 * {@link #completeFromAnyThread}, which hops there. Completing twice, or after the connection
 * closed, is ignored.
 */
public final class PendingResponse {
    private final Connection connection;
    private final int correlationId;
    private final short headerVersion;
    private final short version;
    byte[] frame;
    /** Set instead of {@link #frame} for a response that writes itself (file regions). */
    ResponseWriter writer;
    boolean done;

    PendingResponse(Connection connection, int correlationId, short headerVersion, short version) {
        this.connection = connection;
        this.correlationId = correlationId;
        this.headerVersion = headerVersion;
        this.version = version;
    }

    /** Completes with a control-plane message; on the connection's reactor thread. */
    public void complete(Message body) {
        connection.completePending(this, Connection.serialize(correlationId, headerVersion, body, version));
    }

    /** Completes with an already encoded frame (size prefix included); on the reactor thread. */
    public void completeEncoded(byte[] encodedFrame) {
        connection.completePending(this, encodedFrame);
    }

    /**
     * Completes with a response that writes itself into the outbound queue when its turn comes
     * (a Fetch with file regions); on the connection's reactor thread.
     */
    public void completeWith(ResponseWriter writer) {
        connection.completePending(this, null, writer);
    }

    /** Completes from any thread: the message is serialised here and queued on the reactor. */
    public void completeFromAnyThread(Message body) {
        final byte[] f = Connection.serialize(correlationId, headerVersion, body, version);
        if (connection.io().reactor().inReactorThread()) {
            connection.completePending(this, f);
        } else {
            connection.io().reactor().execute(() -> connection.completePending(this, f));
        }
    }

    public short version() {
        return version;
    }

    public int correlationId() {
        return correlationId;
    }

    /** True once the connection is gone: completing is pointless (but harmless). */
    public boolean isAbandoned() {
        return connection.isClosed();
    }
}
