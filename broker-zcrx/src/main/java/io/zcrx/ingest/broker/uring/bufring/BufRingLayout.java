package io.zcrx.ingest.broker.uring.bufring;

/**
 * Byte layouts of the provided-buffer-ring uapi structs ({@code include/uapi/linux/io_uring.h};
 * docs/kernel-abi.md#provided-buffer-ring-structs), offsets chained field by field, checked by {@code UringLayoutTest}.
 */
public final class BufRingLayout {
    private BufRingLayout() {
    }

    /**
     * {@code struct io_uring_buf} (16 bytes): one ring entry. The ring's u16 tail overlays
     * {@code bufs[0].resv} ({@code struct io_uring_buf_ring}), so entry 0's {@code resv} is never written
     * as part of an entry.
     */
    public static final class Buf {
        public static final int ADDR_OFFSET = 0;
        public static final int ADDR_LENGTH = 8;
        public static final int LEN_OFFSET = ADDR_OFFSET + ADDR_LENGTH;
        public static final int LEN_LENGTH = 4;
        public static final int BID_OFFSET = LEN_OFFSET + LEN_LENGTH;
        public static final int BID_LENGTH = 2;
        public static final int RESV_OFFSET = BID_OFFSET + BID_LENGTH;
        public static final int RESV_LENGTH = 2;
        public static final int SIZE = RESV_OFFSET + RESV_LENGTH;
        /** {@code io_uring_buf_ring.tail}: u16 at byte 14 of the ring memory (= bufs[0].resv). */
        public static final int RING_TAIL_OFFSET = RESV_OFFSET;
        public static final int RING_TAIL_LENGTH = RESV_LENGTH;

        private Buf() {
        }
    }

    /** {@code struct io_uring_buf_reg} (40 bytes) for {@code IORING_(UN)REGISTER_PBUF_RING}, nr_args = 1. */
    public static final class BufReg {
        public static final int RING_ADDR_OFFSET = 0;
        public static final int RING_ADDR_LENGTH = 8;
        public static final int RING_ENTRIES_OFFSET = RING_ADDR_OFFSET + RING_ADDR_LENGTH;
        public static final int RING_ENTRIES_LENGTH = 4;
        public static final int BGID_OFFSET = RING_ENTRIES_OFFSET + RING_ENTRIES_LENGTH;
        public static final int BGID_LENGTH = 2;
        public static final int FLAGS_OFFSET = BGID_OFFSET + BGID_LENGTH;
        public static final int FLAGS_LENGTH = 2;
        public static final int MIN_LEFT_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int MIN_LEFT_LENGTH = 4;
        public static final int RESV_OFFSET = MIN_LEFT_OFFSET + MIN_LEFT_LENGTH;
        public static final int RESV_LENGTH = 20;
        public static final int SIZE = RESV_OFFSET + RESV_LENGTH;

        private BufReg() {
        }
    }

    /** {@code struct io_uring_buf_status} (40 bytes) for {@code IORING_REGISTER_PBUF_STATUS} (6.8+). */
    public static final class BufStatus {
        public static final int BUF_GROUP_OFFSET = 0;
        public static final int BUF_GROUP_LENGTH = 4;
        public static final int HEAD_OFFSET = BUF_GROUP_OFFSET + BUF_GROUP_LENGTH;
        public static final int HEAD_LENGTH = 4;
        public static final int RESV_OFFSET = HEAD_OFFSET + HEAD_LENGTH;
        public static final int RESV_LENGTH = 32;
        public static final int SIZE = RESV_OFFSET + RESV_LENGTH;

        private BufStatus() {
        }
    }
}
