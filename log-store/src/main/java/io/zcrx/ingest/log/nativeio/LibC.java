package io.zcrx.ingest.log.nativeio;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls the log needs that {@link java.nio.channels.FileChannel} cannot make without
 * copying: {@code open}, {@code pwritev} and {@code close}, bound with JNA direct mapping
 * ({@code Native.register}), so a call costs a JNI transition and nothing else (no reflection, no
 * {@code Structure}, no allocation). Reads, mmap, truncate and fsync stay on {@code FileChannel}.
 *
 * <p>Pointers are passed as {@code long} native addresses (LP64). {@code open(2)} is variadic in
 * glibc; direct mapping has no varargs, so it is declared with its fixed three-argument form, which
 * is how every caller with {@code O_CREAT} calls it and is safe on the x86-64 and AArch64 Linux ABIs
 * (the third argument travels in a general register either way).
 *
 * <p>errno is read once, right after a failing call, with {@link #errno()} (JNA saves it per thread
 * after each native call).
 *
 * <p>Thread-safe: the functions are.
 */
public final class LibC {
    /** {@code <fcntl.h>}: write-only access. Same value on Linux and macOS. */
    public static final int O_WRONLY = 0x1;
    /** {@code <fcntl.h>}: read-only access. */
    public static final int O_RDONLY = 0x0;
    /** {@code <fcntl.h>}: close on exec; 02000000 on Linux (x86-64 and AArch64), 0x1000000 on macOS. */
    public static final int O_CLOEXEC = Platform.isMac() ? 0x1000000 : 02000000;

    /** {@code <limits.h>} IOV_MAX = sysconf(_SC_IOV_MAX) on Linux (UIO_MAXIOV in the kernel); also 1024 on macOS. */
    public static final int IOV_MAX = 1024;

    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    /** {@code int open(const char *path, int flags, mode_t mode)}: a file descriptor, or -1 and errno. */
    public static native int open(String path, int flags, int mode);

    /**
     * {@code ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset)}: bytes
     * written (possibly fewer than asked), or -1 and errno. Does not move the file position.
     */
    public static native long pwritev(int fd, long iov, int iovcnt, long offset);

    /** {@code int close(int fd)}: 0, or -1 and errno. */
    public static native int close(int fd);

    /** The calling thread's errno as saved by JNA after the last native call. */
    public static int errno() {
        return Native.getLastError();
    }
}
