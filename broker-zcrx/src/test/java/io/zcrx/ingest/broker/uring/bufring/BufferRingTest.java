package io.zcrx.ingest.broker.uring.bufring;

import io.zcrx.ingest.broker.uring.CompletionBatch;
import io.zcrx.ingest.broker.uring.Ring;
import io.zcrx.ingest.broker.uring.Sockets;
import io.zcrx.ingest.broker.uring.SqeWriter;
import io.zcrx.ingest.broker.uring.UringConstants;
import io.zcrx.ingest.broker.uring.UringException;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.broker.uring.testkit.RingAccept;
import io.zcrx.ingest.broker.uring.testkit.StreamPattern;
import io.zcrx.ingest.nativeio.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_CQE_BUFFER_SHIFT;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_CQE_F_BUFFER;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_CQE_F_MORE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The provided-buffer ring against the real kernel on loopback TCP: registration errors, bundle CQEs
 * mapped to the buffer ids in ring-slot order (not bid order), our consumer head equal to the kernel's
 * (PBUF_STATUS), and ENOBUFS when the ring runs dry.
 */
class BufferRingTest {
    private static final int RECV_TAG = 0x5EC7;
    private Ring ring;
    private SqeWriter sqe;
    private int listenFd = -1;
    private int serverFd = -1;
    private SocketChannel client;

