package io.zcrx.ingest.broker.uring;

import io.zcrx.ingest.broker.uring.UringLayout.Cqe;
import io.zcrx.ingest.broker.uring.UringLayout.CqringOffsets;
import io.zcrx.ingest.broker.uring.UringLayout.GeteventsArg;
import io.zcrx.ingest.broker.uring.UringLayout.KernelTimespec;
import io.zcrx.ingest.broker.uring.UringLayout.Params;
import io.zcrx.ingest.broker.uring.UringLayout.Probe;
import io.zcrx.ingest.broker.uring.UringLayout.Sqe;
import io.zcrx.ingest.broker.uring.UringLayout.SqringOffsets;
import io.zcrx.ingest.broker.uring.bufring.BufRingLayout.Buf;
import io.zcrx.ingest.broker.uring.bufring.BufRingLayout.BufReg;
import io.zcrx.ingest.broker.uring.bufring.BufRingLayout.BufStatus;
import io.zcrx.ingest.broker.uring.testkit.CLayoutProbe;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout.AreaReg;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout.IfqReg;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout.Offsets;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout.RegionDesc;
import io.zcrx.ingest.broker.uring.zcrx.ZcrxLayout.Rqe;
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

    private void field(String struct, String member, int javaOffset, int javaLength, int refOffset, int refLength,
            boolean core) {
        checks.add(new Check(struct + "." + member + " offset", "offsetof(struct " + struct + ", " + member + ")",
            javaOffset, refOffset, core));
        if (refLength >= 0) {
            checks.add(new Check(struct + "." + member + " size",
                "sizeof(((struct " + struct + " *)0)->" + member + ")",
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
        field("io_sqring_offsets", "head", SqringOffsets.HEAD_OFFSET, SqringOffsets.HEAD_LENGTH, 0, 4, true);
        field("io_sqring_offsets", "tail", SqringOffsets.TAIL_OFFSET, SqringOffsets.TAIL_LENGTH, 4, 4, true);
        field("io_sqring_offsets", "ring_mask", SqringOffsets.RING_MASK_OFFSET, SqringOffsets.RING_MASK_LENGTH, 8, 4,
            true);
        field("io_sqring_offsets", "ring_entries", SqringOffsets.RING_ENTRIES_OFFSET, SqringOffsets.RING_ENTRIES_LENGTH,
            12, 4, true);
        field("io_sqring_offsets", "flags", SqringOffsets.FLAGS_OFFSET, SqringOffsets.FLAGS_LENGTH, 16, 4, true);
        field("io_sqring_offsets", "dropped", SqringOffsets.DROPPED_OFFSET, SqringOffsets.DROPPED_LENGTH, 20, 4, true);
        field("io_sqring_offsets", "array", SqringOffsets.ARRAY_OFFSET, SqringOffsets.ARRAY_LENGTH, 24, 4, true);
        field("io_sqring_offsets", "user_addr", SqringOffsets.USER_ADDR_OFFSET, SqringOffsets.USER_ADDR_LENGTH, 32, 8,
            false);
        size("io_sqring_offsets", SqringOffsets.SIZE, 40, true);
        field("io_cqring_offsets", "head", CqringOffsets.HEAD_OFFSET, CqringOffsets.HEAD_LENGTH, 0, 4, true);
        field("io_cqring_offsets", "tail", CqringOffsets.TAIL_OFFSET, CqringOffsets.TAIL_LENGTH, 4, 4, true);
        field("io_cqring_offsets", "ring_mask", CqringOffsets.RING_MASK_OFFSET, CqringOffsets.RING_MASK_LENGTH, 8, 4,
            true);
        field("io_cqring_offsets", "ring_entries", CqringOffsets.RING_ENTRIES_OFFSET, CqringOffsets.RING_ENTRIES_LENGTH,
            12, 4, true);
        field("io_cqring_offsets", "overflow", CqringOffsets.OVERFLOW_OFFSET, CqringOffsets.OVERFLOW_LENGTH, 16, 4,
            true);
        field("io_cqring_offsets", "cqes", CqringOffsets.CQES_OFFSET, CqringOffsets.CQES_LENGTH, 20, 4, true);
        field("io_cqring_offsets", "flags", CqringOffsets.FLAGS_OFFSET, CqringOffsets.FLAGS_LENGTH, 24, 4, true);
        field("io_cqring_offsets", "user_addr", CqringOffsets.USER_ADDR_OFFSET, CqringOffsets.USER_ADDR_LENGTH, 32, 8,
            false);
        size("io_cqring_offsets", CqringOffsets.SIZE, 40, true);

        // struct io_uring_params
        field("io_uring_params", "sq_entries", Params.SQ_ENTRIES_OFFSET, Params.SQ_ENTRIES_LENGTH, 0, 4, true);
        field("io_uring_params", "cq_entries", Params.CQ_ENTRIES_OFFSET, Params.CQ_ENTRIES_LENGTH, 4, 4, true);
        field("io_uring_params", "flags", Params.FLAGS_OFFSET, Params.FLAGS_LENGTH, 8, 4, true);
        field("io_uring_params", "sq_thread_cpu", Params.SQ_THREAD_CPU_OFFSET, Params.SQ_THREAD_CPU_LENGTH, 12, 4,
            true);
        field("io_uring_params", "sq_thread_idle", Params.SQ_THREAD_IDLE_OFFSET, Params.SQ_THREAD_IDLE_LENGTH, 16, 4,
            true);
        field("io_uring_params", "features", Params.FEATURES_OFFSET, Params.FEATURES_LENGTH, 20, 4, true);
        field("io_uring_params", "wq_fd", Params.WQ_FD_OFFSET, Params.WQ_FD_LENGTH, 24, 4, true);
        field("io_uring_params", "resv", Params.RESV_OFFSET, Params.RESV_LENGTH, 28, 12, true);
        field("io_uring_params", "sq_off", Params.SQ_OFF_OFFSET, Params.SQ_OFF_LENGTH, 40, 40, true);
        field("io_uring_params", "cq_off", Params.CQ_OFF_OFFSET, Params.CQ_OFF_LENGTH, 80, 40, true);
        size("io_uring_params", Params.SIZE, 120, true);

        // struct io_uring_sqe
        field("io_uring_sqe", "opcode", Sqe.OPCODE_OFFSET, Sqe.OPCODE_LENGTH, 0, 1, true);
        field("io_uring_sqe", "flags", Sqe.FLAGS_OFFSET, Sqe.FLAGS_LENGTH, 1, 1, true);
        field("io_uring_sqe", "ioprio", Sqe.IOPRIO_OFFSET, Sqe.IOPRIO_LENGTH, 2, 2, true);
        field("io_uring_sqe", "fd", Sqe.FD_OFFSET, Sqe.FD_LENGTH, 4, 4, true);
        field("io_uring_sqe", "off", Sqe.OFF_OFFSET, Sqe.OFF_LENGTH, 8, 8, true);
        field("io_uring_sqe", "addr", Sqe.ADDR_OFFSET, Sqe.ADDR_LENGTH, 16, 8, true);
        field("io_uring_sqe", "len", Sqe.LEN_OFFSET, Sqe.LEN_LENGTH, 24, 4, true);
        field("io_uring_sqe", "msg_flags", Sqe.OP_FLAGS_OFFSET, Sqe.OP_FLAGS_LENGTH, 28, 4, true);
        field("io_uring_sqe", "accept_flags", Sqe.OP_FLAGS_OFFSET, Sqe.OP_FLAGS_LENGTH, 28, 4, true);
        field("io_uring_sqe", "cancel_flags", Sqe.OP_FLAGS_OFFSET, Sqe.OP_FLAGS_LENGTH, 28, 4, true);
        field("io_uring_sqe", "user_data", Sqe.USER_DATA_OFFSET, Sqe.USER_DATA_LENGTH, 32, 8, true);
        field("io_uring_sqe", "buf_group", Sqe.BUF_GROUP_OFFSET, Sqe.BUF_GROUP_LENGTH, 40, 2, true);
        field("io_uring_sqe", "personality", Sqe.PERSONALITY_OFFSET, Sqe.PERSONALITY_LENGTH, 42, 2, true);
        field("io_uring_sqe", "file_index", Sqe.ZCRX_IFQ_IDX_OFFSET, Sqe.ZCRX_IFQ_IDX_LENGTH, 44, 4, true);
        field("io_uring_sqe", "zcrx_ifq_idx", Sqe.ZCRX_IFQ_IDX_OFFSET, Sqe.ZCRX_IFQ_IDX_LENGTH, 44, 4, false);
        field("io_uring_sqe", "addr3", Sqe.ADDR3_OFFSET, Sqe.ADDR3_LENGTH, 48, 8, true);
        size("io_uring_sqe", Sqe.SIZE, 64, true);

        // struct io_uring_cqe
        field("io_uring_cqe", "user_data", Cqe.USER_DATA_OFFSET, Cqe.USER_DATA_LENGTH, 0, 8, true);
        field("io_uring_cqe", "res", Cqe.RES_OFFSET, Cqe.RES_LENGTH, 8, 4, true);
        field("io_uring_cqe", "flags", Cqe.FLAGS_OFFSET, Cqe.FLAGS_LENGTH, 12, 4, true);
        field("io_uring_cqe", "big_cqe", Cqe.BIG_CQE_OFFSET, -1, 16, -1, true);
        size("io_uring_cqe", Cqe.SIZE, 16, true);

        // struct io_uring_probe / io_uring_probe_op
        field("io_uring_probe", "last_op", Probe.LAST_OP_OFFSET, Probe.LAST_OP_LENGTH, 0, 1, true);
        field("io_uring_probe", "ops_len", Probe.OPS_LEN_OFFSET, Probe.OPS_LEN_LENGTH, 1, 1, true);
        field("io_uring_probe", "ops", Probe.OPS_OFFSET, -1, 16, -1, true);
        size("io_uring_probe", Probe.SIZE, 16, true);
        field("io_uring_probe_op", "op", Probe.OP_OP_OFFSET, Probe.OP_OP_LENGTH, 0, 1, true);
        field("io_uring_probe_op", "flags", Probe.OP_FLAGS_OFFSET, Probe.OP_FLAGS_LENGTH, 2, 2, true);
        size("io_uring_probe_op", Probe.OP_SIZE, 8, true);

        // struct io_uring_getevents_arg, __kernel_timespec
        field("io_uring_getevents_arg", "sigmask", GeteventsArg.SIGMASK_OFFSET, GeteventsArg.SIGMASK_LENGTH, 0, 8,
            true);
        field("io_uring_getevents_arg", "sigmask_sz", GeteventsArg.SIGMASK_SZ_OFFSET, GeteventsArg.SIGMASK_SZ_LENGTH, 8,
            4, true);
        field("io_uring_getevents_arg", "min_wait_usec", GeteventsArg.MIN_WAIT_USEC_OFFSET,
            GeteventsArg.MIN_WAIT_USEC_LENGTH, 12, 4, false);
        field("io_uring_getevents_arg", "ts", GeteventsArg.TS_OFFSET, GeteventsArg.TS_LENGTH, 16, 8, true);
        size("io_uring_getevents_arg", GeteventsArg.SIZE, 24, true);
        field("__kernel_timespec", "tv_sec", KernelTimespec.TV_SEC_OFFSET, KernelTimespec.TV_SEC_LENGTH, 0, 8, true);
        field("__kernel_timespec", "tv_nsec", KernelTimespec.TV_NSEC_OFFSET, KernelTimespec.TV_NSEC_LENGTH, 8, 8, true);
        size("__kernel_timespec", KernelTimespec.SIZE, 16, true);

        // provided buffer rings
        field("io_uring_buf", "addr", Buf.ADDR_OFFSET, Buf.ADDR_LENGTH, 0, 8, true);
        field("io_uring_buf", "len", Buf.LEN_OFFSET, Buf.LEN_LENGTH, 8, 4, true);
        field("io_uring_buf", "bid", Buf.BID_OFFSET, Buf.BID_LENGTH, 12, 2, true);
        field("io_uring_buf", "resv", Buf.RESV_OFFSET, Buf.RESV_LENGTH, 14, 2, true);
        size("io_uring_buf", Buf.SIZE, 16, true);
        field("io_uring_buf_ring", "tail", Buf.RING_TAIL_OFFSET, Buf.RING_TAIL_LENGTH, 14, 2, true);
        field("io_uring_buf_reg", "ring_addr", BufReg.RING_ADDR_OFFSET, BufReg.RING_ADDR_LENGTH, 0, 8, true);
        field("io_uring_buf_reg", "ring_entries", BufReg.RING_ENTRIES_OFFSET, BufReg.RING_ENTRIES_LENGTH, 8, 4, true);
        field("io_uring_buf_reg", "bgid", BufReg.BGID_OFFSET, BufReg.BGID_LENGTH, 12, 2, true);
        field("io_uring_buf_reg", "flags", BufReg.FLAGS_OFFSET, BufReg.FLAGS_LENGTH, 14, 2, false);
        field("io_uring_buf_reg", "min_left", BufReg.MIN_LEFT_OFFSET, BufReg.MIN_LEFT_LENGTH, 16, 4, false);
        size("io_uring_buf_reg", BufReg.SIZE, 40, true);
        field("io_uring_buf_status", "buf_group", BufStatus.BUF_GROUP_OFFSET, BufStatus.BUF_GROUP_LENGTH, 0, 4, false);
        field("io_uring_buf_status", "head", BufStatus.HEAD_OFFSET, BufStatus.HEAD_LENGTH, 4, 4, false);
        size("io_uring_buf_status", BufStatus.SIZE, 40, false);

        // zcrx: needs a 6.15+ uapi header for the C side
        field("io_uring_zcrx_cqe", "off", ZcrxLayout.Cqe.OFF_OFFSET, ZcrxLayout.Cqe.OFF_LENGTH, 0, 8, false);
        field("io_uring_zcrx_cqe", "__pad", ZcrxLayout.Cqe.PAD_OFFSET, ZcrxLayout.Cqe.PAD_LENGTH, 8, 8, false);
        size("io_uring_zcrx_cqe", ZcrxLayout.Cqe.SIZE, 16, false);
        field("io_uring_zcrx_rqe", "off", Rqe.OFF_OFFSET, Rqe.OFF_LENGTH, 0, 8, false);
        field("io_uring_zcrx_rqe", "len", Rqe.LEN_OFFSET, Rqe.LEN_LENGTH, 8, 4, false);
        field("io_uring_zcrx_rqe", "__pad", Rqe.PAD_OFFSET, Rqe.PAD_LENGTH, 12, 4, false);
        size("io_uring_zcrx_rqe", Rqe.SIZE, 16, false);
        field("io_uring_zcrx_offsets", "head", Offsets.HEAD_OFFSET, Offsets.HEAD_LENGTH, 0, 4, false);
        field("io_uring_zcrx_offsets", "tail", Offsets.TAIL_OFFSET, Offsets.TAIL_LENGTH, 4, 4, false);
        field("io_uring_zcrx_offsets", "rqes", Offsets.RQES_OFFSET, Offsets.RQES_LENGTH, 8, 4, false);
        field("io_uring_zcrx_offsets", "__resv", Offsets.RESV_OFFSET, Offsets.RESV_LENGTH, 16, 16, false);
        size("io_uring_zcrx_offsets", Offsets.SIZE, 32, false);
        field("io_uring_zcrx_area_reg", "addr", AreaReg.ADDR_OFFSET, AreaReg.ADDR_LENGTH, 0, 8, false);
        field("io_uring_zcrx_area_reg", "len", AreaReg.LEN_OFFSET, AreaReg.LEN_LENGTH, 8, 8, false);
        field("io_uring_zcrx_area_reg", "rq_area_token", AreaReg.RQ_AREA_TOKEN_OFFSET, AreaReg.RQ_AREA_TOKEN_LENGTH, 16,
            8, false);
        field("io_uring_zcrx_area_reg", "flags", AreaReg.FLAGS_OFFSET, AreaReg.FLAGS_LENGTH, 24, 4, false);
        field("io_uring_zcrx_area_reg", "dmabuf_fd", AreaReg.DMABUF_FD_OFFSET, AreaReg.DMABUF_FD_LENGTH, 28, 4, false);
        field("io_uring_zcrx_area_reg", "__resv2", AreaReg.RESV2_OFFSET, AreaReg.RESV2_LENGTH, 32, 16, false);
        size("io_uring_zcrx_area_reg", AreaReg.SIZE, 48, false);
        field("io_uring_region_desc", "user_addr", RegionDesc.USER_ADDR_OFFSET, RegionDesc.USER_ADDR_LENGTH, 0, 8,
            false);
        field("io_uring_region_desc", "size", RegionDesc.SIZE_OFFSET, RegionDesc.SIZE_LENGTH, 8, 8, false);
        field("io_uring_region_desc", "flags", RegionDesc.FLAGS_OFFSET, RegionDesc.FLAGS_LENGTH, 16, 4, false);
        field("io_uring_region_desc", "id", RegionDesc.ID_OFFSET, RegionDesc.ID_LENGTH, 20, 4, false);
        field("io_uring_region_desc", "mmap_offset", RegionDesc.MMAP_OFFSET_OFFSET, RegionDesc.MMAP_OFFSET_LENGTH, 24,
            8, false);
        field("io_uring_region_desc", "__resv", RegionDesc.RESV_OFFSET, RegionDesc.RESV_LENGTH, 32, 32, false);
        size("io_uring_region_desc", RegionDesc.SIZE, 64, false);
        field("io_uring_zcrx_ifq_reg", "if_idx", IfqReg.IF_IDX_OFFSET, IfqReg.IF_IDX_LENGTH, 0, 4, false);
        field("io_uring_zcrx_ifq_reg", "if_rxq", IfqReg.IF_RXQ_OFFSET, IfqReg.IF_RXQ_LENGTH, 4, 4, false);
        field("io_uring_zcrx_ifq_reg", "rq_entries", IfqReg.RQ_ENTRIES_OFFSET, IfqReg.RQ_ENTRIES_LENGTH, 8, 4, false);
        field("io_uring_zcrx_ifq_reg", "flags", IfqReg.FLAGS_OFFSET, IfqReg.FLAGS_LENGTH, 12, 4, false);
        field("io_uring_zcrx_ifq_reg", "area_ptr", IfqReg.AREA_PTR_OFFSET, IfqReg.AREA_PTR_LENGTH, 16, 8, false);
        field("io_uring_zcrx_ifq_reg", "region_ptr", IfqReg.REGION_PTR_OFFSET, IfqReg.REGION_PTR_LENGTH, 24, 8, false);
        field("io_uring_zcrx_ifq_reg", "offsets", IfqReg.OFFSETS_OFFSET, IfqReg.OFFSETS_LENGTH, 32, 32, false);
        field("io_uring_zcrx_ifq_reg", "zcrx_id", IfqReg.ZCRX_ID_OFFSET, IfqReg.ZCRX_ID_LENGTH, 64, 4, false);
        field("io_uring_zcrx_ifq_reg", "__resv", IfqReg.RESV_OFFSET, IfqReg.RESV_LENGTH, 72, 24, false);
        size("io_uring_zcrx_ifq_reg", IfqReg.SIZE, 96, false);

        // constants: the ones the reactor submits or decodes
        constant("IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32"
            + " | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE", UringConstants.REACTOR_SETUP_FLAGS, 0x3888, true);
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
        assertEquals(32, Cqe.SIZE32);
        assertEquals(Cqe.SIZE32 - Cqe.BIG_CQE_OFFSET, ZcrxLayout.Cqe.SIZE);
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
        final CLayoutProbe.Result r =
            CLayoutProbe.run(cc, List.of("stddef.h", "linux/time_types.h", "linux/io_uring.h"), probe);
        System.out.println("offsetof probe (" + cc + ", " + header + "): " + r.verified() + " checks verified by C, "
            + r.unavailable().size() + " not in this header (older uapi; verified against the reference table only): "
            + r.unavailable());
        if (!r.mismatches().isEmpty()) {
            fail("C offsetof/sizeof disagrees with Java layout: " + r.mismatches() + "\n" + r.compilerOutput());
        }
        assertTrue(r.verified() > 0, "nothing verified by the C probe:\n" + r.compilerOutput());
    }

}
