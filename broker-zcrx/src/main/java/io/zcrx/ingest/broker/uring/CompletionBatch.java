package io.zcrx.ingest.broker.uring;

/**
 * CQEs copied out of the completion ring before any of them is handled (TigerBeetle style): the ring
 * slots are handed back to the kernel at once ({@link Ring#drain}), so a handler that submits, enters
 * or even drains again never sees a slot change under it, and nothing is allocated per CQE.
 *
 * <pre>
 *   index i:  userData[i]  res[i]  flags[i]  extra[i]
 *             cqe+0 (u64)  +8 s32  +12 u32   +16 u64 (CQE32 big_cqe[0]: io_uring_zcrx_cqe.off)
 * </pre>
 *
 * <p>Not thread-safe: one per reactor thread, reused for every drain.
 */
public final class CompletionBatch {
    private final long[] userData;
    private final int[] res;
    private final int[] flags;
    private final long[] extra;
    int count;

    public CompletionBatch(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("completion batch capacity must be > 0: capacity=" + capacity);
        }
        userData = new long[capacity];
        res = new int[capacity];
        flags = new int[capacity];
        extra = new long[capacity];
    }

    public int capacity() {
        return userData.length;
    }

    public int count() {
        return count;
    }

    public long userData(int i) {
        return userData[i];
    }

    public int res(int i) {
        return res[i];
    }

    public int flags(int i) {
        return flags[i];
    }

    /** The first 8 bytes after the 16-byte CQE (CQE32 rings): {@code io_uring_zcrx_cqe.off} for RECV_ZC. */
    public long extra(int i) {
        return extra[i];
    }

    void set(int i, long userData, int res, int flags, long extra) {
        this.userData[i] = userData;
        this.res[i] = res;
        this.flags[i] = flags;
        this.extra[i] = extra;
    }
}
