package io.zcrx.ingest.broker.uring;

import com.sun.jna.Memory;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.nativeio.Sys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.zcrx.ingest.broker.uring.UringConstants.IORING_ENTER_EXT_ARG;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_ENTER_GETEVENTS;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_FEAT_EXT_ARG;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_FEAT_NODROP;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_FEAT_SINGLE_MMAP;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OFF_SQES;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_OFF_SQ_RING;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_SETUP_CQE32;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_SETUP_CQSIZE;
import static io.zcrx.ingest.broker.uring.UringConstants.IORING_SQ_CQ_OVERFLOW;

/**
 * One io_uring instance: the fd, the mapped SQ/CQ rings (one mapping, {@code FEAT_SINGLE_MMAP}) and the
 * SQE array, read and written through our own views (docs/kernel-abi.md#ring-setup-and-mapping).
 *
 * <pre>
 *   ring mapping (IORING_OFF_SQ_RING, max(sq size, cq size) bytes; offsets from io_uring_params):
 *     sq_off.head  u32  kernel writes   -> load-acquire
 *     sq_off.tail  u32  we write        -> store-release after filling SQEs
 *     sq_off.flags u32  kernel writes   -> load-acquire (CQ_OVERFLOW, TASKRUN)
 *     sq_off.array u32[sq_entries]      identity map written once (slot i = tail &amp; mask)
 *     cq_off.head  u32  we write        -> store-release after copying CQEs out
 *     cq_off.tail  u32  kernel writes   -> load-acquire before reading CQEs
 *     cq_off.cqes  cqe[cq_entries]      16 or 32 (CQE32) bytes each, plain reads
 *   SQE mapping (IORING_OFF_SQES): sqe[sq_entries], 64 bytes each, plain writes
 * </pre>
 *
 * <p>Ownership and threads: the ring is created, entered, registered against and closed by one thread
 * (the reactor): with {@code SINGLE_ISSUER} the kernel answers {@code EEXIST} to any other,
 * and with {@code DEFER_TASKRUN} completions only appear while that thread enters with GETEVENTS. Every
 * entry point checks the calling thread. Not thread-safe.
 *
 * <p>Local copies of our own indexes ({@code sqTail}, {@code cqHead}) are the truth; the shared words are
 * published once per batch (Netty's {@code SubmissionQueue}/{@code CompletionQueue}, liburing's
 * {@code io_uring_smp_store_release}).
 */
public final class Ring implements AutoCloseable {
    /** Aligned native-order u32 access with acquire/release semantics on a direct buffer
     * (docs/kernel-abi.md#memory-ordering). */
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int SQE_SIZE = UringLayout.Sqe.SIZE;
    private static final int ENTER_SCRATCH_SIZE = UringLayout.GeteventsArg.SIZE + UringLayout.KernelTimespec.SIZE;

    private final Thread owner;
    private final int fd;
    private final int setupFlags;
    private final int features;
    private final int sqEntries;
    private final int cqEntries;
    private final int cqeSize;

    private final NativeRegion ringRegion;
    private final NativeRegion sqeRegion;
    private final NativeRegion enterScratch;
    private final ByteBuffer ring;
    private final ByteBuffer sqes;
    private final ByteBuffer scratch;

    private final int sqHeadOffset;
    private final int sqTailOffset;
    private final int sqMask;
    private final int sqFlagsOffset;
    private final int cqHeadOffset;
    private final int cqTailOffset;
    private final int cqMask;
    private final int cqOverflowOffset;
    private final int cqesOffset;

    /** Our SQ tail: SQEs [submittedTail, sqTail) are filled and not yet passed to io_uring_enter. */
    private int sqTail;
    private int submittedTail;
    private int cqHead;
    /** Running totals for the reactor's metrics: SQEs the kernel consumed, CQEs copied out. */
    private long submittedTotal;
    private long reapedTotal;
    private boolean closed;

