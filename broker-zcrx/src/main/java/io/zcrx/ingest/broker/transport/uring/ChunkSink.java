package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.protocol.bytes.RxChunk;

/**
 * Where receive memory hands a freshly wrapped chunk (holding the transport's one reference): the
 * reactor, which passes it to the connection's handler and then releases its reference.
 */
@FunctionalInterface
public interface ChunkSink {
    void deliver(ReceiveAccount account, RxChunk chunk);
}
