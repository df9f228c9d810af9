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
 * <p>The preallocated length is sparse, as in Kafka, but the slots about to be written have real
 * blocks: entries are written only through the mapping, and a store into a hole of a full file
 * system raises SIGBUS (which kills the JVM) rather than returning ENOSPC. So the writer reserves
 * blocks ({@link Fallocate}) for the next entries before it writes them ({@link #reserve}), in
 * steps of {@link #RESERVE_AHEAD_BYTES}; a full disk then fails that call with ENOSPC, before any
 * data is written, and a store through the mapping is refused (IllegalStateException) outside the
 * reserved range. An idle partition thus holds a few pages of index blocks, not the whole
 * {@code segment.index.bytes} twice.
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
    /**
     * How far past the slots asked for {@link #reserve} allocates blocks: 64 KiB is 8192 offset-index
     * or 5461 time-index entries, about 32 MiB of log at the default {@code index.interval.bytes},
     * so the reservation (an open, a {@code posix_fallocate} and a close) is rare on the append path,
     * while an idle partition's two indexes hold 128 KiB of real blocks instead of 20 MiB.
     */
    public static final int RESERVE_AHEAD_BYTES = 64 * 1024;
    /** Reservations end on a page boundary (the unit a mapping is backed in). */
    private static final int PAGE_BYTES = 4096;

    private final long baseOffset;
    private final int maxIndexSize;
    private final int entryLength;
    private final StampedLock remapLock = new StampedLock();

    private Path file;
    private MappedByteBuffer mmap;
    private int length;
    private int maxEntries;
    private volatile int entries;
    /** {@code [0, reservedBytes)} has real blocks: the writer may store entries there. Writer only. */
    private int reservedBytes;

    /**
     * @param create true: a new file (an existing one is replaced), preallocated (sparse) to
     *               {@code maxIndexSize} rounded down to whole entries, with the first
     *               {@link #RESERVE_AHEAD_BYTES} reserved; false: an existing file
     * @param knownEntries for an existing file, how many slots hold entries; -1: every slot (what
     *               a file found on disk is taken to hold; a segment reopening its own index passes
     *               the count it had)
     */
    protected IndexFile(Path file, long baseOffset, int maxIndexSize, int entryLength,
            boolean create, int knownEntries) throws IOException {
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
                raf.setLength(roundDown(maxIndexSize));
            } else if (raf.length() > Integer.MAX_VALUE) {
                throw new IOException("index file too large: file=" + file + ", length=" + raf.length());
            }
            length = (int) raf.length();
            maxEntries = length / entryLength;
            if (knownEntries > maxEntries) {
                throw new IOException("index file shorter than its entries: file=" + file + ", length=" + length
                    + ", entries=" + knownEntries);
            }
            entries = create ? 0 : knownEntries < 0 ? maxEntries : knownEntries;
            if (create) {
                // Before mapping: a full disk fails the create, as a failed preallocation always did.
                reserveUpTo(0, length);
            }
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
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
     * Makes sure the next {@code count} slots after the entries have real blocks, allocating up to
     * {@link #RESERVE_AHEAD_BYTES} beyond them when they do not (never past the file's length).
     * Writer only; call it before the entries are added, where a failure can still be answered.
     *
     * @throws IOException the allocation failed (ENOSPC when the disk is full); nothing changed
     */
    public final void reserve(int count) throws IOException {
        final long needed = (long) (entries + count) * entryLength;
        if (needed > reservedBytes) {
            reserveUpTo(needed, length);
        }
    }

    /** Bytes from the start of the file that have real blocks for entries (tests). */
    public final int reservedBytes() {
        return reservedBytes;
    }

    /** Reserves {@code [reservedBytes, needed + RESERVE_AHEAD_BYTES)}, page-aligned, capped at {@code limit}. */
    private void reserveUpTo(long needed, int limit) throws IOException {
        final long ahead = (needed + RESERVE_AHEAD_BYTES + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES;
        final int target = (int) Math.min(limit, ahead);
        if (!Fallocate.isAvailable()) {
            // No way to reserve (macOS): sparse as in Kafka, and stores are not refused.
            reservedBytes = limit;
            return;
        }
        if (target > reservedBytes) {
            Fallocate.allocate(file, reservedBytes, target - reservedBytes);
            reservedBytes = target;
        }
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
            // Blocks for the entries kept and the next ones; the rest of the new length stays sparse.
            reserveUpTo((long) entries * entryLength, rounded);
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
            reservedBytes = Fallocate.isAvailable() ? Math.min(reservedBytes, rounded) : rounded;
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

    /**
     * Refuses a store into slot {@code entries} outside the reserved blocks: on a full disk that
     * store would be SIGBUS, which kills the JVM; refused, it is a bug in the caller (it did not
     * {@link #reserve}) that fails one request. Writer only.
     */
    protected final void checkReserved() {
        if ((long) (entries + 1) * entryLength > reservedBytes) {
            throw new IllegalStateException("index store outside the reserved blocks: file=" + file + ", entries="
                + entries + ", reservedBytes=" + reservedBytes);
        }
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
        if (n < 0 || n > maxEntries || length % entryLength != 0 || maxEntries != length / entryLength
                || reservedBytes < 0 || reservedBytes > length) {
            throw new IllegalStateException("index sizes inconsistent: file=" + file + ", entries=" + n
                + ", maxEntries=" + maxEntries + ", length=" + length + ", entryLength=" + entryLength
                + ", reservedBytes=" + reservedBytes);
        }
        if (mmap != null && n >= 2 && keyAt(mmap, n - 1) <= keyAt(mmap, n - 2)) {
            throw new IllegalStateException("index keys not increasing: file=" + file + ", entries=" + n
                + ", last=" + keyAt(mmap, n - 1) + ", previous=" + keyAt(mmap, n - 2));
        }
        return true;
    }
}