    @BeforeEach
    void setUp() throws IOException {
        final UringSupport support = UringSupport.get();
        assumeTrue(support.copyModeAvailable(), "skipped: copy-mode io_uring unavailable: " + support.reason());
        ring = Ring.create(32, 256, UringConstants.REACTOR_SETUP_FLAGS);
        sqe = new SqeWriter(ring);
        listenFd = Sockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, false);
        client = SocketChannel.open(Sockets.localAddress(listenFd));
        serverFd = RingAccept.acceptOne(ring, sqe, listenFd);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (client != null) {
            client.close();
        }
        if (serverFd >= 0) {
            Sockets.close(serverFd);
        }
        if (listenFd >= 0) {
            Sockets.close(listenFd);
        }
        if (ring != null) {
            ring.close();
        }
    }

    @Test
    void duplicateGroupIsRefusedWithNamedOutcome() throws Exception {
        // Goal: the registration errno reaches the caller named. Method: register bgid 3 twice.
        try (BufferRing first = BufferRing.register(ring, 3, 8, 4096)) {
            final UringException e = assertThrows(UringException.class, () -> BufferRing.register(ring, 3, 8, 4096));
            assertEquals(Errno.EEXIST, e.errno());
            assertTrue(e.getMessage().contains("GROUP_EXISTS"), e.getMessage());
            assertEquals(8, first.available());
        }
    }

    @Test
    void bundleBuffersFollowRingSlotOrder() throws Exception {
        // Goal: a bundle CQE maps to the right buffers even when buffers went back in a scrambled
        // order (observed on 6.18, docs/kernel-abi.md#bundles). Method: 8 x 1 KiB ring; consume everything once,
        // re-add bids 7,3,5,1,0,6,2,4, send 3 KiB of pattern and check the CQE covers bids 7,3,5 with the right
        // bytes in each.
        assumeTrue(UringSupport.get().bundlesSupported(), "skipped: kernel without RECVSEND_BUNDLE (< 6.10)");
        try (BufferRing br = BufferRing.register(ring, 1, 8, 1024)) {
            final long seed = 42;
            sqe.recvMultishot(serverFd, 1, true, RECV_TAG);
            long position = 0;
            sendPattern(seed, position, 8 * 1024);
            receive(br, 8 * 1024, true, seed, position);
            position += 8 * 1024;
            assertEquals(0, br.available());
            assertEquals(br.consumerHead16(), br.kernelHead(), "our consumer head must equal the kernel's");

            final int[] scrambled = {7, 3, 5, 1, 0, 6, 2, 4};
            for (int bid : scrambled) {
                br.add(bid);
            }
            br.publish();
            if (!lastArmed) {
                sqe.recvMultishot(serverFd, 1, true, RECV_TAG);
            }
            sendPattern(seed, position, 3 * 1024);
            final List<int[]> second = receive(br, 3 * 1024, true, seed, position);
            final List<Integer> bids = new ArrayList<>();
            for (int[] b : second) {
                bids.add(b[0]);
            }
            assertEquals(List.of(7, 3, 5), bids, "bundle buffers in ring-slot order");
            assertEquals(br.consumerHead16(), br.kernelHead());
            br.checkInvariants();
        }
    }

    @Test
    void emptyRingEndsTheMultishotWithEnobufs() throws Exception {
        // Goal: the termination the reactor must re-arm after. Method: 4 x 1 KiB ring without bundles,
        // send 8 KiB, consume 4 buffers, then the final CQE is -ENOBUFS without F_MORE; after refilling
        // and re-arming, the rest of the stream arrives intact.
        try (BufferRing br = BufferRing.register(ring, 2, 4, 1024)) {
            final long seed = 7;
            sqe.recvMultishot(serverFd, 2, false, RECV_TAG);
            sendPattern(seed, 0, 8 * 1024);
            final CompletionBatch batch = new CompletionBatch(32);
            int received = 0;
            int finalRes = 1;
            for (int round = 0; round < 200 && finalRes > 0; round++) {
                ring.submitAndWait(1, 50_000_000L);
                final int n = ring.drain(batch);
                for (int i = 0; i < n; i++) {
                    final int flags = batch.flags(i);
                    if ((flags & IORING_CQE_F_BUFFER) != 0) {
                        final int count = br.consume(flags >>> IORING_CQE_BUFFER_SHIFT, batch.res(i), false);
                        assertEquals(1, count);
                        received += batch.res(i);
                    }
                    if ((flags & IORING_CQE_F_MORE) == 0) {
                        finalRes = batch.res(i);
                    }
                }
            }
            assertEquals(-Errno.ENOBUFS, finalRes, "final CQE: " + Errno.describe(finalRes));
            assertEquals(4 * 1024, received);
            for (int bid = 0; bid < 4; bid++) {
                br.add(bid);
            }
            br.publish();
            sqe.recvMultishot(serverFd, 2, false, RECV_TAG);
            final List<int[]> rest = receive(br, 4 * 1024, false, seed, 4 * 1024);
            assertEquals(4, rest.size());
        }
    }

    /** Whether the last receive CQE kept the multishot armed (F_MORE). */
    private boolean lastArmed = true;

    private void sendPattern(long seed, long position, int length) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(length);
        StreamPattern.fill(b, seed, position);
        while (b.hasRemaining()) {
            client.write(b);
        }
    }

    /** Receives {@code total} bytes; returns {bid, length} per buffer and checks every byte. */
    private List<int[]> receive(BufferRing br, int total, boolean bundle, long seed, long position) {
        final List<int[]> out = new ArrayList<>();
        final ByteBuffer memory = br.buffers().bigEndianView();
        final CompletionBatch batch = new CompletionBatch(32);
        int got = 0;
        for (int round = 0; round < 400 && got < total; round++) {
            ring.submitAndWait(1, 50_000_000L);
            final int n = ring.drain(batch);
            for (int i = 0; i < n; i++) {
                final int flags = batch.flags(i);
                lastArmed = (flags & IORING_CQE_F_MORE) != 0;
                if ((flags & IORING_CQE_F_BUFFER) == 0) {
                    throw new AssertionError("receive ended without data: res=" + Errno.describe(batch.res(i)));
                }
                final int res = batch.res(i);
                final int count = br.consume(flags >>> IORING_CQE_BUFFER_SHIFT, res, bundle);
                int left = res;
                for (int k = 0; k < count; k++) {
                    final int bid = br.consumedBid(k);
                    final int len = Math.min(left, br.bufferBytes());
                    final int bad = StreamPattern.firstMismatch(memory, br.bufferIndex(bid), len, seed, position + got);
                    assertEquals(-1, bad,
                        "pattern mismatch in bid " + bid + " at stream position " + (position + got + bad));
                    out.add(new int[] {bid, len});
                    got += len;
                    left -= len;
                }
            }
        }
        assertEquals(total, got);
        return out;
    }
}
