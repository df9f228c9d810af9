package io.zcrx.ingest.broker.uring.zcrx;

import io.zcrx.ingest.broker.uring.NativeRegion;
import io.zcrx.ingest.broker.uring.UringConstants;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Refill entry encoding, property-based (kept apart from {@link RefillRingTest}: jqwik and Jupiter
 * report per class and one engine's report would replace the other's).
 */
class RefillEntryEncodingTest {
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    @Property(tries = 200)
    void offsetAndTokenEncoding(@ForAll @IntRange(min = 0, max = (1 << 20) - 1) int niov,
                                @ForAll @IntRange(min = 0, max = 4095) int start) throws Exception {
        // Goal: the entry encodes (zcqe.off & ~AREA_MASK) | token bit-exactly, pad 0, len = res, for
        // indexes anywhere in a 4 GiB area. Method: write one entry into kernel-shaped memory, read it raw.
        try (NativeRegion r = NativeRegion.anonymous(NativeRegion.PAGE_SIZE * 2L, "test refill region")) {
            final ByteBuffer region = r.nativeOrderView();
            final long token = 3L << UringConstants.IORING_ZCRX_AREA_SHIFT;
            final RefillRing ring = new RefillRing(region, 0, 4, 64, 16, token);
            final long index = (long) niov * 4096 + start;
            ring.offer(index, 4096 - start);
            ring.publish();
            assertEquals(1, (int) U32.getAcquire(region, 4));
            assertEquals(index | token, region.getLong(64));
            assertEquals(4096 - start, region.getInt(72));
            assertEquals(0, region.getInt(76));
        }
    }

}
