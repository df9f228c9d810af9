package io.zcrx.ingest.broker.uring;

/**
 * Byte layouts of the io_uring uapi structs this package reads or writes (64-bit Linux, native byte
 * order, no hidden padding). One nested class per struct, named after it; each offset is chained from
 * the previous field ({@code X_OFFSET = PREV_OFFSET + PREV_LENGTH}) and every struct states its total
 * {@code SIZE}. Source: {@code include/uapi/linux/io_uring.h}; the numbers and how they were
 * checked: docs/kernel-abi.md#struct-layouts. {@code UringLayoutTest} checks every constant against those numbers
 * and, where {@code cc} is available, against {@code offsetof}/{@code sizeof} compiled from the system header.
 *
 * <p>zcrx structs live in {@code uring.zcrx.ZcrxLayout}, provided-buffer structs in
 * {@code uring.bufring.BufRingLayout}.
 */
public final class UringLayout {
    private UringLayout() {
    }

    /** {@code struct io_sqring_offsets} (40 bytes): u32 byte offsets into the SQ ring mapping. */
    public static final class SqringOffsets {
        public static final int HEAD_OFFSET = 0;
        public static final int HEAD_LENGTH = 4;
        public static final int TAIL_OFFSET = HEAD_OFFSET + HEAD_LENGTH;
        public static final int TAIL_LENGTH = 4;
        public static final int RING_MASK_OFFSET = TAIL_OFFSET + TAIL_LENGTH;
        public static final int RING_MASK_LENGTH = 4;
        public static final int RING_ENTRIES_OFFSET = RING_MASK_OFFSET + RING_MASK_LENGTH;
        public static final int RING_ENTRIES_LENGTH = 4;
        public static final int FLAGS_OFFSET = RING_ENTRIES_OFFSET + RING_ENTRIES_LENGTH;
        public static final int FLAGS_LENGTH = 4;
        public static final int DROPPED_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int DROPPED_LENGTH = 4;
        public static final int ARRAY_OFFSET = DROPPED_OFFSET + DROPPED_LENGTH;
        public static final int ARRAY_LENGTH = 4;
        public static final int RESV1_OFFSET = ARRAY_OFFSET + ARRAY_LENGTH;
        public static final int RESV1_LENGTH = 4;
        public static final int USER_ADDR_OFFSET = RESV1_OFFSET + RESV1_LENGTH;
        public static final int USER_ADDR_LENGTH = 8;
        public static final int SIZE = USER_ADDR_OFFSET + USER_ADDR_LENGTH;

        private SqringOffsets() {
        }
    }

    /** {@code struct io_cqring_offsets} (40 bytes). */
    public static final class CqringOffsets {
        public static final int HEAD_OFFSET = 0;
        public static final int HEAD_LENGTH = 4;
        public static final int TAIL_OFFSET = HEAD_OFFSET + HEAD_LENGTH;
        public static final int TAIL_LENGTH = 4;
        public static final int RING_MASK_OFFSET = TAIL_OFFSET + TAIL_LENGTH;
        public static final int RING_MASK_LENGTH = 4;
        public static final int RING_ENTRIES_OFFSET = RING_MASK_OFFSET + RING_MASK_LENGTH;
        public static final int RING_ENTRIES_LENGTH = 4;
        public static final int OVERFLOW_OFFSET = RING_ENTRIES_OFFSET + RING_ENTRIES_LENGTH;
        public static final int OVERFLOW_LENGTH = 4;
        public static final int CQES_OFFSET = OVERFLOW_OFFSET + OVERFLOW_LENGTH;
        public static final int CQES_LENGTH = 4;
        public static final int FLAGS_OFFSET = CQES_OFFSET + CQES_LENGTH;
        public static final int FLAGS_LENGTH = 4;
        public static final int RESV1_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int RESV1_LENGTH = 4;
        public static final int USER_ADDR_OFFSET = RESV1_OFFSET + RESV1_LENGTH;
        public static final int USER_ADDR_LENGTH = 8;
        public static final int SIZE = USER_ADDR_OFFSET + USER_ADDR_LENGTH;

        private CqringOffsets() {
        }
    }

