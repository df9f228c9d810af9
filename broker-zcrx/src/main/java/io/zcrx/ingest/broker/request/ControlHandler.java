package io.zcrx.ingest.broker.request;

import org.apache.kafka.common.protocol.Readable;

/**
 * A handler for one control-plane API (everything but Produce): the request body arrives as a
 * {@link Readable} over a heap copy, to be parsed with kafka-clients' generated {@code *Data} class
 * at {@code ctx.version()}; the answer goes through {@code ctx}. Runs on reactor threads; handlers
 * are shared by all reactors, so they must be thread-safe.
 */
@FunctionalInterface
public interface ControlHandler {
    void handle(RequestContext ctx, Readable body);
}
