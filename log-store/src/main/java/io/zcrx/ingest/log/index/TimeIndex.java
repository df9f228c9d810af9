package io.zcrx.ingest.log.index;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * A segment's {@code .timeindex} file (docs/kafka-protocol-notes.md#time-index; Kafka's {@code TimeIndex}): a sparse
 * map from the segment's running maximum timestamp to the offset of the batch that holds it.
 *
 * <pre>
 *   entry (12 bytes, big-endian):
 *     0  timestamp       INT64   largest record timestamp seen up to that batch
 *     8  relativeOffset  INT32   lastOffset of the batch holding that timestamp - base offset
 * </pre>
 *
 * <p>An entry (T, O) means: no record with a timestamp above T comes before offset O. Entries are
 * appended only when the timestamp grows strictly, so timestamps and offsets both increase. The last
 * slot is reserved for the entry added when the segment becomes inactive, hence
 * {@link #isFull()} = {@code entries >= maxEntries - 1} (as in Kafka).
 *
 * <p>Threads: see {@link IndexFile}. {@link #lookup} is safe from any thread.
 */
public final class TimeIndex extends IndexFile {
    public static final int TIMESTAMP_OFFSET = 0;
    public static final int TIMESTAMP_LENGTH = 8;
    public static final int RELATIVE_OFFSET_OFFSET = TIMESTAMP_OFFSET + TIMESTAMP_LENGTH;
    public static final int RELATIVE_OFFSET_LENGTH = 4;
    public static final int ENTRY_LENGTH = RELATIVE_OFFSET_OFFSET + RELATIVE_OFFSET_LENGTH;

    /** Kafka's RecordBatch.NO_TIMESTAMP: the "last entry" of an empty index. */
    public static final long NO_TIMESTAMP = -1L;

    /** Writer-side copy of the last entry ((NO_TIMESTAMP, baseOffset) when empty). */
    private long lastTimestamp;
    private long lastOffset;

    private TimeIndex(Path file, long baseOffset, int maxIndexSize, boolean create, int knownEntries)
            throws IOException {
        super(file, baseOffset, maxIndexSize, ENTRY_LENGTH, create, knownEntries);
        loadLastEntry();
    }

    /** A new, empty index preallocated at {@code maxIndexSize} (an existing file is replaced). */
    public static TimeIndex create(Path file, long baseOffset, int maxIndexSize) throws IOException {
        return new TimeIndex(file, baseOffset, maxIndexSize, true, 0);
    }

    /** An existing index, every slot counted as an entry. */
    public static TimeIndex open(Path file, long baseOffset, int maxIndexSize) throws IOException {
        return new TimeIndex(file, baseOffset, maxIndexSize, false, -1);
    }

    /**
     * An index this process wrote and closed (a segment reopened after the open-segment cache
     * closed it), holding {@code entries} entries whatever the file's length: normally trimmed to
     * them, but not if its trim failed when the segment was sealed.
     */
    public static TimeIndex reopen(Path file, long baseOffset, int maxIndexSize, int entries) throws IOException {
        return new TimeIndex(file, baseOffset, maxIndexSize, false, entries);
    }

    @Override
    public boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    /**
     * Adds (timestamp, offset) if the timestamp is larger than the last entry's ({@link #reserve}
     * its slot first). Writer only.
     *
     * @param skipFullCheck true only for the final entry when the segment becomes inactive, which
     *                      may use the reserved last slot
     */
    public void maybeAppend(long timestamp, long offset, boolean skipFullCheck) {
        if (!skipFullCheck && isFull()) {
            throw new IllegalStateException("append to a full time index: file=" + file() + ", entries=" + entries());
        }
        if (entries() != 0 && offset < lastOffset) {
            throw new IllegalStateException("time index offsets must not decrease: file=" + file() + ", offset="
                + offset + ", lastOffset=" + lastOffset);
        }
        if (entries() != 0 && timestamp < lastTimestamp) {
            throw new IllegalStateException("time index timestamps must not decrease: file=" + file()
                + ", timestamp=" + timestamp + ", lastTimestamp=" + lastTimestamp);
        }
        if (timestamp > lastTimestamp) {
            if (entries() >= maxEntries()) {
                throw new IllegalStateException("time index has no slot left: file=" + file() + ", entries="
                    + entries());
            }
            final long relative = offset - baseOffset();
            if (relative < 0 || relative > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("time index offset out of range: file=" + file() + ", offset="
                    + offset + ", baseOffset=" + baseOffset());
            }
            checkReserved();
            final MappedByteBuffer idx = mmap();
            final int at = entries() * ENTRY_LENGTH;
            idx.putLong(at + TIMESTAMP_OFFSET, timestamp);
            idx.putInt(at + RELATIVE_OFFSET_OFFSET, (int) relative);
            lastTimestamp = timestamp;
            lastOffset = offset;
            incrementEntries();
        }
    }

    /** Timestamp of the last entry, or {@link #NO_TIMESTAMP}. Writer only. */
    public long lastEntryTimestamp() {
        return lastTimestamp;
    }

    /** Offset of the last entry, or the base offset. Writer only. */
    public long lastEntryOffset() {
        return lastOffset;
    }

    /**
     * The offset of the entry with the largest timestamp &lt;= {@code targetTimestamp}, or the base
     * offset when every entry is later. Safe from any thread.
     */
    public long lookup(long targetTimestamp) {
        final long stamp = lockRead();
        try {
            final MappedByteBuffer idx = mmap();
            final int slot = largestLowerBoundSlot(idx, targetTimestamp);
            return slot < 0 ? baseOffset() : baseOffset() + idx.getInt(slot * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
        } finally {
            unlockRead(stamp);
        }
    }

    /** Timestamp in {@code slot}. Safe from any thread. */
    public long timestampAt(int slot) {
        final long stamp = lockRead();
        try {
            checkSlot(slot);
            return mmap().getLong(slot * ENTRY_LENGTH + TIMESTAMP_OFFSET);
        } finally {
            unlockRead(stamp);
        }
    }

    /** Absolute offset in {@code slot}. Safe from any thread. */
    public long offsetAt(int slot) {
        final long stamp = lockRead();
        try {
            checkSlot(slot);
            return baseOffset() + mmap().getInt(slot * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
        } finally {
            unlockRead(stamp);
        }
    }

    /**
     * Whether an index found on disk can be trusted: whole entries, the last two entries increasing
     * in both fields, last offset inside [baseOffset, nextOffset).
     */
    public boolean isSane(long nextOffset) {
        final long stamp = lockRead();
        try {
            final MappedByteBuffer idx = mmap();
            final int n = entries();
            if (length() % ENTRY_LENGTH != 0) {
                return false;
            }
            if (n == 0) {
                return true;
            }
            final long lastTs = idx.getLong((n - 1) * ENTRY_LENGTH + TIMESTAMP_OFFSET);
            final int lastRel = idx.getInt((n - 1) * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
            if (lastRel < 0 || baseOffset() + lastRel >= nextOffset || lastTs < idx.getLong(TIMESTAMP_OFFSET)) {
                return false;
            }
            if (n >= 2) {
                final long prevTs = idx.getLong((n - 2) * ENTRY_LENGTH + TIMESTAMP_OFFSET);
                final int prevRel = idx.getInt((n - 2) * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
                return lastTs > prevTs && lastRel >= prevRel;
            }
            return true;
        } finally {
            unlockRead(stamp);
        }
    }

    /** Drops every entry and zero-fills the file at its maximum size. */
    public void resetEntries() throws IOException {
        reset();
        loadLastEntry();
    }

    private void loadLastEntry() {
        final int n = entries();
        if (n == 0) {
            lastTimestamp = NO_TIMESTAMP;
            lastOffset = baseOffset();
        } else {
            final MappedByteBuffer idx = mmap();
            lastTimestamp = idx.getLong((n - 1) * ENTRY_LENGTH + TIMESTAMP_OFFSET);
            lastOffset = baseOffset() + idx.getInt((n - 1) * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
        }
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= entries()) {
            throw new IndexOutOfBoundsException("time index slot out of range: file=" + file() + ", slot=" + slot
                + ", entries=" + entries());
        }
    }

    @Override
    protected long keyAt(MappedByteBuffer idx, int slot) {
        return idx.getLong(slot * ENTRY_LENGTH + TIMESTAMP_OFFSET);
    }
}
