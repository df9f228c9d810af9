package io.zcrx.ingest.protocol.frame;

import io.zcrx.ingest.protocol.bytes.SliceList;

/**
 * One complete size-prefixed Kafka frame: the {@code size} bytes after the 4-byte size prefix
 * (request header + body) as slices of received chunks, each slice holding a chunk reference.
 *
 * <p>Handed out by a {@link FrameAssembler}; whoever receives it owns it and must call
 * {@link #close()} once done with its bytes (after the append that reads them has completed), which
 * releases the chunk references and returns this object to its assembler's pool.
 *
 * <p>This class is not thread-safe: it is used only on the reactor thread of its connection.
 */
public final class Frame implements AutoCloseable {
    // Implementation owned by the protocol work package.

    /** The frame bytes after the size prefix; logical position 0 is the first header byte. */
    public SliceList body() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Value of the size prefix (= body().totalLength()). */
    public int size() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Releases every chunk reference and returns the frame to its pool. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
