package io.zcrx.ingest.protocol.bytes;

import java.nio.ByteBuffer;

/**
 * Reads big-endian Kafka primitives from a {@link SliceList} as if it were one buffer; any field
 * may straddle slice boundaries. Every read is bounded by {@link #limit()} and throws
 * {@link ProtocolException} (naming the field position and the bytes remaining) instead of reading
 * past it.
 *
 * <p>Positions are logical positions in the slice list (0 = first byte of slice 0). The cursor
 * caches the slice that holds its position as a "window":
 *
 * <pre>
 *   logical:   windowStart            position             windowEnd = min(slice end, limit)
 *              |======================|====================|
 *   memory:    windowStart + delta    position + delta      (delta = slice index - slice start)
 * </pre>
 *
 * A field that lies inside the window is read with one absolute get on the chunk's memory (the
 * fast path, one comparison); only a field that crosses {@code windowEnd} goes byte by byte
 * through the following slices. Reads only move forward, so the window check needs no lower
 * bound; {@link #position(int)} and {@link #limit(int)} re-seek it.
 *
 * <p>Encodings (docs/kafka-protocol-notes.md#primitive-types): INT8..INT64 big-endian; UNSIGNED_VARINT is 7 bits per
 * byte, least significant group first, high bit = more bytes, at most 5 bytes for an int and 10
 * for a long; VARINT/VARLONG are zig-zag on top. The limits on varint length are Kafka's
 * ({@code ByteUtils.readUnsignedVarint}/{@code readVarlong}).
 *
 * <p>Reusable: {@link #wrap} resets it. Allocates nothing (except the exception on bad input).
 * The chunks' memory views must be big-endian ({@link RxChunk}'s contract). Not thread-safe: use
 * it on the reactor thread that owns the slices.
 */
public final class SliceCursor {
    /** Most bytes of an UNSIGNED_VARINT / VARINT (Kafka's ByteUtils: 5 groups of 7 bits). */
    public static final int VARINT_LENGTH_MAX = 5;
    /** Most bytes of a VARLONG (Kafka's ByteUtils: 10 groups of 7 bits). */
    public static final int VARLONG_LENGTH_MAX = 10;

    private SliceList slices;
    private int position;
    private int limit;

    // The cached window: the slice holding `position`, clipped to `limit`.
    private int slice;
    private int windowStart;
    private int windowEnd;
    private int sliceEnd;
    private int delta;
    private ByteBuffer memory;

    /** Reads {@code [position, limit)} of {@code slices}. */
    public SliceCursor wrap(SliceList slices, int position, int limit) {
        if (position < 0 || position > limit || limit > slices.totalLength()) {
            throw new IllegalArgumentException("cursor range outside slices: position=" + position + ", limit=" + limit
                + ", totalLength=" + slices.totalLength());
        }
        this.slices = slices;
        this.limit = limit;
        seek(position);
        return this;
    }

    public SliceList slices() {
        return slices;
    }

    public int position() {
        return position;
    }

    /** Moves to {@code position} (forwards or backwards) within {@code [0, limit]}. */
    public void position(int position) {
        if (position < 0 || position > limit) {
            throw new IllegalArgumentException("position outside cursor: position=" + position + ", limit=" + limit);
        }
        seek(position);
    }

    public int limit() {
        return limit;
    }

    /**
     * Moves the limit within {@code [position, slices.totalLength()]}, e.g. to the end of a section
     * (reads never pass the limit: a field that would fails).
     */
    public void limit(int limit) {
        if (limit < position || limit > slices.totalLength()) {
            throw new IllegalArgumentException("limit outside cursor: limit=" + limit + ", position=" + position
                + ", totalLength=" + slices.totalLength());
        }
        this.limit = limit;
        windowEnd = Math.min(sliceEnd, limit);
    }

    public int remaining() {
        return limit - position;
    }

