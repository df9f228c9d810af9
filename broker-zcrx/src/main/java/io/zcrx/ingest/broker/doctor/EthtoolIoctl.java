package io.zcrx.ingest.broker.doctor;

import com.sun.jna.Memory;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.Sys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only ethtool queries through the {@code SIOCETHTOOL} ioctl (what {@code ethtool -i/-l/-x/-n/-k}
 * read), via JNA on an {@code AF_INET} datagram socket. Only GET commands are issued: the doctor changes
 * nothing. Every result carries {@code -errno} when the driver does not implement the query (usually
 * EOPNOTSUPP).
 *
 * <p>Not thread-safe (one per doctor run); setup path only.
 */
final class EthtoolIoctl implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** At most this many ntuple rules are read (a NIC table is far smaller). */
    private static final int RULES_MAX = 4096;

    /** Channel counts ({@code ethtool -l}); {@code errno} &gt; 0 when unavailable. */
    record Channels(int maxRx, int maxCombined, int rx, int combined, int errno) {
        /** Receive queues in use: combined + dedicated rx channels. */
        int rxQueues() {
            return combined + rx;
        }
    }

    /** One n-tuple rule ({@code ethtool -n}): TCP flow type, destination port, target queue. */
    record FlowRule(int location, int flowType, int dstPort, long ringCookie, boolean rss) {
        int queue() {
            return (int) (ringCookie & EthtoolLayout.ETHTOOL_RX_FLOW_SPEC_RING);
        }

        boolean drops() {
            return ringCookie == EthtoolLayout.RX_CLS_FLOW_DISC;
        }
    }

    /** Rules or the errno that kept us from reading them. */
    record Rules(List<FlowRule> rules, int errno) {
    }

    /** RSS indirection table ({@code ethtool -x}) or the errno. */
    record Indirection(int[] table, int errno) {
    }

    private final String ifname;
    private final int fd;

    EthtoolIoctl(String ifname) {
        this.ifname = ifname;
        this.fd = Sys.openSocket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }

    /** Issues one ethtool command with {@code data} as the command struct; returns 0 or -errno. */
    private int call(Memory data) {
        if (fd < 0) {
            return fd;
        }
        final Memory ifr = new Memory(EthtoolLayout.Ifreq.SIZE);
        ifr.clear();
        final byte[] name = ifname.getBytes(StandardCharsets.US_ASCII);
        ifr.write(EthtoolLayout.Ifreq.NAME_OFFSET, name, 0, Math.min(name.length, EthtoolLayout.Ifreq.NAME_LENGTH - 1));
        ifr.setLong(EthtoolLayout.Ifreq.DATA_OFFSET, Memory.nativeValue(data));
        return Sys.ioctlCall(fd, EthtoolLayout.SIOCETHTOOL, Memory.nativeValue(ifr));
    }

    /** Driver name ({@code ethtool -i}), or "errno NAME" text. */
    String driver() {
        final Memory m = new Memory(EthtoolLayout.Drvinfo.SIZE);
        m.clear();
        m.setInt(EthtoolLayout.Drvinfo.CMD_OFFSET, EthtoolLayout.ETHTOOL_GDRVINFO);
        final int rc = call(m);
        if (rc < 0) {
            return null;
        }
        return m.getString(EthtoolLayout.Drvinfo.DRIVER_OFFSET, "US-ASCII");
    }

    Channels channels() {
        final Memory m = new Memory(EthtoolLayout.Channels.SIZE);
        m.clear();
        m.setInt(EthtoolLayout.Channels.CMD_OFFSET, EthtoolLayout.ETHTOOL_GCHANNELS);
        final int rc = call(m);
        if (rc < 0) {
            return new Channels(0, 0, 0, 0, -rc);
        }
        return new Channels(m.getInt(EthtoolLayout.Channels.MAX_RX_OFFSET),
            m.getInt(EthtoolLayout.Channels.MAX_COMBINED_OFFSET), m.getInt(EthtoolLayout.Channels.RX_COUNT_OFFSET),
            m.getInt(EthtoolLayout.Channels.COMBINED_COUNT_OFFSET), 0);
    }

    /** n-tuple filtering enabled ({@code ethtool -k ... ntuple-filters}): 1 on, 0 off, -errno unknown. */
    int ntupleEnabled() {
        final Memory m = new Memory(EthtoolLayout.Value.SIZE);
        m.clear();
        m.setInt(EthtoolLayout.Value.CMD_OFFSET, EthtoolLayout.ETHTOOL_GFLAGS);
        final int rc = call(m);
        if (rc < 0) {
            return rc;
        }
        return (m.getInt(EthtoolLayout.Value.DATA_OFFSET) & EthtoolLayout.ETH_FLAG_NTUPLE) != 0 ? 1 : 0;
    }

    Indirection indirection() {
        final Memory probe = new Memory(EthtoolLayout.RxfhIndir.SIZE);
        probe.clear();
        probe.setInt(EthtoolLayout.RxfhIndir.CMD_OFFSET, EthtoolLayout.ETHTOOL_GRXFHINDIR);
        int rc = call(probe);
        if (rc < 0) {
            return new Indirection(null, -rc);
        }
        final int size = probe.getInt(EthtoolLayout.RxfhIndir.SIZE_OFFSET);
        if (size <= 0 || size > 1 << 16) {
            return new Indirection(null, size == 0 ? Errno.EOPNOTSUPP : Errno.ERANGE);
        }
        final Memory m = new Memory(EthtoolLayout.RxfhIndir.SIZE + 4L * size);
        m.clear();
        m.setInt(EthtoolLayout.RxfhIndir.CMD_OFFSET, EthtoolLayout.ETHTOOL_GRXFHINDIR);
        m.setInt(EthtoolLayout.RxfhIndir.SIZE_OFFSET, size);
        rc = call(m);
        if (rc < 0) {
            return new Indirection(null, -rc);
        }
        return new Indirection(m.getIntArray(EthtoolLayout.RxfhIndir.RING_INDEX_OFFSET, size), 0);
    }

    Rules rules() {
        final Memory count = new Memory(EthtoolLayout.Rxnfc.SIZE);
        count.clear();
        count.setInt(EthtoolLayout.Rxnfc.CMD_OFFSET, EthtoolLayout.ETHTOOL_GRXCLSRLCNT);
        int rc = call(count);
        if (rc < 0) {
            return new Rules(null, -rc);
        }
        final int n = Math.min(count.getInt(EthtoolLayout.Rxnfc.RULE_CNT_OFFSET), RULES_MAX);
        final List<FlowRule> out = new ArrayList<>();
        if (n <= 0) {
            return new Rules(out, 0);
        }
        final Memory all = new Memory(EthtoolLayout.Rxnfc.SIZE + 4L * n);
        all.clear();
        all.setInt(EthtoolLayout.Rxnfc.CMD_OFFSET, EthtoolLayout.ETHTOOL_GRXCLSRLALL);
        all.setInt(EthtoolLayout.Rxnfc.RULE_CNT_OFFSET, n);
        rc = call(all);
        if (rc < 0) {
            return new Rules(null, -rc);
        }
        final int got = Math.min(all.getInt(EthtoolLayout.Rxnfc.RULE_CNT_OFFSET), n);
        for (int i = 0; i < got; i++) {
            final int location = all.getInt(EthtoolLayout.Rxnfc.RULE_LOCS_OFFSET + 4L * i);
            final Memory rule = new Memory(EthtoolLayout.Rxnfc.SIZE);
            rule.clear();
            rule.setInt(EthtoolLayout.Rxnfc.CMD_OFFSET, EthtoolLayout.ETHTOOL_GRXCLSRULE);
            rule.setInt(EthtoolLayout.Rxnfc.FS_OFFSET + EthtoolLayout.FlowSpec.LOCATION_OFFSET, location);
            if (call(rule) < 0) {
                continue;
            }
            final int fs = EthtoolLayout.Rxnfc.FS_OFFSET;
            final int flowType = rule.getInt(fs + EthtoolLayout.FlowSpec.FLOW_TYPE_OFFSET);
            final int base = flowType & ~EthtoolLayout.FLOW_TYPE_MODIFIERS;
            final int portAt = fs + EthtoolLayout.FlowSpec.H_U_OFFSET
                + (base == EthtoolLayout.TCP_V6_FLOW
                    ? EthtoolLayout.FlowSpec.TCP6_PDST_OFFSET
                    : EthtoolLayout.FlowSpec.TCP4_PDST_OFFSET);
            final int port = ((rule.getByte(portAt) & 0xFF) << 8) | (rule.getByte(portAt + 1) & 0xFF);
            out.add(new FlowRule(location, base, port, rule.getLong(fs + EthtoolLayout.FlowSpec.RING_COOKIE_OFFSET),
                (flowType & EthtoolLayout.FLOW_RSS) != 0));
        }
        return new Rules(out, 0);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Sys.closeFd(fd);
        }
    }
}
