package io.zcrx.ingest.broker.uring.testkit;

import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.transport.uring.UringSettings;
import io.zcrx.ingest.broker.transport.uring.ZcrxSettings;
import io.zcrx.ingest.broker.transport.uring.ZcrxTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Whether zcrx can run on this machine, decided by really starting a zcrx transport (ring, ifq
 * registration on the NIC) once per JVM: the NIC is {@code -Dzcrx.test.interface} or the first one with a
 * driver, the queue {@code -Dzcrx.test.queue} or 0. The reason is the registration's own message.
 */
public final class ZcrxAvailability {
    public static final String INTERFACE = System.getProperty("zcrx.test.interface", NetInterfaces.firstWithDriver());
    public static final int QUEUE = Integer.getInteger("zcrx.test.queue", 0);
    private static String reason;
    private static boolean probed;

    private ZcrxAvailability() {
    }

    /** Null when zcrx runs here, else why not. */
    public static synchronized String reason() {
        if (!probed) {
            probed = true;
            if (INTERFACE == null) {
                reason = "no NIC with a driver on this machine";
            } else {
                final ZcrxTransport t = new ZcrxTransport(
                    new TransportSettings(new InetSocketAddress("127.0.0.1", 0), 1, -1, -1, 10, 4096, null),
                    new UringSettings(64, 1024, 4096, 64), new ZcrxSettings(INTERFACE, List.of(QUEUE), 4L << 20, 1024),
                    (id, io) -> new PatternSink());
                try {
                    t.start();
                } catch (IOException e) {
                    reason = "zcrx cannot run on " + INTERFACE + " (" + NetInterfaces.driver(INTERFACE) + ") queue "
                        + QUEUE
                        + ": " + e.getMessage();
                } finally {
                    t.close();
                }
            }
        }
        return reason;
    }

    /** Broker settings for a zcrx broker on that NIC and queue. */
    public static String[] brokerSettings() {
        return new String[] {"zcrx.interface", String.valueOf(INTERFACE), "zcrx.rx.queues", String.valueOf(QUEUE),
            "zcrx.area.bytes", String.valueOf(64L << 20), "zcrx.refill.entries", "4096"};
    }
}
