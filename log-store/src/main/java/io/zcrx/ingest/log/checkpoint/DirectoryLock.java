package io.zcrx.ingest.log.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive {@code .lock} of a log directory (Kafka's {@code FileLock} on {@code <dir>/.lock}):
 * an OS advisory lock held for the broker's lifetime, so a second broker (another process, or
 * another manager in this JVM) cannot open the same directory.
 */
public final class DirectoryLock implements Closeable {
    public static final String FILE_NAME = ".lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or fails with an IOException naming the directory. */
    public static DirectoryLock acquire(Path dir) throws IOException {
        final FileChannel ch = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot lock log directory: dir=" + dir, e);
        }
        if (lock == null) {
            ch.close();
            throw new IOException("log directory is in use by another broker (lock held): dir=" + dir);
        }
        return new DirectoryLock(dir, ch, lock);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
