package io.zcrx.ingest.broker.uring.zcrx;

import io.zcrx.ingest.broker.uring.NativeRegion;
import io.zcrx.ingest.broker.uring.UringConstants;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The refill logic on ring memory laid out exactly like the kernel's, driven the way the kernel drives
 * it. This is the one place where test code plays the kernel: no zcrx-capable NIC exists on the CI
 * machine (registration answers EOPNOTSUPP on virtio_net), so {@link KernelConsumer} reproduces
 * {@code io_zcrx_ring_refill} (io_uring/zcrx.c): a second thread that load-acquires our tail, reads each
 * {@code io_uring_zcrx_rqe} with plain loads, rejects entries whose pad or area bits are wrong (the kernel
 * silently skips them, which would leak the buffer) and store-releases its head, in an anonymous mmap
 * with the header/entry offsets the kernel returns (head 0, tail 4, rqes at 8 on 6.15 and at 64 on
 * later kernels).
 */
class RefillRingTest {
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final long TOKEN = 1L << UringConstants.IORING_ZCRX_AREA_SHIFT; // area id 1, as a token would read

    /** The kernel side of the refill ring, as io_zcrx_ring_refill consumes it. */
    static final class KernelConsumer implements Runnable {
        final ByteBuffer region;
        final int head;
        final int tail;
        final int rqes;
        final int mask;
        final long[] consumedOff;
        final int[] consumedLen;
        int consumed;
        final AtomicBoolean paused = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<String> error = new AtomicReference<>();
        final int batchMax;

        KernelConsumer(ByteBuffer region, int head, int tail, int rqes, int entries, int expected, int batchMax) {
            this.region = region;
            this.head = head;
            this.tail = tail;
            this.rqes = rqes;
            this.mask = entries - 1;
            this.consumedOff = new long[expected];
            this.consumedLen = new int[expected];
            this.batchMax = batchMax;
        }

        @Override
        public void run() {
            int h = (int) U32.getAcquire(region, head);
            while (!stop.get() || (int) U32.getAcquire(region, tail) != h) {
                if (paused.get()) {
                    Thread.onSpinWait();
                    continue;
                }
                final int t = (int) U32.getAcquire(region, tail);
                // The kernel takes at most a page pool refill's worth per pass (64), like here.
                int n = Math.min(t - h, batchMax);
                while (n-- > 0) {
                    final int at = rqes + (h & mask) * ZcrxLayout.Rqe.SIZE;
                    final long off = region.getLong(at + ZcrxLayout.Rqe.OFF_OFFSET);
                    final int len = region.getInt(at + ZcrxLayout.Rqe.LEN_OFFSET);
                    final int pad = region.getInt(at + ZcrxLayout.Rqe.PAD_OFFSET);
                    if (pad != 0 || (off & UringConstants.IORING_ZCRX_AREA_MASK) != TOKEN || len <= 0) {
                        error.compareAndSet(null, "entry the kernel would skip: slot=" + (h & mask) + ", off=0x"
                            + Long.toHexString(off) + ", len=" + len + ", pad=" + pad);
                    }
                    if (consumed == consumedOff.length) {
                        error.compareAndSet(null, "more entries than offered: consumed=" + consumed);
                    } else {
                        consumedOff[consumed] = off & ~UringConstants.IORING_ZCRX_AREA_MASK;
                        consumedLen[consumed] = len;
                        consumed++;
                    }
                    h++;
                }
                U32.setRelease(region, head, h);
                Thread.onSpinWait();
            }
        }
    }

    private static ByteBuffer kernelLikeRegion(NativeRegion r) {
        return r.nativeOrderView();
    }

    @Test
    void everyOfferedEntryReachesTheKernelOnceInOrder() throws Exception {
        // Goal: with a concurrent consumer, each offered (index, length) arrives exactly once, in offer
        // order, with token and zero pad, even though the 8-entry ring is full most of the time. Method:
        // 100 000 offers, publish every few, flush the stash each round; the consumer records everything.
        runConcurrent(8, 64, 100_000, 3, 64, 1);
    }

    @Test
    void laterKernelHeaderLayoutWorksToo() throws Exception {
        // Goal: the offsets come from the kernel, not from constants. Method: same run with rqes at 8
        // (first 6.15 layout) and a 4096-entry ring.
        runConcurrent(4096, 8, 50_000, 64, 64, 2);
    }

