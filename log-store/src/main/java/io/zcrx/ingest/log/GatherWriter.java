package io.zcrx.ingest.log;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.IovecLayout;
import io.zcrx.ingest.nativeio.LibC;
import io.zcrx.ingest.protocol.bytes.GatherList;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes one record batch (a header in scratch memory plus payload ranges still in receive
 * memory) at a file position with {@code pwritev}, the kernel's only copy of the payload.
 *
 * <p>The iovec array lives in native scratch memory owned by this object; there is one object per
 * thread ({@link #forCurrentThread()}), so reactor threads append without allocating. A batch with
 * more ranges than {@link LibC#IOV_MAX} goes out in several calls. A short write (the kernel took
 * fewer bytes, e.g. the file system filled up mid-batch) continues with the rest; {@code EINTR} is
 * retried; any other failure stops and returns its errno, leaving the caller to cut the file back
 * to where the batch started.
 *
 * <p>What the caller makes of that errno: {@link Errno#EFAULT} and {@link Errno#EINVAL} mean we
 * passed a bad address or descriptor state ({@link Errno#isBug}, a bug, not a disk problem);
 * everything else (ENOSPC, EDQUOT, EIO, EFBIG, EROFS, EBADF, ...) is a storage failure of this one
 * append, answered with KAFKA_STORAGE_ERROR, after which the next append tries again.
 *
 * <pre>
 *   logical entries:  [ header | payload 0 | payload 1 | ... | payload n-1 ]
 *   one call:          iovec[0 .. min(remaining entries, IOV_MAX))  at file position p
 *   after r bytes:     skip whole entries, trim the first partly written one, p += r
 * </pre>
 *
 * <p>Not thread-safe: use the calling thread's instance only.
 */
public final class GatherWriter {
    private static final ThreadLocal<GatherWriter> PER_THREAD = ThreadLocal.withInitial(GatherWriter::new);

    private final ByteBuffer iovecs =
        ByteBuffer.allocateDirect(LibC.IOV_MAX * IovecLayout.IOVEC_LENGTH).order(ByteOrder.nativeOrder());
    private final long iovecsAddress = Pointer.nativeValue(Native.getDirectBufferPointer(iovecs));

    private long lastBytesWritten;
    private int lastCallCount;

    /** The calling thread's writer (created on first use, then reused). */
    public static GatherWriter forCurrentThread() {
        return PER_THREAD.get();
    }

    /**
     * Writes {@code headerLength} bytes at {@code headerAddress} followed by every range of
     * {@code payload}, in order, starting at file {@code position}.
     *
     * @return 0 when every byte was written, else the errno of the call that failed (never EINTR);
     *         {@link #lastBytesWritten()} then says how far it got
     */
    public int write(int fd, long position, long headerAddress, int headerLength, GatherList payload) {
        if (headerLength <= 0 || headerAddress == 0) {
            throw new IllegalArgumentException(
                "gather write needs a native header: headerAddress=" + headerAddress + ", headerLength="
                + headerLength);
        }
        final int entryCount = 1 + payload.count();
        long remaining = headerLength + payload.totalLength();
        long filePosition = position;
        int entry = 0;
        long entryWritten = 0;
        lastBytesWritten = 0;
        lastCallCount = 0;
        while (remaining > 0) {
            int iovCount = 0;
            for (int k = entry; k < entryCount && iovCount < LibC.IOV_MAX; k++) {
                long address = k == 0 ? headerAddress : payload.address(k - 1);
                long length = k == 0 ? headerLength : payload.length(k - 1);
                if (k == entry) {
                    address += entryWritten;
                    length -= entryWritten;
                }
                final int at = iovCount * IovecLayout.IOVEC_LENGTH;
                iovecs.putLong(at + IovecLayout.IOV_BASE_OFFSET, address);
                iovecs.putLong(at + IovecLayout.IOV_LEN_OFFSET, length);
                iovCount++;
            }
            final long written = LibC.pwritev(fd, iovecsAddress, iovCount, filePosition);
            lastCallCount++;
            if (written < 0) {
                final int errno = LibC.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                return errno;
            }
            if (written == 0) {
                // A regular file never accepts 0 of a non-empty request without an error; retrying
                // could spin forever, so report it as an I/O error.
                return Errno.EIO;
            }
            filePosition += written;
            remaining -= written;
            lastBytesWritten += written;
            long left = written;
            while (left > 0) {
                final long entryLength = entry == 0 ? headerLength : payload.length(entry - 1);
                final long available = entryLength - entryWritten;
                if (left >= available) {
                    left -= available;
                    entry++;
                    entryWritten = 0;
                } else {
                    entryWritten += left;
                    left = 0;
                }
            }
        }
        return 0;
    }

    /** Bytes the last {@link #write} put into the file (all of them unless it failed). */
    public long lastBytesWritten() {
        return lastBytesWritten;
    }

    /** pwritev calls the last {@link #write} made (retries and continuations included). */
    public int lastCallCount() {
        return lastCallCount;
    }
}
