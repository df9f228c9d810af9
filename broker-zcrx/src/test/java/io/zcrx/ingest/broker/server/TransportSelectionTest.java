package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.uring.Capabilities;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.broker.uring.testkit.NetInterfaces;
import io.zcrx.ingest.broker.uring.testkit.PatternSink;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code transport=auto|zcrx|uring|nio} against the real kernel: zcrx registration is really attempted
 * on this machine's NIC, and the test checks which transport runs and the reason line the broker logs
 * ({@code Selection.reasons()}, printed by {@code Broker.start}).
 */
class TransportSelectionTest {
    private static BrokerConfig config(String... kv) throws IOException {
        final Map<String, String> m = new HashMap<>();
        m.put("listeners", "PLAINTEXT://127.0.0.1:0");
        m.put("log.dirs", Files.createTempDirectory("selection").toString());
        m.put("num.network.threads", "1");
        m.put("uring.buffer.count", "64");
        m.put("uring.buffer.bytes", "4096");
        m.put("zcrx.area.bytes", String.valueOf(2L << 20));
        m.put("socket.request.max.bytes", "131072");
        m.put("message.max.bytes", "65536");
        m.put("zcrx.refill.entries", "256");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new BrokerConfig(m);
    }

    private static void assumeVirtioWithCapability(String ifname) {
        assumeTrue(ifname != null, "skipped: no NIC with a driver");
        assumeTrue(UringSupport.get().recvZcSupported(), "skipped: kernel without RECV_ZC: " + UringSupport.get());
        assumeTrue("virtio_net".equals(NetInterfaces.driver(ifname)),
            "skipped: expectations are for virtio_net (EOPNOTSUPP); this NIC is " + NetInterfaces.driver(ifname));
        assumeTrue(Capabilities.has(Capabilities.CAP_NET_ADMIN), "skipped: needs CAP_NET_ADMIN (else EPERM)");
    }

    @Test
    void autoTriesZcrxThenRunsCopyModeAndSaysWhy() throws Exception {
        // Goal: auto with an interface attempts zcrx for real, falls back to copy-mode io_uring and names
        // the errno and its meaning. Method: zcrx.interface = this machine's virtio_net NIC, queue 0.
        final String ifname = NetInterfaces.firstWithDriver();
        assumeVirtioWithCapability(ifname);
        assumeTrue(UringSupport.get().copyModeAvailable(), "skipped: io_uring unavailable");
        final TransportSelector.Selection s = TransportSelector.select(
            config("transport", "auto", "zcrx.interface", ifname, "zcrx.rx.queues", "0"),
                (id, io) -> new PatternSink());
        try {
            assertEquals("uring", s.transport().name());
            System.out.println("selection: transport " + s.transport().name() + " running (" + s.transport().describe()
                + "); " + s.reasons());
            assertTrue(s.reasons().contains("zcrx unavailable"), s.reasons());
            assertTrue(s.reasons().contains("EOPNOTSUPP (95)"), s.reasons());
            assertTrue(s.reasons().contains("no zcrx-capable NIC/driver"), s.reasons());
            assertTrue(s.reasons().contains("interface=" + ifname), s.reasons());
        } finally {
            s.transport().close();
        }
    }

    @Test
    void zcrxNeverServesATlsListener() throws Exception {
        // Goal: zcrx serves PLAINTEXT and SASL_PLAINTEXT only. Forced, a TLS first listener is refused naming it;
        // auto skips zcrx for it and says why (whatever the NIC could do).
        final BrokerConfig forced = config("listeners", "SSL://127.0.0.1:0", "transport", "zcrx", "zcrx.interface",
            "lo", "zcrx.rx.queues", "0");
        final IOException e = assertThrows(IOException.class,
            () -> TransportSelector.select(forced, (id, io) -> new PatternSink()));
        assertTrue(e.getMessage().contains("listener SSL (SSL)") && e.getMessage().contains("zcrx serves PLAINTEXT"),
            e.getMessage());
        final TransportSelector.Selection s = TransportSelector.select(
            config("listeners", "SSL://127.0.0.1:0", "transport", "auto", "zcrx.interface", "lo", "zcrx.rx.queues",
                "0"), (id, io) -> new PatternSink());
        try {
            assertTrue(s.reasons().contains("zcrx skipped: listener SSL is SSL"), s.reasons());
            assertTrue(!s.transport().name().equals("zcrx"), s.transport().name());
        } finally {
            s.transport().close();
        }
    }

