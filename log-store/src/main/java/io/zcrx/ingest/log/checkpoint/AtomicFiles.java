package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe replacement of small metadata files, the way Kafka writes its checkpoints
 * ({@code CheckpointFile.write}, {@code Utils.atomicMoveWithFallback}): write {@code <name>.tmp},
 * fsync it, rename it over {@code <name>} atomically, fsync the directory. After a crash the file
 * holds either the old or the new content, never a mix.
 *
 * <p>Thread-safe as long as two threads never write the same file at once (callers serialise).
 */
public final class AtomicFiles {
    public static final String TMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        final Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            final ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("atomic rename not supported: file=" + target, e);
        }
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    /** fsync of a directory, so that created, renamed and deleted entries survive a power loss. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