    public byte readByte() {
        final int p = position;
        if (p < windowEnd) {
            position = p + 1;
            return memory.get(p + delta);
        }
        return (byte) slowByte("int8");
    }

    public short readShort() {
        final int p = position;
        if (p + 2 <= windowEnd) {
            position = p + 2;
            return memory.getShort(p + delta);
        }
        return (short) slowBigEndian(2, "int16");
    }

    public int readInt() {
        final int p = position;
        if (p + 4 <= windowEnd) {
            position = p + 4;
            return memory.getInt(p + delta);
        }
        return (int) slowBigEndian(4, "int32");
    }

    public long readLong() {
        final int p = position;
        if (p + 8 <= windowEnd) {
            position = p + 8;
            return memory.getLong(p + delta);
        }
        return slowBigEndian(8, "int64");
    }

    /** Kafka UNSIGNED_VARINT (at most 5 bytes; an overlong one is a ProtocolException). */
    public int readUnsignedVarint() {
        final int start = position;
        if (start + VARINT_LENGTH_MAX <= windowEnd) {
            // Fast path: all five possible bytes are in this slice, so no per-byte bound checks.
            final ByteBuffer m = memory;
            int i = start + delta;
            int value = 0;
            for (int shift = 0; shift < 7 * VARINT_LENGTH_MAX; shift += 7) {
                final int b = m.get(i++);
                value |= (b & 0x7F) << shift;
                if (b >= 0) {
                    position = i - delta;
                    return value;
                }
            }
            throw overlong(start, "unsigned varint", VARINT_LENGTH_MAX);
        }
        int value = 0;
        for (int shift = 0; shift < 7 * VARINT_LENGTH_MAX; shift += 7) {
            final int b = readByteChecked(start, "unsigned varint");
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw overlong(start, "unsigned varint", VARINT_LENGTH_MAX);
    }

    /** Kafka VARINT (zig-zag). */
    public int readVarint() {
        final int raw = readUnsignedVarint();
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Kafka VARLONG (zig-zag, at most 10 bytes). */
    public long readVarlong() {
        final int start = position;
        long raw = 0;
        if (start + VARLONG_LENGTH_MAX <= windowEnd) {
            final ByteBuffer m = memory;
            int i = start + delta;
            for (int shift = 0; shift < 7 * VARLONG_LENGTH_MAX; shift += 7) {
                final long b = m.get(i++);
                raw |= (b & 0x7F) << shift;
                if (b >= 0) {
                    position = i - delta;
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw overlong(start, "varlong", VARLONG_LENGTH_MAX);
        }
        for (int shift = 0; shift < 7 * VARLONG_LENGTH_MAX; shift += 7) {
            final long b = readByteChecked(start, "varlong");
            raw |= (b & 0x7F) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw overlong(start, "varlong", VARLONG_LENGTH_MAX);
    }

    /** Advances by {@code n >= 0} bytes. */
    public void skip(int n) {
        if (n < 0 || n > limit - position) {
            throw new ProtocolException("skip past limit: position=" + position + ", length=" + n
                + ", remaining=" + (limit - position));
        }
        final int target = position + n;
        if (target < windowEnd) {
            position = target;
        } else {
            seek(target);
        }
    }

    /** Copies {@code n} bytes into {@code dst} at its position (advancing both). */
    public void copyTo(ByteBuffer dst, int n) {
        if (n < 0 || n > limit - position) {
            throw new ProtocolException("copy past limit: position=" + position + ", length=" + n
                + ", remaining=" + (limit - position));
        }
        if (n > dst.remaining()) {
            throw new IllegalArgumentException("copy larger than destination: length=" + n
                + ", dstRemaining=" + dst.remaining());
        }
        int left = n;
        int d = dst.position();
        while (left > 0) {
            if (position == windowEnd) {
                nextSlice();
            }
            final int k = Math.min(left, windowEnd - position);
            // Absolute bulk put (JDK 16+): touches neither buffer's position, allocates nothing.
            dst.put(d, memory, position + delta, k);
            d += k;
            position += k;
            left -= k;
        }
        dst.position(d);
    }

    private int slowByte(String what) {
        if (position >= limit) {
            throw pastLimit(position, 1, what);
        }
        nextSlice();
        final int p = position;
        position = p + 1;
        return memory.get(p + delta);
    }

    /** One byte of a varint that may straddle; {@code start} is where the varint began (for the message). */
    private int readByteChecked(int start, String what) {
        final int p = position;
        if (p < windowEnd) {
            position = p + 1;
            return memory.get(p + delta);
        }
        if (p >= limit) {
            throw new ProtocolException(what + " runs past limit: position=" + start
                + ", remaining=" + (limit - start));
        }
        nextSlice();
        position = p + 1;
        return memory.get(p + delta);
    }

    /** A big-endian field of {@code n} bytes that crosses the window end: byte by byte. */
    private long slowBigEndian(int n, String what) {
        final int start = position;
        if (n > limit - start) {
            throw pastLimit(start, n, what);
        }
        long value = 0;
        for (int i = 0; i < n; i++) {
            if (position == windowEnd) {
                nextSlice();
            }
            value = (value << 8) | (memory.get(position + delta) & 0xFF);
            position++;
        }
        return value;
    }

    /** Moves the window to the slice after the current one; only called with position == windowEnd < limit. */
    private void nextSlice() {
        assert position == windowEnd && position < limit
            : "nextSlice: position=" + position + ", windowEnd=" + windowEnd;
        if (slice >= 0 && position == sliceEnd) {
            setWindow(slice + 1);
        } else {
            // The window was empty (the cursor sat at an earlier, smaller limit that has since grown).
            setWindow(slices.sliceAt(position));
        }
        assert checkInvariants();
    }

    private void seek(int target) {
        position = target;
        if (target < limit) {
            setWindow(slices.sliceAt(target));
        } else {
            // At the limit: an empty window makes every read take the slow path, which throws.
            memory = null;
            windowStart = target;
            windowEnd = target;
            sliceEnd = target;
            slice = -1;
            delta = 0;
        }
        assert checkInvariants();
    }

    /**
     * windowStart &lt;= position &lt;= windowEnd &lt;= limit &lt;= totalLength, and a non-empty window is
     * exactly its slice clipped to the limit. Called through {@code assert} after every re-seek.
     */
    boolean checkInvariants() {
        if (!(0 <= windowStart && windowStart <= position && position <= windowEnd && windowEnd <= limit
            && limit <= slices.totalLength())) {
            throw new IllegalStateException("cursor invariant broken: " + this
                + ", totalLength=" + slices.totalLength());
        }
        if (slice >= 0 && (slices.start(slice) != windowStart || slices.start(slice) + slices.length(slice) != sliceEnd
            || windowEnd != Math.min(sliceEnd, limit) || memory != slices.chunk(slice).memory())) {
            throw new IllegalStateException("cursor window does not match its slice: " + this + ", slice=" + slice);
        }
        return true;
    }

    private void setWindow(int s) {
        final SliceList l = slices;
        slice = s;
        windowStart = l.start(s);
        sliceEnd = windowStart + l.length(s);
        windowEnd = Math.min(sliceEnd, limit);
        delta = l.index(s) - windowStart;
        memory = l.chunk(s).memory();
    }

    private ProtocolException pastLimit(int at, int n, String what) {
        return new ProtocolException(what + " runs past limit: position=" + at + ", length=" + n
            + ", remaining=" + (limit - at));
    }

    private ProtocolException overlong(int start, String what, int max) {
        return new ProtocolException(what + " longer than " + max + " bytes: position=" + start
            + ", remaining=" + (limit - start));
    }

    @Override
    public String toString() {
        return "SliceCursor(position=" + position + ", limit=" + limit
            + ", window=[" + windowStart + ", " + windowEnd + "))";
    }
}
