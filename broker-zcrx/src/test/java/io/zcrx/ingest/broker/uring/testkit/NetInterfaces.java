package io.zcrx.ingest.broker.uring.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Finds a NIC on this machine for zcrx tests (sysfs; no ethtool). */
public final class NetInterfaces {
    private NetInterfaces() {
    }

    /** The first interface backed by a device driver (not lo/veth/bridges), or null. */
    public static String firstWithDriver() {
        try (Stream<Path> dirs = Files.list(Path.of("/sys/class/net"))) {
            return dirs.filter(p -> Files.exists(p.resolve("device/driver"))).map(p -> p.getFileName().toString())
                .sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** The driver name behind {@code ifname} (e.g. virtio_net), or "?". */
    public static String driver(String ifname) {
        try {
            return Path.of("/sys/class/net", ifname, "device/driver").toRealPath().getFileName().toString();
        } catch (IOException e) {
            return "?";
        }
    }
}