    private Ring(Thread owner, int fd, int setupFlags, int features, int sqEntries, int cqEntries,
                 NativeRegion ringRegion, NativeRegion sqeRegion, NativeRegion enterScratch, Memory params) {
        this.owner = owner;
        this.fd = fd;
        this.setupFlags = setupFlags;
        this.features = features;
        this.sqEntries = sqEntries;
        this.cqEntries = cqEntries;
        this.cqeSize = (setupFlags & IORING_SETUP_CQE32) != 0 ? UringLayout.Cqe.SIZE32 : UringLayout.Cqe.SIZE;
        this.ringRegion = ringRegion;
        this.sqeRegion = sqeRegion;
        this.enterScratch = enterScratch;
        this.ring = ringRegion.nativeOrderView();
        this.sqes = sqeRegion.nativeOrderView();
        this.scratch = enterScratch.nativeOrderView();

        final int sqOff = UringLayout.Params.SQ_OFF_OFFSET;
        final int cqOff = UringLayout.Params.CQ_OFF_OFFSET;
        sqHeadOffset = params.getInt(sqOff + UringLayout.SqringOffsets.HEAD_OFFSET);
        sqTailOffset = params.getInt(sqOff + UringLayout.SqringOffsets.TAIL_OFFSET);
        sqMask = ring.getInt(params.getInt(sqOff + UringLayout.SqringOffsets.RING_MASK_OFFSET));
        sqFlagsOffset = params.getInt(sqOff + UringLayout.SqringOffsets.FLAGS_OFFSET);
        final int sqArrayOffset = params.getInt(sqOff + UringLayout.SqringOffsets.ARRAY_OFFSET);
        cqHeadOffset = params.getInt(cqOff + UringLayout.CqringOffsets.HEAD_OFFSET);
        cqTailOffset = params.getInt(cqOff + UringLayout.CqringOffsets.TAIL_OFFSET);
        cqMask = ring.getInt(params.getInt(cqOff + UringLayout.CqringOffsets.RING_MASK_OFFSET));
        cqOverflowOffset = params.getInt(cqOff + UringLayout.CqringOffsets.OVERFLOW_OFFSET);
        cqesOffset = params.getInt(cqOff + UringLayout.CqringOffsets.CQES_OFFSET);

        // Identity SQ index array, written once: SQE slot i is announced simply by moving the tail.
        for (int i = 0; i < sqEntries; i++) {
            ring.putInt(sqArrayOffset + i * 4, i);
        }
        sqTail = (int) U32.getAcquire(ring, sqTailOffset);
        submittedTail = sqTail;
        cqHead = (int) U32.getAcquire(ring, cqHeadOffset);
        checkInvariants();
    }

