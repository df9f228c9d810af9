package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.metrics.RequestMetrics;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.ResponseWriter;
import org.apache.kafka.common.protocol.Message;

/**
 * The connection's {@link PendingResponse}: one entry of its queue of responses in request order.
 * Fields are the connection's; handlers only see the interface.
 */
final class QueuedResponse implements PendingResponse {
    private final Connection connection;
    private final int correlationId;
    private final short headerVersion;
    private final short version;
    byte[] frame;
    /** Set instead of {@link #frame} for a response that writes itself (file regions). */
    ResponseWriter writer;
    boolean done;
    // Timing (Kafka's RequestMetrics), set when its request's handler returned; System.nanoTime().
    /** True once the fields below are set; false while the handler that promised this response runs. */
    boolean timed;
    RequestMetrics metrics;
    short metricsVersion;
    long frameNs;
    long startNs;
    long endNs;
    /** When the response was complete (the handler's end, or when a deferred one completed). */
    long readyNs;

    QueuedResponse(Connection connection, int correlationId, short headerVersion, short version) {
        this.connection = connection;
        this.correlationId = correlationId;
        this.headerVersion = headerVersion;
        this.version = version;
    }

    /** Completes with a control-plane message; on the connection's reactor thread. */
    @Override
    public void complete(Message body) {
        connection.completePending(this, Connection.serialize(correlationId, headerVersion, body, version));
    }

    /** Completes with an already encoded frame (size prefix included); on the reactor thread. */
    @Override
    public void completeEncoded(byte[] encodedFrame) {
        connection.completePending(this, encodedFrame);
    }

    /**
     * Completes with a response that writes itself into the outbound queue when its turn comes
     * (a Fetch with file regions); on the connection's reactor thread.
     */
    @Override
    public void completeWith(ResponseWriter writer) {
        connection.completePending(this, null, writer);
    }

    /** Completes from any thread: the message is serialised here and queued on the reactor. */
    @Override
    public void completeFromAnyThread(Message body) {
        final byte[] f = Connection.serialize(correlationId, headerVersion, body, version);
        if (connection.io().reactor().inReactorThread()) {
            connection.completePending(this, f);
        } else {
            connection.io().reactor().execute(() -> connection.completePending(this, f));
        }
    }

    @Override
    public short version() {
        return version;
    }

    @Override
    public int correlationId() {
        return correlationId;
    }

    /** True once the connection is gone: completing is pointless (but harmless). */
    @Override
    public boolean isAbandoned() {
        return connection.isClosed();
    }
}
