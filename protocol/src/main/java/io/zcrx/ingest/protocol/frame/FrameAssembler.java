package io.zcrx.ingest.protocol.frame;

import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns a connection's stream of received chunks into size-prefixed frames without copying
 * payload: a frame is the list of slices that cover its bytes. The 4-byte size may straddle chunks
 * (it is accumulated in a field). One assembler per connection.
 *
 * <pre>
 *   stream:  | size (INT32, big-endian) | size bytes: header + body | size | ... |
 *   state:     READ_SIZE (0..4 seen)     READ_BODY (held &lt; size)    READ_SIZE ...
 * </pre>
 *
 * <p>Resumable state machine: READ_SIZE (0..4 size bytes seen) then READ_BODY (collecting slices
 * until {@code size} bytes are held). A size &lt; 0 or &gt; {@code frameBytesMax} puts it in a failed
 * state that stays set; the connection must be closed. A size of 0 yields an empty frame (the
 * header parse then fails, as it does in Kafka).
 *
 * <p>Memory: each slice of a frame holds one reference on its chunk ({@link SliceList#add}); the
 * caller's own reference on a chunk is never touched. Frames come from a pool owned by this
 * assembler that grows to the largest number of frames open at once (the connection's pipelining
 * depth) and is then reused, so steady state allocates nothing.
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

    /** Length of the size prefix (INT32, not counting itself). */
    public static final int SIZE_PREFIX_LENGTH = 4;

    private int frameBytesMax;

    /** 0..4 size bytes accumulated in {@link #size}; 4 means READ_BODY. */
    private int sizeBytesSeen;
    private int size;
    /** The frame being filled (READ_BODY only). */
    private Frame current;

    private boolean failed;
    private boolean closed;
    private int failedSize;

    private Frame[] pool = new Frame[4];
    private int pooled;
    private int openFrames;

    public FrameAssembler(int frameBytesMax) {
        if (frameBytesMax <= 0) {
            throw new IllegalArgumentException("frameBytesMax must be > 0: frameBytesMax=" + frameBytesMax);
        }
        this.frameBytesMax = frameBytesMax;
    }

    /**
     * Frames every byte of {@code chunk}. Complete frames go to {@code sink} in order, before this
     * returns; the assembler retains the chunk for each slice it keeps (the caller's own reference is
     * untouched).
     *
     * <p>If the sink closes this assembler from inside {@code onFrame}, the rest of the chunk is
     * dropped and {@link #ERR_FAILED} is returned.
     *
     * @return {@link #OK} or an {@code ERR_*} code (then {@link #failedSize()} tells the bad size)
     */
    public int onChunk(RxChunk chunk, FrameSink sink) {
        if (failed || closed) {
            return ERR_FAILED;
        }
        final ByteBuffer memory = chunk.memory();
        int index = chunk.index();
        final int end = index + chunk.length();
        while (index < end) {
            if (sizeBytesSeen < SIZE_PREFIX_LENGTH) {
                if (sizeBytesSeen == 0 && end - index >= SIZE_PREFIX_LENGTH) {
                    size = memory.getInt(index);
                    index += SIZE_PREFIX_LENGTH;
                    sizeBytesSeen = SIZE_PREFIX_LENGTH;
                } else {
                    // The prefix straddles chunks: accumulate it one byte at a time.
                    size = (size << 8) | (memory.get(index++) & 0xFF);
                    sizeBytesSeen++;
                }
                if (sizeBytesSeen == SIZE_PREFIX_LENGTH) {
                    final int code = startFrame();
                    if (code != OK) {
                        return code;
                    }
                    if (size == 0 && !deliver(sink)) {
                        return ERR_FAILED;
                    }
                }
            } else {
                final SliceList body = current.body();
                final int n = Math.min(end - index, size - body.totalLength());
                body.add(chunk, index, n);
                index += n;
                if (body.totalLength() == size && !deliver(sink)) {
                    return ERR_FAILED;
                }
            }
        }
        assert checkInvariants();
        return OK;
    }

    /** True while a frame (or its size prefix) is partly received. */
    public boolean inFrame() {
        return sizeBytesSeen > 0;
    }

    /** Bytes held for the partly received frame (size prefix bytes included). */
    public int bufferedBytes() {
        if (current != null) {
            return SIZE_PREFIX_LENGTH + current.body().totalLength();
        }
        return sizeBytesSeen;
    }

    /** The size prefix that caused the failure, for the log line. */
    public int failedSize() {
        return failedSize;
    }

    /** Frames handed out and not yet closed (leak checks). */
    public int openFrames() {
        return openFrames;
    }

    /**
     * Changes the largest frame accepted from the next size prefix on (a SASL connection's limit rises once it has
     * authenticated). A frame already being assembled keeps the size it announced.
     */
    public void frameBytesMax(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("frameBytesMax must be > 0: frameBytesMax=" + max);
        }
        this.frameBytesMax = max;
    }

    public int frameBytesMax() {
        return frameBytesMax;
    }

    /** True once a bad size was seen or {@link #close()} was called; stays set. */
    public boolean isFailed() {
        return failed || closed;
    }

    /** Releases the partial frame's chunk references; later calls return {@link #ERR_FAILED}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            final Frame f = current;
            current = null;
            f.discard();
            push(f);
        }
        sizeBytesSeen = 0;
        size = 0;
    }

    /**
     * sizeBytesSeen in 0..4; a frame is being filled exactly when all 4 size bytes were seen and it
     * still lacks bytes; openFrames &gt;= 0. Called through {@code assert} after every chunk.
     */
    boolean checkInvariants() {
        if (sizeBytesSeen < 0 || sizeBytesSeen > SIZE_PREFIX_LENGTH || openFrames < 0 || pooled < 0) {
            throw new IllegalStateException("assembler counters out of range: " + this);
        }
        final boolean filling = sizeBytesSeen == SIZE_PREFIX_LENGTH;
        if (filling != (current != null)) {
            throw new IllegalStateException("assembler state and current frame disagree: " + this);
        }
        if (current != null && (current.body().totalLength() >= size || size != current.size() || !current.isOpen())) {
            throw new IllegalStateException("partial frame is complete or mislabelled: " + this + ", frame=" + current);
        }
        return true;
    }

    private int startFrame() {
        if (size < 0 || size > frameBytesMax) {
            failed = true;
            failedSize = size;
            sizeBytesSeen = 0;
            return size < 0 ? ERR_NEGATIVE_SIZE : ERR_FRAME_TOO_LARGE;
        }
        final Frame f;
        if (pooled > 0) {
            f = pool[--pooled];
            pool[pooled] = null;
        } else {
            f = new Frame(this);
        }
        f.start(size);
        current = f;
        return OK;
    }

    /** Hands the completed frame to the sink; false if the sink closed this assembler meanwhile. */
    private boolean deliver(FrameSink sink) {
        final Frame f = current;
        current = null;
        sizeBytesSeen = 0;
        size = 0;
        openFrames++;
        sink.onFrame(f);
        return !closed && !failed;
    }

    /** Called by {@link Frame#close()}. */
    void recycle(Frame frame) {
        openFrames--;
        assert openFrames >= 0 : "more frames closed than handed out: openFrames=" + openFrames;
        push(frame);
    }

    private void push(Frame frame) {
        if (pooled == pool.length) {
            pool = Arrays.copyOf(pool, pooled * 2);
        }
        pool[pooled++] = frame;
    }

    @Override
    public String toString() {
        return "FrameAssembler(sizeBytesSeen=" + sizeBytesSeen + ", size=" + size + ", openFrames=" + openFrames
            + ", pooled=" + pooled + ", failed=" + failed + ", closed=" + closed + ")";
    }
}
