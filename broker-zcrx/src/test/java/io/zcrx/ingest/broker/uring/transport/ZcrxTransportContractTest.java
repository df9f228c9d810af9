package io.zcrx.ingest.broker.uring.transport;

import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.uring.testkit.NetInterfaces;
import io.zcrx.ingest.broker.uring.testkit.PatternSink;

import java.io.IOException;
import java.util.List;

/**
 * The transport contract over zcrx, on the first NIC of this machine, rx queue 0 (override with
 * {@code -Dzcrx.test.interface=... -Dzcrx.test.queue=...}). Where zcrx cannot run the whole suite is
 * skipped with the registration's own reason, e.g. on the CI machine: "EOPNOTSUPP (95) ... no
 * zcrx-capable NIC/driver" for virtio_net.
 */
class ZcrxTransportContractTest extends TransportContractTest {
    private static final long AREA_BYTES = 4L << 20;
    private static final String INTERFACE = System.getProperty("zcrx.test.interface", NetInterfaces.firstWithDriver());
    private static final int QUEUE = Integer.getInteger("zcrx.test.queue", 0);
    private static String reason;
    private static boolean probed;

    private static ZcrxSettings zcrx() {
        return new ZcrxSettings(INTERFACE, List.of(QUEUE), AREA_BYTES, 1024);
    }

    @Override
    protected synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            if (INTERFACE == null) {
                reason = "no NIC with a driver on this machine";
            } else {
                final ZcrxTransport t = new ZcrxTransport(settings(1, 10, -1), UringTransportContractTest.SMALL, zcrx(),
                    (id, io) -> new PatternSink());
                try {
                    t.start();
                } catch (IOException e) {
                    reason = "zcrx cannot run on " + INTERFACE + " (" + NetInterfaces.driver(INTERFACE) + ") queue " + QUEUE
                        + ": " + e.getMessage();
                } finally {
                    t.close();
                }
            }
        }
        return reason;
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
}
