package io.zcrx.ingest.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameAssemblerTest {
    private static final int MAX = 1 << 16;

    private final TestChunks chunks = new TestChunks();
    private final List<FrameAssembler> assemblers = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        for (FrameAssembler a : assemblers) {
            assertEquals(0, a.openFrames(), "frames not closed: " + a);
            a.close();
        }
        assertEquals(0, chunks.outstanding(), "chunks not given back");
    }

    /** An assembler whose open frames the leak check looks at after the test. */
    private FrameAssembler assembler(int frameBytesMax) {
        final FrameAssembler a = new FrameAssembler(frameBytesMax);
        assemblers.add(a);
        return a;
    }

    /** Collects each frame's bytes and closes it (or keeps it open when asked). */
    private static final class Collector implements FrameSink {
        final List<byte[]> bodies = new ArrayList<>();
        final List<Frame> kept = new ArrayList<>();
        boolean keepOpen;

        @Override
        public void onFrame(Frame frame) {
            assertEquals(frame.size(), frame.body().totalLength(), "frame size prefix vs body");
            bodies.add(TestChunks.bytes(frame.body()));
            if (keepOpen) {
                kept.add(frame);
            } else {
                frame.close();
            }
        }

        void closeKept() {
            for (Frame f : kept) {
                f.close();
            }
            kept.clear();
        }
    }

    /** Pattern bodies (each byte derived from its stream position) and the stream with size prefixes. */
    private static byte[] stream(List<byte[]> bodies, int... sizes) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int position = 0;
        for (int size : sizes) {
            final byte[] body = new byte[size];
            for (int i = 0; i < size; i++) {
                body[i] = (byte) ((position + 4 + i) * 131 + 17);
            }
            bodies.add(body);
            out.writeBytes(ByteBuffer.allocate(4).putInt(size).array());
            out.writeBytes(body);
            position += 4 + size;
        }
        return out.toByteArray();
    }

    private void feed(FrameAssembler assembler, List<RxChunk> list, FrameSink sink) {
        try {
            for (RxChunk c : list) {
                assertEquals(FrameAssembler.OK, assembler.onChunk(c, sink));
            }
        } finally {
            TestChunks.releaseAll(list);
        }
    }

    private void assertFrames(List<byte[]> expected, List<byte[]> got, String layout) {
        assertEquals(expected.size(), got.size(), "frame count, " + layout);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), "frame " + i + ", " + layout);
        }
    }

    // Goal: several frames in one chunk come out whole, in order, as slices of that chunk. Method:
    // five frames (one empty) in a single chunk; each frame's slices point into the chunk.
    @Test
    void severalFramesPerChunk() {
        final List<byte[]> expected = new ArrayList<>();
        final byte[] data = stream(expected, 10, 1, 0, 300, 7);
        final FrameAssembler assembler = assembler(MAX);
        final List<RxChunk> one = chunks.chunks(data);
        final List<Frame> seen = new ArrayList<>();
        final Collector sink = new Collector();
        sink.keepOpen = true;
        feed(assembler, one, sink);
        assertFrames(expected, sink.bodies, "one chunk");
        assertEquals(5, assembler.openFrames());
        for (Frame f : sink.kept) {
            seen.add(f);
            assertTrue(f.body().count() <= 1, "a frame inside one chunk is one slice");
        }
        assertFalse(assembler.inFrame());
        assertEquals(0, assembler.bufferedBytes());
        assertTrue(chunks.outstanding() > 0, "open frames hold their chunk");
        sink.closeKept();
        assertEquals(0, assembler.openFrames());
        assertThrows(IllegalStateException.class, () -> seen.get(0).close(), "double close");
        assembler.close();
    }

    // Goal: the size prefix may be split after any of its bytes. Method: two frames, the first
    // prefix cut after byte 1, 2 and 3 (and the second prefix likewise); in-between state checked.
    @Test
    void sizePrefixSplitAtEachByte() {
        for (int cut = 1; cut <= 4; cut++) {
            final List<byte[]> expected = new ArrayList<>();
            final byte[] data = stream(expected, 20, 33);
            final int second = 4 + 20;
            final FrameAssembler assembler = assembler(MAX);
            final Collector sink = new Collector();
            final List<RxChunk> list = chunks.chunks(data, cut, second + cut);
            assertEquals(FrameAssembler.OK, assembler.onChunk(list.get(0), sink));
            assertTrue(assembler.inFrame(), "cut=" + cut);
            assertEquals(cut, assembler.bufferedBytes(), "cut=" + cut);
            assertEquals(FrameAssembler.OK, assembler.onChunk(list.get(1), sink));
            assertEquals(1, sink.bodies.size());
            assertEquals(cut, assembler.bufferedBytes(), "second prefix, cut=" + cut);
            assertEquals(FrameAssembler.OK, assembler.onChunk(list.get(2), sink));
            TestChunks.releaseAll(list);
            assertFrames(expected, sink.bodies, "cut=" + cut);
            assertFalse(assembler.inFrame());
            assembler.close();
            assertEquals(0, assembler.openFrames());
        }
    }

    // Goal: the worst fragmentation, one byte per chunk, still yields the same frames. Method: a
    // stream of frames fed one byte per chunk; bufferedBytes grows one by one within a frame.
    @Test
    void oneBytePerChunk() {
        final List<byte[]> expected = new ArrayList<>();
        final byte[] data = stream(expected, 5, 0, 64, 1);
        final FrameAssembler assembler = assembler(MAX);
        final Collector sink = new Collector();
        final List<RxChunk> list = chunks.chunksOnePerByte(data);
        int buffered = 0;
        for (RxChunk c : list) {
            final int before = sink.bodies.size();
            assertEquals(FrameAssembler.OK, assembler.onChunk(c, sink));
            buffered = sink.bodies.size() > before ? 0 : buffered + 1;
            assertEquals(buffered, assembler.bufferedBytes());
        }
        TestChunks.releaseAll(list);
        assertFrames(expected, sink.bodies, "one byte per chunk");
        assertEquals(0, assembler.openFrames());
        assembler.close();
    }

    // Goal: any cut set gives the same frames and the frame pool is reused. Method: jqwik seed ->
    // random frame sizes and random cuts; frames are kept open across chunks sometimes, so several
    // pooled frames are in use at once; at the end no chunk or frame is outstanding.
    @Property(tries = 300)
    void randomCutsGiveTheSameFrames(@ForAll long seed) {
        final Random random = new Random(seed);
        final int[] sizes = new int[1 + random.nextInt(8)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = random.nextInt(5) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 16 : 2000);
        }
        final List<byte[]> expected = new ArrayList<>();
        final byte[] data = stream(expected, sizes);
        final FrameAssembler assembler = new FrameAssembler(MAX);
        final Collector sink = new Collector();
        sink.keepOpen = random.nextBoolean();
        final List<RxChunk> list = chunks.chunks(data, TestChunks.randomCuts(data.length, random, 40));
        feed(assembler, list, sink);
        assertFrames(expected, sink.bodies, "seed=" + seed);
        assertEquals(sink.keepOpen ? sizes.length : 0, assembler.openFrames(), "seed=" + seed);
        sink.closeKept();
        assertEquals(0, assembler.openFrames(), "seed=" + seed);
        assertFalse(assembler.inFrame(), "seed=" + seed);
        assembler.close();
        assertEquals(0, chunks.outstanding(), "seed=" + seed);
    }

    // Goal: a negative size fails with its code, keeps failing, and releases what it held. Method:
    // one good frame then a negative prefix (split over two chunks), then more bytes.
    @Test
    void negativeSizeFailsAndStaysFailed() {
        final List<byte[]> expected = new ArrayList<>();
        final byte[] good = stream(expected, 12);
        final byte[] data = new byte[good.length + 4 + 8];
        System.arraycopy(good, 0, data, 0, good.length);
        ByteBuffer.wrap(data, good.length, 4).putInt(-5);
        final FrameAssembler assembler = assembler(MAX);
        final Collector sink = new Collector();
        final List<RxChunk> list = chunks.chunks(data, good.length + 2, good.length + 4);
        assertEquals(FrameAssembler.OK, assembler.onChunk(list.get(0), sink));
        assertEquals(FrameAssembler.ERR_NEGATIVE_SIZE, assembler.onChunk(list.get(1), sink));
        assertEquals(-5, assembler.failedSize());
        assertEquals(FrameAssembler.ERR_FAILED, assembler.onChunk(list.get(2), sink));
        assertTrue(assembler.isFailed());
        TestChunks.releaseAll(list);
        assertFrames(expected, sink.bodies, "frame before the bad size");
        assembler.close();
        final List<RxChunk> more = chunks.chunks(new byte[] {0});
        assertEquals(FrameAssembler.ERR_FAILED, assembler.onChunk(more.get(0), sink));
        TestChunks.releaseAll(more);
    }

    // Goal: a size above frameBytesMax fails with ERR_FRAME_TOO_LARGE; exactly frameBytesMax passes.
    // Method: prefix = max (accepted, frame delivered) then max + 1 inside the same chunk.
    @Test
    void oversizedFrameFails() {
        final int max = 100;
        final List<byte[]> expected = new ArrayList<>();
        final byte[] ok = stream(expected, max);
        final byte[] data = new byte[ok.length + 4 + 3];
        System.arraycopy(ok, 0, data, 0, ok.length);
        ByteBuffer.wrap(data, ok.length, 4).putInt(max + 1);
        final FrameAssembler assembler = assembler(max);
        final Collector sink = new Collector();
        final List<RxChunk> list = chunks.chunks(data);
        assertEquals(FrameAssembler.ERR_FRAME_TOO_LARGE, assembler.onChunk(list.get(0), sink));
        assertEquals(max + 1, assembler.failedSize());
        TestChunks.releaseAll(list);
        assertFrames(expected, sink.bodies, "frame of exactly frameBytesMax");
        assertEquals(0, assembler.openFrames());
        assertThrows(IllegalArgumentException.class, () -> new FrameAssembler(0));
    }

    // Goal: closing mid-frame releases the partial frame's chunk references; frames already handed
    // out stay valid until closed. Method: one complete frame kept open plus half of the next; close.
    @Test
    void closeMidFrameReleasesThePartialFrame() {
        final List<byte[]> expected = new ArrayList<>();
        final byte[] data = stream(expected, 40, 500);
        final FrameAssembler assembler = assembler(MAX);
        final Collector sink = new Collector();
        sink.keepOpen = true;
        final List<RxChunk> list = chunks.chunks(data, 44 + 100, 44 + 200);
        assertEquals(FrameAssembler.OK, assembler.onChunk(list.get(0), sink));
        assertEquals(FrameAssembler.OK, assembler.onChunk(list.get(1), sink));
        TestChunks.releaseAll(list);
        // Chunk 0 = frame 1 (44 bytes) + prefix + 96 body bytes; chunk 1 = 100 more body bytes.
        assertEquals(4 + 196, assembler.bufferedBytes());
        assertEquals(2, chunks.outstanding());
        assembler.close();
        assertEquals(1, chunks.outstanding(), "only the chunk under the open frame is still held");
        final List<RxChunk> more = chunks.chunks(new byte[] {0, 0, 0, 1, 9});
        assertEquals(FrameAssembler.ERR_FAILED, assembler.onChunk(more.get(0), sink));
        TestChunks.releaseAll(more);
        assertEquals(1, assembler.openFrames());
        assertArrayEquals(expected.get(0), sink.bodies.get(0));
        sink.closeKept();
        assertEquals(0, assembler.openFrames());
    }

    // Goal: a sink that closes the assembler from inside onFrame stops the loop cleanly. Method: a
    // chunk with three frames; the sink closes the assembler on the first.
    @Test
    void sinkClosingTheAssemblerStopsTheChunk() {
        final List<byte[]> expected = new ArrayList<>();
        final byte[] data = stream(expected, 3, 4, 5);
        final FrameAssembler assembler = assembler(MAX);
        final List<RxChunk> list = chunks.chunks(data);
        final List<Frame> got = new ArrayList<>();
        final int code = assembler.onChunk(list.get(0), frame -> {
            got.add(frame);
            assembler.close();
        });
        TestChunks.releaseAll(list);
        assertEquals(FrameAssembler.ERR_FAILED, code);
        assertEquals(1, got.size());
        got.get(0).close();
        assertEquals(0, assembler.openFrames());
    }

    // Goal: the frame pool makes steady state reuse Frame objects. Method: feed the same two-frame
    // stream many times closing each frame; only two distinct Frame objects are ever seen.
    @Test
    void framesComeFromAPool() {
        final FrameAssembler assembler = assembler(MAX);
        final Set<Frame> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<Frame> open = new ArrayList<>();
        for (int round = 0; round < 50; round++) {
            final byte[] data = stream(new ArrayList<>(), 8, 9);
            final List<RxChunk> list = chunks.chunks(data, 5);
            feed(assembler, list, frame -> {
                distinct.add(frame);
                open.add(frame);
            });
            for (Frame f : open) {
                f.close();
            }
            open.clear();
        }
        assertEquals(2, distinct.size());
        assembler.close();
    }
}
