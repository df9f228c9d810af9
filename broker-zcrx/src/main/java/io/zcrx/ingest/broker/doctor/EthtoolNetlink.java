package io.zcrx.ingest.broker.doctor;

import com.sun.jna.Memory;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.Sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The one ethtool setting without an ioctl: ring parameters over the ethtool generic-netlink family
 * ({@code ETHTOOL_MSG_RINGS_GET}, what {@code ethtool -g} reads): {@code tcp-data-split} and (6.13+)
 * {@code hds-thresh}. Read-only.
 *
 * <pre>
 *   request: nlmsghdr{len, type=family id, flags=REQUEST, seq} genlmsghdr{cmd=RINGS_GET, version=1}
 *            nlattr RINGS_HEADER|NLA_F_NESTED { nlattr HEADER_DEV_NAME "eth0\0" }
 *   reply:   nlmsghdr genlmsghdr then flat attributes (TCP_DATA_SPLIT u8, HDS_THRESH u32, RX u32, ...),
 *            or NLMSG_ERROR with -errno
 * </pre>
 *
 * Attributes a driver does not support are simply absent ({@code tcp-data-split} "unknown" is not sent).
 */
final class EthtoolNetlink {
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int BUFFER_BYTES = 16384;

    /** What RINGS_GET reported; -1 for an attribute the driver did not send; errno &gt; 0 on failure. */
    record Rings(int tcpDataSplit, long hdsThresh, long hdsThreshMax, long rx, long rxMax, int errno) {
    }

    private EthtoolNetlink() {
    }

    static Rings rings(String ifname) {
        final int fd = Sys.openSocket(EthtoolLayout.AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, EthtoolLayout.NETLINK_GENERIC);
        if (fd < 0) {
            return new Rings(-1, -1, -1, -1, -1, -fd);
        }
        try {
            final int family = familyId(fd, "ethtool");
            if (family < 0) {
                return new Rings(-1, -1, -1, -1, -1, -family);
            }
            final ByteBuffer req = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
            begin(req, family, EthtoolLayout.ETHTOOL_MSG_RINGS_GET, EthtoolLayout.ETHTOOL_GENL_VERSION, 2);
            final int nest = req.position();
            req.putShort((short) 0)
                .putShort((short) (EthtoolLayout.ETHTOOL_A_RINGS_HEADER | EthtoolLayout.NLA_F_NESTED));
            putString(req, EthtoolLayout.ETHTOOL_A_HEADER_DEV_NAME, ifname);
            req.putShort(nest, (short) (req.position() - nest));
            final ByteBuffer reply = exchange(fd, req);
            if (reply == null) {
                return new Rings(-1, -1, -1, -1, -1, Errno.EBADF);
            }
            final int err = errorOf(reply);
            if (err != 0) {
                return new Rings(-1, -1, -1, -1, -1, err);
            }
            int tds = -1;
            long hds = -1;
            long hdsMax = -1;
            long rx = -1;
            long rxMax = -1;
            final int end = reply.getInt(0);
            int at = EthtoolLayout.NLMSG_HDRLEN + EthtoolLayout.GENL_HDRLEN;
            while (at + EthtoolLayout.NLA_HDRLEN <= end) {
                final int len = reply.getShort(at) & 0xFFFF;
                final int type = reply.getShort(at + 2) & EthtoolLayout.NLA_TYPE_MASK;
                if (len < EthtoolLayout.NLA_HDRLEN) {
                    break;
                }
                final int v = at + EthtoolLayout.NLA_HDRLEN;
                switch (type) {
                    case EthtoolLayout.ETHTOOL_A_RINGS_TCP_DATA_SPLIT:
                        tds = reply.get(v) & 0xFF;
                        break;
                    case EthtoolLayout.ETHTOOL_A_RINGS_HDS_THRESH:
                        hds = reply.getInt(v) & 0xFFFFFFFFL;
                        break;
                    case EthtoolLayout.ETHTOOL_A_RINGS_HDS_THRESH_MAX:
                        hdsMax = reply.getInt(v) & 0xFFFFFFFFL;
                        break;
                    case EthtoolLayout.ETHTOOL_A_RINGS_RX:
                        rx = reply.getInt(v) & 0xFFFFFFFFL;
                        break;
                    case EthtoolLayout.ETHTOOL_A_RINGS_RX_MAX:
                        rxMax = reply.getInt(v) & 0xFFFFFFFFL;
                        break;
                    default:
                        break;
                }
                at += (len + 3) & ~3;
            }
            return new Rings(tds, hds, hdsMax, rx, rxMax, 0);
        } finally {
            Sys.closeFd(fd);
        }
    }

