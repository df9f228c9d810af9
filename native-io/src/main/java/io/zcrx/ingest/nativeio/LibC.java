package io.zcrx.ingest.nativeio;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The project's one binding of libc: every C function any module calls, bound with JNA direct mapping
 * ({@code Native.register}), so a call costs a JNI transition and nothing else (no reflection, no
 * {@code Structure}, no allocation). Moving to another foreign-function mechanism changes this class
 * (and {@link #errno()}) and nothing outside this package.
 *
 * <p>The functions keep their C names and C results: -1 (or {@code MAP_FAILED}) and errno on failure.
 * {@link Sys} wraps the ones the io_uring and socket code call in the kernel's {@code -errno} form.
 * Pointers are passed as {@code long} native addresses (LP64); the caller keeps the memory alive and
 * unmoved for as long as the kernel may touch it.
 *
 * <p>Variadic functions: direct mapping has no varargs, so they are declared with fixed arguments.
 * {@code open(2)} takes its three-argument form, which is how every caller with {@code O_CREAT} calls
 * it and is safe on the x86-64 and AArch64 Linux ABIs (the third argument travels in a general
 * register either way). {@code syscall(2)} takes six {@code long} arguments; the kernel ignores the
 * ones a system call does not use.
 *
 * <p>errno is read once, right after a failing call, with {@link #errno()} (JNA saves it per thread
 * after each native call).
 *
 * <p>Linux-only symbols ({@code eventfd}, {@code posix_fallocate}) are bound apart, in
 * {@link LinuxOnly}, because {@code Native.register} fails for the whole class when one symbol is
 * missing: on macOS that would take the portable calls (and with them the log store) down too.
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
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {
    }

    // ---- files ---------------------------------------------------------------------------------

    /** {@code int open(const char *path, int flags, mode_t mode)}: a file descriptor, or -1 and errno. */
    public static native int open(String path, int flags, int mode);

    /**
     * {@code ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset)}: bytes
     * written (possibly fewer than asked), or -1 and errno. Does not move the file position.
     */
    public static native long pwritev(int fd, long iov, int iovcnt, long offset);

    /** {@code int close(int fd)}: 0, or -1 and errno. */
    public static native int close(int fd);

    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    public static native long read(int fd, long buffer, long count);

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
    public static native long write(int fd, long buffer, long count);

    // ---- memory --------------------------------------------------------------------------------

    /** {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)}: -1 on failure. */
    public static native long mmap(long address, long length, int prot, int flags, int fd, long offset);

    /** {@code int munmap(void *addr, size_t length)}. */
    public static native int munmap(long address, long length);

    // ---- system calls without a libc wrapper (io_uring) ----------------------------------------

    /** {@code long syscall(long number, ...)} with six fixed arguments: the result, or -1 and errno. */
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    // ---- sockets and devices -------------------------------------------------------------------

    public static native int socket(int domain, int type, int protocol);

    public static native int setsockopt(int fd, int level, int name, long value, int valueLength);

    public static native int getsockopt(int fd, int level, int name, long value, long valueLengthAddress);

    public static native int bind(int fd, long address, int addressLength);

    public static native int listen(int fd, int backlog);

    public static native int getsockname(int fd, long address, long addressLengthAddress);

    public static native int getpeername(int fd, long address, long addressLengthAddress);

    public static native int shutdown(int fd, int how);

    public static native long send(int fd, long buffer, long length, int flags);

    public static native long recv(int fd, long buffer, long length, int flags);

    /** {@code unsigned if_nametoindex(const char *name)}: the index, or 0 and errno. */
    public static native int if_nametoindex(String name);

    public static native int ioctl(int fd, long request, long argument);

    // ---- Linux only ----------------------------------------------------------------------------

    /** {@code int eventfd(unsigned initval, int flags)}; Linux only (UnsatisfiedLinkError elsewhere). */
    public static int eventfd(int initialValue, int flags) {
        return LinuxOnly.eventfd(initialValue, flags);
    }

    /** True where {@link #posix_fallocate} is bound (Linux), false where libc lacks it (macOS). */
    public static boolean hasPosixFallocate() {
        return LinuxOnly.BOUND;
    }

    /**
     * {@code int posix_fallocate(int fd, off_t offset, off_t len)}: 0 or an errno (errno itself is not
     * set). Only where {@link #hasPosixFallocate()}.
     */
    public static int posix_fallocate(int fd, long offset, long length) {
        return LinuxOnly.posix_fallocate(fd, offset, length);
    }

    // ---- errno ---------------------------------------------------------------------------------

    /** The calling thread's errno as saved by JNA after the last native call. */
    public static int errno() {
        return Native.getLastError();
    }

    /** The symbols macOS's libc lacks, registered on first use and only there. */
    private static final class LinuxOnly {
        static final boolean BOUND = bind();

        private LinuxOnly() {
        }

        private static boolean bind() {
            try {
                Native.register(LinuxOnly.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
                return true;
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                return false;
            }
        }

        static native int eventfd(int initialValue, int flags);

        static native int posix_fallocate(int fd, long offset, long len);
    }
}
