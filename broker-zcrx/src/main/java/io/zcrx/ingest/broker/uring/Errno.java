package io.zcrx.ingest.broker.uring;

/**
 * Linux errno values that io_uring, zcrx, sockets and the ethtool interfaces return to us, with their
 * symbolic names for log lines ({@code "EOPNOTSUPP (95)"}). Values are asm-generic/errno*.h, identical
 * on x86-64 and aarch64 (docs/kernel-abi.md#syscalls).
 *
 * <p>What an errno <em>means</em> depends on the operation that returned it; that mapping lives in the
 * per-operation outcome enums ({@link SetupOutcome}, {@code ZcrxRegisterOutcome}, ...), not here.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
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
    public static final int ENOSPC = 28;
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
    public static final int ECANCELED = 125;

    private static final String[] NAMES = new String[126];

    static {
        NAMES[EPERM] = "EPERM";
        NAMES[ENOENT] = "ENOENT";
        NAMES[EINTR] = "EINTR";
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
        NAMES[ENOSPC] = "ENOSPC";
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
        NAMES[ECANCELED] = "ECANCELED";
    }

    private Errno() {
    }

    /** {@code "EOPNOTSUPP (95)"}; {@code "errno 200"} for values this table does not name. Positive input. */
    public static String describe(int errno) {
        final int e = Math.abs(errno);
        final String name = e < NAMES.length ? NAMES[e] : null;
        return name == null ? "errno " + e : name + " (" + e + ")";
    }

    /** The symbolic name alone, e.g. {@code "EINVAL"}, or {@code "errno 200"}. */
    public static String name(int errno) {
        final int e = Math.abs(errno);
        final String name = e < NAMES.length ? NAMES[e] : null;
        return name == null ? "errno " + e : name;
    }
}
