package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.uring.NativeRegion;
import io.zcrx.ingest.broker.uring.UringConstants;
import io.zcrx.ingest.broker.uring.testkit.StreamPattern;
import io.zcrx.ingest.broker.uring.zcrx.RefillRing;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zcrx receive path below the ring, on memory laid out exactly like the kernel's: RECV_ZC data CQEs
 * (as the kernel would post them: {@code zcqe.off} into the area, {@code res} bytes, never across a
 * 4 KiB niov) become chunks at the right address; releasing them in any order writes exactly one refill
 * entry per CQE ({@code off | token}, {@code len = res}, pad 0) even through a full refill ring, and the
 * ledger counts niovs. The test thread plays the kernel for the refill ring here, with the same
 * acquire/release protocol as {@code io_zcrx_ring_refill} (see {@code RefillRingTest}); no NIC on this
 * machine can post real RECV_ZC CQEs.
 */
class ZcrxReceiveMemoryTest {
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final long TOKEN = 2L << UringConstants.IORING_ZCRX_AREA_SHIFT;

    static final class Account implements ReceiveAccount {
        long held;

        @Override
        public void addHeldBytes(long delta) {
            held += delta;
        }

        @Override
        public long heldBytes() {
            return held;
        }
    }

    @Test
    void cqesBecomeChunksAndEveryReleaseBecomesOneRefillEntry() throws Exception {
        // Goal: CQE -> chunk -> release -> refill entry, exactly once each, with a refill ring too small to
        // take them all at once (stash path). Method: 64 niov area, 16-entry refill ring; 300 CQEs of
        // random length, several per niov, pattern bytes "DMA'd" at their offsets; chunks released in
        // random order; the kernel side consumes 16 entries at a time between publishes.
        try (NativeRegion area = NativeRegion.anonymous(64 * 4096L, "test area");
             NativeRegion refillRegion = NativeRegion.anonymous(2 * 4096L, "test refill region")) {
            final ByteBuffer rq = refillRegion.nativeOrderView();
            final RefillRing refill = new RefillRing(rq, 0, 4, 64, 16, TOKEN);
            final List<RxChunk> delivered = new ArrayList<>();
            final ZcrxReceiveMemory memory =
                new ZcrxReceiveMemory(7, area, refill, (account, chunk) -> delivered.add(chunk));
            final ByteBuffer dma = area.nativeOrderView();
            final Random random = new Random(3);
            final Account account = new Account();
            final Map<Long, Integer> expectedEntries = new HashMap<>();
            long position = 0;
            int niov = 0;
            int inNiov = 0;
            for (int i = 0; i < 300; i++) {
                final int len = 1 + random.nextInt(1500);
                if (inNiov + len > 4096) {
                    niov = (niov + 1) % 64;
                    inNiov = 0;
                }
                final long off = niov * 4096L + inNiov;
                if (expectedEntries.containsKey(off)) {
                    // The kernel would not reuse a niov we still hold; release everything first.
                    releaseAll(delivered, memory, rq, refill, expectedEntries);
                }
                for (int k = 0; k < len; k++) {
                    dma.put((int) off + k, StreamPattern.byteAt(1, position + k));
                }
                memory.onData(account, len, UringConstants.IORING_CQE_F_MORE, off);
                final RxChunk c = delivered.get(delivered.size() - 1);
                assertEquals(area.address(), c.address());
                assertEquals(off, c.index());
                assertEquals(len, c.length());
                assertEquals(-1, StreamPattern.firstMismatch(c.memory(), c.index(), len, 1, position), "chunk bytes");
                expectedEntries.put(off, len);
                position += len;
                inNiov += len;
                memory.checkInvariants();
            }
            assertTrue(memory.ledger().blocksHeld() > 0 && memory.ledger().blocksHeld() <= 64);
            assertEquals(account.held, memory.ledger().outstandingBytes());
            releaseAll(delivered, memory, rq, refill, expectedEntries);
            assertEquals(0, account.held);
            assertTrue(memory.ledger().isEmpty());
            assertEquals(0, refill.stashed());
            memory.checkInvariants();
        }
    }