    /**
     * Creates a ring owned by the calling thread.
     *
     * @param sqEntries  submission queue size (power of two; the kernel rounds up)
     * @param cqEntries  completion queue size ({@code IORING_SETUP_CQSIZE} is added when &gt; 0)
     * @param setupFlags {@code IORING_SETUP_*} flags, normally {@link UringConstants#REACTOR_SETUP_FLAGS}
     * @throws UringException with the setup errno ({@link SetupOutcome#of} says what it means), an mmap
     *                        errno, or errno 0 when a required feature bit is missing
     */
    public static Ring create(int sqEntries, int cqEntries, int setupFlags) throws UringException {
        if (sqEntries <= 0 || cqEntries < 0) {
            throw new IllegalArgumentException("ring sizes must be positive: sqEntries=" + sqEntries
                + ", cqEntries=" + cqEntries);
        }
        final Memory params = new Memory(UringLayout.Params.SIZE);
        params.clear();
        int flags = setupFlags;
        if (cqEntries > 0) {
            flags |= IORING_SETUP_CQSIZE;
            params.setInt(UringLayout.Params.CQ_ENTRIES_OFFSET, cqEntries);
        } else {
            flags &= ~IORING_SETUP_CQSIZE;
        }
        params.setInt(UringLayout.Params.FLAGS_OFFSET, flags);
        final int fd = Syscalls.ioUringSetup(sqEntries, Memory.nativeValue(params));
        if (fd < 0) {
            final SetupOutcome outcome = SetupOutcome.of(-fd);
            throw new UringException("io_uring_setup", -fd, "io_uring_setup failed: errno=" + Errno.describe(-fd)
                + ", outcome=" + outcome + " (" + outcome.meaning() + "), sqEntries=" + sqEntries
                + ", cqEntries=" + cqEntries + ", flags=0x" + Integer.toHexString(flags));
        }
        NativeRegion ringRegion = null;
        NativeRegion sqeRegion = null;
        NativeRegion scratch = null;
        try {
            final int features = params.getInt(UringLayout.Params.FEATURES_OFFSET);
            final int required = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
            if ((features & required) != required) {
                throw new UringException("io_uring_setup", 0, "kernel lacks required io_uring features: features=0x"
                    + Integer.toHexString(features) + ", required=0x" + Integer.toHexString(required)
                    + " (SINGLE_MMAP, NODROP, EXT_ARG; kernel too old)");
            }
            final int sqCount = params.getInt(UringLayout.Params.SQ_ENTRIES_OFFSET);
            final int cqCount = params.getInt(UringLayout.Params.CQ_ENTRIES_OFFSET);
            final int cqeSize = (flags & IORING_SETUP_CQE32) != 0 ? UringLayout.Cqe.SIZE32 : UringLayout.Cqe.SIZE;
            final long sqSize = params.getInt(UringLayout.Params.SQ_OFF_OFFSET + UringLayout.SqringOffsets.ARRAY_OFFSET)
                + (long) sqCount * 4;
            final long cqSize = params.getInt(UringLayout.Params.CQ_OFF_OFFSET + UringLayout.CqringOffsets.CQES_OFFSET)
                + (long) cqCount * cqeSize;
            ringRegion = NativeRegion.ofRingFd(fd, IORING_OFF_SQ_RING, Math.max(sqSize, cqSize), "io_uring SQ/CQ ring");
            sqeRegion = NativeRegion.ofRingFd(fd, IORING_OFF_SQES, (long) sqCount * SQE_SIZE, "io_uring SQE array");
            scratch = NativeRegion.anonymous(NativeRegion.PAGE_SIZE, "io_uring enter arguments");
            return new Ring(Thread.currentThread(), fd, flags, features, sqCount, cqCount, ringRegion, sqeRegion,
                scratch, params);
        } catch (UringException | RuntimeException e) {
            if (scratch != null) {
                scratch.close();
            }
            if (sqeRegion != null) {
                sqeRegion.close();
            }
            if (ringRegion != null) {
                ringRegion.close();
            }
            Sys.closeFd(fd);
            throw e;
        }
    }

    // ---- submission ----------------------------------------------------------------------------

