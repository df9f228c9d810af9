package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.broker.uring.bufring.BufferRing;

/**
 * Copy-mode io_uring transport ({@code transport=uring}): {@code num.network.threads} reactors, each
 * with its own ring and provided-buffer ring (multishot RECV, bundles where the kernel has them,
 * docs/kernel-abi.md#multishot-receive). The kernel copies each received byte once into our buffers; from there the
 * pipeline is the same as zcrx. A new connection goes to the reactor with the fewest
 * connections ({@code ReactorBalancer}).
 */
public final class UringTransport extends AbstractUringTransport {
    /** Buffer group id of the receive ring (one group per ring, so every ring can use the same id). */
    static final int BUFFER_GROUP = 0;

    private final boolean bundles;

    public UringTransport(TransportSettings settings, UringSettings uring, ReactorHandlerFactory handlerFactory) {
        super(settings, uring, handlerFactory);
        this.bundles = UringSupport.get().bundlesSupported();
    }

    @Override
    public String name() {
        return "uring";
    }

    @Override
    protected int reactorCount() {
        return settings.reactors();
    }

    @Override
    protected UringReactor.MemoryFactory memoryFactory(int reactorIndex) {
        return (ring, sink) -> new CopyReceiveMemory(
            BufferRing.register(ring, BUFFER_GROUP, uring.bufferCount(), uring.bufferBytes()), bundles, sink);
    }
}
