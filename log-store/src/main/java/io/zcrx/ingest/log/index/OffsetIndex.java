package io.zcrx.ingest.log.index;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * A segment's {@code .index} file (docs/kafka-protocol-notes.md#offset-index; Kafka's {@code OffsetIndex}): a sparse,
 * sorted map from offsets to byte positions in the segment's {@code .log}.
 *
 * <pre>
 *   entry (8 bytes, big-endian):
 *     0  relativeOffset  INT32   lastOffset of the batch - segment base offset
 *     4  position        INT32   byte position of that batch in the .log
 * </pre>
 *
 * <p>The offset stored is the <em>last</em> offset of the batch that starts at the position. The
 * caller decides when to add an entry (the {@code index.interval.bytes} rule lives in the segment).
 * Lookups return the entry with the largest offset &lt;= the target, or (baseOffset, 0); the caller
 * then scans batches forward from that position.
 *
 * <p>Threads: see {@link IndexFile}. {@link #lookup} is safe from any thread.
 */
public final class OffsetIndex extends IndexFile {
    public static final int RELATIVE_OFFSET_OFFSET = 0;
    public static final int RELATIVE_OFFSET_LENGTH = 4;
    public static final int POSITION_OFFSET = RELATIVE_OFFSET_OFFSET + RELATIVE_OFFSET_LENGTH;
    public static final int POSITION_LENGTH = 4;
    public static final int ENTRY_LENGTH = POSITION_OFFSET + POSITION_LENGTH;

    /** Writer-side copy of the last entry's offset (baseOffset when empty). */
    private long lastOffset;

    private OffsetIndex(Path file, long baseOffset, int maxIndexSize, boolean create, int knownEntries)
            throws IOException {
        super(file, baseOffset, maxIndexSize, ENTRY_LENGTH, create, knownEntries);
        lastOffset = entries() == 0 ? baseOffset : baseOffset + mmap().getInt((entries() - 1) * ENTRY_LENGTH);
    }

    /** A new, empty index preallocated at {@code maxIndexSize} (an existing file is replaced). */
    public static OffsetIndex create(Path file, long baseOffset, int maxIndexSize) throws IOException {
        return new OffsetIndex(file, baseOffset, maxIndexSize, true, 0);
    }

    /** An existing index, every slot counted as an entry (resize it to make room for appends). */
    public static OffsetIndex open(Path file, long baseOffset, int maxIndexSize) throws IOException {
        return new OffsetIndex(file, baseOffset, maxIndexSize, false, -1);
    }

    /**
     * An index this process wrote and closed (a segment reopened after the open-segment cache
     * closed it), holding {@code entries} entries whatever the file's length: normally trimmed to
     * them, but not if its trim failed when the segment was sealed.
     */
    public static OffsetIndex reopen(Path file, long baseOffset, int maxIndexSize, int entries) throws IOException {
        return new OffsetIndex(file, baseOffset, maxIndexSize, false, entries);
    }

    /** True if {@code offset} fits a relative INT32 entry of this index. */
    public boolean canAppendOffset(long offset) {
        final long relative = offset - baseOffset();
        return relative >= 0 && relative <= Integer.MAX_VALUE;
    }

    /** Adds an entry ({@link #reserve} its slot first); offsets must increase. Writer only. */
    public void append(long offset, int position) {
        if (isFull()) {
            throw new IllegalStateException("append to a full index: file=" + file() + ", entries=" + entries());
        }
        if (entries() != 0 && offset <= lastOffset) {
            throw new IllegalStateException("index offsets must increase: file=" + file() + ", offset=" + offset
                + ", lastOffset=" + lastOffset);
        }
        if (!canAppendOffset(offset) || position < 0) {
            throw new IllegalArgumentException("index entry out of range: file=" + file() + ", offset=" + offset
                + ", baseOffset=" + baseOffset() + ", position=" + position);
        }
        checkReserved();
        final MappedByteBuffer idx = mmap();
        final int at = entries() * ENTRY_LENGTH;
        idx.putInt(at + RELATIVE_OFFSET_OFFSET, (int) (offset - baseOffset()));
        idx.putInt(at + POSITION_OFFSET, position);
        lastOffset = offset;
        incrementEntries();
    }

    /** Drops every entry and zero-fills the file at its maximum size (recovery rebuilds it). */
    public void resetEntries() throws IOException {
        reset();
        lastOffset = baseOffset();
    }

    /** Offset of the last entry, or the base offset when empty. Writer only. */
    public long lastOffset() {
        return lastOffset;
    }

    /**
     * The entry with the largest offset &lt;= {@code targetOffset}, packed as
     * {@code relativeOffset << 32 | position} (read it with {@link #offsetOf} and {@link #positionOf});
     * (baseOffset, 0) when there is none. Safe from any thread.
     */
    public long lookup(long targetOffset) {
        final long stamp = lockRead();
        try {
            final MappedByteBuffer idx = mmap();
            final int slot = largestLowerBoundSlot(idx, targetOffset - baseOffset());
            if (slot < 0) {
                return 0L;
            }
            return pack(idx.getInt(slot * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET),
                idx.getInt(slot * ENTRY_LENGTH + POSITION_OFFSET));
        } finally {
            unlockRead(stamp);
        }
    }

    /** The packed entry in {@code slot} (tests, checks). Safe from any thread. */
    public long entry(int slot) {
        final long stamp = lockRead();
        try {
            if (slot < 0 || slot >= entries()) {
                throw new IndexOutOfBoundsException("index slot out of range: file=" + file() + ", slot=" + slot
                    + ", entries=" + entries());
            }
            final MappedByteBuffer idx = mmap();
            return pack(idx.getInt(slot * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET),
                idx.getInt(slot * ENTRY_LENGTH + POSITION_OFFSET));
        } finally {
            unlockRead(stamp);
        }
    }

    /** Absolute offset of a packed entry. */
    public long offsetOf(long packed) {
        return baseOffset() + (packed >>> 32);
    }

    /** Byte position of a packed entry. */
    public static int positionOf(long packed) {
        return (int) packed;
    }

    private static long pack(int relativeOffset, int position) {
        return ((long) relativeOffset << 32) | (position & 0xFFFF_FFFFL);
    }

    @Override
    protected long keyAt(MappedByteBuffer idx, int slot) {
        return idx.getInt(slot * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
    }

    /**
     * Whether an index found on disk can be trusted without a rebuild: whole entries, offsets and
     * positions increasing at the end, last position inside the log (an untrimmed file left by a
     * crash ends in zero entries and fails this).
     */
    public boolean isSane(int logSize) {
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
            final int lastRelative = idx.getInt((n - 1) * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
            final int lastPosition = idx.getInt((n - 1) * ENTRY_LENGTH + POSITION_OFFSET);
            if (lastRelative < 0 || lastPosition < 0 || lastPosition >= logSize) {
                return false;
            }
            if (n >= 2) {
                final int prevRelative = idx.getInt((n - 2) * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
                final int prevPosition = idx.getInt((n - 2) * ENTRY_LENGTH + POSITION_OFFSET);
                return lastRelative > prevRelative && lastPosition > prevPosition;
            }
            return true;
        } finally {
            unlockRead(stamp);
        }
    }
}
