package io.zcrx.ingest.broker.uring.zcrx;

import io.zcrx.ingest.broker.uring.Capabilities;
import io.zcrx.ingest.broker.uring.Ring;
import io.zcrx.ingest.broker.uring.UringConstants;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.nativeio.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * zcrx registration against the real kernel. On this CI machine (6.18, virtio_net) every interface
 * answers EOPNOTSUPP, so the test checks that the errno arrives, is named and maps to the right
 * outcome (a successful registration needs a zcrx-capable NIC, see docs/kernel-abi.md#nic-requirements).
 */
class ZcrxIfqTest {
    @BeforeAll
    static void needsRecvZc() {
        final UringSupport s = UringSupport.get();
        assumeTrue(s.recvZcSupported(), "skipped: kernel without RECV_ZC (< 6.15): " + s);
    }

    private static String virtioInterface() throws IOException {
        try (var dirs = Files.list(Path.of("/sys/class/net"))) {
            for (Path p : (Iterable<Path>) dirs::iterator) {
                final Path driver = p.resolve("device/driver");
                if (Files.exists(driver) && driver.toRealPath().getFileName().toString().equals("virtio_net")) {
                    return p.getFileName().toString();
                }
            }
        }
        return null;
    }

    @Test
    void virtioNicAnswersEopnotsupp() throws Exception {
        // Goal: the registration reaches the kernel and a NIC without zcrx support is recognised as such.
        // Method: register queue 0 of the virtio_net interface; expect EOPNOTSUPP -> NOT_SUPPORTED
        // (CAPABILITY: copy mode is the answer), or EPERM without CAP_NET_ADMIN.
        final String ifname = virtioInterface();
        assumeTrue(ifname != null, "skipped: no virtio_net interface on this machine");
        try (Ring ring = Ring.create(8, 64, UringConstants.REACTOR_SETUP_FLAGS)) {
            final ZcrxRegisterException e = assertThrows(ZcrxRegisterException.class,
                () -> ZcrxIfq.register(ring, ifname, 0, 1 << 20, 256, true));
            if (Capabilities.has(Capabilities.CAP_NET_ADMIN)) {
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                assertEquals(ZcrxRegisterOutcome.NOT_SUPPORTED, e.outcome());
                assertEquals(ZcrxRegisterOutcome.Kind.CAPABILITY, e.outcome().kind());
                assertTrue(e.getMessage().contains("EOPNOTSUPP (95)"), e.getMessage());
            } else {
                assertEquals(Errno.EPERM, e.errno(), e.getMessage());
                assertEquals(ZcrxRegisterOutcome.NO_CAP_NET_ADMIN, e.outcome());
            }
        }
    }

    @Test
    void loopbackAnswersEopnotsuppToo() throws Exception {
        // Goal: same for lo (docs/kernel-abi.md#how-the-numbers-were-checked). Method: register lo queue 0.
        assumeTrue(Capabilities.has(Capabilities.CAP_NET_ADMIN), "skipped: needs CAP_NET_ADMIN");
        try (Ring ring = Ring.create(8, 64, UringConstants.REACTOR_SETUP_FLAGS)) {
            final ZcrxRegisterException e = assertThrows(ZcrxRegisterException.class,
                () -> ZcrxIfq.register(ring, "lo", 0, 1 << 20, 256, true));
            assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
        }
    }

    @Test
    void unknownInterfaceIsAConfigurationError() throws Exception {
        // Goal: a typo in zcrx.interface is reported as such. Method: a name no interface has.
        try (Ring ring = Ring.create(8, 64, UringConstants.REACTOR_SETUP_FLAGS)) {
            final ZcrxRegisterException e = assertThrows(ZcrxRegisterException.class,
                () -> ZcrxIfq.register(ring, "nosuchif0", 0, 1 << 20, 256, true));
            assertEquals(Errno.ENODEV, e.errno());
            assertEquals(ZcrxRegisterOutcome.NO_SUCH_INTERFACE, e.outcome());
            assertEquals(ZcrxRegisterOutcome.Kind.CONFIGURATION, e.outcome().kind());
        }
    }

    @Test
    void ringWithoutDeferTaskrunIsRejectedBeforeTheNic() throws Exception {
        // Goal: our ring flags are what zcrx needs (rule 1). Method: the same registration on a ring
        // without DEFER_TASKRUN gets EINVAL (flags are checked before the NIC), ours got EOPNOTSUPP.
        assumeTrue(Capabilities.has(Capabilities.CAP_NET_ADMIN), "skipped: needs CAP_NET_ADMIN");
        try (Ring ring = Ring.create(8, 64,
                UringConstants.IORING_SETUP_CQE32 | UringConstants.IORING_SETUP_SUBMIT_ALL)) {
            final ZcrxRegisterException e = assertThrows(ZcrxRegisterException.class,
                () -> ZcrxIfq.register(ring, "lo", 0, 1 << 20, 256, true));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }

    @Test
    void refillEntriesAboveTheKernelLimitAreRefusedUpFront() throws Exception {
        // Goal: config bounds checked before the kernel sees them. Method: 65536 entries (kernel max 32768).
        try (Ring ring = Ring.create(8, 64, UringConstants.REACTOR_SETUP_FLAGS)) {
            assertThrows(IllegalArgumentException.class, () -> ZcrxIfq.register(ring, "lo", 0, 1 << 20, 65536, true));
            assertThrows(IllegalArgumentException.class, () -> ZcrxIfq.register(ring, "lo", 0, 1 << 20, 3000, true));
        }
    }
}
