package io.zcrx.ingest.protocol.bytes;

import java.util.Arrays;

/**
 * The source side of one gather write: (native address, length) pairs, in file order. Built from
 * a scratch header plus slices of received memory, handed to {@code pwritev}/{@code IORING_OP_WRITEV}
 * as an iovec array. Adjacent ranges are merged.
 *
 * <p>Reused per reactor thread; allocates only when it grows. Not thread-safe.
 */
public final class GatherList {
    private long[] addresses = new long[16];
    private int[] lengths = new int[16];
    private int count;
    private long totalLength;

    public void clear() {
        count = 0;
        totalLength = 0;
    }

    public void add(long address, int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("gather length must be > 0: length=" + length);
        }
        if (address == 0) {
            throw new IllegalArgumentException("gather address must be native (non-zero): length=" + length);
        }
        if (count > 0 && addresses[count - 1] + lengths[count - 1] == address
                && (long) lengths[count - 1] + length <= Integer.MAX_VALUE) {
            lengths[count - 1] += length;
        } else {
            if (count == addresses.length) {
                addresses = Arrays.copyOf(addresses, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            addresses[count] = address;
            lengths[count] = length;
            count++;
        }
        totalLength += length;
    }

    /**
     * Adds the logical range {@code [position, position + length)} of {@code slices}, one entry per
     * slice it touches. Every chunk must have a native address.
     */
    public void addRange(SliceList slices, int position, int length) {
        if (length == 0) {
            return;
        }
        if (position < 0 || length < 0 || position + length > slices.totalLength()) {
            throw new IndexOutOfBoundsException(
                "range outside slices: position=" + position + ", length=" + length
                    + ", totalLength=" + slices.totalLength());
        }
        int s = slices.sliceAt(position);
        int offsetInSlice = position - slices.start(s);
        int left = length;
        while (left > 0) {
            final RxChunk chunk = slices.chunk(s);
            final int n = Math.min(left, slices.length(s) - offsetInSlice);
            add(chunk.address() + slices.index(s) + offsetInSlice, n);
            left -= n;
            s++;
            offsetInSlice = 0;
        }
    }

    public int count() {
        return count;
    }

    public long address(int i) {
        return addresses[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    public long totalLength() {
        return totalLength;
    }
}
