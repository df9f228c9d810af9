package io.zcrx.ingest.broker.uring;

import com.sun.jna.Pointer;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.Sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One {@code mmap}'d range of native memory: an anonymous block (zcrx area, refill region, buffer-ring
 * buffers, scratch) or a window on the ring fd (SQ/CQ rings, SQE array, kernel-allocated buffer
 * ring). Page aligned by construction, never moved, never touched by the garbage collector: exactly
 * what the kernel needs for memory it reads or writes after the call that handed it over returned.
 *
 * <p>Views are direct {@link ByteBuffer}s over the same bytes ({@link Pointer#getByteBuffer}); they do
 * not own the memory, so every user must stop touching them before {@link #close()} unmaps it. Views
 * are limited to 2 GiB (ByteBuffer indices are ints); so is a region.
 *
 * <p>Not thread-safe: created, used and closed by its owner (normally a reactor thread).
 */
public final class NativeRegion implements AutoCloseable {
    /** The page size every mapping is aligned to (x86-64 and aarch64 4 KiB kernels). */
    public static final int PAGE_SIZE = 4096;

    private final long address;
    private final long length;
    private final String what;
    private boolean closed;

    private NativeRegion(long address, long length, String what) {
        this.address = address;
        this.length = length;
        this.what = what;
    }

    /** Private anonymous memory, zero-filled and populated up front (no page faults on the hot path). */
    public static NativeRegion anonymous(long length, String what) throws UringException {
        checkLength(length, what);
        final long address = Sys.map(length, Sys.PROT_READ | Sys.PROT_WRITE,
            Sys.MAP_PRIVATE | Sys.MAP_ANONYMOUS | Sys.MAP_POPULATE, -1, 0);
        if (address < 0) {
            throw new UringException("mmap", (int) -address, "mmap of " + what + " failed: errno="
                + Errno.describe((int) -address) + ", length=" + length);
        }
        return new NativeRegion(address, length, what);
    }

    /** A shared mapping of the ring fd at one of the IORING_OFF_* offsets (docs/kernel-abi.md#mmap-offsets). */
    public static NativeRegion ofRingFd(int ringFd, long offset, long length, String what) throws UringException {
        checkLength(length, what);
        final long address = Sys.map(length, Sys.PROT_READ | Sys.PROT_WRITE,
            Sys.MAP_SHARED | Sys.MAP_POPULATE, ringFd, offset);
        if (address < 0) {
            throw new UringException("mmap", (int) -address, "mmap of " + what + " failed: errno="
                + Errno.describe((int) -address) + ", fd=" + ringFd + ", offset=0x" + Long.toHexString(offset)
                + ", length=" + length);
        }
        return new NativeRegion(address, length, what);
    }

    private static void checkLength(long length, String what) {
        if (length <= 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region length out of range (1..2^31-1): what=" + what
                + ", length=" + length);
        }
    }

    /** Rounds {@code bytes} up to a whole number of pages. */
    public static long roundUpToPage(long bytes) {
        return (bytes + PAGE_SIZE - 1) & -PAGE_SIZE;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }

    /** A new native-order view of the whole region, for words shared with the kernel. */
    public ByteBuffer nativeOrderView() {
        ensureOpen();
        return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    }

    /**
     * A new big-endian view of the whole region: the byte order {@code RxChunk.memory()} promises (Kafka is
     * big-endian).
     */
    public ByteBuffer bigEndianView() {
        ensureOpen();
        return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.BIG_ENDIAN);
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("region already unmapped: what=" + what
                + ", address=0x" + Long.toHexString(address));
        }
    }

    /** Unmaps the region; idempotent. Views taken earlier must not be used afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final int rc = Sys.unmap(address, length);
        if (rc < 0) {
            // munmap of a range we mapped can only fail on a bug (EINVAL for a bad range).
            throw new IllegalStateException("munmap failed: what=" + what + ", errno=" + Errno.describe(-rc)
                + ", address=0x" + Long.toHexString(address) + ", length=" + length);
        }
    }

    @Override
    public String toString() {
        return "NativeRegion(" + what + ", address=0x" + Long.toHexString(address) + ", length=" + length + ")";
    }
}