    /** Releases the delivered chunks in random order and plays the kernel until every entry is consumed. */
    private static void releaseAll(List<RxChunk> delivered, ZcrxReceiveMemory memory, ByteBuffer rq, RefillRing refill,
                                   Map<Long, Integer> expected) {
        Collections.shuffle(delivered, new Random(delivered.size()));
        for (RxChunk c : delivered) {
            c.release();
        }
        delivered.clear();
        int head = (int) U32.getAcquire(rq, 0);
        while (!expected.isEmpty()) {
            memory.publish();
            final int tail = (int) U32.getAcquire(rq, 4);
            assertTrue(tail != head || !expected.isEmpty(), "entries missing: " + expected.keySet());
            while (head != tail) {
                final int at = 64 + (head & 15) * ZcrxLayout.Rqe.SIZE;
                final long off = rq.getLong(at);
                assertEquals(TOKEN, off & UringConstants.IORING_ZCRX_AREA_MASK, "area token");
                assertEquals(0, rq.getInt(at + ZcrxLayout.Rqe.PAD_OFFSET), "pad");
                final Integer len = expected.remove(off & ~UringConstants.IORING_ZCRX_AREA_MASK);
                assertEquals(len, rq.getInt(at + ZcrxLayout.Rqe.LEN_OFFSET),
                    "entry for off " + (off & 0xFFFFFFFFFFFFL));
                head++;
            }
            U32.setRelease(rq, 0, head);
        }
        assertEquals(0, refill.pendingEntries());
    }

    @Test
    void cqeOutsideTheAreaOrAcrossANiovIsRefused() throws Exception {
        // Goal: a CQE we cannot map to one niov of our area is a bug, not memory corruption. Method: bad CQEs.
        try (NativeRegion area = NativeRegion.anonymous(4 * 4096L, "test area");
             NativeRegion refillRegion = NativeRegion.anonymous(4096L, "test refill region")) {
            final ZcrxReceiveMemory memory = new ZcrxReceiveMemory(0,
                area, new RefillRing(refillRegion.nativeOrderView(), 0, 4, 64, 16, 0), (a, c) -> c.release());
            final Account account = new Account();
            assertThrows(IllegalStateException.class, () -> memory.onData(account, 100, 0, 4 * 4096L));
            assertThrows(IllegalStateException.class, () -> memory.onData(account, 200, 0, 4096L - 100));
            assertThrows(IllegalStateException.class, () -> memory.onData(account, 0, 0, 0));
            assertTrue(memory.ledger().isEmpty());
        }
    }

    @Test
    void finalCqeErrnosMapToTheDocumentedActions() throws Exception {
        // Goal: the RECV_ZC end table (docs/kernel-abi.md#recv_zc-ends). Method: classify each terminating res.
        try (NativeRegion area = NativeRegion.anonymous(4096L, "test area");
             NativeRegion refillRegion = NativeRegion.anonymous(4096L, "test refill region")) {
            final ZcrxReceiveMemory m = new ZcrxReceiveMemory(0,
                area, new RefillRing(refillRegion.nativeOrderView(), 0, 4, 64, 16, 0), (a, c) -> c.release());
            assertEquals(RecvEnd.EOF, m.classifyEnd(0));
            assertEquals(RecvEnd.CQ_OVERFLOW, m.classifyEnd(-Errno.ENOSPC));
            assertEquals(RecvEnd.REARM_WHEN_MEMORY, m.classifyEnd(-Errno.ENOMEM));
            assertEquals(RecvEnd.MISROUTED, m.classifyEnd(-Errno.EFAULT));
            assertEquals(RecvEnd.NOT_PLAIN_TCP, m.classifyEnd(-Errno.EPROTONOSUPPORT));
            assertEquals(RecvEnd.CANCELED, m.classifyEnd(-Errno.ECANCELED));
            assertEquals(RecvEnd.SOCKET_ERROR, m.classifyEnd(-Errno.ECONNRESET));
            assertEquals(RecvEnd.BUG, m.classifyEnd(-Errno.EINVAL));
        }
    }
}
