package io.zcrx.ingest.protocol.produce;

import io.zcrx.ingest.protocol.bytes.SliceCursor;

/**
 * Decodes a Produce request body, versions 3..13 (flexible from 9, topic ids from 13), over slices:
 * the whole body is checked before anything is appended, so a malformed request appends nothing.
 * Unknown tagged fields are skipped. Allocates nothing (the view's arrays grow when needed).
 */
public final class ProduceDecoder {
    // Implementation owned by the protocol work package.

    /**
     * @param cursor  positioned at the first body byte, limited to the end of the frame
     * @param version the request's api version, already checked to be in 3..13
     * @throws io.zcrx.ingest.protocol.bytes.ProtocolException when the body is malformed or has
     *     trailing bytes
     */
    public void decode(SliceCursor cursor, short version, ProduceRequestView out) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
