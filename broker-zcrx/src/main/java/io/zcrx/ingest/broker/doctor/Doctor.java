package io.zcrx.ingest.broker.doctor;

import io.zcrx.ingest.broker.doctor.DoctorReport.Check;
import io.zcrx.ingest.broker.doctor.DoctorReport.Status;
import io.zcrx.ingest.broker.uring.Capabilities;
import io.zcrx.ingest.broker.uring.Ring;
import io.zcrx.ingest.broker.uring.UringConstants;
import io.zcrx.ingest.broker.uring.UringException;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxIfq;
import io.zcrx.ingest.nativeio.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code zcrx-doctor}: checks whether this machine can run the zcrx transport for one interface, rx
 * queue and Kafka port, and prints what is ready and the exact {@code ethtool} commands still missing
 * (docs/kernel-abi.md#nic-requirements). It only reads: kernel release and sysctl from /proc, capabilities from
 * /proc/self/status, the driver and queues from sysfs and the ethtool ioctl, ring parameters over the
 * ethtool netlink family, RSS and n-tuple rules over the ethtool ioctl, and io_uring support by creating
 * (and closing) a ring. The zcrx check registers against a non-existent interface index, which the
 * kernel rejects before any NIC is touched. {@code ethtool} itself is not needed.
 *
 * <pre>
 *   usage: zcrx-doctor [--config server.properties] [--interface IF] [--queue N] [--port P]
 *   exit:  0 zcrx ready, 1 not ready (see the report), 2 usage error
 * </pre>
 *
 * Defaults come from the config ({@code zcrx.interface}, first of {@code zcrx.rx.queues},
 * {@code listeners} port), else the first NIC, its last rx queue and 9092.
 */
public final class Doctor {
    /** Drivers with the queue API, header split and unreadable-netmem page pools zcrx needs. */
    static final Set<String> ZCRX_DRIVERS = Set.of("bnxt_en", "mlx5_core", "gve", "fbnic");
    private static final int MIN_MAJOR = 6;
    private static final int MIN_MINOR = 15;

    /**
     * Kernel-side facts. {@code zcrxProbeErrno} is the errno of the side-effect-free registration probe, -1 if not
     * run.
     */
    record KernelFacts(String release, int major, int minor, String ioUringDisabled, UringSupport uring,
                       int zcrxProbeErrno, boolean capNetAdmin) {
    }

    /** NIC-side facts for one interface. */
    record NicFacts(String ifname, boolean exists, String driver, int sysfsRxQueues, EthtoolIoctl.Channels channels,
                    EthtoolNetlink.Rings rings, EthtoolIoctl.Indirection indirection, int ntuple,
                    EthtoolIoctl.Rules rules) {
    }

    private Doctor() {
    }

    public static void main(String[] args) {
        final String[] opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: zcrx-doctor.sh [--config server.properties] [--interface IF] [--queue N]"
                + " [--port P]");
            System.exit(2);
            return;
        }
        final String ifname = opts[0];
        final KernelFacts kernel = inspectKernel();
        final NicFacts nic = inspectNic(ifname);
        int queue = opts[1] == null ? -1 : Integer.parseInt(opts[1]);
        if (queue < 0) {
            final int q = nic.channels().errno() == 0 ? nic.channels().rxQueues() : nic.sysfsRxQueues();
            queue = Math.max(1, q - 1);
        }
        final int port = Integer.parseInt(opts[2]);
        final DoctorReport report = evaluate(kernel, nic, queue, port);
        System.out.print(report.render());
        System.exit(report.ready() ? 0 : 1);
    }

    /** {interface, queue or null, port} from the arguments and the optional config file. */
    static String[] parse(String[] args) throws IOException {
        String ifname = null;
        String queue = null;
        String port = null;
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (!Set.of("--interface", "--queue", "--port", "--config").contains(a)) {
                throw new IllegalArgumentException("unknown option: " + a);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            switch (a) {
                case "--interface":
                    ifname = args[++i];
                    break;
                case "--queue":
                    queue = args[++i];
                    Integer.parseInt(queue);
                    break;
                case "--port":
                    port = args[++i];
                    Integer.parseInt(port);
                    break;
                case "--config":
                    config = Path.of(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + a);
            }
        }
        if (config != null) {
            final Properties p = new Properties();
            try (InputStream in = Files.newInputStream(config)) {
                p.load(in);
            }
            if (ifname == null && !p.getProperty("zcrx.interface", "").isBlank()) {
                ifname = p.getProperty("zcrx.interface").trim();
            }
            if (queue == null && !p.getProperty("zcrx.rx.queues", "").isBlank()) {
                queue = p.getProperty("zcrx.rx.queues").split(",")[0].trim();
            }
            final Matcher m = Pattern.compile(":(\\d+)\\s*$").matcher(p.getProperty("listeners", ""));
            if (port == null && m.find()) {
                port = m.group(1);
            }
        }
        if (ifname == null) {
            ifname = firstNic();
            if (ifname == null) {
                throw new IllegalArgumentException("no network interface with a driver found; pass --interface");
            }
        }
        return new String[] {ifname, queue, port == null ? "9092" : port};
    }

    static String firstNic() {
        try (Stream<Path> dirs = Files.list(Path.of("/sys/class/net"))) {
            return dirs.filter(p -> Files.exists(p.resolve("device/driver"))).map(p -> p.getFileName().toString())
                .sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    // ---- inspection (reads only) ----------------------------------------------------------------

    static KernelFacts inspectKernel() {
        final String release = read("/proc/sys/kernel/osrelease", System.getProperty("os.version"));
        final Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        final int major = m.find() ? Integer.parseInt(m.group(1)) : 0;
        final int minor = major > 0 ? Integer.parseInt(m.group(2)) : 0;
        final UringSupport uring = UringSupport.probe();
        int zcrxErrno = -1;
        if (uring.recvZcSupported()) {
            try (Ring ring = Ring.create(8, 16, UringConstants.REACTOR_SETUP_FLAGS)) {
                zcrxErrno = ZcrxIfq.probeKernelSupport(ring);
            } catch (UringException e) {
                zcrxErrno = -1;
            }
        }
        return new KernelFacts(release, major, minor, read("/proc/sys/kernel/io_uring_disabled", "n/a"), uring,
            zcrxErrno, Capabilities.has(Capabilities.CAP_NET_ADMIN));
    }

    static NicFacts inspectNic(String ifname) {
        final Path dir = Path.of("/sys/class/net", ifname);
        if (!Files.isDirectory(dir)) {
            return new NicFacts(ifname, false, null, 0, null, null, null, -Errno.ENODEV, null);
        }
        int sysfsRx = 0;
        try (Stream<Path> q = Files.list(dir.resolve("queues"))) {
            sysfsRx = (int) q.filter(p -> p.getFileName().toString().startsWith("rx-")).count();
        } catch (IOException e) {
            sysfsRx = 0;
        }
        String driver;
        try {
            driver = dir.resolve("device/driver").toRealPath().getFileName().toString();
        } catch (IOException e) {
            driver = null;
        }
        try (EthtoolIoctl eth = new EthtoolIoctl(ifname)) {
            if (driver == null) {
                driver = eth.driver();
            }
            return new NicFacts(ifname, true, driver, sysfsRx, eth.channels(), EthtoolNetlink.rings(ifname),
                eth.indirection(), eth.ntupleEnabled(), eth.rules());
        }
    }

    private static String read(String path, String fallback) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return fallback;
        }
    }

    // ---- evaluation (pure) ----------------------------------------------------------------------

    static DoctorReport evaluate(KernelFacts k, NicFacts n, int queue, int port) {
        final List<Check> checks = new ArrayList<>();
        final List<String> commands = new ArrayList<>();
        final String ifn = n.ifname();

        // Kernel
        final boolean newEnough = k.major() > MIN_MAJOR || (k.major() == MIN_MAJOR && k.minor() >= MIN_MINOR);
        checks.add(new Check(newEnough ? Status.OK : Status.FAIL, "kernel",
            k.release() + (newEnough ? " (zcrx needs >= 6.15)"
                : ": zcrx needs >= 6.15 (copy-mode io_uring needs >= 6.1)")));
        final UringSupport u = k.uring();
        if (u.ringAvailable()) {
            checks.add(new Check(u.copyModeAvailable() ? Status.OK : Status.FAIL, "io_uring",
                "enabled (kernel.io_uring_disabled=" + k.ioUringDisabled()
                    + "), ring with SINGLE_ISSUER|DEFER_TASKRUN|CQE32 OK"
                    + (u.bundlesSupported() ? ", receive bundles supported" : ", no receive bundles")
                    + (u.copyModeAvailable() ? "" : "; " + u.reason())));
        } else {
            checks.add(new Check(Status.FAIL, "io_uring", u.reason()));
        }
        checks.add(new Check(u.recvZcSupported() ? Status.OK : Status.FAIL, "RECV_ZC",
            u.recvZcSupported() ? "IORING_OP_RECV_ZC (58) supported"
                : "IORING_OP_RECV_ZC (58) not supported by this kernel"));
        checks.add(zcrxProbeCheck(k.zcrxProbeErrno()));
        checks.add(new Check(k.capNetAdmin() ? Status.OK : Status.MISSING, "CAP_NET_ADMIN",
            k.capNetAdmin() ? "held by this process (zcrx needs it in the initial user namespace)"
                : "not held: run the broker as root or grant CAP_NET_ADMIN (containers: privileged, host network)"));

        // NIC
        if (!n.exists()) {
            checks.add(new Check(Status.FAIL, "interface", ifn + " does not exist (/sys/class/net)"));
            return new DoctorReport(header(ifn, queue, port), checks, commands, ifn, queue, port);
        }
        final boolean capable = n.driver() != null && ZCRX_DRIVERS.contains(n.driver());
        checks.add(new Check(capable ? Status.OK : Status.FAIL, "driver",
            (n.driver() == null ? "unknown" : n.driver()) + (capable ? " supports zcrx"
                : ": no zcrx support (needs the queue API, header split and unreadable-netmem page pools: "
                    + String.join(", ", new TreeSet<>(ZCRX_DRIVERS)) + "); registration answers EOPNOTSUPP")));

        final EthtoolIoctl.Channels ch = n.channels();
        final int rxQueues = ch != null && ch.errno() == 0 ? ch.rxQueues() : n.sysfsRxQueues();
        final int maxQueues = ch != null && ch.errno() == 0 ? Math.max(ch.maxCombined(), ch.maxRx()) : rxQueues;
        final int wanted = Math.max(2, queue + 1);
        final String chText = ch != null && ch.errno() == 0
            ? "combined " + ch.combined() + " (max " + ch.maxCombined() + "), rx " + ch.rx()
                + " (max " + ch.maxRx() + ")"
            : "channels unreadable (" + Errno.describe(ch == null ? 0 : ch.errno()) + "), " + n.sysfsRxQueues()
                + " rx queues in sysfs";
        if (rxQueues >= wanted) {
            checks.add(new Check(Status.OK, "queues", rxQueues + " rx queues (" + chText + "); queue "
                + queue + " exists and RSS can keep others off it"));
        } else if (maxQueues >= wanted) {
            checks.add(new Check(Status.MISSING, "queues", rxQueues + " rx queue(s) (" + chText
                + "); need " + wanted + " so queue " + queue + " can be dedicated to zcrx"));
            commands.add("ethtool -L " + ifn + " combined " + wanted);
        } else {
            checks.add(new Check(Status.FAIL, "queues", rxQueues + " rx queue(s) (" + chText
                + "); the NIC cannot provide " + wanted + " (queue " + queue + " plus one for other traffic)"));
        }

        final EthtoolNetlink.Rings r = n.rings();
        if (r == null || r.errno() != 0) {
            checks.add(new Check(Status.MISSING, "tcp-data-split",
                "ring parameters unreadable (ETHTOOL_MSG_RINGS_GET: " + Errno.describe(r == null ? 0 : r.errno())
                    + ")"));
            commands.add("ethtool -G " + ifn + " tcp-data-split on");
            checks.add(new Check(Status.MISSING, "hds-thresh", "ring parameters unreadable"));
            commands.add("ethtool -G " + ifn + " hds-thresh 0");
        } else {
            if (r.tcpDataSplit() == EthtoolLayout.ETHTOOL_TCP_DATA_SPLIT_ENABLED) {
                checks.add(new Check(Status.OK, "tcp-data-split", "on"));
            } else {
                checks.add(new Check(Status.MISSING, "tcp-data-split",
                    r.tcpDataSplit() == EthtoolLayout.ETHTOOL_TCP_DATA_SPLIT_DISABLED ? "off"
                        : "not reported by the driver (unknown: header/data split unsupported or not configurable)"));
                commands.add("ethtool -G " + ifn + " tcp-data-split on");
            }
            if (r.hdsThresh() == 0) {
                checks.add(new Check(Status.OK, "hds-thresh", "0 (max " + r.hdsThreshMax() + ")"));
            } else {
                checks.add(new Check(Status.MISSING, "hds-thresh", r.hdsThresh() > 0
                    ? r.hdsThresh() + " (must be 0: split every packet)"
                    : "not reported (driver cannot set it, or kernel < 6.13)"));
                commands.add("ethtool -G " + ifn + " hds-thresh 0");
            }
            if (r.rx() > 0) {
                checks.add(new Check(Status.INFO, "rx ring", r.rx() + " descriptors (max " + r.rxMax()
                    + "); each parks area buffers in the NIC, size zcrx.area.bytes above that"
                    + " (the selftests use ethtool -G " + ifn + " rx 64)"));
            }
        }

        final EthtoolIoctl.Indirection rss = n.indirection();
        final int queuesForRss = Math.max(rxQueues, wanted);
        if (rss != null && rss.errno() == 0) {
            final Set<Integer> used = new TreeSet<>();
            for (int q : rss.table()) {
                used.add(q);
            }
            if (used.contains(queue)) {
                checks.add(new Check(Status.MISSING, "rss", "indirection table (" + rss.table().length
                    + " entries) spreads over queues " + used + ", including zcrx queue " + queue));
                commands.add(rssCommand(ifn, queue, queuesForRss));
            } else {
                checks.add(new Check(Status.OK, "rss", "queues " + used + " (zcrx queue " + queue
                    + " excluded)"));
            }
        } else {
            checks.add(new Check(Status.MISSING, "rss", "indirection table unreadable ("
                + Errno.describe(rss == null ? 0 : rss.errno()) + "): cannot confirm queue " + queue
                + " is kept out of RSS"));
            commands.add(rssCommand(ifn, queue, queuesForRss));
        }

        if (n.ntuple() == 1) {
            checks.add(new Check(Status.OK, "ntuple", "n-tuple filters on"));
        } else {
            checks.add(new Check(Status.MISSING, "ntuple", n.ntuple() == 0 ? "n-tuple filters off"
                : "n-tuple state unreadable (" + Errno.describe(-n.ntuple()) + ")"));
            commands.add("ethtool -K " + ifn + " ntuple on");
        }

        final EthtoolIoctl.Rules rules = n.rules();
        for (int flow : new int[] {EthtoolLayout.TCP_V4_FLOW, EthtoolLayout.TCP_V6_FLOW}) {
            final String name = flow == EthtoolLayout.TCP_V4_FLOW ? "tcp4" : "tcp6";
            final String add = "ethtool -N " + ifn + " flow-type " + name + " dst-port " + port + " action " + queue;
            if (rules == null || rules.errno() != 0) {
                checks.add(new Check(Status.MISSING, "steering " + name, "n-tuple rules unreadable ("
                    + Errno.describe(rules == null ? 0 : rules.errno()) + "): no rule known to steer " + name
                    + " dst-port " + port + " to queue " + queue));
                commands.add(add);
                continue;
            }
            EthtoolIoctl.FlowRule match = null;
            for (EthtoolIoctl.FlowRule fr : rules.rules()) {
                if (fr.flowType() == flow && fr.dstPort() == port) {
                    match = fr;
                }
            }
            if (match != null && !match.drops() && !match.rss() && match.queue() == queue) {
                checks.add(new Check(Status.OK, "steering " + name, "rule " + match.location()
                    + " steers dst-port " + port + " to queue " + queue));
            } else if (match != null) {
                checks.add(new Check(Status.MISSING, "steering " + name, "rule " + match.location()
                    + " sends dst-port " + port + (match.drops() ? " to drop" : " to queue " + match.queue())
                    + ", not " + queue));
                commands.add("ethtool -N " + ifn + " delete " + match.location());
                commands.add(add);
            } else {
                checks.add(new Check(Status.MISSING, "steering " + name, "no rule steers " + name
                    + " dst-port " + port + " to queue " + queue + " (" + rules.rules().size() + " rules on the NIC)"));
                commands.add(add);
            }
        }
        checks.add(new Check(Status.INFO, "listener", "zcrx serves the first listener (dst-port " + port
            + ") and only as PLAINTEXT or SASL_PLAINTEXT; SSL and SASL_SSL listeners run on copy-mode io_uring or "
            + "NIO (TLS decrypts into a copy, a second trip over the memory bus)"));
        return new DoctorReport(header(ifn, queue, port), checks, commands, ifn, queue, port);
    }

    private static Check zcrxProbeCheck(int errno) {
        switch (errno) {
            case Errno.ENODEV:
                return new Check(Status.OK, "zcrx registration",
                    "available in this kernel (probe naming no interface answered ENODEV)");
            case Errno.EPERM:
                return new Check(Status.MISSING, "zcrx registration",
                    "EPERM (1): needs CAP_NET_ADMIN in the initial user namespace");
            case Errno.EOPNOTSUPP:
                return new Check(Status.FAIL, "zcrx registration",
                    "EOPNOTSUPP (95) with no interface involved: kernel built without CONFIG_IO_URING_ZCRX");
            case -1:
                return new Check(Status.FAIL, "zcrx registration", "not probed (no RECV_ZC / io_uring)");
            default:
                return new Check(Status.FAIL, "zcrx registration",
                    Errno.describe(errno) + ": kernel does not accept zcrx registration (too old or restricted)");
        }
    }

    /** RSS over every queue but {@code queue}: {@code equal N-1} when it is the last one, else explicit weights. */
    static String rssCommand(String ifn, int queue, int queues) {
        if (queue == queues - 1) {
            return "ethtool -X " + ifn + " equal " + (queues - 1);
        }
        final StringBuilder b = new StringBuilder("ethtool -X ").append(ifn).append(" weight");
        for (int q = 0; q < queues; q++) {
            b.append(q == queue ? " 0" : " 1");
        }
        return b.toString();
    }

    private static String header(String ifn, int queue, int port) {
        return "zcrx doctor: interface " + ifn + ", zcrx rx queue " + queue + ", Kafka port " + port
            + " (reads only; changes nothing)";
    }
}