    /**
     * Claims the next SQE slot, zeroed, and returns its byte index in {@link #sqes()}. When the SQ is
     * full the pending SQEs are submitted first (and, if the kernel still holds the slots, pending task
     * work is run); a ring that stays full after that is a bug in our bounds.
     */
    public int nextSqe() {
        checkOwner();
        if (sqTail - (int) U32.getAcquire(ring, sqHeadOffset) == sqEntries) {
            submit();
            if (sqTail - (int) U32.getAcquire(ring, sqHeadOffset) == sqEntries) {
                enter(0, 0, IORING_ENTER_GETEVENTS, 0);
                if (sqTail - (int) U32.getAcquire(ring, sqHeadOffset) == sqEntries) {
                    throw new IllegalStateException("submission queue still full after submit: sqEntries=" + sqEntries
                        + ", sqTail=" + sqTail + ", submittedTail=" + submittedTail);
                }
            }
        }
        final int index = (sqTail & sqMask) * SQE_SIZE;
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqes.putLong(index + i, 0L);
        }
        sqTail++;
        return index;
    }

    /** The SQE array view (native order). Fill only the slot {@link #nextSqe()} just returned. */
    public ByteBuffer sqes() {
        return sqes;
    }

    /** SQEs filled but not yet handed to the kernel. */
    public int pendingSubmissions() {
        return sqTail - submittedTail;
    }

    /** Submits every pending SQE without waiting. Returns the number the kernel consumed. */
    public int submit() {
        return enter(0, 0, 0, 0);
    }

    /**
     * Submits pending SQEs, runs deferred task work and waits until {@code minComplete} CQEs are
     * available or {@code timeoutNs} passes (0 = no timeout; only with {@code minComplete} 0 or when a
     * wake-up is guaranteed). Returns the number of SQEs consumed, or 0 on timeout/interrupt.
     */
    public int submitAndWait(int minComplete, long timeoutNs) {
        if (timeoutNs > 0 && minComplete > 0) {
            scratch.putLong(UringLayout.GeteventsArg.SIGMASK_OFFSET, 0L);
            scratch.putInt(UringLayout.GeteventsArg.SIGMASK_SZ_OFFSET, 0);
            scratch.putInt(UringLayout.GeteventsArg.MIN_WAIT_USEC_OFFSET, 0);
            scratch.putLong(UringLayout.GeteventsArg.TS_OFFSET, enterScratch.address() + UringLayout.GeteventsArg.SIZE);
            scratch.putLong(UringLayout.GeteventsArg.SIZE + UringLayout.KernelTimespec.TV_SEC_OFFSET,
                timeoutNs / 1_000_000_000L);
            scratch.putLong(UringLayout.GeteventsArg.SIZE + UringLayout.KernelTimespec.TV_NSEC_OFFSET,
                timeoutNs % 1_000_000_000L);
            return enter(minComplete, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, enterScratch.address(),
                UringLayout.GeteventsArg.SIZE);
        }
        return enter(minComplete, IORING_ENTER_GETEVENTS, 0L, 0);
    }

    private int enter(int minComplete, int flags, long arg, int argSize) {
        checkOwner();
        final int toSubmit = sqTail - submittedTail;
        if (toSubmit > 0) {
            U32.setRelease(ring, sqTailOffset, sqTail);
        }
        final int rc = Syscalls.ioUringEnter(fd, toSubmit, minComplete, flags, arg, argSize);
        if (rc >= 0) {
            submittedTail += rc;
            submittedTotal += rc;
            return rc;
        }
        final EnterOutcome outcome = EnterOutcome.of(-rc);
        switch (outcome) {
            case INTERRUPTED:
            case TIMED_OUT:
            case BUSY:
                return 0;
            default:
                throw new IllegalStateException("io_uring_enter failed: errno=" + Errno.describe(-rc)
                    + ", outcome=" + outcome + ", fd=" + fd + ", toSubmit=" + toSubmit + ", minComplete=" + minComplete
                    + ", flags=0x" + Integer.toHexString(flags));
        }
    }

    // ---- completion ----------------------------------------------------------------------------

    /** CQEs the kernel has posted and we have not drained yet. */
    public int completionsReady() {
        return (int) U32.getAcquire(ring, cqTailOffset) - cqHead;
    }

    /**
     * Copies up to {@code batch.capacity()} CQEs into {@code batch}, then hands their slots back to the
     * kernel with one store-release of the CQ head. Returns the number copied.
     */
    public int drain(CompletionBatch batch) {
        checkOwner();
        final int tail = (int) U32.getAcquire(ring, cqTailOffset);
        final int n = Math.min(tail - cqHead, batch.capacity());
        final boolean big = cqeSize == UringLayout.Cqe.SIZE32;
        for (int i = 0; i < n; i++) {
            final int at = cqesOffset + ((cqHead + i) & cqMask) * cqeSize;
            batch.set(i, ring.getLong(at + UringLayout.Cqe.USER_DATA_OFFSET),
                ring.getInt(at + UringLayout.Cqe.RES_OFFSET), ring.getInt(at + UringLayout.Cqe.FLAGS_OFFSET),
                big ? ring.getLong(at + UringLayout.Cqe.BIG_CQE_OFFSET) : 0L);
        }
        batch.count = n;
        if (n > 0) {
            cqHead += n;
            reapedTotal += n;
            U32.setRelease(ring, cqHeadOffset, cqHead);
        }
        return n;
    }

    /** True while the kernel holds CQEs on its overflow list (they move in on the next GETEVENTS enter). */
    public boolean cqOverflowPending() {
        return ((int) U32.getAcquire(ring, sqFlagsOffset) & IORING_SQ_CQ_OVERFLOW) != 0;
    }

    /** CQEs the kernel had to drop (stays 0 with FEAT_NODROP unless memory ran out). */
    public int droppedCompletions() {
        return (int) U32.getAcquire(ring, cqOverflowOffset);
    }

    /** SQEs the kernel has consumed since the ring was created. Owner thread only, like every counter here. */
    public long submittedTotal() {
        return submittedTotal;
    }

    /** CQEs {@link #drain} has copied out since the ring was created. Owner thread only. */
    public long reapedTotal() {
        return reapedTotal;
    }

    // ---- registration --------------------------------------------------------------------------

    /** {@code io_uring_register} on this ring: the result, or {@code -errno}. Owner thread only. */
    public int register(int opcode, long argAddress, int nrArgs) {
        checkOwner();
        return Syscalls.ioUringRegister(fd, opcode, argAddress, nrArgs);
    }

    // ---- accessors -----------------------------------------------------------------------------

    public int fd() {
        return fd;
    }

    public int features() {
        return features;
    }

    public int setupFlags() {
        return setupFlags;
    }

    public int sqEntries() {
        return sqEntries;
    }

    public int cqEntries() {
        return cqEntries;
    }

    public int cqeSize() {
        return cqeSize;
    }

    public Thread owner() {
        return owner;
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("ring used from a thread that does not own it: ring fd=" + fd
                + ", owner=" + owner.getName() + ", caller=" + Thread.currentThread().getName());
        }
        if (closed) {
            throw new IllegalStateException("ring already closed: fd=" + fd);
        }
    }

    /** Index orderings that must hold between calls; cheap, called after setup and by tests. */
    public void checkInvariants() {
        final int kernelSqHead = (int) U32.getAcquire(ring, sqHeadOffset);
        final int kernelCqTail = (int) U32.getAcquire(ring, cqTailOffset);
        if (sqTail - submittedTail < 0 || sqTail - kernelSqHead > sqEntries || sqTail - kernelSqHead < 0
                || kernelCqTail - cqHead < 0 || kernelCqTail - cqHead > cqEntries) {
            throw new IllegalStateException("ring indexes out of order: sqTail=" + sqTail
                + ", submittedTail=" + submittedTail + ", kernelSqHead=" + kernelSqHead + ", cqHead=" + cqHead
                + ", kernelCqTail=" + kernelCqTail + ", sqEntries=" + sqEntries + ", cqEntries=" + cqEntries);
        }
    }

    /**
     * Closes the ring fd, then unmaps the rings (docs/kernel-abi.md#shutdown-order). Closing the fd makes the
     * kernel cancel whatever is still in flight and, for zcrx, release the ifq asynchronously; memory registered
     * with the ring (areas, buffer rings) must be unmapped by its owner only after this.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("ring closed from a thread that does not own it: fd=" + fd
                + ", owner=" + owner.getName() + ", caller=" + Thread.currentThread().getName());
        }
        closed = true;
        final int rc = Sys.closeFd(fd);
        sqeRegion.close();
        ringRegion.close();
        enterScratch.close();
        if (rc < 0) {
            throw new IllegalStateException("close of ring fd failed: fd=" + fd + ", errno=" + Errno.describe(-rc));
        }
    }

    @Override
    public String toString() {
        return "Ring(fd=" + fd + ", sqEntries=" + sqEntries + ", cqEntries=" + cqEntries + ", cqeSize=" + cqeSize
            + ", flags=0x" + Integer.toHexString(setupFlags) + ", features=0x" + Integer.toHexString(features) + ")";
    }
}
