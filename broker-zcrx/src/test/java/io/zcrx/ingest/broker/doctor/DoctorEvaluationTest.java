package io.zcrx.ingest.broker.doctor;

import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.nativeio.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The doctor's decisions: from kernel and NIC facts to check lines and the exact ethtool commands.
 * Method: facts as the inspection would report them for a zcrx-capable NIC (mlx5_core, 8 queues, zcrx
 * queue 7, port 9092), fully configured, then with one piece missing at a time; each must produce
 * exactly its command (docs/kernel-abi.md#nic-requirements). The kernel side uses this machine's real probe.
 */
class DoctorEvaluationTest {
    private static UringSupport uring;

    @BeforeAll
    static void probe() {
        uring = UringSupport.probe();
        assumeTrue(uring.recvZcSupported(), "skipped: needs a kernel with RECV_ZC for the ready case: " + uring);
    }

    private static Doctor.KernelFacts kernel(boolean cap, int probeErrno) {
        return new Doctor.KernelFacts("6.18.44", 6, 18, "0", uring, probeErrno, cap);
    }

    private static int[] rss(int... queues) {
        final int[] t = new int[128];
        for (int i = 0; i < t.length; i++) {
            t[i] = queues[i % queues.length];
        }
        return t;
    }

    private static Doctor.NicFacts nic(int combined, int tds, long hds, int[] rssTable, int ntuple,
            List<EthtoolIoctl.FlowRule> rules) {
        return new Doctor.NicFacts("eth1", true, "mlx5_core", combined, new EthtoolIoctl.Channels(0, 8, 0, combined, 0),
            new EthtoolNetlink.Rings(tds, hds, 1024, 1024, 8192, 0), new EthtoolIoctl.Indirection(rssTable, 0), ntuple,
            new EthtoolIoctl.Rules(rules, 0));
    }

    private static List<EthtoolIoctl.FlowRule> steer(int queue) {
        return List.of(new EthtoolIoctl.FlowRule(1022, EthtoolLayout.TCP_V4_FLOW, 9092, queue, false),
            new EthtoolIoctl.FlowRule(1023, EthtoolLayout.TCP_V6_FLOW, 9092, queue, false));
    }

    private static Doctor.NicFacts ready() {
        return nic(8, 2, 0, rss(0, 1, 2, 3, 4, 5, 6), 1, steer(7));
    }

    @Test
    void fullyConfiguredCapableNicIsReady() {
        final DoctorReport r = Doctor.evaluate(kernel(true, Errno.ENODEV), ready(), 7, 9092);
        assertTrue(r.ready(), r.render());
        assertEquals(List.of(), r.commands());
        assertTrue(r.render().contains("verdict: zcrx ready on eth1 queue 7"), r.render());
    }

    @Test
    void eachMissingPieceYieldsExactlyItsCommand() {
        final Doctor.KernelFacts k = kernel(true, Errno.ENODEV);
        assertEquals(List.of("ethtool -L eth1 combined 8"),
            Doctor.evaluate(k, nic(4, 2, 0, rss(0, 1, 2, 3, 4, 5, 6), 1, steer(7)), 7, 9092).commands());
        assertEquals(List.of("ethtool -G eth1 tcp-data-split on"),
            Doctor.evaluate(k, nic(8, 1, 0, rss(0, 1, 2, 3, 4, 5, 6), 1, steer(7)), 7, 9092).commands());
        assertEquals(List.of("ethtool -G eth1 hds-thresh 0"),
            Doctor.evaluate(k, nic(8, 2, 256, rss(0, 1, 2, 3, 4, 5, 6), 1, steer(7)), 7, 9092).commands());
        assertEquals(List.of("ethtool -X eth1 equal 7"),
            Doctor.evaluate(k, nic(8, 2, 0, rss(0, 1, 2, 3, 4, 5, 6, 7), 1, steer(7)), 7, 9092).commands());
        assertEquals(List.of("ethtool -K eth1 ntuple on"),
            Doctor.evaluate(k, nic(8, 2, 0, rss(0, 1, 2, 3, 4, 5, 6), 0, steer(7)), 7, 9092).commands());
        assertEquals(List.of("ethtool -N eth1 flow-type tcp4 dst-port 9092 action 7",
                "ethtool -N eth1 flow-type tcp6 dst-port 9092 action 7"),
            Doctor.evaluate(k, nic(8, 2, 0, rss(0, 1, 2, 3, 4, 5, 6), 1, List.of()), 7, 9092).commands());
    }

    @Test
    void ruleToTheWrongQueueIsReplaced() {
        final DoctorReport r = Doctor.evaluate(kernel(true, Errno.ENODEV),
            nic(8, 2, 0, rss(0, 1, 2, 3, 4, 5, 6), 1, steer(3)), 7, 9092);
        assertEquals(List.of("ethtool -N eth1 delete 1022", "ethtool -N eth1 flow-type tcp4 dst-port 9092 action 7",
            "ethtool -N eth1 delete 1023", "ethtool -N eth1 flow-type tcp6 dst-port 9092 action 7"), r.commands());
        assertTrue(r.check("steering tcp4").detail().contains("to queue 3, not 7"), r.render());
    }

    @Test
    void aMiddleQueueIsTakenOutOfRssByWeights() {
        assertEquals("ethtool -X eth1 weight 1 1 0 1", Doctor.rssCommand("eth1", 2, 4));
        assertEquals("ethtool -X eth1 equal 3", Doctor.rssCommand("eth1", 3, 4));
    }

    @Test
    void driverKernelAndCapabilityProblemsAreNamed() {
        final Doctor.NicFacts virtio =
            new Doctor.NicFacts("eth0", true, "virtio_net", 1, new EthtoolIoctl.Channels(0, 1, 0, 1, 0),
            new EthtoolNetlink.Rings(-1, -1, -1, 256, 256, 0), new EthtoolIoctl.Indirection(null, Errno.EOPNOTSUPP),
            0, new EthtoolIoctl.Rules(null, Errno.EOPNOTSUPP));
        final DoctorReport r = Doctor.evaluate(kernel(false, Errno.EPERM), virtio, 1, 9092);
        assertFalse(r.ready());
        assertTrue(r.blocked());
        assertEquals(DoctorReport.Status.FAIL, r.check("driver").status());
        assertTrue(r.check("driver").detail().startsWith("virtio_net: no zcrx support"), r.render());
        assertEquals(DoctorReport.Status.FAIL, r.check("queues").status());
        assertEquals(DoctorReport.Status.MISSING, r.check("CAP_NET_ADMIN").status());
        assertTrue(r.check("zcrx registration").detail().startsWith("EPERM (1)"), r.render());
        assertTrue(r.check("rss").detail().contains("EOPNOTSUPP (95)"), r.render());
        assertTrue(r.render().contains("verdict: zcrx cannot run here"), r.render());

        final DoctorReport old =
            Doctor.evaluate(new Doctor.KernelFacts("6.8.0", 6, 8, "0", uring, Errno.EINVAL, true), ready(), 7, 9092);
        assertEquals(DoctorReport.Status.FAIL, old.check("kernel").status());
        assertEquals(DoctorReport.Status.FAIL, old.check("zcrx registration").status());

        final DoctorReport noIf = Doctor.evaluate(kernel(true, Errno.ENODEV),
            new Doctor.NicFacts("nosuch0", false, null, 0, null, null, null, -Errno.ENODEV, null), 0, 9092);
        assertEquals(DoctorReport.Status.FAIL, noIf.check("interface").status());
    }
}
