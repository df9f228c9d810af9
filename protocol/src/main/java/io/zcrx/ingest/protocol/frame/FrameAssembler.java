package io.zcrx.ingest.protocol.frame;

import io.zcrx.ingest.protocol.bytes.RxChunk;

/**
 * Turns a connection's stream of received chunks into size-prefixed frames without copying
 * payload: a frame is the list of slices that cover its bytes. The 4-byte size may straddle chunks
 * (it is accumulated in a field). One assembler per connection.
 *
 * <p>Resumable state machine: READ_SIZE (0..4 size bytes seen) then READ_BODY (collecting slices
 * until {@code size} bytes are held). A size &lt; 0 or &gt; {@code frameBytesMax} puts it in a failed
 * state that stays set; the connection must be closed.
 *
 * <p>This class is not thread-safe: it is used only on the reactor thread of its connection.
 */
public final class FrameAssembler implements AutoCloseable {
    public static final int OK = 0;
    /** The size prefix is negative. */
    public static final int ERR_NEGATIVE_SIZE = -1;
    /** The size prefix is above frameBytesMax. */
    public static final int ERR_FRAME_TOO_LARGE = -2;
    /** The assembler failed earlier or was closed. */
    public static final int ERR_FAILED = -3;

    // Implementation owned by the protocol work package.

    public FrameAssembler(int frameBytesMax) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Frames every byte of {@code chunk}. Complete frames go to {@code sink} in order, before this
     * returns; the assembler retains the chunk for each slice it keeps (the caller's own reference is
     * untouched).
     *
     * @return {@link #OK} or an {@code ERR_*} code (then {@link #failedSize()} tells the bad size)
     */
    public int onChunk(RxChunk chunk, FrameSink sink) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** True while a frame (or its size prefix) is partly received. */
    public boolean inFrame() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Bytes held for the partly received frame (size prefix bytes included). */
    public int bufferedBytes() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The size prefix that caused the failure, for the log line. */
    public int failedSize() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Frames handed out and not yet closed (leak checks). */
    public int openFrames() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Releases the partial frame's chunk references; later calls return {@link #ERR_FAILED}. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
