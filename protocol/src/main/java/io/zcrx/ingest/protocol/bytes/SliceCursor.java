package io.zcrx.ingest.protocol.bytes;

/**
 * Reads big-endian Kafka primitives from a {@link SliceList} as if it were one buffer; any field
 * may straddle slice boundaries. Every read is bounded by {@link #limit()} and throws
 * {@link ProtocolException} (naming the field position and the bytes remaining) instead of reading
 * past it.
 *
 * <p>Reusable: {@link #wrap} resets it. Allocates nothing. Not thread-safe.
 */
public final class SliceCursor {
    // Implementation owned by the protocol work package (see protocol/README.md).

    /** Reads {@code [position, limit)} of {@code slices}. */
    public SliceCursor wrap(SliceList slices, int position, int limit) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public SliceList slices() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int position() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public void position(int position) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int limit() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int remaining() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public byte readByte() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public short readShort() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int readInt() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public long readLong() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Kafka UNSIGNED_VARINT (at most 5 bytes; an overlong one is a ProtocolException). */
    public int readUnsignedVarint() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Kafka VARINT (zig-zag). */
    public int readVarint() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Kafka VARLONG (zig-zag, at most 10 bytes). */
    public long readVarlong() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public void skip(int n) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Copies {@code n} bytes into {@code dst} at its position (advancing both). */
    public void copyTo(java.nio.ByteBuffer dst, int n) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