    private void runConcurrent(int entries, int rqesOffset, int total, int publishEvery, int kernelBatch, long seed)
            throws Exception {
        try (NativeRegion r =
                NativeRegion.anonymous(NativeRegion.roundUpToPage((long) entries * 16 + 4096), "test refill region")) {
            final ByteBuffer region = kernelLikeRegion(r);
            final RefillRing ring = new RefillRing(region, 0, 4, rqesOffset, entries, TOKEN);
            final KernelConsumer kernel =
                new KernelConsumer(r.nativeOrderView(), 0, 4, rqesOffset, entries, total, kernelBatch);
            final Thread t = new Thread(kernel, "kernel-like-refill-consumer");
            t.start();
            final long[] offeredOff = new long[total];
            final int[] offeredLen = new int[total];
            final Random random = new Random(seed);
            for (int i = 0; i < total; i++) {
                // A RECV_ZC CQE: offset inside the area (niov 4 KiB), never crossing a niov; length 1..4096.
                final long niov = random.nextInt(1 << 16);
                final int start = random.nextInt(4096);
                final int len = 1 + random.nextInt(4096 - start);
                offeredOff[i] = niov * 4096 + start;
                offeredLen[i] = len;
                // Like the reactor under backpressure: a long stash means the kernel is behind; let it catch up.
                while (ring.flushStash() > 256) {
                    ring.publish();
                    Thread.onSpinWait();
                }
                ring.offer(offeredOff[i], len);
                if (i % publishEvery == 0) {
                    ring.publish();
                }
                ring.checkInvariants();
            }
            while (ring.flushStash() > 0) {
                ring.publish();
                Thread.onSpinWait();
            }
            ring.publish();
            kernel.stop.set(true);
            t.join(30_000);
            assertNull(kernel.error.get());
            assertEquals(total, kernel.consumed);
            assertArrayEquals(offeredOff, kernel.consumedOff, "refill entries out of order or corrupted");
            assertArrayEquals(offeredLen, kernel.consumedLen);
            assertEquals(total, ring.entriesWritten());
            assertEquals(0, ring.stashed());
            assertEquals(0, ring.pendingEntries());
            System.out.println("refill run: entries=" + entries + ", offered=" + total + ", stashed on the way="
                + ring.entriesStashed() + ", stash high water=" + ring.stashHighWater());
        }
    }

    @Test
    void fullRingStashesAndNeverDrops() throws Exception {
        // Goal: ring-full -> stash -> retry, nothing lost, stash drained first. Method: kernel paused, 20
        // offers into 8 slots (8 written, 12 stashed); consume 5 -> 5 stashed entries move in on flush;
        // then everything is consumed in offer order.
        try (NativeRegion r = NativeRegion.anonymous(NativeRegion.PAGE_SIZE * 2L, "test refill region")) {
            final ByteBuffer region = r.nativeOrderView();
            final RefillRing ring = new RefillRing(region, 0, 4, 64, 8, TOKEN);
            for (int i = 0; i < 20; i++) {
                ring.offer(i * 4096L, 100 + i);
            }
            ring.publish();
            assertEquals(12, ring.stashed());
            assertEquals(0, ring.freeSlots());
            assertEquals(8L * 4096, ring.stashSnapshot()[0]);

            final KernelConsumer kernel = new KernelConsumer(region, 0, 4, 64, 8, 20, 5);
            // Drive one kernel pass on this thread: consume 5 entries.
            kernel.paused.set(false);
            consumeOnce(kernel);
            assertEquals(5, kernel.consumed);
            assertEquals(7, ring.flushStash());
            ring.publish();
            while (kernel.consumed < 20) {
                consumeOnce(kernel);
                ring.flushStash();
                ring.publish();
            }
            assertNull(kernel.error.get());
            for (int i = 0; i < 20; i++) {
                assertEquals(i * 4096L, kernel.consumedOff[i]);
                assertEquals(100 + i, kernel.consumedLen[i]);
            }
            assertEquals(0, ring.stashed());
            ring.checkInvariants();
        }
    }

    private static void consumeOnce(KernelConsumer k) {
        int h = (int) U32.getAcquire(k.region, k.head);
        final int t = (int) U32.getAcquire(k.region, k.tail);
        int n = Math.min(t - h, k.batchMax);
        while (n-- > 0) {
            final int at = k.rqes + (h & k.mask) * ZcrxLayout.Rqe.SIZE;
            k.consumedOff[k.consumed] = k.region.getLong(at) & ~UringConstants.IORING_ZCRX_AREA_MASK;
            k.consumedLen[k.consumed] = k.region.getInt(at + ZcrxLayout.Rqe.LEN_OFFSET);
            if (k.region.getInt(at + ZcrxLayout.Rqe.PAD_OFFSET) != 0
                    || (k.region.getLong(at) & UringConstants.IORING_ZCRX_AREA_MASK) != TOKEN) {
                k.error.compareAndSet(null, "bad entry at slot " + (h & k.mask));
            }
            k.consumed++;
            h++;
        }
        U32.setRelease(k.region, k.head, h);
    }

    @Test
    void rejectsEntriesTheKernelWouldMisread() throws Exception {
        // Goal: bad input never reaches the ring. Method: area bits set, zero length, non-pow2 ring.
        try (NativeRegion r = NativeRegion.anonymous(NativeRegion.PAGE_SIZE, "test refill region")) {
            final RefillRing ring = new RefillRing(r.nativeOrderView(), 0, 4, 64, 16, TOKEN);
            assertThrows(IllegalArgumentException.class, () -> ring.offer(1L << 50, 10));
            assertThrows(IllegalArgumentException.class, () -> ring.offer(0, 0));
            assertThrows(IllegalArgumentException.class,
                () -> new RefillRing(r.nativeOrderView(), 0, 4, 64, 12, TOKEN));
            assertThrows(IllegalArgumentException.class,
                () -> new RefillRing(r.nativeOrderView(), 0, 4, 64, 4096, TOKEN));
        }
    }
}
