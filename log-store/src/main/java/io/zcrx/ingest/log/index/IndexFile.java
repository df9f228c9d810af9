package io.zcrx.ingest.log.index;

import io.zcrx.ingest.nativeio.Fallocate;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.StampedLock;

/**
 * A memory-mapped file of fixed-size index entries, the part {@link OffsetIndex} and
 * {@link TimeIndex} share (Kafka's {@code AbstractIndex}): preallocation, resize (trim on roll and
 * close, expand for the active segment on start), binary search and the remap lock.
 *
 * <pre>
 *   file:  [ entry 0 | entry 1 | ... | entry entries-1 | zeros ... ]   length = maxEntries * entryLength
 *          |&lt;-------- valid (sorted by key) ---------&gt;|
 * </pre>
 *
 * <p>The preallocated length is given real blocks ({@link Fallocate}): entries are written only
 * through the mapping, and a store into a hole of a full file system raises SIGBUS rather than
 * returning ENOSPC; allocating at create/expand time turns a full disk into an IOException there.
 *
 * <p>Opening an existing file counts every slot as an entry ({@code entries = length / entryLength}),
 * exactly as Kafka does: an untrimmed, zero-padded file therefore only exists after a crash, and
 * recovery rebuilds it.
 *
 * <p>Threads: one writer (the partition's append lock holder) appends entries and resizes; any
 * thread may look up. Entries are written before the volatile {@code entries} count that publishes
 * them. A remap (resize, close) unmaps the old mapping, so lookups hold the read side of
 * {@link #remapLock} and remaps the write side; without it a lookup racing a trim would touch
 * unmapped memory.
 */
public abstract class IndexFile {
    private final long baseOffset;
    private final int maxIndexSize;
    private final int entryLength;
    private final StampedLock remapLock = new StampedLock();

    private Path file;
    private MappedByteBuffer mmap;
    private int length;
    private int maxEntries;
    private volatile int entries;

    /**
     * @param create true: a new file (an existing one is replaced), preallocated to
     *               {@code maxIndexSize} rounded down to whole entries; false: an existing file whose
     *               every slot counts as an entry
     */
    protected IndexFile(Path file, long baseOffset, int maxIndexSize, int entryLength,
            boolean create) throws IOException {
        if (maxIndexSize < entryLength) {
            throw new IllegalArgumentException(
                "index size below one entry: file=" + file + ", maxIndexSize=" + maxIndexSize + ", entryLength="
                + entryLength);
        }
        this.file = file;
        this.baseOffset = baseOffset;
        this.maxIndexSize = maxIndexSize;
        this.entryLength = entryLength;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            if (create) {
                raf.setLength(0);
                if (Fallocate.isAvailable()) {
                    Fallocate.allocate(file, roundDown(maxIndexSize));
                } else {
                    raf.setLength(roundDown(maxIndexSize));
                }
            } else if (raf.length() > Integer.MAX_VALUE) {
                throw new IOException("index file too large: file=" + file + ", length=" + raf.length());
            }
            length = (int) raf.length();
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
        maxEntries = length / entryLength;
        entries = create ? 0 : length / entryLength;
    }

    public final Path file() {
        return file;
    }

    public final long baseOffset() {
        return baseOffset;
    }

    public final int maxIndexSize() {
        return maxIndexSize;
    }

    public final int entries() {
        return entries;
    }

    public final int maxEntries() {
        return maxEntries;
    }

    /** Current file length in bytes. */
    public final int length() {
        return length;
    }

    /** Bytes used by entries. */
    public final int sizeInBytes() {
        return entries * entryLength;
    }

    public boolean isFull() {
        return entries >= maxEntries;
    }

