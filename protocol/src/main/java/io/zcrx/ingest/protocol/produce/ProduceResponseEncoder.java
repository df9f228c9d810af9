package io.zcrx.ingest.protocol.produce;

import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.ByteBuffer;

/**
 * Writes a complete Produce response frame (INT32 size, response header v0/v1, body) for versions
 * 3..13 straight into an output buffer, from the request view (topic names are copied from the
 * request frame, so the frame must still be open) and the results. Allocates nothing.
 */
public final class ProduceResponseEncoder {
    // Implementation owned by the protocol work package.

    /** Exact number of bytes {@link #encode} will write, size prefix included. */
    public int encodedLength(ProduceRequestView request, ProduceResults results, SliceList frameBody) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Writes the frame at {@code out}'s position and advances it. */
    public void encode(int correlationId, ProduceRequestView request, ProduceResults results, SliceList frameBody,
                       ByteBuffer out) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
