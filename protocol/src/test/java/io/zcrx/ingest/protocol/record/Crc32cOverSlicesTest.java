package io.zcrx.ingest.protocol.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class Crc32cOverSlicesTest {
    private final TestChunks chunks = new TestChunks();
    private final CRC32C crc = new CRC32C();

    // Goal: the CRC over any sub-range of any slicing equals the CRC of the same bytes in one array,
    // and every chunk view keeps the position and limit it had. Method: jqwik seed -> payload, cut
    // set, range; views are given an odd position/limit first and checked afterwards.
    @Property(tries = 300)
    void matchesTheContiguousCrc(@ForAll long seed) {
        final Random random = new Random(seed);
        final byte[] data = new byte[1 + random.nextInt(3000)];
        random.nextBytes(data);
        final SliceList slices = chunks.slicesRandom(data, random, 16);
        try {
            final ByteBuffer view = slices.chunk(0).memory();
            view.limit(view.capacity() - 1).position(2);
            final int from = random.nextInt(data.length);
            final int to = from + random.nextInt(data.length - from + 1);
            final CRC32C expected = new CRC32C();
            expected.update(data, from, to - from);
            assertEquals(expected.getValue(), Crc32cOverSlices.compute(crc, slices, from, to), "seed=" + seed);
            assertEquals(2, view.position(), "seed=" + seed);
            assertEquals(view.capacity() - 1, view.limit(), "seed=" + seed);
            view.clear();
            assertThrows(IndexOutOfBoundsException.class, () -> Crc32cOverSlices.update(crc, slices, 0, data.length
                + 1));
        } finally {
            slices.releaseAll();
        }
        assertEquals(0, chunks.outstanding(), "seed=" + seed);
    }
}
