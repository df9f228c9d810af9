package io.zcrx.ingest.broker.uring;

/**
 * io_uring constants, spelled as in the uapi header {@code include/uapi/linux/io_uring.h} (liburing's
 * copy {@code src/include/liburing/io_uring.h}) so they grep against it. Values and the kernel release
 * that introduced each one are in docs/kernel-abi.md#constants; the ones we depend on are probed on 6.18.44.
 */
public final class UringConstants {
    private UringConstants() {
    }

    // ---- io_uring_params.flags ----
    public static final int IORING_SETUP_CQSIZE = 0x8;
    public static final int IORING_SETUP_CLAMP = 0x10;
    public static final int IORING_SETUP_SUBMIT_ALL = 0x80;
    public static final int IORING_SETUP_TASKRUN_FLAG = 0x200;
    public static final int IORING_SETUP_CQE32 = 0x800;
    public static final int IORING_SETUP_SINGLE_ISSUER = 0x1000;
    public static final int IORING_SETUP_DEFER_TASKRUN = 0x2000;
    public static final int IORING_SETUP_CQE_MIXED = 0x40000;

    /**
     * The one flag set both receive modes use (probed 0x3888, docs/kernel-abi.md#ground-rules): one issuing thread,
     * completions run only when that thread enters, 32-byte CQEs (zcrx needs them), keep submitting after a failed
     * prep, our own CQ size.
     */
    public static final int REACTOR_SETUP_FLAGS = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN
        | IORING_SETUP_CQE32 | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;

    // ---- io_uring_params.features ----
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    public static final int IORING_FEAT_RECVSEND_BUNDLE = 1 << 14;

    // ---- io_uring_enter flags ----
    public static final int IORING_ENTER_GETEVENTS = 0x1;
    public static final int IORING_ENTER_EXT_ARG = 0x8;

    // ---- SQ ring flags word (kernel-written) ----
    public static final int IORING_SQ_NEED_WAKEUP = 0x1;
    public static final int IORING_SQ_CQ_OVERFLOW = 0x2;
    public static final int IORING_SQ_TASKRUN = 0x4;

    // ---- sqe.flags ----
    public static final byte IOSQE_FIXED_FILE = 0x01;
    public static final byte IOSQE_IO_LINK = 0x04;
    public static final byte IOSQE_ASYNC = 0x10;
    public static final byte IOSQE_BUFFER_SELECT = 0x20;
    public static final byte IOSQE_CQE_SKIP_SUCCESS = 0x40;

    // ---- opcodes (enum io_uring_op declaration order) ----
    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_WRITEV = 2;
    public static final int IORING_OP_FSYNC = 3;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_CLOSE = 19;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_WRITE = 23;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int IORING_OP_SHUTDOWN = 34;
    public static final int IORING_OP_SEND_ZC = 47;
    public static final int IORING_OP_RECV_ZC = 58;

    // ---- per-op flags in sqe.ioprio ----
    public static final int IORING_RECVSEND_POLL_FIRST = 0x1;
    public static final int IORING_RECV_MULTISHOT = 0x2;
    public static final int IORING_RECVSEND_BUNDLE = 0x10;
    public static final int IORING_ACCEPT_MULTISHOT = 0x1;

    // ---- cancel_flags ----
    public static final int IORING_ASYNC_CANCEL_ALL = 0x1;
    public static final int IORING_ASYNC_CANCEL_FD = 0x2;
    public static final int IORING_ASYNC_CANCEL_ANY = 0x4;

    // ---- cqe.flags ----
    public static final int IORING_CQE_F_BUFFER = 0x1;
    public static final int IORING_CQE_F_MORE = 0x2;
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 0x4;
    public static final int IORING_CQE_F_NOTIF = 0x8;
    public static final int IORING_CQE_F_BUF_MORE = 0x10;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // ---- io_uring_register opcodes ----
    public static final int IORING_REGISTER_PROBE = 8;
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    public static final int IORING_REGISTER_PBUF_STATUS = 26;
    public static final int IORING_REGISTER_ZCRX_IFQ = 32;
    public static final int IORING_REGISTER_QUERY = 35;

    /** io_uring_probe_op.flags bit: the opcode is supported. */
    public static final int IO_URING_OP_SUPPORTED = 1;

    // ---- mmap offsets on the ring fd ----
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;
    public static final long IORING_OFF_PBUF_RING = 0x80000000L;
    public static final int IORING_OFF_PBUF_SHIFT = 16;

    // ---- zcrx ----
    public static final int IORING_ZCRX_AREA_SHIFT = 48;
    public static final long IORING_ZCRX_AREA_MASK = ~((1L << IORING_ZCRX_AREA_SHIFT) - 1);
    public static final int IORING_MEM_REGION_TYPE_USER = 1;
    /** IO_RQ_MAX_ENTRIES in io_uring/zcrx.c: the largest refill ring without SETUP_CLAMP. */
    public static final int ZCRX_RQ_ENTRIES_MAX = 32768;

    // ---- provided buffer rings ----
    public static final int IOU_PBUF_RING_MMAP = 1;
    public static final int IOU_PBUF_RING_INC = 2;
    /** Largest buffer ring (probed: 32768 OK, 65536 EINVAL). */
    public static final int PBUF_RING_ENTRIES_MAX = 32768;
}
