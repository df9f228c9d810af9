package io.zcrx.ingest.broker.uring;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The only class that calls native code: libc through JNA direct mapping (no JNI, no liburing).
 *
 * <p>Every wrapper returns the call's result when it succeeded and {@code -errno} when it failed, with
 * errno read by {@link #result} immediately after the call on the calling thread (JNA preserves
 * errno per thread after each direct-mapped call). Pointers travel as {@code long} native addresses;
 * the caller keeps the memory alive and unmoved for as long as the kernel may touch it.
 *
 * <p>The io_uring calls go through libc's {@code syscall(2)}: it is variadic and JNA direct mapping has
 * no varargs, so it is declared with six fixed {@code long} arguments (unused ones are ignored by the
 * kernel). Syscall numbers are the same on x86-64 and aarch64 (docs/kernel-abi.md#syscalls).
 *
 * <p>Thread-safe (stateless).
 */
public final class Syscalls {
    /** {@code __NR_io_uring_setup} (x86-64 and aarch64 share the generic numbers since 5.1). */
    public static final long NR_IO_URING_SETUP = 425;
    /** {@code __NR_io_uring_enter}. */
    public static final long NR_IO_URING_ENTER = 426;
    /** {@code __NR_io_uring_register}. */
    public static final long NR_IO_URING_REGISTER = 427;

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
            throw new ExceptionInInitializerError("io_uring syscalls need 64-bit Linux: os=" + System.getProperty("os.name")
                + ", arch=" + System.getProperty("os.arch"));
        }
        Native.register(Syscalls.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Syscalls() {
    }

    // ---- libc symbols (direct mapping; names must match the C symbols) -------------------------

    private static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    private static native long mmap(long address, long length, int prot, int flags, int fd, long offset);

    private static native int munmap(long address, long length);

    private static native int close(int fd);

    private static native int eventfd(int initialValue, int flags);

    private static native long read(int fd, long buffer, long count);

    private static native long write(int fd, long buffer, long count);

    private static native int socket(int domain, int type, int protocol);

    private static native int setsockopt(int fd, int level, int name, long value, int valueLength);

    private static native int getsockopt(int fd, int level, int name, long value, long valueLengthAddress);

    private static native int bind(int fd, long address, int addressLength);

    private static native int listen(int fd, int backlog);

    private static native int getsockname(int fd, long address, long addressLengthAddress);

    private static native int getpeername(int fd, long address, long addressLengthAddress);

    private static native int shutdown(int fd, int how);

    private static native int if_nametoindex(String name);

    private static native int ioctl(int fd, long request, long argument);

    private static native long send(int fd, long buffer, long length, int flags);

    private static native long recv(int fd, long buffer, long length, int flags);

    // ---- errno capture -------------------------------------------------------------------------

    /** The one place errno is read: right after the call, on the same thread. */
    private static long result(long returned) {
        return returned == -1 ? -Native.getLastError() : returned;
    }

    private static int result(int returned) {
        return returned == -1 ? -Native.getLastError() : returned;
    }

    // ---- io_uring ------------------------------------------------------------------------------

    /** {@code io_uring_setup(entries, params)}: the ring fd or {@code -errno}. */
    public static int ioUringSetup(int entries, long paramsAddress) {
        return (int) result(syscall(NR_IO_URING_SETUP, entries & 0xFFFF_FFFFL, paramsAddress, 0, 0, 0, 0));
    }

    /** {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: SQEs consumed or {@code -errno}. */
    public static int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, long argAddress, long argSize) {
        return (int) result(syscall(NR_IO_URING_ENTER, fd, toSubmit & 0xFFFF_FFFFL, minComplete & 0xFFFF_FFFFL,
            flags & 0xFFFF_FFFFL, argAddress, argSize));
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: 0 / a positive value, or {@code -errno}. */
    public static int ioUringRegister(int fd, int opcode, long argAddress, int nrArgs) {
        return (int) result(syscall(NR_IO_URING_REGISTER, fd, opcode & 0xFFFF_FFFFL, argAddress,
            nrArgs & 0xFFFF_FFFFL, 0, 0));
    }

    // ---- memory and descriptors ----------------------------------------------------------------

    /** {@code mmap}: the address (user addresses are below 2^47, so never negative) or {@code -errno}. */
    public static long map(long length, int prot, int flags, int fd, long offset) {
        return result(mmap(0L, length, prot, flags, fd, offset));
    }

    public static int unmap(long address, long length) {
        return result(munmap(address, length));
    }

    public static int closeFd(int fd) {
        return result(close(fd));
    }

    public static int eventFd(int initialValue, int flags) {
        return result(eventfd(initialValue, flags));
    }

    public static long readFd(int fd, long buffer, long count) {
        return result(read(fd, buffer, count));
    }

    public static long writeFd(int fd, long buffer, long count) {
        return result(write(fd, buffer, count));
    }

    // ---- sockets -------------------------------------------------------------------------------

    public static int openSocket(int domain, int type, int protocol) {
        return result(socket(domain, type, protocol));
    }

    public static int setSocketOption(int fd, int level, int name, long valueAddress, int valueLength) {
        return result(setsockopt(fd, level, name, valueAddress, valueLength));
    }

    public static int getSocketOption(int fd, int level, int name, long valueAddress, long valueLengthAddress) {
        return result(getsockopt(fd, level, name, valueAddress, valueLengthAddress));
    }

    public static int bindSocket(int fd, long address, int addressLength) {
        return result(bind(fd, address, addressLength));
    }

    public static int listenSocket(int fd, int backlog) {
        return result(listen(fd, backlog));
    }

    public static int socketName(int fd, long address, long addressLengthAddress) {
        return result(getsockname(fd, address, addressLengthAddress));
    }

    public static int peerName(int fd, long address, long addressLengthAddress) {
        return result(getpeername(fd, address, addressLengthAddress));
    }

    public static int shutdownSocket(int fd, int how) {
        return result(shutdown(fd, how));
    }

    public static long sendBytes(int fd, long buffer, long length, int flags) {
        return result(send(fd, buffer, length, flags));
    }

    public static long receiveBytes(int fd, long buffer, long length, int flags) {
        return result(recv(fd, buffer, length, flags));
    }

    /** {@code if_nametoindex}: the interface index, or {@code -errno} (ENODEV when there is no such name). */
    public static int ifNameToIndex(String name) {
        final int index = if_nametoindex(name);
        if (index == 0) {
            final int errno = Native.getLastError();
            return -(errno == 0 ? Errno.ENODEV : errno);
        }
        return index;
    }

    public static int ioctlCall(int fd, long request, long argumentAddress) {
        return result(ioctl(fd, request, argumentAddress));
    }
}
