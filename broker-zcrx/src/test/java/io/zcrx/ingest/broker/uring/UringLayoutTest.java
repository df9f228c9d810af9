package io.zcrx.ingest.broker.uring;

import io.zcrx.ingest.broker.uring.bufring.BufRingLayout;
import io.zcrx.ingest.broker.uring.testkit.CLayoutProbe;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every struct offset, field size, struct size and kernel constant we hard-code, checked two ways.
 *
 * <p>Goal: a wrong number in a Layout or constants class fails here, not as memory corruption in the
 * kernel. Method: (1) compare each Java constant with the uapi reference numbers (docs/kernel-abi.md#struct-layouts,
 * first captured with {@code offsetof} on 6.18.44), written out literally below; (2)
 * when {@code cc} is installed, generate one {@code _Static_assert(offsetof(...) == <java value>)} per
 * line from the same table, compile it against the system {@code <linux/io_uring.h>} with
 * {@code -fsyntax-only} and map compiler errors back to lines: a failed assertion fails the test; a
 * struct or member the installed header does not have (zcrx needs a 6.15+ header) is reported as
 * unverifiable by C and skipped, while the core structs must verify.
 */
class UringLayoutTest {
    private record Check(String what, String cExpr, long java, long reference, boolean core) {
    }

    private final List<Check> checks = new ArrayList<>();

    private void field(String struct, String member, int javaOffset, int javaLength, int refOffset, int refLength, boolean core) {
        checks.add(new Check(struct + "." + member + " offset", "offsetof(struct " + struct + ", " + member + ")",
            javaOffset, refOffset, core));
        if (refLength >= 0) {
            checks.add(new Check(struct + "." + member + " size", "sizeof(((struct " + struct + " *)0)->" + member + ")",
                javaLength, refLength, core));
        }
    }

    private void size(String struct, int javaSize, int refSize, boolean core) {
        checks.add(new Check("sizeof " + struct, "sizeof(struct " + struct + ")", javaSize, refSize, core));
    }

    private void constant(String name, long java, long reference, boolean core) {
        checks.add(new Check(name, "(long long)(" + name + ")", java, reference, core));
    }

