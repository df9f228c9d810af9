package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;

/**
 * A response that writes itself into the connection's outbound queue when its turn comes, rather
 * than as a finished byte array: a Fetch response puts its fixed parts in as bytes and its records
 * as file regions, so segment bytes reach the socket without passing through the heap. Called on
 * the connection's reactor thread, exactly once, when every earlier response on the connection has
 * been queued.
 */
@FunctionalInterface
public interface ResponseWriter {
    /** Appends the whole response frame (size prefix included) to {@code out}. */
    void writeTo(OutboundQueue out);
}
