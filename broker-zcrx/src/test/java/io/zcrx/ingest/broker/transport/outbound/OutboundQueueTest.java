package io.zcrx.ingest.broker.transport.outbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundQueueTest {

    /** Drains up to {@code max} bytes the way a transport would, appending them to {@code sink}. */
    private static long drain(OutboundQueue q, long max, ByteArrayOutputStream sink) throws IOException {
        long taken = 0;
        while (!q.isEmpty() && taken < max) {
            if (q.headIsFile()) {
                final int n = (int) Math.min(max - taken, q.headFileRemaining());
                final ByteBuffer b = ByteBuffer.allocate(n);
                q.headFile().read(b, q.headFilePosition());
                sink.write(b.array(), 0, n);
                q.consumed(n);
                taken += n;
            } else {
                final ByteBuffer h = q.headBuffer();
                final int n = (int) Math.min(max - taken, h.remaining());
                final byte[] a = new byte[n];
                h.get(a);
                sink.write(a);
                q.consumed(n);
                taken += n;
            }
            q.checkInvariants();
        }
        return taken;
    }

    @Test
    void randomWritesAndPartialSendsPreserveOrder(@TempDir Path dir) throws IOException {
        // Goal: whatever mix of encoded writes, copied writes and file regions is queued, and however
        // the sends are cut, the bytes leave in order and every block goes back to the pool.
        // Method: a model (expected byte stream) against the queue, random operations, seeded.
        final long seed = System.nanoTime();
        final Random r = new Random(seed);
        final Path f = dir.resolve("region");
        final byte[] fileBytes = new byte[50_000];
        r.nextBytes(fileBytes);
        Files.write(f, fileBytes);
        final OutboundBlockPool pool = new OutboundBlockPool(4096, 8);
        final OutboundQueue q = new OutboundQueue(pool);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        final ByteArrayOutputStream actual = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            for (int op = 0; op < 3000; op++) {
                switch (r.nextInt(4)) {
                    case 0: {
                        final int n = 1 + r.nextInt(r.nextBoolean() ? 100 : 9000);
                        final byte[] b = new byte[n];
                        r.nextBytes(b);
                        final ByteBuffer v = q.beginWrite(n);
                        v.put(b);
                        q.commitWrite();
                        expected.write(b);
                        break;
                    }
                    case 1: {
                        final byte[] b = new byte[1 + r.nextInt(12_000)];
                        r.nextBytes(b);
                        q.write(ByteBuffer.wrap(b));
                        expected.write(b);
                        break;
                    }
                    case 2: {
                        final int pos = r.nextInt(fileBytes.length - 1);
                        final int len = 1 + r.nextInt(fileBytes.length - pos - 1);
                        q.addFileRegion(ch, pos, len);
                        expected.write(fileBytes, pos, len);
                        break;
                    }
                    default:
                        drain(q, 1 + r.nextInt(20_000), actual);
                }
                q.checkInvariants();
            }
            drain(q, Long.MAX_VALUE, actual);
        }
        assertArrayEquals(expected.toByteArray(), actual.toByteArray(), "seed=" + seed);
        assertTrue(q.isEmpty());
        assertEquals(0, pool.blocksInUse(), "seed=" + seed);
    }

    @Test
    void headBuffersGathersUpToAFileRegion(@TempDir Path dir) throws IOException {
        // Goal: a gathering write never jumps over a file region (order would break).
        final Path f = dir.resolve("x");
        Files.write(f, new byte[100]);
        final OutboundQueue q = new OutboundQueue(new OutboundBlockPool(1024, 4));
        q.write(ByteBuffer.wrap(new byte[1500]));
        try (FileChannel ch = FileChannel.open(f)) {
            q.addFileRegion(ch, 0, 100);
            q.write(ByteBuffer.wrap(new byte[10]));
            final ByteBuffer[] views = new ByteBuffer[8];
            assertEquals(2, q.headBuffers(views));
            assertEquals(1024, views[0].remaining());
            assertEquals(476, views[1].remaining());
            q.consumed(1500);
            assertTrue(q.headIsFile());
            assertEquals(0, q.headBuffers(views));
            q.consumed(100);
            assertEquals(10, q.headLength());
            q.consumed(10);
            assertTrue(q.isEmpty());
        }
    }

    @Test
    void aRegionBeingSentNeverMoves() {
        // Goal: the address of unsent bytes stays valid while more responses are appended (an
        // io_uring SEND may be reading it).
        final OutboundQueue q = new OutboundQueue(new OutboundBlockPool(4096, 4));
        final ByteBuffer v = q.beginWrite(100);
        v.put(new byte[100]);
        q.commitWrite();
        final long address = q.headAddress();
        for (int i = 0; i < 100; i++) {
            q.write(ByteBuffer.wrap(new byte[300]));
        }
        assertEquals(address, q.headAddress());
        q.consumed(60);
        assertEquals(address + 60, q.headAddress());
    }

    @Test
    void aPinnedFileRegionIsUnpinnedOnceWhenSentOrDropped(@TempDir Path dir) throws IOException {
        // Goal: a region whose file its owner may close (the log's open-segment cache) holds its pin
        // while any of it is unsent, and gives it back exactly once: when its last byte is consumed,
        // when the queue is cleared (connection closed), or at once when nothing is queued.
        // Method: a counting Source; two pinned regions, one sent in two parts, one dropped by clear.
        final Path f = dir.resolve("region");
        Files.write(f, new byte[1000]);
        final int[] unpinned = new int[1];
        final FileRegionRecords.Source source = new FileRegionRecords.Source() {
            @Override
            public FileChannel pin() {
                throw new AssertionError("the caller pins, the queue only unpins");
            }

            @Override
            public void unpin() {
                unpinned[0]++;
            }
        };
        final OutboundQueue q = new OutboundQueue(new OutboundBlockPool(4096, 2));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            q.addFileRegion(ch, 0, 600, source);
            q.write(ByteBuffer.wrap(new byte[10]));
            q.addFileRegion(ch, 600, 400, source);
            final ByteArrayOutputStream sink = new ByteArrayOutputStream();
            drain(q, 300, sink);
            assertEquals(0, unpinned[0], "part of the first region is still unsent");
            drain(q, 300, sink);
            assertEquals(1, unpinned[0], "the first region is sent");
            drain(q, 100, sink);
            assertEquals(1, unpinned[0]);
            q.clear();
            assertEquals(2, unpinned[0], "the second region is dropped with the connection");
            q.addFileRegion(ch, 0, 0, source);
            assertEquals(3, unpinned[0], "an empty region queues nothing and gives the pin back");
            assertTrue(q.isEmpty());
        }
    }
}
