package io.zcrx.ingest.protocol.bytes;

/**
 * Bytes that cannot be parsed as what the protocol says must be there: a truncated field, an
 * overlong varint, a length past the end of its frame. The connection that sent them cannot be
 * answered and is closed (a "stream error", docs/design.md, "Code rules").
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