    /** {@code struct io_uring_params} (120 bytes), in/out of {@code io_uring_setup}. */
    public static final class Params {
        public static final int SQ_ENTRIES_OFFSET = 0;
        public static final int SQ_ENTRIES_LENGTH = 4;
        public static final int CQ_ENTRIES_OFFSET = SQ_ENTRIES_OFFSET + SQ_ENTRIES_LENGTH;
        public static final int CQ_ENTRIES_LENGTH = 4;
        public static final int FLAGS_OFFSET = CQ_ENTRIES_OFFSET + CQ_ENTRIES_LENGTH;
        public static final int FLAGS_LENGTH = 4;
        public static final int SQ_THREAD_CPU_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int SQ_THREAD_CPU_LENGTH = 4;
        public static final int SQ_THREAD_IDLE_OFFSET = SQ_THREAD_CPU_OFFSET + SQ_THREAD_CPU_LENGTH;
        public static final int SQ_THREAD_IDLE_LENGTH = 4;
        public static final int FEATURES_OFFSET = SQ_THREAD_IDLE_OFFSET + SQ_THREAD_IDLE_LENGTH;
        public static final int FEATURES_LENGTH = 4;
        public static final int WQ_FD_OFFSET = FEATURES_OFFSET + FEATURES_LENGTH;
        public static final int WQ_FD_LENGTH = 4;
        public static final int RESV_OFFSET = WQ_FD_OFFSET + WQ_FD_LENGTH;
        public static final int RESV_LENGTH = 12;
        public static final int SQ_OFF_OFFSET = RESV_OFFSET + RESV_LENGTH;
        public static final int SQ_OFF_LENGTH = SqringOffsets.SIZE;
        public static final int CQ_OFF_OFFSET = SQ_OFF_OFFSET + SQ_OFF_LENGTH;
        public static final int CQ_OFF_LENGTH = CqringOffsets.SIZE;
        public static final int SIZE = CQ_OFF_OFFSET + CQ_OFF_LENGTH;

        private Params() {
        }
    }

    /** {@code struct io_uring_sqe} (64 bytes). Zero all of it before filling: reserved fields are checked. */
    public static final class Sqe {
        public static final int OPCODE_OFFSET = 0;
        public static final int OPCODE_LENGTH = 1;
        public static final int FLAGS_OFFSET = OPCODE_OFFSET + OPCODE_LENGTH;
        public static final int FLAGS_LENGTH = 1;
        /** {@code ioprio}: the per-op flag word of network ops (RECV_MULTISHOT, ACCEPT_MULTISHOT, ...). */
        public static final int IOPRIO_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int IOPRIO_LENGTH = 2;
        public static final int FD_OFFSET = IOPRIO_OFFSET + IOPRIO_LENGTH;
        public static final int FD_LENGTH = 4;
        /** {@code off} / {@code addr2}. */
        public static final int OFF_OFFSET = FD_OFFSET + FD_LENGTH;
        public static final int OFF_LENGTH = 8;
        public static final int ADDR_OFFSET = OFF_OFFSET + OFF_LENGTH;
        public static final int ADDR_LENGTH = 8;
        public static final int LEN_OFFSET = ADDR_OFFSET + ADDR_LENGTH;
        public static final int LEN_LENGTH = 4;
        /** The op-flags union: {@code rw_flags}, {@code msg_flags}, {@code accept_flags}, {@code cancel_flags}, ... */
        public static final int OP_FLAGS_OFFSET = LEN_OFFSET + LEN_LENGTH;
        public static final int OP_FLAGS_LENGTH = 4;
        public static final int USER_DATA_OFFSET = OP_FLAGS_OFFSET + OP_FLAGS_LENGTH;
        public static final int USER_DATA_LENGTH = 8;
        /** {@code buf_index} / {@code buf_group} (packed u16 union). */
        public static final int BUF_GROUP_OFFSET = USER_DATA_OFFSET + USER_DATA_LENGTH;
        public static final int BUF_GROUP_LENGTH = 2;
        public static final int PERSONALITY_OFFSET = BUF_GROUP_OFFSET + BUF_GROUP_LENGTH;
        public static final int PERSONALITY_LENGTH = 2;
        /** {@code splice_fd_in} / {@code file_index} / {@code zcrx_ifq_idx} / {@code addr_len}. */
        public static final int ZCRX_IFQ_IDX_OFFSET = PERSONALITY_OFFSET + PERSONALITY_LENGTH;
        public static final int ZCRX_IFQ_IDX_LENGTH = 4;
        public static final int ADDR3_OFFSET = ZCRX_IFQ_IDX_OFFSET + ZCRX_IFQ_IDX_LENGTH;
        public static final int ADDR3_LENGTH = 8;
        public static final int PAD2_OFFSET = ADDR3_OFFSET + ADDR3_LENGTH;
        public static final int PAD2_LENGTH = 8;
        public static final int SIZE = PAD2_OFFSET + PAD2_LENGTH;

