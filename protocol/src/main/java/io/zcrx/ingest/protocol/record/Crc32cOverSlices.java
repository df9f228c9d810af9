package io.zcrx.ingest.protocol.record;

import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli, the record batch checksum, docs/kafka-protocol-notes.md#batch-crc) of a logical range of a
 * {@link SliceList}, fed to {@link CRC32C#update(ByteBuffer)} one chunk-memory range per slice, so
 * direct memory goes through the JDK's intrinsic with no copy and no allocation.
 *
 * <p>{@code CRC32C.update(ByteBuffer)} reads {@code [position, limit)}, so each chunk's memory view
 * is aimed at the range and then given its position and limit back: the views are shared region
 * views (a whole zcrx area) and absolute gets elsewhere are bounded by the limit. Call it only on
 * the reactor thread that owns the chunks (their views are confined to it).
 */
public final class Crc32cOverSlices {
    private Crc32cOverSlices() {
    }

    /** Feeds the logical range {@code [from, to)} of {@code slices} to {@code crc}. */
    public static void update(CRC32C crc, SliceList slices, int from, int to) {
        if (from < 0 || from > to || to > slices.totalLength()) {
            throw new IndexOutOfBoundsException("CRC range outside slices: from=" + from + ", to=" + to
                + ", totalLength=" + slices.totalLength());
        }
        if (from == to) {
            return;
        }
        int s = slices.sliceAt(from);
        int p = from;
        while (p < to) {
            final int offset = p - slices.start(s);
            final int n = Math.min(to - p, slices.length(s) - offset);
            final ByteBuffer m = slices.chunk(s).memory();
            final int index = slices.index(s) + offset;
            final int savedPosition = m.position();
            final int savedLimit = m.limit();
            m.clear();
            m.limit(index + n);
            m.position(index);
            crc.update(m);
            m.limit(savedLimit);
            m.position(savedPosition);
            p += n;
            s++;
        }
    }

    /** The CRC-32C of {@code [from, to)}, using (and resetting) {@code scratch}. */
    public static long compute(CRC32C scratch, SliceList slices, int from, int to) {
        scratch.reset();
        update(scratch, slices, from, to);
        return scratch.getValue();
    }
}
