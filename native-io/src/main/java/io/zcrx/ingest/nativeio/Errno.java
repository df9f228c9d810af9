package io.zcrx.ingest.nativeio;

/**
 * Linux errno values the project tells apart (io_uring, zcrx, sockets, the ethtool interfaces and the
 * segment write path), with their symbolic names for log lines and error messages
 * ({@code "EOPNOTSUPP (95)"}). Values are asm-generic/errno*.h, identical on x86-64 and aarch64
 * (docs/kernel-abi.md#syscalls); the base values up to 34 are the same on macOS.
 *
 * <p>What an errno <em>means</em> depends on the operation that returned it; that mapping lives with
 * the callers (the per-operation outcome enums of the io_uring layer, the log's storage-error
 * policy), not here. {@link #isBug} is the one classification both sides share.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENODATA = 61;
    public static final int ETIME = 62;
    public static final int EOVERFLOW = 75;
    public static final int EBADFD = 77;
    public static final int ENOTSOCK = 88;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    /** Linux value (macOS: 69). */
    public static final int EDQUOT = 122;
    public static final int ECANCELED = 125;

    private static final String[] NAMES = new String[126];

    static {
        NAMES[EPERM] = "EPERM";
        NAMES[ENOENT] = "ENOENT";
        NAMES[EINTR] = "EINTR";
        NAMES[EIO] = "EIO";
        NAMES[ENXIO] = "ENXIO";
        NAMES[EBADF] = "EBADF";
        NAMES[EAGAIN] = "EAGAIN";
        NAMES[ENOMEM] = "ENOMEM";
        NAMES[EACCES] = "EACCES";
        NAMES[EFAULT] = "EFAULT";
        NAMES[EBUSY] = "EBUSY";
        NAMES[EEXIST] = "EEXIST";
        NAMES[ENODEV] = "ENODEV";
        NAMES[EINVAL] = "EINVAL";
        NAMES[ENFILE] = "ENFILE";
        NAMES[EMFILE] = "EMFILE";
        NAMES[EFBIG] = "EFBIG";
        NAMES[ENOSPC] = "ENOSPC";
        NAMES[EROFS] = "EROFS";
        NAMES[EPIPE] = "EPIPE";
        NAMES[ERANGE] = "ERANGE";
        NAMES[ENOSYS] = "ENOSYS";
        NAMES[ENODATA] = "ENODATA";
        NAMES[ETIME] = "ETIME";
        NAMES[EOVERFLOW] = "EOVERFLOW";
        NAMES[EBADFD] = "EBADFD";
        NAMES[ENOTSOCK] = "ENOTSOCK";
        NAMES[EPROTONOSUPPORT] = "EPROTONOSUPPORT";
        NAMES[EOPNOTSUPP] = "EOPNOTSUPP";
        NAMES[EADDRINUSE] = "EADDRINUSE";
        NAMES[EADDRNOTAVAIL] = "EADDRNOTAVAIL";
        NAMES[ENETDOWN] = "ENETDOWN";
        NAMES[ECONNABORTED] = "ECONNABORTED";
        NAMES[ECONNRESET] = "ECONNRESET";
        NAMES[ENOBUFS] = "ENOBUFS";
        NAMES[ENOTCONN] = "ENOTCONN";
        NAMES[ETIMEDOUT] = "ETIMEDOUT";
        NAMES[ECONNREFUSED] = "ECONNREFUSED";
        NAMES[EHOSTUNREACH] = "EHOSTUNREACH";
        NAMES[EALREADY] = "EALREADY";
        NAMES[EDQUOT] = "EDQUOT";
        NAMES[ECANCELED] = "ECANCELED";
    }

    private Errno() {
    }

    /**
     * True for errnos that mean our own arguments were wrong (a bad address or descriptor state, a
     * bug) rather than the storage or the kernel failing.
     */
    public static boolean isBug(int errno) {
        return errno == EFAULT || errno == EINVAL;
    }

    /** {@code "EOPNOTSUPP (95)"}; {@code "errno 200"} for values this table does not name. Either sign. */
    public static String describe(int errno) {
        final int e = Math.abs(errno);
        final String name = e < NAMES.length ? NAMES[e] : null;
        return name == null ? "errno " + e : name + " (" + e + ")";
    }

    /** The symbolic name alone, e.g. {@code "EINVAL"}, or {@code "errno 200"}. Either sign. */
    public static String name(int errno) {
        final int e = Math.abs(errno);
        final String name = e < NAMES.length ? NAMES[e] : null;
        return name == null ? "errno " + e : name;
    }
}
