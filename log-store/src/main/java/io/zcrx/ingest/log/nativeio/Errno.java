package io.zcrx.ingest.log.nativeio;

/**
 * The errno values the segment write path tells apart ({@code <asm-generic/errno-base.h>} and
 * {@code <asm-generic/errno.h>}; the base values up to 34 are the same on macOS), and their names
 * for error messages.
 *
 * <p>How {@link GatherWriter} treats them: {@link #EINTR} is retried; {@link #EFAULT} and
 * {@link #EINVAL} mean we passed a bad address or descriptor state (a bug, not a disk problem);
 * everything else (ENOSPC, EDQUOT, EIO, EFBIG, EROFS, EBADF, ...) is a storage failure of this one
 * append, answered with KAFKA_STORAGE_ERROR, after which the next append tries again.
 */
public final class Errno {
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EFAULT = 14;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    /** Linux value (macOS: 69). */
    public static final int EDQUOT = 122;

    private Errno() {
    }

    /** True for errnos that mean our own arguments were wrong rather than the storage failing. */
    public static boolean isBug(int errno) {
        return errno == EFAULT || errno == EINVAL;
    }

    /** The symbolic name, or "errno N" for values this class does not list. */
    public static String name(int errno) {
        switch (errno) {
            case EINTR:
                return "EINTR";
            case EIO:
                return "EIO";
            case EBADF:
                return "EBADF";
            case EAGAIN:
                return "EAGAIN";
            case EFAULT:
                return "EFAULT";
            case EINVAL:
                return "EINVAL";
            case EFBIG:
                return "EFBIG";
            case ENOSPC:
                return "ENOSPC";
            case EROFS:
                return "EROFS";
            case EDQUOT:
                return "EDQUOT";
            default:
                return "errno " + errno;
        }
    }
}
