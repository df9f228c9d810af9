package io.zcrx.ingest.broker.transport.outbound;

import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool.Block;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A connection's unsent output, in order: byte regions in fixed direct-memory blocks (responses
 * are encoded straight into them) and, for Fetch, file regions sent without passing through the
 * heap. The broker appends at the tail; the transport sends from the head and reports how much the
 * kernel took with {@link #consumed}.
 *
 * <pre>
 *   head                                                      tail
 *   [block: read..write) -> [file: pos, remaining) -> [block: read..write, writable]
 * </pre>
 *
 * <p>Memory of a byte region never moves until it is consumed, so an asynchronous send (io_uring
 * SEND) may read it while responses are appended behind it.
 *
 * <p>This class is not thread-safe: it is used only on the connection's reactor thread.
 */
public final class OutboundQueue {
    private final OutboundBlockPool pool;
    private Block head;
    private Block tail;
    private long queuedBytes;
    private boolean writing;

    public OutboundQueue(OutboundBlockPool pool) {
        this.pool = pool;
    }

    // ---- writer side (broker) ---------------------------------------------------------------

    /**
     * A big-endian view to write exactly {@code length} bytes into, starting at its position; call
     * {@link #commitWrite()} after writing. Nothing else may be appended in between.
     */
    public ByteBuffer beginWrite(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("beginWrite: length=" + length);
        }
        if (writing) {
            throw new IllegalStateException("beginWrite while a write is open");
        }
        Block t = tail;
        if (t == null || t.isFile() || t.sealed || t.capacity() - t.writeIndex < length) {
            t = appendBlock(pool.acquire(length));
        }
        final ByteBuffer v = t.writeView;
        v.limit(t.writeIndex + length).position(t.writeIndex);
        writing = true;
        return v;
    }

    /** Publishes the bytes written into the view from {@link #beginWrite} (up to its position). */
    public void commitWrite() {
        if (!writing) {
            throw new IllegalStateException("commitWrite without beginWrite");
        }
        writing = false;
        final Block t = tail;
        final int written = t.writeView.position() - t.writeIndex;
        t.writeIndex += written;
        queuedBytes += written;
    }

    /** Copies {@code src}'s remaining bytes (spanning blocks as needed), advancing its position. */
    public void write(ByteBuffer src) {
        if (writing) {
            throw new IllegalStateException("write while a write is open");
        }
        while (src.hasRemaining()) {
            Block t = tail;
            if (t == null || t.isFile() || t.sealed || t.writeIndex == t.capacity()) {
                t = appendBlock(pool.acquire(1));
            }
            final int n = Math.min(src.remaining(), t.capacity() - t.writeIndex);
            final ByteBuffer v = t.writeView;
            v.limit(t.writeIndex + n).position(t.writeIndex);
            final int oldLimit = src.limit();
            src.limit(src.position() + n);
            v.put(src);
            src.limit(oldLimit);
            t.writeIndex += n;
            queuedBytes += n;
        }
    }

    /** Queues {@code length} bytes of {@code file} from {@code position}, sent without a heap copy. */
    public void addFileRegion(FileChannel file, long position, long length) {
        addFileRegion(file, position, length, null);
    }

    /**
     * As {@link #addFileRegion(FileChannel, long, long)} for a file pinned by {@code pinned}: the
     * queue unpins it once the region has been sent or dropped ({@link #clear}). Takes over the pin
     * in every case, also when it throws or queues nothing.
     */
    public void addFileRegion(FileChannel file, long position, long length, FileRegionRecords.Source pinned) {
        if (writing || length <= 0) {
            if (pinned != null) {
                pinned.unpin();
            }
            if (writing) {
                throw new IllegalStateException("addFileRegion while a write is open");
            }
            return;
        }
        if (tail != null && !tail.isFile()) {
            tail.sealed = true;
        }
        final Block f = new Block();
        f.file = file;
        f.filePosition = position;
        f.fileRemaining = length;
        f.filePin = pinned;
        appendBlock(f);
        queuedBytes += length;
    }

    private Block appendBlock(Block b) {
        b.next = null;
        if (tail == null) {
            head = b;
        } else {
            tail.next = b;
        }
        tail = b;
        return b;
    }

    // ---- sender side (transport) ------------------------------------------------------------

    public boolean isEmpty() {
        return queuedBytes == 0;
    }

    /** Bytes queued and not yet consumed (file regions included). */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** True when the head entry is a file region. */
    public boolean headIsFile() {
        skipDrained();
        return head != null && head.isFile();
    }

    /** Native address of the head byte region's first unsent byte. */
    public long headAddress() {
        skipDrained();
        return head.address + head.readIndex;
    }

    /** Unsent bytes in the head byte region (contiguous). */
    public int headLength() {
        skipDrained();
        return head == null || head.isFile() ? 0 : head.writeIndex - head.readIndex;
    }

    /** A view of the head byte region, positioned at its first unsent byte (for channel writes). */
    public ByteBuffer headBuffer() {
        skipDrained();
        final Block h = head;
        final ByteBuffer v = h.readView;
        v.limit(h.writeIndex).position(h.readIndex);
        return v;
    }

    /**
     * Fills {@code views} with views of consecutive byte regions from the head, stopping at a file
     * region; returns how many were filled (0 when the head is a file region or nothing is queued).
     */
    public int headBuffers(ByteBuffer[] views) {
        skipDrained();
        int n = 0;
        for (Block b = head; b != null && n < views.length && !b.isFile(); b = b.next) {
            if (b.writeIndex == b.readIndex) {
                continue;
            }
            final ByteBuffer v = b.readView;
            v.limit(b.writeIndex).position(b.readIndex);
            views[n++] = v;
        }
        return n;
    }

    public FileChannel headFile() {
        skipDrained();
        return head.file;
    }

    public long headFilePosition() {
        return head.filePosition;
    }

    public long headFileRemaining() {
        return head.fileRemaining;
    }

    /** The kernel took {@code n} bytes from the head (possibly spanning several byte regions). */
    public void consumed(long n) {
        if (n < 0 || n > queuedBytes) {
            throw new IllegalArgumentException("consumed: n=" + n + ", queuedBytes=" + queuedBytes);
        }
        long left = n;
        queuedBytes -= n;
        while (left > 0) {
            final Block h = head;
            if (h.isFile()) {
                final long k = Math.min(left, h.fileRemaining);
                h.fileRemaining -= k;
                h.filePosition += k;
                left -= k;
                if (h.fileRemaining == 0) {
                    popHead();
                }
            } else {
                final int k = (int) Math.min(left, h.writeIndex - h.readIndex);
                h.readIndex += k;
                left -= k;
                if (h.readIndex == h.writeIndex && (h != tail || !writing)) {
                    // Drained blocks go back to the pool, the tail too: an idle connection holds none.
                    popHead();
                }
            }
        }
        skipDrained();
    }

    /** Drops everything queued (connection closed) and gives the blocks back. */
    public void clear() {
        writing = false;
        while (head != null) {
            popHead();
        }
        queuedBytes = 0;
    }

    private void skipDrained() {
        while (head != null && head != tail && !head.isFile() && head.readIndex == head.writeIndex) {
            popHead();
        }
    }

    private void popHead() {
        final Block h = head;
        head = h.next;
        if (head == null) {
            tail = null;
        }
        if (h.isFile()) {
            final FileRegionRecords.Source pinned = h.filePin;
            h.clearFile();
            if (pinned != null) {
                pinned.unpin();
            }
        } else {
            pool.release(h);
        }
    }

    /** Invariants: queuedBytes equals the sum of the regions; a file entry is never the writable tail. */
    public void checkInvariants() {
        long sum = 0;
        for (Block b = head; b != null; b = b.next) {
            if (b.isFile()) {
                sum += b.fileRemaining;
            } else {
                if (b.readIndex < 0 || b.readIndex > b.writeIndex || b.writeIndex > b.capacity()) {
                    throw new IllegalStateException("outbound block indexes: read=" + b.readIndex + ", write="
                        + b.writeIndex + ", capacity=" + b.capacity());
                }
                sum += b.writeIndex - b.readIndex;
            }
            if (b.next == null && b != tail) {
                throw new IllegalStateException("outbound tail is not the last block");
            }
        }
        if (sum != queuedBytes) {
            throw new IllegalStateException("outbound queuedBytes=" + queuedBytes + " but regions hold " + sum);
        }
    }
}