    @Test
    void forcedZcrxThatCannotRunStopsWithTheReason() throws Exception {
        // Goal: transport=zcrx never falls back. Method: same NIC, forced; expect the IOException with errno.
        final String ifname = NetInterfaces.firstWithDriver();
        assumeVirtioWithCapability(ifname);
        final IOException e = assertThrows(IOException.class, () -> TransportSelector.select(
            config("transport", "zcrx", "zcrx.interface", ifname, "zcrx.rx.queues", "0"),
                (id, io) -> new PatternSink()));
        assertTrue(e.getMessage().startsWith("transport=zcrx cannot start"), e.getMessage());
        assertTrue(e.getMessage().contains("EOPNOTSUPP (95)"), e.getMessage());
    }

    @Test
    void unknownInterfaceIsNamed() throws Exception {
        // Goal: a typo in zcrx.interface is reported as such (ENODEV), not as "NIC cannot do zcrx".
        assumeTrue(UringSupport.get().recvZcSupported(), "skipped: kernel without RECV_ZC");
        final IOException e = assertThrows(IOException.class, () -> TransportSelector.select(
            config("transport", "zcrx", "zcrx.interface", "nosuch0", "zcrx.rx.queues", "0"),
                (id, io) -> new PatternSink()));
        assertTrue(e.getMessage().contains("ENODEV (19)") && e.getMessage().contains("NO_SUCH_INTERFACE"),
            e.getMessage());
    }

    @Test
    void autoWithoutInterfaceSkipsZcrxAndRunsCopyMode() throws Exception {
        // Goal: without zcrx.interface, auto says zcrx was not configured and runs copy-mode io_uring.
        assumeTrue(UringSupport.get().copyModeAvailable(),
            "skipped: io_uring unavailable: " + UringSupport.get().reason());
        final TransportSelector.Selection s =
            TransportSelector.select(config("transport", "auto"), (id, io) -> new PatternSink());
        try {
            assertEquals("uring", s.transport().name());
            assertTrue(s.reasons().contains("zcrx skipped: zcrx.interface is not set"), s.reasons());
            assertTrue(s.transport().describe().contains("64 x 4 KiB provided buffers"), s.transport().describe());
        } finally {
            s.transport().close();
        }
    }

    @Test
    void forcedTransportsRun() throws Exception {
        // Goal: uring and nio can be forced. Method: select each, check the name, close.
        for (String name : new String[] {"uring", "nio"}) {
            if (name.equals("uring") && !UringSupport.get().copyModeAvailable()) {
                continue;
            }
            final TransportSelector.Selection s =
                TransportSelector.select(config("transport", name), (id, io) -> new PatternSink());
            try {
                assertEquals(name, s.transport().name());
                assertEquals("transport=" + name, s.reasons());
            } finally {
                s.transport().close();
            }
        }
    }

    @Test
    void forcedUringFailsWithTheReasonWhenTheListenerCannotBind() throws Exception {
        // Goal: a start failure carries its cause. Method: bind the same port twice with transport=uring.
        assumeTrue(UringSupport.get().copyModeAvailable(), "skipped: io_uring unavailable");
        final TransportSelector.Selection first =
            TransportSelector.select(config("transport", "uring"), (id, io) -> new PatternSink());
        try {
            final int port = first.transport().localAddress().getPort();
            final IOException e = assertThrows(IOException.class, () -> TransportSelector.select(
                config("transport", "uring", "listeners", "PLAINTEXT://127.0.0.1:" + port),
                    (id, io) -> new PatternSink()));
            assertTrue(e.getMessage().contains("EADDRINUSE (98)"), e.getMessage());
        } finally {
            first.transport().close();
        }
    }
}
