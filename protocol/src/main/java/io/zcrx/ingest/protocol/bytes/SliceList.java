package io.zcrx.ingest.protocol.bytes;

import java.util.Arrays;

/**
 * An ordered list of byte ranges ("slices") inside received chunks, read as one logical byte
 * sequence: a frame body, for example. Each slice holds one reference on its chunk, taken by
 * {@link #add} and dropped by {@link #releaseAll}.
 *
 * <pre>
 *   logical position 0                                               totalLength
 *   |-- slice 0 (chunk A) --|---- slice 1 (chunk B) ----|-- slice 2 (chunk B) --|
 *   start[0] = 0            start[1]                    start[2]
 * </pre>
 *
 * <p>Storage is parallel arrays that grow by doubling and are reused after {@link #releaseAll}, so a
 * list kept per connection allocates nothing in steady state. Positions are ints: a frame is at
 * most {@code socket.request.max.bytes} (&lt; 2 GiB).
 *
 * <p>This class is not thread-safe: it is used only on the reactor thread that received the chunks.
 */
public final class SliceList {
    private static final int INITIAL_CAPACITY = 8;

    private RxChunk[] chunks = new RxChunk[INITIAL_CAPACITY];
    private int[] indexes = new int[INITIAL_CAPACITY];
    private int[] lengths = new int[INITIAL_CAPACITY];
    private int[] starts = new int[INITIAL_CAPACITY];
    private int count;
    private int totalLength;

    /**
     * Appends {@code length} bytes at {@code index} of {@code chunk} and retains the chunk once. A
     * range that continues the previous slice of the same chunk extends it instead (no new
     * reference).
     */
    public void add(RxChunk chunk, int index, int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("slice length must be > 0: length=" + length);
        }
        if (index < chunk.index() || index + length > chunk.index() + chunk.length()) {
            throw new IllegalArgumentException("slice outside its chunk: index=" + index + ", length=" + length
                + ", " + chunk);
        }
        if (count > 0) {
            final int last = count - 1;
            if (chunks[last] == chunk && indexes[last] + lengths[last] == index) {
                lengths[last] += length;
                totalLength += length;
                return;
            }
        }
        if (count == chunks.length) {
            grow();
        }
        chunk.retain();
        chunks[count] = chunk;
        indexes[count] = index;
        lengths[count] = length;
        starts[count] = totalLength;
        count++;
        totalLength += length;
    }

    /** Releases the reference every slice holds and empties the list. */
    public void releaseAll() {
        for (int i = 0; i < count; i++) {
            final RxChunk c = chunks[i];
            chunks[i] = null;
            c.release();
        }
        count = 0;
        totalLength = 0;
    }

    public int count() {
        return count;
    }

    public int totalLength() {
        return totalLength;
    }

    public RxChunk chunk(int slice) {
        return chunks[slice];
    }

    /** Byte index in {@code chunk(slice).memory()} where the slice starts. */
    public int index(int slice) {
        return indexes[slice];
    }

    public int length(int slice) {
        return lengths[slice];
    }

    /** Logical position of the slice's first byte in the whole list. */
    public int start(int slice) {
        return starts[slice];
    }

    /**
     * The slice that holds logical {@code position}, found by binary search over the slice starts.
     *
     * @throws IndexOutOfBoundsException if {@code position} is not in {@code [0, totalLength)}
     */
    public int sliceAt(int position) {
        if (position < 0 || position >= totalLength) {
            throw new IndexOutOfBoundsException("position=" + position + ", totalLength=" + totalLength);
        }
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= position) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Reads one byte at a logical position (slow path helper for tests and rare straddles). */
    public byte byteAt(int position) {
        final int s = sliceAt(position);
        return chunks[s].memory().get(indexes[s] + position - starts[s]);
    }

    private void grow() {
        final int n = chunks.length * 2;
        chunks = Arrays.copyOf(chunks, n);
        indexes = Arrays.copyOf(indexes, n);
        lengths = Arrays.copyOf(lengths, n);
        starts = Arrays.copyOf(starts, n);
    }

    @Override
    public String toString() {
        return "SliceList(count=" + count + ", totalLength=" + totalLength + ")";
    }
}
