package io.zcrx.ingest.protocol.bytes;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Test fixture (published in this module's test-jar): received chunks made from byte arrays, laid
 * out the way a zcrx area or buffer ring lays them out, plus a counting {@link ChunkOwner} whose
 * {@link #outstanding()} is the leak check.
 *
 * <pre>
 *   arena (one direct buffer, real native address):
 *   | guard | chunk 0 bytes | guard | chunk 1 bytes | guard | ... | guard |
 * </pre>
 *
 * Every chunk built by one call shares one direct "arena" buffer as its {@link RxChunk#memory()}
 * (as all chunks of a zcrx area share the area), starts at a non-zero index, and is separated from
 * the next by {@link #GUARD_LENGTH} bytes of {@link #GUARD_BYTE}: code that reads past a slice end
 * reads garbage instead of the next chunk's (correct) bytes and fails. Addresses come from JNA
 * {@code Native.getDirectBufferPointer}, so {@link GatherList} sees real native memory.
 *
 * <p>Ownership: the builder methods that return chunks leave the caller one reference per chunk;
 * the ones that return a {@link SliceList} leave the list as the only holder (releasing the list
 * gives every chunk back). Not thread-safe.
 */
public final class TestChunks implements ChunkOwner {
    public static final int GUARD_LENGTH = 7;
    public static final byte GUARD_BYTE = (byte) 0xA5;

    private int outstanding;
    private long wrapped;
    private long released;
    private long nextToken;

    /** Chunks wrapped and not yet given back (0 = no leak). */
    public int outstanding() {
        return outstanding;
    }

    public long wrapped() {
        return wrapped;
    }

    public long released() {
        return released;
    }

    @Override
    public void onChunkReleased(RxChunk chunk) {
        if (chunk.refCount() != 0) {
            throw new IllegalStateException("chunk given back while referenced: " + chunk);
        }
        outstanding--;
        released++;
        if (outstanding < 0) {
            throw new IllegalStateException("more chunks given back than wrapped: released=" + released + ", wrapped="
                + wrapped);
        }
    }

    /**
     * Cuts {@code data} at the given positions (sorted, duplicates and 0/length ignored) into chunks;
     * the caller holds one reference on each.
     */
    public List<RxChunk> chunks(byte[] data, int... cuts) {
        final int[] bounds = bounds(data.length, cuts);
        int total = GUARD_LENGTH;
        for (int i = 0; i + 1 < bounds.length; i++) {
            total += bounds[i + 1] - bounds[i] + GUARD_LENGTH;
        }
        final ByteBuffer arena = ByteBuffer.allocateDirect(Math.max(total, 1)).order(ByteOrder.BIG_ENDIAN);
        final long address = Pointer.nativeValue(Native.getDirectBufferPointer(arena));
        for (int i = 0; i < arena.capacity(); i++) {
            arena.put(i, GUARD_BYTE);
        }
        final List<RxChunk> out = new ArrayList<>(bounds.length);
        int index = GUARD_LENGTH;
        for (int i = 0; i + 1 < bounds.length; i++) {
            final int n = bounds[i + 1] - bounds[i];
            arena.put(index, data, bounds[i], n);
            out.add(wrap(arena, address, index, n));
            index += n + GUARD_LENGTH;
        }
        return out;
    }

    /** One chunk per byte. */
    public List<RxChunk> chunksOnePerByte(byte[] data) {
        final int[] cuts = new int[Math.max(0, data.length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return chunks(data, cuts);
    }

    /** A slice list over {@code data} cut at {@code cuts}; the list holds the only references. */
    public SliceList slices(byte[] data, int... cuts) {
        return toSlices(chunks(data, cuts));
    }

    public SliceList slicesOnePerByte(byte[] data) {
        return toSlices(chunksOnePerByte(data));
    }

    /** A slice list over {@code data} cut at up to {@code cutsMax} random positions. */
    public SliceList slicesRandom(byte[] data, Random random, int cutsMax) {
        return slices(data, randomCuts(data.length, random, cutsMax));
    }

    /** Moves the caller's chunk references into a new slice list. */
    public static SliceList toSlices(List<RxChunk> chunks) {
        final SliceList list = new SliceList();
        for (RxChunk c : chunks) {
            list.add(c, c.index(), c.length());
            c.release();
        }
        return list;
    }

    /** Drops the caller's reference on each chunk. */
    public static void releaseAll(List<RxChunk> chunks) {
        for (RxChunk c : chunks) {
            c.release();
        }
    }

    /** Up to {@code cutsMax} distinct cut positions in (0, length), sorted. */
    public static int[] randomCuts(int length, Random random, int cutsMax) {
        if (length < 2 || cutsMax <= 0) {
            return new int[0];
        }
        final int n = random.nextInt(Math.min(cutsMax, length - 1) + 1);
        final TreeSet<Integer> cuts = new TreeSet<>();
        while (cuts.size() < n) {
            cuts.add(1 + random.nextInt(length - 1));
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Copies the logical bytes of a slice list out (for assertions). */
    public static byte[] bytes(SliceList slices) {
        final byte[] out = new byte[slices.totalLength()];
        for (int s = 0; s < slices.count(); s++) {
            slices.chunk(s).memory().get(slices.index(s), out, slices.start(s), slices.length(s));
        }
        return out;
    }

    /** Copies {@code [position, position + length)} of a slice list out. */
    public static byte[] bytes(SliceList slices, int position, int length) {
        return Arrays.copyOfRange(bytes(slices), position, position + length);
    }

    private RxChunk wrap(ByteBuffer arena, long address, int index, int length) {
        final RxChunk chunk = new RxChunk().wrap(this, arena, address, index, length, nextToken++);
        outstanding++;
        wrapped++;
        return chunk;
    }

    private static int[] bounds(int length, int[] cuts) {
        final TreeSet<Integer> set = new TreeSet<>();
        set.add(0);
        set.add(length);
        for (int c : cuts) {
            if (c < 0 || c > length) {
                throw new IllegalArgumentException("cut outside data: cut=" + c + ", length=" + length);
            }
            set.add(c);
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }
}
