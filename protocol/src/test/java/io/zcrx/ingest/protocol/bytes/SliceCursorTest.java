package io.zcrx.ingest.protocol.bytes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.utils.ByteUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SliceCursorTest {
    private static final int PAD = 3;

    private final TestChunks chunks = new TestChunks();
    private final SliceCursor cursor = new SliceCursor();

    @AfterEach
    void noLeaks() {
        assertEquals(0, chunks.outstanding(), "chunks not given back");
    }

    static final int[] INT_EDGES = {0, 1, -1, 2, -2, 63, 64, -64, -65, 127, 128, 255, 256, 8191, 8192, 16383, 16384,
        (1 << 21) - 1, 1 << 21, (1 << 28) - 1, 1 << 28, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1,
        Integer.MIN_VALUE + 1, 0x7F7F7F7F, 0x80808080};

    static final long[] LONG_EDGES = {0L, 1L, -1L, 63L, 64L, -64L, -65L, 127L, 128L, (1L << 35) - 1, 1L << 35,
        (1L << 42) - 1, 1L << 42, (1L << 49) - 1, 1L << 49, (1L << 56) - 1, 1L << 56, (1L << 62), -(1L << 62),
        Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 1_700_000_000_000L,
            -1_700_000_000_000L};

    /** One field: how to encode it, how to read it, what must come back. */
    private record Case(String name, byte[] encoded, Function<SliceCursor, Object> read, Object expected) {
    }

    private static List<Case> cases() {
        final List<Case> out = new ArrayList<>();
        for (int v : INT_EDGES) {
            out.add(new Case("int8 " + (byte) v, put(1, b -> b.put((byte) v)), SliceCursor::readByte, (byte) v));
            out.add(new Case("int16 " + (short) v, put(2, b -> b.putShort((short) v)), SliceCursor::readShort,
                (short) v));
            out.add(new Case("int32 " + v, put(4, b -> b.putInt(v)), SliceCursor::readInt, v));
            out.add(new Case("uvarint " + v, put(5, b -> ByteUtils.writeUnsignedVarint(v, b)),
                SliceCursor::readUnsignedVarint, v));
            out.add(new Case("varint " + v, put(5, b -> ByteUtils.writeVarint(v, b)), SliceCursor::readVarint, v));
        }
        for (long v : LONG_EDGES) {
            out.add(new Case("int64 " + v, put(8, b -> b.putLong(v)), SliceCursor::readLong, v));
            out.add(new Case("varlong " + v, put(10, b -> ByteUtils.writeVarlong(v, b)), SliceCursor::readVarlong, v));
        }
        return out;
    }

    private static byte[] put(int capacity, Consumer<ByteBuffer> writer) {
        final ByteBuffer b = ByteBuffer.allocate(capacity);
        writer.accept(b);
        b.flip();
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The field between PAD filler bytes on each side. */
    private static byte[] framed(byte[] field) {
        final byte[] data = new byte[PAD + field.length + PAD];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (0x30 + i);
        }
        System.arraycopy(field, 0, data, PAD, field.length);
        return data;
    }

    private void assertReads(Case c, SliceList slices, String layout) {
        try {
            cursor.wrap(slices, PAD, slices.totalLength());
            assertEquals(c.expected, c.read.apply(cursor), c.name + " " + layout);
            assertEquals(PAD + c.encoded.length, cursor.position(), c.name + " position after read, " + layout);
            // The next byte is the filler after the field: the read did not over- or under-run.
            assertEquals((byte) (0x30 + PAD + c.encoded.length), cursor.readByte(), c.name + " " + layout);
        } finally {
            slices.releaseAll();
        }
    }

    // Goal: every primitive reads its value wherever slice boundaries fall inside it. Method: for
    // each value, cut the bytes at every position inside the field (one cut), at every pair of
    // positions (two cuts), and once per byte; compare with kafka-clients' encoding.
    @Test
    void everyPrimitiveAtEveryStraddlePosition() {
        for (Case c : cases()) {
            final byte[] data = framed(c.encoded);
            assertReads(c, chunks.slices(data), "one slice");
            for (int cut = 0; cut <= c.encoded.length; cut++) {
                assertReads(c, chunks.slices(data, PAD + cut), "cut at " + cut);
                for (int cut2 = cut + 1; cut2 <= c.encoded.length; cut2++) {
                    assertReads(c, chunks.slices(data, PAD + cut, PAD + cut2), "cuts at " + cut + "," + cut2);
                }
            }
            assertReads(c, chunks.slicesOnePerByte(data), "one byte per slice");
        }
    }

    // Goal: varints of any value round-trip through any slicing. Method: jqwik draws values biased to
    // the edges plus a seed for random cut sets; Kafka's ByteUtils encodes, we decode.
    @Property(tries = 300)
    void varintsRoundTripOverRandomCuts(@ForAll("ints") int value, @ForAll("longs") long longValue, @ForAll long seed) {
        final Random random = new Random(seed);
        final byte[] data = concat(put(5, b -> ByteUtils.writeUnsignedVarint(value, b)),
            put(5, b -> ByteUtils.writeVarint(value, b)), put(10, b -> ByteUtils.writeVarlong(longValue, b)),
            put(8, b -> b.putLong(longValue)));
        final SliceList slices = chunks.slicesRandom(data, random, 8);
        try {
            cursor.wrap(slices, 0, data.length);
            assertEquals(value, cursor.readUnsignedVarint(), "seed=" + seed);
            assertEquals(value, cursor.readVarint(), "seed=" + seed);
            assertEquals(longValue, cursor.readVarlong(), "seed=" + seed);
            assertEquals(longValue, cursor.readLong(), "seed=" + seed);
            assertEquals(0, cursor.remaining());
        } finally {
            slices.releaseAll();
        }
        assertEquals(0, chunks.outstanding());
    }

    @Provide
    Arbitrary<Integer> ints() {
        return Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.of(box(INT_EDGES)));
    }

    @Provide
    Arbitrary<Long> longs() {
        final Long[] edges = new Long[LONG_EDGES.length];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = LONG_EDGES[i];
        }
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(edges));
    }

    // Goal: every read that would cross the limit throws ProtocolException naming position and
    // remaining, whether the limit falls inside a slice or at a slice end. Method: limit the cursor
    // one byte short of each field and read it.
    @Test
    void readsPastTheLimitThrow() {
        for (Case c : cases()) {
            final byte[] data = framed(c.encoded);
            for (int cut = 0; cut <= c.encoded.length; cut++) {
                final SliceList slices = chunks.slices(data, PAD + cut);
                try {
                    cursor.wrap(slices, PAD, PAD + c.encoded.length - 1);
                    final ProtocolException e = assertThrows(ProtocolException.class, () -> c.read.apply(cursor),
                        c.name);
                    assertTrue(e.getMessage().contains("position=" + PAD), e.getMessage());
                    assertTrue(e.getMessage().contains("remaining="), e.getMessage());
                } finally {
                    slices.releaseAll();
                }
            }
        }
        final SliceList empty = new SliceList();
        cursor.wrap(empty, 0, 0);
        assertThrows(ProtocolException.class, cursor::readByte);
        assertThrows(ProtocolException.class, cursor::readVarlong);
    }

    // Goal: overlong varints are rejected as Kafka's ByteUtils rejects them: 5 bytes with the high
    // bit still set for (unsigned) varints, 10 for varlongs; the longest legal forms still parse.
    // Method: continuation bytes in a long buffer (fast path) and cut one per byte (slow path).
    @Test
    void overlongVarintsThrow() {
        final byte[] five = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x8F, 0, 0, 0, 0, 0, 0, 0};
        final byte[] ten = new byte[16];
        for (int i = 0; i < 10; i++) {
            ten[i] = (byte) 0x81;
        }
        for (boolean onePerByte : new boolean[] {false, true}) {
            SliceList s = onePerByte ? chunks.slicesOnePerByte(five) : chunks.slices(five);
            try {
                cursor.wrap(s, 0, s.totalLength());
                ProtocolException e = assertThrows(ProtocolException.class, cursor::readUnsignedVarint);
                assertTrue(e.getMessage().contains("longer than 5 bytes: position=0"), e.getMessage());
                cursor.position(0);
                assertThrows(ProtocolException.class, cursor::readVarint);
            } finally {
                s.releaseAll();
            }
            s = onePerByte ? chunks.slicesOnePerByte(ten) : chunks.slices(ten);
            try {
                cursor.wrap(s, 0, s.totalLength());
                ProtocolException e = assertThrows(ProtocolException.class, cursor::readVarlong);
                assertTrue(e.getMessage().contains("longer than 10 bytes: position=0"), e.getMessage());
            } finally {
                s.releaseAll();
            }
        }
        // The longest legal encodings: 5 bytes ending without the continuation bit, 10 for a varlong.
        final byte[] legal = concat(put(5, b -> ByteUtils.writeUnsignedVarint(-1, b)),
            put(10, b -> ByteUtils.writeVarlong(Long.MIN_VALUE, b)));
        assertEquals(15, legal.length);
        final SliceList s = chunks.slicesOnePerByte(legal);
        try {
            cursor.wrap(s, 0, s.totalLength());
            assertEquals(-1, cursor.readUnsignedVarint());
            assertEquals(Long.MIN_VALUE, cursor.readVarlong());
        } finally {
            s.releaseAll();
        }
    }

    // Goal: skip, copyTo, position(int) and limit(int) agree with the plain bytes under any slicing.
    // Method: a pattern payload (byte = position) cut at random points; skip/copy random spans and
    // compare with the array, re-seek backwards, narrow and widen the limit.
    @Property(tries = 200)
    void skipCopyAndSeekAgreeWithTheBytes(@ForAll long seed) {
        final Random random = new Random(seed);
        final byte[] data = new byte[1 + random.nextInt(300)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        final SliceList slices = chunks.slicesRandom(data, random, 20);
        try {
            cursor.wrap(slices, 0, data.length);
            final ByteBuffer dst = ByteBuffer.allocate(data.length);
            while (cursor.remaining() > 0) {
                final int n = random.nextInt(cursor.remaining() + 1);
                final int at = cursor.position();
                if (random.nextBoolean()) {
                    cursor.skip(n);
                    dst.position(dst.position() + n);
                } else {
                    cursor.copyTo(dst, n);
                    final byte[] expected = Arrays.copyOfRange(data, at, at + n);
                    final byte[] got = Arrays.copyOfRange(dst.array(), at, at + n);
                    assertArrayEquals(expected, got, "seed=" + seed + ", at=" + at + ", n=" + n);
                }
                assertEquals(at + n, cursor.position());
            }
            final int back = random.nextInt(data.length);
            cursor.position(back);
            assertEquals(data[back], cursor.readByte(), "seed=" + seed);
            final int limit = back + 1 + random.nextInt(data.length - back);
            cursor.limit(limit);
            cursor.skip(limit - back - 1);
            assertThrows(ProtocolException.class, cursor::readByte);
            cursor.limit(data.length);
            if (limit < data.length) {
                assertEquals(data[limit], cursor.readByte(), "seed=" + seed);
            }
            assertThrows(ProtocolException.class, () -> cursor.skip(cursor.remaining() + 1));
            assertThrows(ProtocolException.class, () -> cursor.skip(-1));
        } finally {
            slices.releaseAll();
        }
        assertEquals(0, chunks.outstanding());
    }

    // Goal: wrap rejects ranges outside the slices instead of reading foreign memory. Method: bad
    // position/limit pairs.
    @Test
    void wrapChecksItsRange() {
        final SliceList s = chunks.slices(new byte[10], 4);
        try {
            assertThrows(IllegalArgumentException.class, () -> cursor.wrap(s, -1, 5));
            assertThrows(IllegalArgumentException.class, () -> cursor.wrap(s, 6, 5));
            assertThrows(IllegalArgumentException.class, () -> cursor.wrap(s, 0, 11));
            cursor.wrap(s, 10, 10);
            assertEquals(0, cursor.remaining());
        } finally {
            s.releaseAll();
        }
    }

    private static Integer[] box(int[] values) {
        final Integer[] out = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        final byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