    private void buildTable() {
        // struct io_sqring_offsets / io_cqring_offsets 
        field("io_sqring_offsets", "head", UringLayout.SqringOffsets.HEAD_OFFSET, UringLayout.SqringOffsets.HEAD_LENGTH, 0, 4, true);
        field("io_sqring_offsets", "tail", UringLayout.SqringOffsets.TAIL_OFFSET, UringLayout.SqringOffsets.TAIL_LENGTH, 4, 4, true);
        field("io_sqring_offsets", "ring_mask", UringLayout.SqringOffsets.RING_MASK_OFFSET, UringLayout.SqringOffsets.RING_MASK_LENGTH, 8, 4, true);
        field("io_sqring_offsets", "ring_entries", UringLayout.SqringOffsets.RING_ENTRIES_OFFSET, UringLayout.SqringOffsets.RING_ENTRIES_LENGTH, 12, 4, true);
        field("io_sqring_offsets", "flags", UringLayout.SqringOffsets.FLAGS_OFFSET, UringLayout.SqringOffsets.FLAGS_LENGTH, 16, 4, true);
        field("io_sqring_offsets", "dropped", UringLayout.SqringOffsets.DROPPED_OFFSET, UringLayout.SqringOffsets.DROPPED_LENGTH, 20, 4, true);
        field("io_sqring_offsets", "array", UringLayout.SqringOffsets.ARRAY_OFFSET, UringLayout.SqringOffsets.ARRAY_LENGTH, 24, 4, true);
        field("io_sqring_offsets", "user_addr", UringLayout.SqringOffsets.USER_ADDR_OFFSET, UringLayout.SqringOffsets.USER_ADDR_LENGTH, 32, 8, false);
        size("io_sqring_offsets", UringLayout.SqringOffsets.SIZE, 40, true);
        field("io_cqring_offsets", "head", UringLayout.CqringOffsets.HEAD_OFFSET, UringLayout.CqringOffsets.HEAD_LENGTH, 0, 4, true);
        field("io_cqring_offsets", "tail", UringLayout.CqringOffsets.TAIL_OFFSET, UringLayout.CqringOffsets.TAIL_LENGTH, 4, 4, true);
        field("io_cqring_offsets", "ring_mask", UringLayout.CqringOffsets.RING_MASK_OFFSET, UringLayout.CqringOffsets.RING_MASK_LENGTH, 8, 4, true);
        field("io_cqring_offsets", "ring_entries", UringLayout.CqringOffsets.RING_ENTRIES_OFFSET, UringLayout.CqringOffsets.RING_ENTRIES_LENGTH, 12, 4, true);
        field("io_cqring_offsets", "overflow", UringLayout.CqringOffsets.OVERFLOW_OFFSET, UringLayout.CqringOffsets.OVERFLOW_LENGTH, 16, 4, true);
        field("io_cqring_offsets", "cqes", UringLayout.CqringOffsets.CQES_OFFSET, UringLayout.CqringOffsets.CQES_LENGTH, 20, 4, true);
        field("io_cqring_offsets", "flags", UringLayout.CqringOffsets.FLAGS_OFFSET, UringLayout.CqringOffsets.FLAGS_LENGTH, 24, 4, true);
        field("io_cqring_offsets", "user_addr", UringLayout.CqringOffsets.USER_ADDR_OFFSET, UringLayout.CqringOffsets.USER_ADDR_LENGTH, 32, 8, false);
        size("io_cqring_offsets", UringLayout.CqringOffsets.SIZE, 40, true);

        // struct io_uring_params
        field("io_uring_params", "sq_entries", UringLayout.Params.SQ_ENTRIES_OFFSET, UringLayout.Params.SQ_ENTRIES_LENGTH, 0, 4, true);
        field("io_uring_params", "cq_entries", UringLayout.Params.CQ_ENTRIES_OFFSET, UringLayout.Params.CQ_ENTRIES_LENGTH, 4, 4, true);
        field("io_uring_params", "flags", UringLayout.Params.FLAGS_OFFSET, UringLayout.Params.FLAGS_LENGTH, 8, 4, true);
        field("io_uring_params", "sq_thread_cpu", UringLayout.Params.SQ_THREAD_CPU_OFFSET, UringLayout.Params.SQ_THREAD_CPU_LENGTH, 12, 4, true);
        field("io_uring_params", "sq_thread_idle", UringLayout.Params.SQ_THREAD_IDLE_OFFSET, UringLayout.Params.SQ_THREAD_IDLE_LENGTH, 16, 4, true);
        field("io_uring_params", "features", UringLayout.Params.FEATURES_OFFSET, UringLayout.Params.FEATURES_LENGTH, 20, 4, true);
        field("io_uring_params", "wq_fd", UringLayout.Params.WQ_FD_OFFSET, UringLayout.Params.WQ_FD_LENGTH, 24, 4, true);
        field("io_uring_params", "resv", UringLayout.Params.RESV_OFFSET, UringLayout.Params.RESV_LENGTH, 28, 12, true);
        field("io_uring_params", "sq_off", UringLayout.Params.SQ_OFF_OFFSET, UringLayout.Params.SQ_OFF_LENGTH, 40, 40, true);
        field("io_uring_params", "cq_off", UringLayout.Params.CQ_OFF_OFFSET, UringLayout.Params.CQ_OFF_LENGTH, 80, 40, true);
        size("io_uring_params", UringLayout.Params.SIZE, 120, true);

        // struct io_uring_sqe
        field("io_uring_sqe", "opcode", UringLayout.Sqe.OPCODE_OFFSET, UringLayout.Sqe.OPCODE_LENGTH, 0, 1, true);
        field("io_uring_sqe", "flags", UringLayout.Sqe.FLAGS_OFFSET, UringLayout.Sqe.FLAGS_LENGTH, 1, 1, true);
        field("io_uring_sqe", "ioprio", UringLayout.Sqe.IOPRIO_OFFSET, UringLayout.Sqe.IOPRIO_LENGTH, 2, 2, true);
        field("io_uring_sqe", "fd", UringLayout.Sqe.FD_OFFSET, UringLayout.Sqe.FD_LENGTH, 4, 4, true);
        field("io_uring_sqe", "off", UringLayout.Sqe.OFF_OFFSET, UringLayout.Sqe.OFF_LENGTH, 8, 8, true);
        field("io_uring_sqe", "addr", UringLayout.Sqe.ADDR_OFFSET, UringLayout.Sqe.ADDR_LENGTH, 16, 8, true);
        field("io_uring_sqe", "len", UringLayout.Sqe.LEN_OFFSET, UringLayout.Sqe.LEN_LENGTH, 24, 4, true);
        field("io_uring_sqe", "msg_flags", UringLayout.Sqe.OP_FLAGS_OFFSET, UringLayout.Sqe.OP_FLAGS_LENGTH, 28, 4, true);
        field("io_uring_sqe", "accept_flags", UringLayout.Sqe.OP_FLAGS_OFFSET, UringLayout.Sqe.OP_FLAGS_LENGTH, 28, 4, true);
        field("io_uring_sqe", "cancel_flags", UringLayout.Sqe.OP_FLAGS_OFFSET, UringLayout.Sqe.OP_FLAGS_LENGTH, 28, 4, true);
        field("io_uring_sqe", "user_data", UringLayout.Sqe.USER_DATA_OFFSET, UringLayout.Sqe.USER_DATA_LENGTH, 32, 8, true);
        field("io_uring_sqe", "buf_group", UringLayout.Sqe.BUF_GROUP_OFFSET, UringLayout.Sqe.BUF_GROUP_LENGTH, 40, 2, true);
        field("io_uring_sqe", "personality", UringLayout.Sqe.PERSONALITY_OFFSET, UringLayout.Sqe.PERSONALITY_LENGTH, 42, 2, true);
        field("io_uring_sqe", "file_index", UringLayout.Sqe.ZCRX_IFQ_IDX_OFFSET, UringLayout.Sqe.ZCRX_IFQ_IDX_LENGTH, 44, 4, true);
        field("io_uring_sqe", "zcrx_ifq_idx", UringLayout.Sqe.ZCRX_IFQ_IDX_OFFSET, UringLayout.Sqe.ZCRX_IFQ_IDX_LENGTH, 44, 4, false);
        field("io_uring_sqe", "addr3", UringLayout.Sqe.ADDR3_OFFSET, UringLayout.Sqe.ADDR3_LENGTH, 48, 8, true);
        size("io_uring_sqe", UringLayout.Sqe.SIZE, 64, true);

        // struct io_uring_cqe
        field("io_uring_cqe", "user_data", UringLayout.Cqe.USER_DATA_OFFSET, UringLayout.Cqe.USER_DATA_LENGTH, 0, 8, true);
        field("io_uring_cqe", "res", UringLayout.Cqe.RES_OFFSET, UringLayout.Cqe.RES_LENGTH, 8, 4, true);
        field("io_uring_cqe", "flags", UringLayout.Cqe.FLAGS_OFFSET, UringLayout.Cqe.FLAGS_LENGTH, 12, 4, true);
        field("io_uring_cqe", "big_cqe", UringLayout.Cqe.BIG_CQE_OFFSET, -1, 16, -1, true);
        size("io_uring_cqe", UringLayout.Cqe.SIZE, 16, true);

        // struct io_uring_probe / io_uring_probe_op
        field("io_uring_probe", "last_op", UringLayout.Probe.LAST_OP_OFFSET, UringLayout.Probe.LAST_OP_LENGTH, 0, 1, true);
        field("io_uring_probe", "ops_len", UringLayout.Probe.OPS_LEN_OFFSET, UringLayout.Probe.OPS_LEN_LENGTH, 1, 1, true);
        field("io_uring_probe", "ops", UringLayout.Probe.OPS_OFFSET, -1, 16, -1, true);
        size("io_uring_probe", UringLayout.Probe.SIZE, 16, true);
        field("io_uring_probe_op", "op", UringLayout.Probe.OP_OP_OFFSET, UringLayout.Probe.OP_OP_LENGTH, 0, 1, true);
        field("io_uring_probe_op", "flags", UringLayout.Probe.OP_FLAGS_OFFSET, UringLayout.Probe.OP_FLAGS_LENGTH, 2, 2, true);
        size("io_uring_probe_op", UringLayout.Probe.OP_SIZE, 8, true);

        // struct io_uring_getevents_arg, __kernel_timespec
        field("io_uring_getevents_arg", "sigmask", UringLayout.GeteventsArg.SIGMASK_OFFSET, UringLayout.GeteventsArg.SIGMASK_LENGTH, 0, 8, true);
        field("io_uring_getevents_arg", "sigmask_sz", UringLayout.GeteventsArg.SIGMASK_SZ_OFFSET, UringLayout.GeteventsArg.SIGMASK_SZ_LENGTH, 8, 4, true);
        field("io_uring_getevents_arg", "min_wait_usec", UringLayout.GeteventsArg.MIN_WAIT_USEC_OFFSET, UringLayout.GeteventsArg.MIN_WAIT_USEC_LENGTH, 12, 4, false);
        field("io_uring_getevents_arg", "ts", UringLayout.GeteventsArg.TS_OFFSET, UringLayout.GeteventsArg.TS_LENGTH, 16, 8, true);
        size("io_uring_getevents_arg", UringLayout.GeteventsArg.SIZE, 24, true);
        field("__kernel_timespec", "tv_sec", UringLayout.KernelTimespec.TV_SEC_OFFSET, UringLayout.KernelTimespec.TV_SEC_LENGTH, 0, 8, true);
        field("__kernel_timespec", "tv_nsec", UringLayout.KernelTimespec.TV_NSEC_OFFSET, UringLayout.KernelTimespec.TV_NSEC_LENGTH, 8, 8, true);
        size("__kernel_timespec", UringLayout.KernelTimespec.SIZE, 16, true);

        // provided buffer rings
        field("io_uring_buf", "addr", BufRingLayout.Buf.ADDR_OFFSET, BufRingLayout.Buf.ADDR_LENGTH, 0, 8, true);
        field("io_uring_buf", "len", BufRingLayout.Buf.LEN_OFFSET, BufRingLayout.Buf.LEN_LENGTH, 8, 4, true);
        field("io_uring_buf", "bid", BufRingLayout.Buf.BID_OFFSET, BufRingLayout.Buf.BID_LENGTH, 12, 2, true);
        field("io_uring_buf", "resv", BufRingLayout.Buf.RESV_OFFSET, BufRingLayout.Buf.RESV_LENGTH, 14, 2, true);
        size("io_uring_buf", BufRingLayout.Buf.SIZE, 16, true);
        field("io_uring_buf_ring", "tail", BufRingLayout.Buf.RING_TAIL_OFFSET, BufRingLayout.Buf.RING_TAIL_LENGTH, 14, 2, true);
        field("io_uring_buf_reg", "ring_addr", BufRingLayout.BufReg.RING_ADDR_OFFSET, BufRingLayout.BufReg.RING_ADDR_LENGTH, 0, 8, true);
        field("io_uring_buf_reg", "ring_entries", BufRingLayout.BufReg.RING_ENTRIES_OFFSET, BufRingLayout.BufReg.RING_ENTRIES_LENGTH, 8, 4, true);
        field("io_uring_buf_reg", "bgid", BufRingLayout.BufReg.BGID_OFFSET, BufRingLayout.BufReg.BGID_LENGTH, 12, 2, true);
        field("io_uring_buf_reg", "flags", BufRingLayout.BufReg.FLAGS_OFFSET, BufRingLayout.BufReg.FLAGS_LENGTH, 14, 2, false);
        field("io_uring_buf_reg", "min_left", BufRingLayout.BufReg.MIN_LEFT_OFFSET, BufRingLayout.BufReg.MIN_LEFT_LENGTH, 16, 4, false);
        size("io_uring_buf_reg", BufRingLayout.BufReg.SIZE, 40, true);
        field("io_uring_buf_status", "buf_group", BufRingLayout.BufStatus.BUF_GROUP_OFFSET, BufRingLayout.BufStatus.BUF_GROUP_LENGTH, 0, 4, false);
        field("io_uring_buf_status", "head", BufRingLayout.BufStatus.HEAD_OFFSET, BufRingLayout.BufStatus.HEAD_LENGTH, 4, 4, false);
        size("io_uring_buf_status", BufRingLayout.BufStatus.SIZE, 40, false);

        // zcrx: needs a 6.15+ uapi header for the C side
        field("io_uring_zcrx_cqe", "off", ZcrxLayout.Cqe.OFF_OFFSET, ZcrxLayout.Cqe.OFF_LENGTH, 0, 8, false);
        field("io_uring_zcrx_cqe", "__pad", ZcrxLayout.Cqe.PAD_OFFSET, ZcrxLayout.Cqe.PAD_LENGTH, 8, 8, false);
        size("io_uring_zcrx_cqe", ZcrxLayout.Cqe.SIZE, 16, false);
        field("io_uring_zcrx_rqe", "off", ZcrxLayout.Rqe.OFF_OFFSET, ZcrxLayout.Rqe.OFF_LENGTH, 0, 8, false);
        field("io_uring_zcrx_rqe", "len", ZcrxLayout.Rqe.LEN_OFFSET, ZcrxLayout.Rqe.LEN_LENGTH, 8, 4, false);
        field("io_uring_zcrx_rqe", "__pad", ZcrxLayout.Rqe.PAD_OFFSET, ZcrxLayout.Rqe.PAD_LENGTH, 12, 4, false);
        size("io_uring_zcrx_rqe", ZcrxLayout.Rqe.SIZE, 16, false);
        field("io_uring_zcrx_offsets", "head", ZcrxLayout.Offsets.HEAD_OFFSET, ZcrxLayout.Offsets.HEAD_LENGTH, 0, 4, false);
        field("io_uring_zcrx_offsets", "tail", ZcrxLayout.Offsets.TAIL_OFFSET, ZcrxLayout.Offsets.TAIL_LENGTH, 4, 4, false);
        field("io_uring_zcrx_offsets", "rqes", ZcrxLayout.Offsets.RQES_OFFSET, ZcrxLayout.Offsets.RQES_LENGTH, 8, 4, false);
        field("io_uring_zcrx_offsets", "__resv", ZcrxLayout.Offsets.RESV_OFFSET, ZcrxLayout.Offsets.RESV_LENGTH, 16, 16, false);
        size("io_uring_zcrx_offsets", ZcrxLayout.Offsets.SIZE, 32, false);
        field("io_uring_zcrx_area_reg", "addr", ZcrxLayout.AreaReg.ADDR_OFFSET, ZcrxLayout.AreaReg.ADDR_LENGTH, 0, 8, false);
        field("io_uring_zcrx_area_reg", "len", ZcrxLayout.AreaReg.LEN_OFFSET, ZcrxLayout.AreaReg.LEN_LENGTH, 8, 8, false);
        field("io_uring_zcrx_area_reg", "rq_area_token", ZcrxLayout.AreaReg.RQ_AREA_TOKEN_OFFSET, ZcrxLayout.AreaReg.RQ_AREA_TOKEN_LENGTH, 16, 8, false);
        field("io_uring_zcrx_area_reg", "flags", ZcrxLayout.AreaReg.FLAGS_OFFSET, ZcrxLayout.AreaReg.FLAGS_LENGTH, 24, 4, false);
        field("io_uring_zcrx_area_reg", "dmabuf_fd", ZcrxLayout.AreaReg.DMABUF_FD_OFFSET, ZcrxLayout.AreaReg.DMABUF_FD_LENGTH, 28, 4, false);
        field("io_uring_zcrx_area_reg", "__resv2", ZcrxLayout.AreaReg.RESV2_OFFSET, ZcrxLayout.AreaReg.RESV2_LENGTH, 32, 16, false);
        size("io_uring_zcrx_area_reg", ZcrxLayout.AreaReg.SIZE, 48, false);
        field("io_uring_region_desc", "user_addr", ZcrxLayout.RegionDesc.USER_ADDR_OFFSET, ZcrxLayout.RegionDesc.USER_ADDR_LENGTH, 0, 8, false);
        field("io_uring_region_desc", "size", ZcrxLayout.RegionDesc.SIZE_OFFSET, ZcrxLayout.RegionDesc.SIZE_LENGTH, 8, 8, false);
        field("io_uring_region_desc", "flags", ZcrxLayout.RegionDesc.FLAGS_OFFSET, ZcrxLayout.RegionDesc.FLAGS_LENGTH, 16, 4, false);
        field("io_uring_region_desc", "id", ZcrxLayout.RegionDesc.ID_OFFSET, ZcrxLayout.RegionDesc.ID_LENGTH, 20, 4, false);
        field("io_uring_region_desc", "mmap_offset", ZcrxLayout.RegionDesc.MMAP_OFFSET_OFFSET, ZcrxLayout.RegionDesc.MMAP_OFFSET_LENGTH, 24, 8, false);
        field("io_uring_region_desc", "__resv", ZcrxLayout.RegionDesc.RESV_OFFSET, ZcrxLayout.RegionDesc.RESV_LENGTH, 32, 32, false);
        size("io_uring_region_desc", ZcrxLayout.RegionDesc.SIZE, 64, false);
        field("io_uring_zcrx_ifq_reg", "if_idx", ZcrxLayout.IfqReg.IF_IDX_OFFSET, ZcrxLayout.IfqReg.IF_IDX_LENGTH, 0, 4, false);
        field("io_uring_zcrx_ifq_reg", "if_rxq", ZcrxLayout.IfqReg.IF_RXQ_OFFSET, ZcrxLayout.IfqReg.IF_RXQ_LENGTH, 4, 4, false);
        field("io_uring_zcrx_ifq_reg", "rq_entries", ZcrxLayout.IfqReg.RQ_ENTRIES_OFFSET, ZcrxLayout.IfqReg.RQ_ENTRIES_LENGTH, 8, 4, false);
        field("io_uring_zcrx_ifq_reg", "flags", ZcrxLayout.IfqReg.FLAGS_OFFSET, ZcrxLayout.IfqReg.FLAGS_LENGTH, 12, 4, false);
        field("io_uring_zcrx_ifq_reg", "area_ptr", ZcrxLayout.IfqReg.AREA_PTR_OFFSET, ZcrxLayout.IfqReg.AREA_PTR_LENGTH, 16, 8, false);
        field("io_uring_zcrx_ifq_reg", "region_ptr", ZcrxLayout.IfqReg.REGION_PTR_OFFSET, ZcrxLayout.IfqReg.REGION_PTR_LENGTH, 24, 8, false);
        field("io_uring_zcrx_ifq_reg", "offsets", ZcrxLayout.IfqReg.OFFSETS_OFFSET, ZcrxLayout.IfqReg.OFFSETS_LENGTH, 32, 32, false);
        field("io_uring_zcrx_ifq_reg", "zcrx_id", ZcrxLayout.IfqReg.ZCRX_ID_OFFSET, ZcrxLayout.IfqReg.ZCRX_ID_LENGTH, 64, 4, false);
        field("io_uring_zcrx_ifq_reg", "__resv", ZcrxLayout.IfqReg.RESV_OFFSET, ZcrxLayout.IfqReg.RESV_LENGTH, 72, 24, false);
        size("io_uring_zcrx_ifq_reg", ZcrxLayout.IfqReg.SIZE, 96, false);

        // constants: the ones the reactor submits or decodes
        constant("IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32 | IORING_SETUP_SUBMIT_ALL"
            + " | IORING_SETUP_CQSIZE", UringConstants.REACTOR_SETUP_FLAGS, 0x3888, true);
        constant("IORING_FEAT_SINGLE_MMAP", UringConstants.IORING_FEAT_SINGLE_MMAP, 1, true);
        constant("IORING_FEAT_NODROP", UringConstants.IORING_FEAT_NODROP, 2, true);
        constant("IORING_FEAT_EXT_ARG", UringConstants.IORING_FEAT_EXT_ARG, 256, true);
        constant("IORING_FEAT_RECVSEND_BUNDLE", UringConstants.IORING_FEAT_RECVSEND_BUNDLE, 1 << 14, false);
        constant("IORING_ENTER_GETEVENTS", UringConstants.IORING_ENTER_GETEVENTS, 1, true);
        constant("IORING_ENTER_EXT_ARG", UringConstants.IORING_ENTER_EXT_ARG, 8, true);
        constant("IORING_SQ_CQ_OVERFLOW", UringConstants.IORING_SQ_CQ_OVERFLOW, 2, true);
        constant("IOSQE_BUFFER_SELECT", UringConstants.IOSQE_BUFFER_SELECT, 0x20, true);
        constant("IORING_OP_NOP", UringConstants.IORING_OP_NOP, 0, true);
        constant("IORING_OP_ACCEPT", UringConstants.IORING_OP_ACCEPT, 13, true);
        constant("IORING_OP_ASYNC_CANCEL", UringConstants.IORING_OP_ASYNC_CANCEL, 14, true);
        constant("IORING_OP_READ", UringConstants.IORING_OP_READ, 22, true);
        constant("IORING_OP_SEND", UringConstants.IORING_OP_SEND, 26, true);
        constant("IORING_OP_RECV", UringConstants.IORING_OP_RECV, 27, true);
        constant("IORING_OP_SHUTDOWN", UringConstants.IORING_OP_SHUTDOWN, 34, true);
        constant("IORING_OP_RECV_ZC", UringConstants.IORING_OP_RECV_ZC, 58, false);
        constant("IORING_RECV_MULTISHOT", UringConstants.IORING_RECV_MULTISHOT, 2, true);
        constant("IORING_RECVSEND_BUNDLE", UringConstants.IORING_RECVSEND_BUNDLE, 0x10, false);
        constant("IORING_ACCEPT_MULTISHOT", UringConstants.IORING_ACCEPT_MULTISHOT, 1, true);
        constant("IORING_ASYNC_CANCEL_ALL", UringConstants.IORING_ASYNC_CANCEL_ALL, 1, true);
        constant("IORING_ASYNC_CANCEL_FD", UringConstants.IORING_ASYNC_CANCEL_FD, 2, true);
        constant("IORING_CQE_F_BUFFER", UringConstants.IORING_CQE_F_BUFFER, 1, true);
        constant("IORING_CQE_F_MORE", UringConstants.IORING_CQE_F_MORE, 2, true);
        constant("IORING_CQE_BUFFER_SHIFT", UringConstants.IORING_CQE_BUFFER_SHIFT, 16, true);
        constant("IORING_REGISTER_PROBE", UringConstants.IORING_REGISTER_PROBE, 8, true);
        constant("IORING_REGISTER_PBUF_RING", UringConstants.IORING_REGISTER_PBUF_RING, 22, true);
        constant("IORING_UNREGISTER_PBUF_RING", UringConstants.IORING_UNREGISTER_PBUF_RING, 23, true);
        constant("IORING_REGISTER_PBUF_STATUS", UringConstants.IORING_REGISTER_PBUF_STATUS, 26, false);
        constant("IORING_REGISTER_ZCRX_IFQ", UringConstants.IORING_REGISTER_ZCRX_IFQ, 32, false);
        constant("IORING_OFF_SQ_RING", UringConstants.IORING_OFF_SQ_RING, 0, true);
        constant("IORING_OFF_SQES", UringConstants.IORING_OFF_SQES, 0x10000000L, true);
        constant("IORING_OFF_PBUF_RING", UringConstants.IORING_OFF_PBUF_RING, 0x80000000L, false);
        constant("IORING_OFF_PBUF_SHIFT", UringConstants.IORING_OFF_PBUF_SHIFT, 16, false);
        constant("IOU_PBUF_RING_MMAP", UringConstants.IOU_PBUF_RING_MMAP, 1, false);
        constant("IORING_ZCRX_AREA_SHIFT", UringConstants.IORING_ZCRX_AREA_SHIFT, 48, false);
        constant("IORING_ZCRX_AREA_MASK", UringConstants.IORING_ZCRX_AREA_MASK, 0xFFFF_0000_0000_0000L, false);
        constant("IORING_MEM_REGION_TYPE_USER", UringConstants.IORING_MEM_REGION_TYPE_USER, 1, false);
    }

