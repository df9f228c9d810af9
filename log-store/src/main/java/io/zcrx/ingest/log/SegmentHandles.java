package io.zcrx.ingest.log;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A segment's three files and their open handles ({@link SegmentFiles}): where the files are (they
 * are renamed when retention deletes the segment), whether the handles are open, who holds them
 * (a reference count) and whether they count against the {@link OpenSegmentCache}. Separate from
 * {@link Segment}, which is what the segment holds and how it is appended to; this is only about
 * keeping the number of open inactive segments bounded without closing a file under a reader.
 *
 * <pre>
 *   active                   open, never in the cache (the writer uses the handles without a reference)
 *   inactive, cached         open; the cache may evict it
 *   inactive, evicted        open while refs &gt; 0, closed by the last release
 *   inactive, closed         reopened by the next acquire (and cached again)
 *   closed for good          partition closed or deleted, files deleted: acquire fails
 * </pre>
 *
 * <p>Thread-safe: the state is guarded by this object's monitor, and nothing calls into the cache
 * while holding it (the cache calls {@link #onEvicted} under its own lock).
 */
final class SegmentHandles implements SegmentChannel {
    private final long baseOffset;
    private final int maxIndexSize;
    private final OpenSegmentCache cache;

    private volatile Path logFile;
    private Path indexFile;
    private Path timeIndexFile;
    private volatile SegmentFiles files;
    private int refs;
    private boolean cached;
    private boolean closed;
    private volatile boolean active;
    /** Index entry counts when the handles were last closed, to reopen them as they were. */
    private int closedOffsetEntries = -1;
    private int closedTimeEntries = -1;

    SegmentHandles(Path dir, long baseOffset, int maxIndexSize, SegmentFiles files, OpenSegmentCache cache) {
        this.baseOffset = baseOffset;
        this.maxIndexSize = maxIndexSize;
        this.cache = cache;
        this.logFile = LogFiles.logFile(dir, baseOffset);
        this.indexFile = LogFiles.indexFile(dir, baseOffset);
        this.timeIndexFile = LogFiles.timeIndexFile(dir, baseOffset);
        this.files = files;
    }

    Path logFile() {
        return logFile;
    }

    boolean isActive() {
        return active;
    }

    /** True when the handles are open (tests). */
    synchronized boolean isOpen() {
        return files != null;
    }

    /** True once {@link #close} ran: no reader can acquire the segment any more. */
    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * The open handles without a reference: for the writer of the active segment, the loader of a
     * segment not yet published, and tests. Readers use {@link #acquireFiles}.
     */
    SegmentFiles files() {
        final SegmentFiles f = files;
        if (f == null) {
            throw new IllegalStateException("segment not open: file=" + logFile);
        }
        return f;
    }

    /**
     * Pins the handles open for a reader, opening them again if the cache closed them; pair with
     * {@link #release}. An inactive segment opened (or still open after an eviction) enters the
     * cache, which may evict another.
     *
     * @throws ClosedChannelException the segment is closed for good
     */
    SegmentFiles acquireFiles() throws IOException {
        final SegmentFiles f;
        final boolean admit;
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (files == null) {
                files = reopenFiles();
            }
            f = files;
            refs++;
            admit = !active && !cached;
            if (admit) {
                cached = true;
            }
        }
        if (admit) {
            admitToCache();
        } else if (!active) {
            cache.touch(this);
        }
        return f;
    }

    @Override
    public FileChannel acquire() throws IOException {
        return acquireFiles().channel;
    }

    /** Drops a reference taken by {@link #acquireFiles}; closes the handles if they were evicted. */
    @Override
    public void release() {
        final SegmentFiles toClose;
        synchronized (this) {
            if (refs <= 0) {
                throw new IllegalStateException("segment released more often than acquired: file=" + logFile);
            }
            refs--;
            toClose = refs == 0 && !active && (closed || !cached) ? detachFiles() : null;
        }
        if (toClose != null) {
            toClose.close(logFile);
        }
    }

    /** The cache dropped the segment: close the handles now, or when the last reader releases them. */
    void onEvicted() {
        final SegmentFiles toClose;
        synchronized (this) {
            cached = false;
            toClose = refs == 0 && !active ? detachFiles() : null;
        }
        if (toClose != null) {
            toClose.close(logFile);
        }
    }

    /** The segment becomes the partition's active one: open, and out of the cache. */
    SegmentFiles activate() throws IOException {
        final SegmentFiles f;
        final boolean wasCached;
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            active = true;
            if (files == null) {
                files = reopenFiles();
            }
            f = files;
            wasCached = cached;
        }
        if (wasCached) {
            cache.remove(this);
        }
        return f;
    }

    /** The segment stops being active; with {@code park} its open handles enter the cache. */
    void deactivate(boolean park) {
        final boolean admit;
        synchronized (this) {
            active = false;
            admit = park && !closed && !cached && files != null;
            if (admit) {
                cached = true;
            }
        }
        if (admit) {
            admitToCache();
        }
    }

    /** An inactive segment with open handles enters the cache (the loader, after loading it). */
    void park() {
        synchronized (this) {
            if (active || closed || cached || files == null) {
                return;
            }
            cached = true;
        }
        admitToCache();
    }

    /** Puts the segment in the cache (its {@code cached} flag was set under the monitor). */
    private void admitToCache() {
        cache.admit(this);
        if (isClosed()) {
            // Closed while being admitted (close() found nothing to remove yet): free the slot.
            cache.remove(this);
        }
    }

    /** Caller holds the monitor: takes the handles to close, remembering the index entry counts. */
    private SegmentFiles detachFiles() {
        final SegmentFiles f = files;
        if (f != null) {
            closedOffsetEntries = f.offsetIndex.entries();
            closedTimeEntries = f.timeIndex.entries();
            files = null;
        }
        return f;
    }

    /** Caller holds the monitor. */
    private SegmentFiles reopenFiles() throws IOException {
        return SegmentFiles.open(logFile, indexFile, timeIndexFile, baseOffset, maxIndexSize, closedOffsetEntries,
            closedTimeEntries);
    }

    /**
     * Closes for good: the handles go now, or when the last reader releases them; the segment
     * leaves the cache and can no longer be acquired.
     */
    void close() {
        final SegmentFiles toClose;
        final boolean wasCached;
        synchronized (this) {
            closed = true;
            active = false;
            wasCached = cached;
            toClose = refs == 0 ? detachFiles() : null;
        }
        if (wasCached) {
            cache.remove(this);
        }
        if (toClose != null) {
            toClose.close(logFile);
        }
    }

    /**
     * Renames the three files to {@code <name>.deleted}; readers may still acquire the segment. When an earlier
     * segment with the same base offset still waits for its delayed delete under that name (the cleaner replaced a
     * segment by one with the same base, and that one is removed in turn), {@code <name>.<n>.deleted} is used.
     */
    synchronized void renameToDeleted() throws IOException {
        String suffix = LogFiles.DELETED_SUFFIX;
        for (int n = 1; Files.exists(deletedName(logFile, suffix)) || Files.exists(deletedName(indexFile, suffix))
                || Files.exists(deletedName(timeIndexFile, suffix)); n++) {
            suffix = "." + n + LogFiles.DELETED_SUFFIX;
        }
        final Path deletedLog = deletedName(logFile, suffix);
        Files.move(logFile, deletedLog);
        logFile = deletedLog;
        final Path index = deletedName(indexFile, suffix);
        final Path timeIndex = deletedName(timeIndexFile, suffix);
        final SegmentFiles f = files;
        if (f != null) {
            f.offsetIndex.renameTo(index);
            f.timeIndex.renameTo(timeIndex);
        } else {
            Files.move(indexFile, index);
            Files.move(timeIndexFile, timeIndex);
        }
        indexFile = index;
        timeIndexFile = timeIndex;
    }

    private static Path deletedName(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /** Closes for good and deletes the three files (a reader still holding them keeps reading). */
    void deleteFiles() throws IOException {
        close();
        final Path log;
        final Path index;
        final Path timeIndex;
        synchronized (this) {
            log = logFile;
            index = indexFile;
            timeIndex = timeIndexFile;
        }
        Files.deleteIfExists(log);
        Files.deleteIfExists(index);
        Files.deleteIfExists(timeIndex);
    }

    /** Invariants of the handles; returns the open handles (or null) for the segment's own checks. */
    synchronized SegmentFiles checkInvariants() {
        if (refs < 0 || (active && (cached || files == null))) {
            throw new IllegalStateException("segment handles inconsistent: file=" + logFile + ", refs=" + refs
                + ", active=" + active + ", cached=" + cached + ", open=" + (files != null));
        }
        return files;
    }
}