        private Sqe() {
        }
    }

    /**
     * {@code struct io_uring_cqe}: 16 bytes, 32 with {@code IORING_SETUP_CQE32}; the second 16 bytes
     * ({@code big_cqe[]}) hold a {@code struct io_uring_zcrx_cqe} for RECV_ZC completions.
     */
    public static final class Cqe {
        public static final int USER_DATA_OFFSET = 0;
        public static final int USER_DATA_LENGTH = 8;
        public static final int RES_OFFSET = USER_DATA_OFFSET + USER_DATA_LENGTH;
        public static final int RES_LENGTH = 4;
        public static final int FLAGS_OFFSET = RES_OFFSET + RES_LENGTH;
        public static final int FLAGS_LENGTH = 4;
        public static final int BIG_CQE_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
        public static final int SIZE = BIG_CQE_OFFSET;
        /** Entry size with CQE32. */
        public static final int SIZE32 = SIZE + 16;

        private Cqe() {
        }
    }

    /** {@code struct io_uring_probe} (16 bytes + ops[]) and {@code struct io_uring_probe_op} (8 bytes). */
    public static final class Probe {
        public static final int LAST_OP_OFFSET = 0;
        public static final int LAST_OP_LENGTH = 1;
        public static final int OPS_LEN_OFFSET = LAST_OP_OFFSET + LAST_OP_LENGTH;
        public static final int OPS_LEN_LENGTH = 1;
        public static final int RESV_OFFSET = OPS_LEN_OFFSET + OPS_LEN_LENGTH;
        public static final int RESV_LENGTH = 2;
        public static final int RESV2_OFFSET = RESV_OFFSET + RESV_LENGTH;
        public static final int RESV2_LENGTH = 12;
        public static final int OPS_OFFSET = RESV2_OFFSET + RESV2_LENGTH;
        public static final int SIZE = OPS_OFFSET;

        public static final int OP_OP_OFFSET = 0;
        public static final int OP_OP_LENGTH = 1;
        public static final int OP_RESV_OFFSET = OP_OP_OFFSET + OP_OP_LENGTH;
        public static final int OP_RESV_LENGTH = 1;
        public static final int OP_FLAGS_OFFSET = OP_RESV_OFFSET + OP_RESV_LENGTH;
        public static final int OP_FLAGS_LENGTH = 2;
        public static final int OP_RESV2_OFFSET = OP_FLAGS_OFFSET + OP_FLAGS_LENGTH;
        public static final int OP_RESV2_LENGTH = 4;
        public static final int OP_SIZE = OP_RESV2_OFFSET + OP_RESV2_LENGTH;
        /** Slots we hand the kernel: opcodes are a u8, so 256 covers every possible op. */
        public static final int OPS_CAPACITY = 256;

        private Probe() {
        }
    }

    /** {@code struct io_uring_getevents_arg} (24 bytes) for {@code IORING_ENTER_EXT_ARG}. */
    public static final class GeteventsArg {
        public static final int SIGMASK_OFFSET = 0;
        public static final int SIGMASK_LENGTH = 8;
        public static final int SIGMASK_SZ_OFFSET = SIGMASK_OFFSET + SIGMASK_LENGTH;
        public static final int SIGMASK_SZ_LENGTH = 4;
        public static final int MIN_WAIT_USEC_OFFSET = SIGMASK_SZ_OFFSET + SIGMASK_SZ_LENGTH;
        public static final int MIN_WAIT_USEC_LENGTH = 4;
        public static final int TS_OFFSET = MIN_WAIT_USEC_OFFSET + MIN_WAIT_USEC_LENGTH;
        public static final int TS_LENGTH = 8;
        public static final int SIZE = TS_OFFSET + TS_LENGTH;

        private GeteventsArg() {
        }
    }

    /** {@code struct __kernel_timespec} (16 bytes). */
    public static final class KernelTimespec {
        public static final int TV_SEC_OFFSET = 0;
        public static final int TV_SEC_LENGTH = 8;
        public static final int TV_NSEC_OFFSET = TV_SEC_OFFSET + TV_SEC_LENGTH;
        public static final int TV_NSEC_LENGTH = 8;
        public static final int SIZE = TV_NSEC_OFFSET + TV_NSEC_LENGTH;

        private KernelTimespec() {
        }
    }
}
