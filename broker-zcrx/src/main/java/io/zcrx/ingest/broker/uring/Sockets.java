package io.zcrx.ingest.broker.uring;

import com.sun.jna.Memory;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.Sys;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Plain TCP socket set-up through {@link Sys} for the io_uring transports: the listening socket
 * (an fd the multishot ACCEPT can use), per-connection options and the bound address. Setup path only;
 * data moves through the ring.
 *
 * <pre>
 *   struct sockaddr_in  (16 bytes): family u16 @0 (AF_INET 2), port u16 big-endian @2, addr[4] @4, zero[8] @8
 *   struct sockaddr_in6 (28 bytes): family u16 @0 (AF_INET6 10), port u16 big-endian @2, flowinfo u32 @4,
 *                                   addr[16] @8, scope_id u32 @24
 * </pre>
 *
 * Thread-safe (stateless).
 */
public final class Sockets {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_REUSEPORT = 15;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int SHUT_RDWR = 2;
    private static final int SOCKADDR_STORAGE_SIZE = 128;

    private Sockets() {
    }

    /**
     * A listening TCP socket bound to {@code address} (port 0 = any), SO_REUSEADDR set, SO_REUSEPORT
     * when several reactors share the port.
     */
    public static int listen(InetSocketAddress address, int backlog, boolean reusePort) throws UringException {
        final InetAddress ip = address.getAddress() == null ? anyLocal() : address.getAddress();
        final boolean v6 = ip instanceof Inet6Address;
        final int fd = Sys.openSocket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new UringException("socket", -fd,
                "socket() failed: errno=" + Errno.describe(-fd) + ", address=" + address);
        }
        try {
            setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            if (reusePort) {
                setIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            final Memory sa = new Memory(SOCKADDR_STORAGE_SIZE);
            sa.clear();
            final int length = writeSockaddr(sa, ip, address.getPort());
            int rc = Sys.bindSocket(fd, Memory.nativeValue(sa), length);
            if (rc < 0) {
                throw new UringException("bind", -rc,
                    "bind failed: errno=" + Errno.describe(-rc) + ", address=" + address);
            }
            rc = Sys.listenSocket(fd, backlog);
            if (rc < 0) {
                throw new UringException("listen", -rc,
                    "listen failed: errno=" + Errno.describe(-rc) + ", address=" + address + ", backlog=" + backlog);
            }
            return fd;
        } catch (UringException | RuntimeException e) {
            Sys.closeFd(fd);
            throw e;
        }
    }

    private static InetAddress anyLocal() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int writeSockaddr(Memory sa, InetAddress ip, int port) {
        final byte[] raw = ip.getAddress();
        if (ip instanceof Inet4Address) {
            sa.setShort(0, (short) AF_INET);
            sa.setByte(2, (byte) (port >>> 8));
            sa.setByte(3, (byte) port);
            sa.write(4, raw, 0, 4);
            return 16;
        }
        sa.setShort(0, (short) AF_INET6);
        sa.setByte(2, (byte) (port >>> 8));
        sa.setByte(3, (byte) port);
        sa.write(8, raw, 0, 16);
        sa.setInt(24, ((Inet6Address) ip).getScopeId());
        return 28;
    }

    /** The address a socket is bound to (resolves port 0). */
    public static InetSocketAddress localAddress(int fd) throws UringException {
        final Memory sa = new Memory(SOCKADDR_STORAGE_SIZE);
        sa.clear();
        final Memory len = new Memory(4);
        len.setInt(0, SOCKADDR_STORAGE_SIZE);
        final int rc = Sys.socketName(fd, Memory.nativeValue(sa), Memory.nativeValue(len));
        if (rc < 0) {
            throw new UringException("getsockname", -rc,
                "getsockname failed: errno=" + Errno.describe(-rc) + ", fd=" + fd);
        }
        final int family = sa.getShort(0) & 0xFFFF;
        final int port = ((sa.getByte(2) & 0xFF) << 8) | (sa.getByte(3) & 0xFF);
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(sa.getByteArray(4, 4)), port);
            }
            if (family == AF_INET6) {
                return new InetSocketAddress(InetAddress.getByAddress(sa.getByteArray(8, 16)), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("getsockname returned a malformed address: fd=" + fd, e);
        }
        throw new UringException("getsockname", 0, "unexpected address family: family=" + family + ", fd=" + fd);
    }

    /** {@code host:port} of the peer of a connected socket, or {@code "?"} when it is already gone (log lines only). */
    public static String remoteAddress(int fd) {
        final Memory sa = new Memory(SOCKADDR_STORAGE_SIZE);
        sa.clear();
        final Memory len = new Memory(4);
        len.setInt(0, SOCKADDR_STORAGE_SIZE);
        if (Sys.peerName(fd, Memory.nativeValue(sa), Memory.nativeValue(len)) < 0) {
            return "?";
        }
        final int family = sa.getShort(0) & 0xFFFF;
        final int port = ((sa.getByte(2) & 0xFF) << 8) | (sa.getByte(3) & 0xFF);
        try {
            if (family == AF_INET) {
                return InetAddress.getByAddress(sa.getByteArray(4, 4)).getHostAddress() + ":" + port;
            }
            if (family == AF_INET6) {
                return "[" + InetAddress.getByAddress(sa.getByteArray(8, 16)).getHostAddress() + "]:" + port;
            }
        } catch (UnknownHostException e) {
            return "?";
        }
        return "?";
    }

    /** setsockopt with an int value; failures name the option. */
    public static void setIntOption(int fd, int level, int option, int value, String name) throws UringException {
        final Memory v = new Memory(4);
        v.setInt(0, value);
        final int rc = Sys.setSocketOption(fd, level, option, Memory.nativeValue(v), 4);
        if (rc < 0) {
            throw new UringException("setsockopt", -rc, "setsockopt " + name + " failed: errno=" + Errno.describe(-rc)
                + ", fd=" + fd + ", value=" + value);
        }
    }

    /** TCP_NODELAY on an accepted connection: responses are small and must not wait for Nagle. Returns 0 or -errno. */
    public static int setNoDelay(int fd) {
        final Memory v = new Memory(4);
        v.setInt(0, 1);
        return Sys.setSocketOption(fd, IPPROTO_TCP, TCP_NODELAY, Memory.nativeValue(v), 4);
    }

    /** close(2) of a socket; returns 0 or -errno. */
    public static int close(int fd) {
        return Sys.closeFd(fd);
    }
}
