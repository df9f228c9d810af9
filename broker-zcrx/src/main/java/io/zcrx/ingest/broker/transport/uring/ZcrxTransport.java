package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.ReactorMetrics;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxIfq;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zero-copy receive transport ({@code transport=zcrx}): one reactor per configured hardware rx queue,
 * each with its own ring, ifq registration, area and refill ring (docs/kernel-abi.md#zcrx-registration).
 * Registration is attempted on every reactor's own thread at start; the first failure stops the start with the
 * errno and what it means (EOPNOTSUPP on NICs without zcrx, e.g. virtio_net), which {@code transport=auto} logs
 * before falling back to copy mode.
 *
 * <p>Connection placement: the NIC steers a flow to a queue, and a RECV_ZC must go through that queue's
 * ifq (else {@code -EFAULT}). With one queue every connection goes to reactor 0. With several, the
 * operator must steer the port with an RSS context over those queues; we cannot learn a socket's queue
 * before its first bytes, so connections go to the reactor with the fewest and one that turns out misrouted is
 * closed with the reason (the client reconnects and lands by hash again). Prefer one queue per broker
 * port.
 */
public final class ZcrxTransport extends AbstractUringTransport {
    private static final Logger LOG = LoggerFactory.getLogger(ZcrxTransport.class);

    private final ZcrxSettings zcrx;

    public ZcrxTransport(TransportSettings settings, UringSettings uring, ZcrxSettings zcrx,
                         ReactorHandlerFactory handlerFactory) {
        super(settings, uring, handlerFactory);
        this.zcrx = zcrx;
    }

    @Override
    public String name() {
        return "zcrx";
    }

    @Override
    protected ReactorMetrics.Kind metricsKind() {
        return ReactorMetrics.Kind.ZCRX;
    }

    @Override
    protected void checkSupport(UringSupport support) throws IOException {
        super.checkSupport(support);
        if (!support.recvZcSupported()) {
            throw new IOException("kernel without zcrx: IORING_OP_RECV_ZC (58) is not supported (needs Linux 6.15+)");
        }
        if (zcrx.rxQueues().size() > 1) {
            LOG.warn("zcrx with {} rx queues: connections are placed by connection count and a flow steered to another"
                + " queue is closed on its first bytes (RECV_ZC EFAULT); steer the port to one queue per broker"
                + " where possible",
                zcrx.rxQueues().size());
        }
    }

    @Override
    protected int reactorCount() {
        return zcrx.rxQueues().size();
    }

    @Override
    protected UringReactor.MemoryFactory memoryFactory(int reactorIndex) {
        final int queue = zcrx.rxQueues().get(reactorIndex);
        final boolean recvZc = UringSupport.get().recvZcSupported();
        return (ring, sink) -> new ZcrxReceiveMemory(
            ZcrxIfq.register(ring, zcrx.interfaceName(), queue, zcrx.areaBytes(), zcrx.refillEntries(), recvZc), sink);
    }
}
