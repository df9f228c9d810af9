package io.zcrx.ingest.protocol.frame;

import io.zcrx.ingest.protocol.bytes.SliceList;

/**
 * One complete size-prefixed Kafka frame: the {@code size} bytes after the 4-byte size prefix
 * (request header + body) as slices of received chunks, each slice holding a chunk reference.
 *
 * <p>Handed out by a {@link FrameAssembler}; whoever receives it owns it and must call
 * {@link #close()} once done with its bytes (after the append that reads them has completed), which
 * releases the chunk references and returns this object to its assembler's pool. A closed frame
 * must not be touched again: the pool hands the same object out for a later frame.
 *
 * <p>This class is not thread-safe: it is used only on the reactor thread of its connection.
 */
public final class Frame implements AutoCloseable {
    private final FrameAssembler assembler;
    private final SliceList body = new SliceList();
    private int size;
    private boolean open;

    /** Frames are made only by their assembler's pool. */
    Frame(FrameAssembler assembler) {
        this.assembler = assembler;
    }

    /** The frame bytes after the size prefix; logical position 0 is the first header byte. */
    public SliceList body() {
        return body;
    }

    /** Value of the size prefix (= body().totalLength()). */
    public int size() {
        return size;
    }

    /** Releases every chunk reference and returns the frame to its pool. */
    @Override
    public void close() {
        if (!open) {
            throw new IllegalStateException("frame closed twice: size=" + size);
        }
        open = false;
        body.releaseAll();
        assembler.recycle(this);
    }

    /** Taken from the pool for a frame of {@code size} bytes; the body is filled by the assembler. */
    void start(int size) {
        assert !open && body.count() == 0 : "pooled frame still in use: " + this;
        this.size = size;
        this.open = true;
    }

    /** Drops a partial frame's slices (assembler close) without counting it as handed out. */
    void discard() {
        open = false;
        body.releaseAll();
    }

    boolean isOpen() {
        return open;
    }

    @Override
    public String toString() {
        return "Frame(size=" + size + ", held=" + body.totalLength() + ", slices=" + body.count()
            + ", open=" + open + ")";
    }
}
