package io.zcrx.ingest.broker.doctor;

import io.zcrx.ingest.broker.uring.Capabilities;
import io.zcrx.ingest.nativeio.Errno;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The doctor's inspection on this machine's real kernel interfaces (sysfs, ethtool ioctl, ethtool
 * netlink, io_uring), cross-checked against what /proc and sysfs say directly, and shown to change
 * nothing (the NIC state read before and after is identical).
 */
class DoctorOnThisMachineTest {
    @Test
    void inspectionAgreesWithProcAndSysfs() throws Exception {
        final String ifname = Doctor.firstNic();
        assumeTrue(ifname != null, "skipped: no NIC with a driver");
        final Doctor.KernelFacts k = Doctor.inspectKernel();
        // Where io_uring is switched off (kernel.io_uring_disabled, a seccomp filter in a container)
        // there is nothing of it to cross-check: skip with the reason, as the transport suites do.
        assumeTrue(k.uring().ringAvailable(), () -> "skipped: io_uring unavailable: " + k.uring().reason());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease"), StandardCharsets.US_ASCII).trim(),
            k.release());
        if (k.uring().recvZcSupported()) {
            assertEquals(Capabilities.has(Capabilities.CAP_NET_ADMIN) ? Errno.ENODEV : Errno.EPERM, k.zcrxProbeErrno(),
                "zcrx probe answered " + Errno.describe(k.zcrxProbeErrno()));
        }

        final Doctor.NicFacts before = Doctor.inspectNic(ifname);
        assertTrue(before.exists());
        final String sysfsDriver = Path.of("/sys/class/net", ifname, "device/driver").toRealPath().getFileName()
            .toString();
        assertEquals(sysfsDriver, before.driver());
        final long sysfsQueues;
        try (Stream<Path> q = Files.list(Path.of("/sys/class/net", ifname, "queues"))) {
            sysfsQueues = q.filter(p -> p.getFileName().toString().startsWith("rx-")).count();
        }
        assertEquals(sysfsQueues, before.sysfsRxQueues());
        if (before.channels().errno() == 0) {
            assertEquals(sysfsQueues, before.channels().rxQueues(), "ethtool channels vs sysfs rx queues");
        }
        assertEquals(0, before.rings().errno(),
            "ETHTOOL_MSG_RINGS_GET over generic netlink: " + Errno.describe(before.rings().errno()));
        assertTrue(before.rings().rx() > 0, "rx ring size reported");

        final DoctorReport report = Doctor.evaluate(k, before, 1, 9092);
        System.out.println(report.render());
        for (String cmd : report.commands()) {
            assertTrue(cmd.startsWith("ethtool -") && cmd.contains(" " + ifname + " "), cmd);
        }
        if (!report.ready()) {
            assertTrue(!report.commands().isEmpty() || report.blocked(), report.render());
        }

        final Doctor.NicFacts after = Doctor.inspectNic(ifname);
        assertEquals(before.channels(), after.channels(), "channels changed");
        assertEquals(before.rings(), after.rings(), "ring parameters changed");
        assertEquals(before.ntuple(), after.ntuple(), "ntuple changed");
    }

    @Test
    void loopbackHasNoRingParametersAndSaysWhy() {
        // Goal: an interface without the ethtool ops yields named errnos, not a crash. Method: inspect lo.
        final Doctor.NicFacts lo = Doctor.inspectNic("lo");
        assertTrue(lo.exists());
        assertEquals(Errno.EOPNOTSUPP, lo.rings().errno());
        final DoctorReport r = Doctor.evaluate(Doctor.inspectKernel(), lo, 0, 9092);
        assertTrue(r.render().contains("ETHTOOL_MSG_RINGS_GET: EOPNOTSUPP (95)"), r.render());
    }
}
