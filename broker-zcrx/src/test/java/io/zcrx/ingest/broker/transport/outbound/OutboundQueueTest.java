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
}
