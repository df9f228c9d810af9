package io.zcrx.ingest.broker.uring;

import com.sun.jna.Platform;
import io.zcrx.ingest.nativeio.Sys;

/**
 * The three io_uring system calls: their numbers and how their arguments travel through libc's
 * {@code syscall(2)} ({@link Sys#syscall}, bound in {@code LibC}; no JNI, no liburing).
 *
 * <p>Every wrapper returns the call's result when it succeeded and {@code -errno} when it failed.
 * Pointers travel as {@code long} native addresses; the caller keeps the memory alive and unmoved for
 * as long as the kernel may touch it. Unsigned 32-bit arguments are widened without sign extension.
 * Syscall numbers are the same on x86-64 and aarch64 (docs/kernel-abi.md#syscalls).
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

    static {
        // Checked here as well as in Sys: the first io_uring call of a run (the capability probe) then
        // fails with a reason that names io_uring.
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new ExceptionInInitializerError("io_uring syscalls need 64-bit Linux: os="
                + System.getProperty("os.name") + ", arch=" + System.getProperty("os.arch"));
        }
    }

    private Syscalls() {
    }

    /** {@code io_uring_setup(entries, params)}: the ring fd or {@code -errno}. */
    public static int ioUringSetup(int entries, long paramsAddress) {
        return (int) Sys.syscall(NR_IO_URING_SETUP, entries & 0xFFFF_FFFFL, paramsAddress, 0, 0, 0, 0);
    }

    /** {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: SQEs consumed or {@code -errno}. */
    public static int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, long argAddress, long argSize) {
        return (int) Sys.syscall(NR_IO_URING_ENTER, fd, toSubmit & 0xFFFF_FFFFL, minComplete & 0xFFFF_FFFFL,
            flags & 0xFFFF_FFFFL, argAddress, argSize);
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: 0 / a positive value, or {@code -errno}. */
    public static int ioUringRegister(int fd, int opcode, long argAddress, int nrArgs) {
        return (int) Sys.syscall(NR_IO_URING_REGISTER, fd, opcode & 0xFFFF_FFFFL, argAddress,
            nrArgs & 0xFFFF_FFFFL, 0, 0);
    }
}
