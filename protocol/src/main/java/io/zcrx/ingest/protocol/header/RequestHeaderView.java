package io.zcrx.ingest.protocol.header;

import io.zcrx.ingest.protocol.bytes.SliceCursor;

/**
 * Flyweight over a request header (kafka-protocol.md §1.3): v1 = api key, api version,
 * correlation id, client id (INT16-length string, even in v2); v2 adds a tagged-field section. The
 * header version follows from the api key and version (flexible versions use v2). The client id is
 * kept as a position/length in the frame; {@link #clientId} decodes it only when asked.
 *
 * <p>Reusable; allocates nothing in {@link #parse}. Not thread-safe.
 */
public final class RequestHeaderView {
    // Implementation owned by the protocol work package.

    /**
     * Parses the header at the cursor's position and leaves the cursor at the first body byte.
     *
     * @return true if parsed; false if the api key is unknown to us (the header length cannot be
     *     known; the caller closes the connection). Truncated input is a ProtocolException.
     */
    public boolean parse(SliceCursor cursor) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public short apiKey() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public short apiVersion() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int correlationId() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** 1 or 2. */
    public short headerVersion() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Frame position of the client id bytes, or -1 when null. */
    public int clientIdPosition() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Length of the client id, or -1 when null. */
    public int clientIdLength() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Frame position of the first body byte. */
    public int bodyPosition() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Decodes the client id (null becomes ""); allocates, for logs and the control plane. */
    public String clientId(io.zcrx.ingest.protocol.bytes.SliceList frameBody) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