    /** Resolves a generic-netlink family name to its id (CTRL_CMD_GETFAMILY); -errno on failure. */
    static int familyId(int fd, String name) {
        final ByteBuffer req = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        begin(req, EthtoolLayout.GENL_ID_CTRL, EthtoolLayout.CTRL_CMD_GETFAMILY, 1, 1);
        putString(req, EthtoolLayout.CTRL_ATTR_FAMILY_NAME, name);
        final ByteBuffer reply = exchange(fd, req);
        if (reply == null) {
            return -Errno.EBADF;
        }
        final int err = errorOf(reply);
        if (err != 0) {
            return -err;
        }
        final int end = reply.getInt(0);
        int at = EthtoolLayout.NLMSG_HDRLEN + EthtoolLayout.GENL_HDRLEN;
        while (at + EthtoolLayout.NLA_HDRLEN <= end) {
            final int len = reply.getShort(at) & 0xFFFF;
            if (len < EthtoolLayout.NLA_HDRLEN) {
                break;
            }
            if ((reply.getShort(at + 2) & EthtoolLayout.NLA_TYPE_MASK) == EthtoolLayout.CTRL_ATTR_FAMILY_ID) {
                return reply.getShort(at + EthtoolLayout.NLA_HDRLEN) & 0xFFFF;
            }
            at += (len + 3) & ~3;
        }
        return -Errno.ENOENT;
    }

    private static void begin(ByteBuffer b, int type, int cmd, int version, int seq) {
        b.putInt(0).putShort((short) type).putShort((short) EthtoolLayout.NLM_F_REQUEST).putInt(seq).putInt(0);
        b.put((byte) cmd).put((byte) version).putShort((short) 0);
    }

    private static void putString(ByteBuffer b, int type, String value) {
        final byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        final int len = EthtoolLayout.NLA_HDRLEN + s.length + 1;
        b.putShort((short) len).putShort((short) type).put(s).put((byte) 0);
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    /** Sends the request (length patched in) and returns the first reply message, or null. */
    private static ByteBuffer exchange(int fd, ByteBuffer req) {
        req.putInt(0, req.position());
        final Memory out = new Memory(req.position());
        out.write(0, req.array(), 0, req.position());
        if (Sys.sendBytes(fd, Memory.nativeValue(out), req.position(), 0) < 0) {
            return null;
        }
        final Memory in = new Memory(BUFFER_BYTES);
        final long n = Sys.receiveBytes(fd, Memory.nativeValue(in), BUFFER_BYTES, 0);
        if (n < EthtoolLayout.NLMSG_HDRLEN) {
            return null;
        }
        return ByteBuffer.wrap(in.getByteArray(0, (int) n)).order(ByteOrder.nativeOrder());
    }

    /** Positive errno of an NLMSG_ERROR reply, 0 otherwise. */
    private static int errorOf(ByteBuffer reply) {
        if ((reply.getShort(4) & 0xFFFF) == EthtoolLayout.NLMSG_ERROR) {
            return -reply.getInt(EthtoolLayout.NLMSG_HDRLEN);
        }
        return 0;
    }
}