    @Test
    void javaConstantsMatchUapiReference() {
        // Goal: every hard-coded offset/size/constant equals the uapi reference. Method: compare the table.
        buildTable();
        final List<String> wrong = new ArrayList<>();
        for (Check c : checks) {
            if (c.java() != c.reference()) {
                wrong.add(c.what() + ": java=" + c.java() + ", reference=" + c.reference());
            }
        }
        assertTrue(wrong.isEmpty(), "layout constants differ from the uapi reference: " + wrong);
        // Offsets are chained, so also the CQE32 entry and the zcrx CQE position follow from them.
        assertEquals(32, UringLayout.Cqe.SIZE32);
        assertEquals(UringLayout.Cqe.SIZE32 - UringLayout.Cqe.BIG_CQE_OFFSET, ZcrxLayout.Cqe.SIZE);
    }

    @Test
    void javaConstantsMatchCompiledOffsetofProbe() throws IOException, InterruptedException {
        // Goal: the same table checked by a C compiler against the installed uapi header. Method: one
        // _Static_assert per line, compiled with -fsyntax-only; errors are mapped back to their line.
        buildTable();
        final Path header = Path.of("/usr/include/linux/io_uring.h");
        assumeTrue(Files.isReadable(header), "skipped: no kernel uapi header at " + header);
        final String cc = CLayoutProbe.findCompiler();
        assumeTrue(cc != null, "skipped: no C compiler (cc/gcc) on PATH for the offsetof probe");

        final List<CLayoutProbe.Check> probe = new ArrayList<>();
        for (Check c : checks) {
            probe.add(new CLayoutProbe.Check(c.what(), c.cExpr(), c.java(), c.core()));
        }
        final CLayoutProbe.Result r = CLayoutProbe.run(cc, List.of("stddef.h", "linux/time_types.h", "linux/io_uring.h"), probe);
        System.out.println("offsetof probe (" + cc + ", " + header + "): " + r.verified() + " checks verified by C, "
            + r.unavailable().size() + " not in this header (older uapi; verified against the reference table only): "
            + r.unavailable());
        if (!r.mismatches().isEmpty()) {
            fail("C offsetof/sizeof disagrees with Java layout: " + r.mismatches() + "\n" + r.compilerOutput());
        }
        assertTrue(r.verified() > 0, "nothing verified by the C probe:\n" + r.compilerOutput());
    }

}
