package io.zcrx.ingest.broker.request;

import org.apache.kafka.common.protocol.Message;

/**
 * A response promised now and completed later (a JoinGroup waiting for the other members, a Fetch
 * long-poll, an acks=all Produce waiting for an fsync). Responses on a connection still leave in
 * request order: later responses wait behind this one until it completes.
 *
 * <p>{@link #complete} must run on the connection's reactor thread; from any other thread use
 * {@link #completeFromAnyThread}, which hops there. Completing twice, or after the connection
 * closed, is ignored.
 *
 * <p>The connection that queues responses implements it; handlers see only this contract.
 */
public interface PendingResponse {

    /** Completes with a control-plane message; on the connection's reactor thread. */
    void complete(Message body);

    /** Completes with an already encoded frame (size prefix included); on the reactor thread. */
    void completeEncoded(byte[] encodedFrame);

    /**
     * Completes with a response that writes itself into the outbound queue when its turn comes
     * (a Fetch with file regions); on the connection's reactor thread.
     */
    void completeWith(ResponseWriter writer);

    /** Completes from any thread: the message is serialised here and queued on the reactor. */
    void completeFromAnyThread(Message body);

    short version();

    int correlationId();

    /** True once the connection is gone: completing is pointless (but harmless). */
    boolean isAbandoned();
}