    /**
     * Sets the file length to {@code newSize} rounded down to whole entries, keeping the entries
     * (unmap, truncate or extend, map again). Writer only.
     *
     * @return false if the length was already that
     */
    public final boolean resize(int newSize) throws IOException {
        final int rounded = roundDown(newSize);
        if (rounded < entries * entryLength) {
            throw new IllegalArgumentException(
                "resize below the entries: file=" + file + ", newSize=" + newSize + ", entries=" + entries);
        }
        if (rounded == length) {
            return false;
        }
        if (rounded > length) {
            // Before the old mapping goes: a full disk fails here and leaves the index as it was.
            Fallocate.allocate(file, rounded);
        }
        final long stamp = remapLock.writeLock();
        try {
            checkOpen();
            MappedBuffers.unmap(mmap);
            mmap = null;
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(rounded);
                mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, rounded);
            }
            length = rounded;
            maxEntries = rounded / entryLength;
            return true;
        } finally {
            remapLock.unlockWrite(stamp);
        }
    }

    /** Cuts the file to the entries it holds (segment roll, clean shutdown, after recovery). */
    public final void trimToValidSize() throws IOException {
        resize(entries * entryLength);
    }

    /** Drops every entry and zero-fills the file at its maximum size (recovery rebuilds it). */
    protected final void reset() throws IOException {
        truncateToEntries(0);
        resize(0);
        resize(maxIndexSize);
    }

    /** msync of the mapping, so the entries reach the disk (flusher thread). */
    public final void flush() {
        final long stamp = remapLock.readLock();
        try {
            if (mmap != null) {
                mmap.force();
            }
        } finally {
            remapLock.unlockRead(stamp);
        }
    }

    /** Unmaps the file; the object is unusable afterwards. Does not trim. */
    public final void close() {
        final long stamp = remapLock.writeLock();
        try {
            MappedBuffers.unmap(mmap);
            mmap = null;
        } finally {
            remapLock.unlockWrite(stamp);
        }
    }

    public final boolean isClosed() {
        return mmap == null;
    }

    /** Renames the file (segment deletion); the mapping stays valid. */
    public final void renameTo(Path target) throws IOException {
        Files.move(file, target);
        file = target;
    }

    /**
     * The slot of the largest entry whose key is &lt;= {@code target}, or -1 when every key is larger
     * (or the index is empty). Caller holds the read lock (see {@link #lockRead}).
     *
     * <p>Kafka's warm-section search (AbstractIndex): lookups almost always target the last few
     * entries, so it first checks the last 8 KiB of entries and only searches the whole file when the
     * target is older; that keeps the hot pages few and in the page cache.
     */
    protected final int largestLowerBoundSlot(MappedByteBuffer idx, long target) {
        final int n = entries;
        if (n == 0) {
            return -1;
        }
        final int firstHotEntry = Math.max(0, n - 1 - 8192 / entryLength);
        if (keyAt(idx, firstHotEntry) < target) {
            return binarySearch(idx, target, firstHotEntry, n - 1);
        }
        if (keyAt(idx, 0) > target) {
            return -1;
        }
        return binarySearch(idx, target, 0, firstHotEntry);
    }

    private int binarySearch(MappedByteBuffer idx, long target, int begin, int end) {
        int lo = begin;
        int hi = end;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            final long key = keyAt(idx, mid);
            if (key > target) {
                hi = mid - 1;
            } else if (key < target) {
                lo = mid;
            } else {
                return mid;
            }
        }
        return lo;
    }

    /** The search key stored in {@code slot} (relative offset or timestamp). */
    protected abstract long keyAt(MappedByteBuffer idx, int slot);

    /** Read lock against remaps; pair with {@link #unlockRead}. Returns the mapping to read (non-null). */
    protected final long lockRead() {
        return remapLock.readLock();
    }

    protected final void unlockRead(long stamp) {
        remapLock.unlockRead(stamp);
    }

    /** The current mapping: writer thread, or a reader holding the read lock. */
    protected final MappedByteBuffer mmap() {
        final MappedByteBuffer m = mmap;
        if (m == null) {
            throw new IllegalStateException("index closed: file=" + file);
        }
        return m;
    }

    /** Publishes one more entry, already written at slot {@code entries}. Writer only. */
    protected final void incrementEntries() {
        entries = entries + 1;
    }

    protected final void truncateToEntries(int n) {
        entries = n;
    }

    protected final int entryLength() {
        return entryLength;
    }

    private void checkOpen() {
        if (mmap == null) {
            throw new IllegalStateException("index closed: file=" + file);
        }
    }

    private int roundDown(int size) {
        return entryLength * (size / entryLength);
    }

    /** Structural invariants; tests call it under {@code assert}. */
    public boolean checkInvariants() {
        final int n = entries;
        if (n < 0 || n > maxEntries || length % entryLength != 0 || maxEntries != length / entryLength) {
            throw new IllegalStateException("index sizes inconsistent: file=" + file + ", entries=" + n
                + ", maxEntries=" + maxEntries + ", length=" + length + ", entryLength=" + entryLength);
        }
        if (mmap != null && n >= 2 && keyAt(mmap, n - 1) <= keyAt(mmap, n - 2)) {
            throw new IllegalStateException("index keys not increasing: file=" + file + ", entries=" + n
                + ", last=" + keyAt(mmap, n - 1) + ", previous=" + keyAt(mmap, n - 2));
        }
        return true;
    }
}
