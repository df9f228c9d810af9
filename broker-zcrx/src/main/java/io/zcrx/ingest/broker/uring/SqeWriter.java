package io.zcrx.ingest.broker.uring;

import java.nio.ByteBuffer;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_ACCEPT_MULTISHOT;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_ASYNC_CANCEL_ALL;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_ASYNC_CANCEL_FD;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_ACCEPT;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_ASYNC_CANCEL;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_NOP;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_READ;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_RECV;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_RECV_ZC;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_SEND;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_SHUTDOWN;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OP_WRITEV;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_RECVSEND_BUNDLE;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_RECV_MULTISHOT;
import static io.zcrx.ingest.broker.uring.UringConstants.IOSQE_BUFFER_SELECT;

/**
 * Fills SQEs for the operations the reactor uses, one method per op, following the field map in
 * docs/kernel-abi.md#io_uring_sqe. Each method claims a zeroed slot from the ring ({@link Ring#nextSqe}) and
 * writes only the fields that op reads; reserved fields stay 0 (the kernel checks several of them, e.g.
 * RECV_ZC's addr/addr2/addr3/msg_flags).
 *
 * <p>Not thread-safe: owned by the ring's thread. Allocation-free.
 */
public final class SqeWriter {
    /** accept4 flag: the accepted fd is close-on-exec (fcntl.h O_CLOEXEC). */
    public static final int SOCK_CLOEXEC = 0x80000;

    private final Ring ring;
    private final ByteBuffer sqes;

    public SqeWriter(Ring ring) {
        this.ring = ring;
        this.sqes = ring.sqes();
    }

    private int begin(int opcode, int fd, long userData) {
        final int at = ring.nextSqe();
        sqes.put(at + UringLayout.Sqe.OPCODE_OFFSET, (byte) opcode);
        sqes.putInt(at + UringLayout.Sqe.FD_OFFSET, fd);
        sqes.putLong(at + UringLayout.Sqe.USER_DATA_OFFSET, userData);
        return at;
    }

    public void nop(long userData) {
        begin(IORING_OP_NOP, -1, userData);
    }

    /** Multishot ACCEPT (5.19+): one CQE per accepted connection ({@code res} = fd) while {@code F_MORE}. */
    public void acceptMultishot(int listenFd, long userData) {
        final int at = begin(IORING_OP_ACCEPT, listenFd, userData);
        sqes.putShort(at + UringLayout.Sqe.IOPRIO_OFFSET, (short) IORING_ACCEPT_MULTISHOT);
        sqes.putInt(at + UringLayout.Sqe.OP_FLAGS_OFFSET, SOCK_CLOEXEC);
    }

    /**
     * Multishot RECV into provided buffers of group {@code bufGroup} (copy mode); with
     * {@code bundle} one CQE may cover several consecutive ring buffers (docs/kernel-abi.md#bundles).
     */
    public void recvMultishot(int fd, int bufGroup, boolean bundle, long userData) {
        final int at = begin(IORING_OP_RECV, fd, userData);
        sqes.put(at + UringLayout.Sqe.FLAGS_OFFSET, IOSQE_BUFFER_SELECT);
        sqes.putShort(at + UringLayout.Sqe.IOPRIO_OFFSET,
            (short) (IORING_RECV_MULTISHOT | (bundle ? IORING_RECVSEND_BUNDLE : 0)));
        sqes.putShort(at + UringLayout.Sqe.BUF_GROUP_OFFSET, (short) bufGroup);
    }

    /** RECV_ZC (6.15+): multishot is mandatory, no length limit, data lands in the ifq's area. */
    public void recvZc(int fd, int zcrxId, long userData) {
        final int at = begin(IORING_OP_RECV_ZC, fd, userData);
        sqes.putShort(at + UringLayout.Sqe.IOPRIO_OFFSET, (short) IORING_RECV_MULTISHOT);
        sqes.putInt(at + UringLayout.Sqe.ZCRX_IFQ_IDX_OFFSET, zcrxId);
    }

    /** SEND of {@code length} bytes at native {@code address} (io_uring adds MSG_NOSIGNAL itself). */
    public void send(int fd, long address, int length, long userData) {
        final int at = begin(IORING_OP_SEND, fd, userData);
        sqes.putLong(at + UringLayout.Sqe.ADDR_OFFSET, address);
        sqes.putInt(at + UringLayout.Sqe.LEN_OFFSET, length);
    }

    /** READ of {@code length} bytes into native {@code address} at the file's current position (eventfd wake-ups). */
    public void read(int fd, long address, int length, long userData) {
        final int at = begin(IORING_OP_READ, fd, userData);
        sqes.putLong(at + UringLayout.Sqe.ADDR_OFFSET, address);
        sqes.putInt(at + UringLayout.Sqe.LEN_OFFSET, length);
        sqes.putLong(at + UringLayout.Sqe.OFF_OFFSET, -1L);
    }

    /**
     * WRITEV of the {@code iovCount} iovecs at native {@code iovAddress} at file {@code position} (a pwritev on
     * the ring: the res is the bytes written, possibly short, or -errno). The iovec array and every range it
     * names must stay untouched until the CQE (docs/design.md, "The write on the ring").
     */
    public void writev(int fd, long iovAddress, int iovCount, long position, long userData) {
        final int at = begin(IORING_OP_WRITEV, fd, userData);
        sqes.putLong(at + UringLayout.Sqe.ADDR_OFFSET, iovAddress);
        sqes.putInt(at + UringLayout.Sqe.LEN_OFFSET, iovCount);
        sqes.putLong(at + UringLayout.Sqe.OFF_OFFSET, position);
    }

    /** ASYNC_CANCEL of every request on {@code fd} ({@code CANCEL_FD | CANCEL_ALL}); its CQE res = number cancelled. */
    public void cancelFd(int fd, long userData) {
        final int at = begin(IORING_OP_ASYNC_CANCEL, fd, userData);
        sqes.putInt(at + UringLayout.Sqe.OP_FLAGS_OFFSET, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL);
    }

    /** ASYNC_CANCEL of the request submitted with {@code targetUserData}. */
    public void cancelUserData(long targetUserData, long userData) {
        final int at = begin(IORING_OP_ASYNC_CANCEL, -1, userData);
        sqes.putLong(at + UringLayout.Sqe.ADDR_OFFSET, targetUserData);
    }

    /** SHUTDOWN of a socket ({@code how}: 0 RD, 1 WR, 2 RDWR). */
    public void shutdown(int fd, int how, long userData) {
        final int at = begin(IORING_OP_SHUTDOWN, fd, userData);
        sqes.putInt(at + UringLayout.Sqe.LEN_OFFSET, how);
    }
}
