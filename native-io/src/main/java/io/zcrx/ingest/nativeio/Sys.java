package io.zcrx.ingest.nativeio;

import com.sun.jna.Platform;

/**
 * {@link LibC} calls in the kernel's own convention: every wrapper returns the call's result when it
 * succeeded and {@code -errno} when it failed, the form io_uring completions use too, so callers
 * classify every failure with one switch on a number. errno is read in {@link #result} immediately
 * after the call, on the calling thread.
 *
 * <p>64-bit Linux only: the constants here are the Linux x86-64/AArch64 values, and on any other
 * system they would pass wrong flags silently, so the class refuses to initialise there instead.
 *
 * <p>Thread-safe (stateless).
 */
public final class Sys {
    /** mmap protection / flags (asm-generic/mman-common.h). */
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;

    /** eventfd(2) flags (sys/eventfd.h, x86-64/aarch64 values). */
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    static {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new ExceptionInInitializerError("Linux system calls need 64-bit Linux: os="
                + System.getProperty("os.name") + ", arch=" + System.getProperty("os.arch"));
        }
    }

    private Sys() {
    }

    // ---- errno capture -------------------------------------------------------------------------

    /** The one place errno is read: right after the call, on the same thread. */
    private static long result(long returned) {
        return returned == -1 ? -LibC.errno() : returned;
    }

    private static int result(int returned) {
        return returned == -1 ? -LibC.errno() : returned;
    }

    // ---- system calls without a libc wrapper ---------------------------------------------------

    /** {@code syscall(number, a1..a6)}: the result, or {@code -errno}. Unused arguments are ignored. */
    public static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        return result(LibC.syscall(number, a1, a2, a3, a4, a5, a6));
    }

    // ---- memory and descriptors ----------------------------------------------------------------

    /** {@code mmap}: the address (user addresses are below 2^47, so never negative) or {@code -errno}. */
    public static long map(long length, int prot, int flags, int fd, long offset) {
        return result(LibC.mmap(0L, length, prot, flags, fd, offset));
    }

    public static int unmap(long address, long length) {
        return result(LibC.munmap(address, length));
    }

    public static int closeFd(int fd) {
        return result(LibC.close(fd));
    }

    public static int eventFd(int initialValue, int flags) {
        return result(LibC.eventfd(initialValue, flags));
    }

    public static long readFd(int fd, long buffer, long count) {
        return result(LibC.read(fd, buffer, count));
    }

    public static long writeFd(int fd, long buffer, long count) {
        return result(LibC.write(fd, buffer, count));
    }

    // ---- sockets -------------------------------------------------------------------------------

    public static int openSocket(int domain, int type, int protocol) {
        return result(LibC.socket(domain, type, protocol));
    }

    public static int setSocketOption(int fd, int level, int name, long valueAddress, int valueLength) {
        return result(LibC.setsockopt(fd, level, name, valueAddress, valueLength));
    }

    public static int getSocketOption(int fd, int level, int name, long valueAddress, long valueLengthAddress) {
        return result(LibC.getsockopt(fd, level, name, valueAddress, valueLengthAddress));
    }

    public static int bindSocket(int fd, long address, int addressLength) {
        return result(LibC.bind(fd, address, addressLength));
    }

    public static int listenSocket(int fd, int backlog) {
        return result(LibC.listen(fd, backlog));
    }

    public static int socketName(int fd, long address, long addressLengthAddress) {
        return result(LibC.getsockname(fd, address, addressLengthAddress));
    }

    public static int peerName(int fd, long address, long addressLengthAddress) {
        return result(LibC.getpeername(fd, address, addressLengthAddress));
    }

    public static int shutdownSocket(int fd, int how) {
        return result(LibC.shutdown(fd, how));
    }

    public static long sendBytes(int fd, long buffer, long length, int flags) {
        return result(LibC.send(fd, buffer, length, flags));
    }

    public static long receiveBytes(int fd, long buffer, long length, int flags) {
        return result(LibC.recv(fd, buffer, length, flags));
    }

    /** {@code if_nametoindex}: the interface index, or {@code -errno} (ENODEV when there is no such name). */
    public static int ifNameToIndex(String name) {
        final int index = LibC.if_nametoindex(name);
        if (index == 0) {
            final int errno = LibC.errno();
            return -(errno == 0 ? Errno.ENODEV : errno);
        }
        return index;
    }

    public static int ioctlCall(int fd, long request, long argumentAddress) {
        return result(LibC.ioctl(fd, request, argumentAddress));
    }
}
