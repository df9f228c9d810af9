package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportContractTest;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.uring.testkit.ZcrxAvailability;
import java.util.List;

/**
 * The transport contract over zcrx, on the first NIC of this machine, rx queue 0 (override with
 * {@code -Dzcrx.test.interface=... -Dzcrx.test.queue=...}). Where zcrx cannot run the whole suite is
 * skipped with the registration's own reason, e.g. on the CI machine: "EOPNOTSUPP (95) ... no
 * zcrx-capable NIC/driver" for virtio_net.
 */
class ZcrxTransportContractTest extends TransportContractTest {
    private static final long AREA_BYTES = 4L << 20;

    private static ZcrxSettings zcrx() {
        return new ZcrxSettings(ZcrxAvailability.INTERFACE, List.of(ZcrxAvailability.QUEUE), AREA_BYTES, 1024);
    }

    @Override
    protected String unavailableReason() {
        return ZcrxAvailability.reason();
    }

    @Override
    protected Transport newTransport(TransportSettings settings, ReactorHandlerFactory factory) {
        return new ZcrxTransport(settings, UringTransportContractTest.SMALL, zcrx(), factory);
    }

    @Override
    protected long receiveCapacityBytes() {
        return AREA_BYTES;
    }

    @Override
    protected long pressureEvents(Transport t) {
        final AbstractUringTransport u = (AbstractUringTransport) t;
        return u.starvationEvents() + u.backpressureEvents();
    }

    @Override
    protected int[] connectionsPerReactor(Transport t) {
        return ((AbstractUringTransport) t).connectionsPerReactor();
    }
}
