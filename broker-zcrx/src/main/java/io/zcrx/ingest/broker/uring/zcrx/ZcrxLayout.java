package io.zcrx.ingest.broker.uring.zcrx;

/**
 * Byte layouts of the zcrx uapi structs ({@code include/uapi/linux/io_uring.h} 6.15+;
 * docs/kernel-abi.md#zcrx-structs), offsets chained field by field, checked by {@code UringLayoutTest}.
 */
public final class ZcrxLayout {
    private ZcrxLayout() {
    }

    /** {@code struct io_uring_zcrx_cqe} (16 bytes) at byte 16 of a 32-byte RECV_ZC CQE. */
    public static final class Cqe {
        /** bits 0..47: byte index of the data in the area; bits 48..63: area id. */
        public static final int OFF_OFFSET = 0;
        public static final int OFF_LENGTH = 8;
        public static final int PAD_OFFSET = OFF_OFFSET + OFF_LENGTH;
        public static final int PAD_LENGTH = 8;
        public static final int SIZE = PAD_OFFSET + PAD_LENGTH;

        private Cqe() {
        }
    }

    /** {@code struct io_uring_zcrx_rqe} (16 bytes): one refill-ring entry. */
    public static final class Rqe {
        /** {@code (zcqe.off & ~IORING_ZCRX_AREA_MASK) | rq_area_token}. */
        public static final int OFF_OFFSET = 0;
        public static final int OFF_LENGTH = 8;
        public static final int LEN_OFFSET = OFF_OFFSET + OFF_LENGTH;
        public static final int LEN_LENGTH = 4;
        /** Must be 0: the kernel silently skips entries with a non-zero pad (a leaked buffer). */
        public static final int PAD_OFFSET = LEN_OFFSET + LEN_LENGTH;
        public static final int PAD_LENGTH = 4;
        public static final int SIZE = PAD_OFFSET + PAD_LENGTH;

        private Rqe() {
        }
    }

    /** {@code struct io_uring_zcrx_offsets} (32 bytes): where head, tail and entries sit in the refill region. */
    public static final class Offsets {
        public static final int HEAD_OFFSET = 0;
        public static final int HEAD_LENGTH = 4;
        public static final int TAIL_OFFSET = HEAD_OFFSET + HEAD_LENGTH;
        public static final int TAIL_LENGTH = 4;
        public static final int RQES_OFFSET = TAIL_OFFSET + TAIL_LENGTH;
        public static final int RQES_LENGTH = 4;
        public static final int RESV2_OFFSET = RQES_OFFSET + RQES_LENGTH;
        public static final int RESV2_LENGTH = 4;
        public static final int RESV_OFFSET = RESV2_OFFSET + RESV2_LENGTH;
        public static final int RESV_LENGTH = 16;
        public static final int SIZE = RESV_OFFSET + RESV_LENGTH;

        private Offsets() {
        }
    }

    /** {@code struct io_uring_zcrx_area_reg} (48 bytes). */
    public static final class AreaReg {
        public static final int ADDR_OFFSET = 0;
        public static final int ADDR_LENGTH = 8;
        public static final int LEN_OFFSET = ADDR_OFFSET + ADDR_LENGTH;
        public static final int LEN_LENGTH = 8;
        /** Output: OR-ed into every refill entry's offset. Must be 0 on input. */
        public static final int RQ_AREA_TOKEN_OFFSET = LEN_OFFSET + LEN_LENGTH;
        public static final int RQ_AREA_TOKEN_LENGTH = 8;
        public static final int FLAGS_OFFSET = RQ_AREA_TOKEN_OFFSET + RQ_AREA_TOKEN_LENGTH;
        public static final int FLAGS_LENGTH = 4;
        public static final int DMABUF_FD_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int DMABUF_FD_LENGTH = 4;
        public static final int RESV2_OFFSET = DMABUF_FD_OFFSET + DMABUF_FD_LENGTH;
        public static final int RESV2_LENGTH = 16;
        public static final int SIZE = RESV2_OFFSET + RESV2_LENGTH;

        private AreaReg() {
        }
    }

    /** {@code struct io_uring_region_desc} (64 bytes): the refill ring's memory. */
    public static final class RegionDesc {
        public static final int USER_ADDR_OFFSET = 0;
        public static final int USER_ADDR_LENGTH = 8;
        public static final int SIZE_OFFSET = USER_ADDR_OFFSET + USER_ADDR_LENGTH;
        public static final int SIZE_LENGTH = 8;
        public static final int FLAGS_OFFSET = SIZE_OFFSET + SIZE_LENGTH;
        public static final int FLAGS_LENGTH = 4;
        public static final int ID_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int ID_LENGTH = 4;
        public static final int MMAP_OFFSET_OFFSET = ID_OFFSET + ID_LENGTH;
        public static final int MMAP_OFFSET_LENGTH = 8;
        public static final int RESV_OFFSET = MMAP_OFFSET_OFFSET + MMAP_OFFSET_LENGTH;
        public static final int RESV_LENGTH = 32;
        public static final int SIZE = RESV_OFFSET + RESV_LENGTH;

        private RegionDesc() {
        }
    }

    /** {@code struct io_uring_zcrx_ifq_reg} (96 bytes) for {@code IORING_REGISTER_ZCRX_IFQ}, nr_args = 1. */
    public static final class IfqReg {
        public static final int IF_IDX_OFFSET = 0;
        public static final int IF_IDX_LENGTH = 4;
        public static final int IF_RXQ_OFFSET = IF_IDX_OFFSET + IF_IDX_LENGTH;
        public static final int IF_RXQ_LENGTH = 4;
        /** In/out: rounded up to a power of two by the kernel. */
        public static final int RQ_ENTRIES_OFFSET = IF_RXQ_OFFSET + IF_RXQ_LENGTH;
        public static final int RQ_ENTRIES_LENGTH = 4;
        public static final int FLAGS_OFFSET = RQ_ENTRIES_OFFSET + RQ_ENTRIES_LENGTH;
        public static final int FLAGS_LENGTH = 4;
        public static final int AREA_PTR_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int AREA_PTR_LENGTH = 8;
        public static final int REGION_PTR_OFFSET = AREA_PTR_OFFSET + AREA_PTR_LENGTH;
        public static final int REGION_PTR_LENGTH = 8;
        /** Output {@code struct io_uring_zcrx_offsets}. */
        public static final int OFFSETS_OFFSET = REGION_PTR_OFFSET + REGION_PTR_LENGTH;
        public static final int OFFSETS_LENGTH = Offsets.SIZE;
        /** Output: goes into {@code sqe.zcrx_ifq_idx}. Must be 0 on input. */
        public static final int ZCRX_ID_OFFSET = OFFSETS_OFFSET + OFFSETS_LENGTH;
        public static final int ZCRX_ID_LENGTH = 4;
        /** 7.0+ {@code rx_buf_len}; {@code __resv2} before, must be 0 (EINVAL on 6.18). */
        public static final int RX_BUF_LEN_OFFSET = ZCRX_ID_OFFSET + ZCRX_ID_LENGTH;
        public static final int RX_BUF_LEN_LENGTH = 4;
        public static final int RESV_OFFSET = RX_BUF_LEN_OFFSET + RX_BUF_LEN_LENGTH;
        public static final int RESV_LENGTH = 24;
        public static final int SIZE = RESV_OFFSET + RESV_LENGTH;

        private IfqReg() {
        }
    }
}
