package io.zcrx.ingest.nativeio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code posix_fallocate(3)}: gives a file real blocks for a byte range, so that later writes
 * through a memory mapping cannot hit a hole on a full file system. A store to a mapped page that
 * the file system cannot back raises SIGBUS instead of returning ENOSPC; the log's index files are
 * written only through their mapping, so their blocks are allocated before entries are written there
 * (Kafka leaves them sparse).
 *
 * <p>Where the symbol is missing (macOS), {@link #isAvailable()} is false and callers fall back to a
 * sparse {@code setLength}, as Kafka does. Thread-safe.
 */
public final class Fallocate {
    private Fallocate() {
    }

    public static boolean isAvailable() {
        return LibC.hasPosixFallocate();
    }

    /**
     * Allocates blocks for {@code [0, length)} of {@code file}, extending it to {@code length} if
     * shorter. Without posix_fallocate this does nothing.
     *
     * @throws IOException naming the file, length and errno (ENOSPC when the disk is full)
     */
    public static void allocate(Path file, long length) throws IOException {
        allocate(file, 0, length);
    }

    /**
     * Allocates blocks for {@code [offset, offset + length)} of {@code file}, extending it to
     * {@code offset + length} if shorter. Without posix_fallocate this does nothing.
     *
     * @throws IOException naming the file, range and errno (ENOSPC when the disk is full)
     */
    public static void allocate(Path file, long offset, long length) throws IOException {
        if (!isAvailable() || length <= 0) {
            return;
        }
        final int fd = LibC.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            final int errno = LibC.errno();
            throw new IOException("open for fallocate failed: file=" + file + ", errno=" + errno + " ("
                + Errno.name(errno) + ")");
        }
        try {
            int rc;
            do {
                rc = LibC.posix_fallocate(fd, offset, length);
            } while (rc == Errno.EINTR);
            if (rc != 0) {
                throw new IOException("fallocate failed: file=" + file + ", offset=" + offset + ", length=" + length
                    + ", errno=" + rc + " (" + Errno.name(rc) + ")");
            }
        } finally {
            LibC.close(fd);
        }
    }
}
