package io.zcrx.ingest.broker.uring;

import io.zcrx.ingest.nativeio.Errno;

/**
 * What an {@code io_uring_enter} errno means to the reactor loop (docs/kernel-abi.md#submitting-and-reaping).
 * Only the first three are operational; the rest are bugs that stop the reactor.
 */
public enum EnterOutcome {
    /** A signal interrupted the wait: loop again. */
    INTERRUPTED,
    /** The EXT_ARG timeout expired with fewer completions than asked for: normal for an idle loop. */
    TIMED_OUT,
    /** The kernel could not take more work right now (CQ overflow backlog, memory): reap, then retry. */
    BUSY,
    /** {@code EEXIST}: a thread other than the ring's creator entered a SINGLE_ISSUER ring. */
    NOT_OWNER,
    /** EBADF, EFAULT, EINVAL, EOPNOTSUPP...: our bug. */
    BUG;

    /** @param errno positive errno returned by io_uring_enter */
    public static EnterOutcome of(int errno) {
        switch (errno) {
            case Errno.EINTR:
                return INTERRUPTED;
            case Errno.ETIME:
                return TIMED_OUT;
            case Errno.EAGAIN:
            case Errno.EBUSY:
            case Errno.ENOMEM:
                return BUSY;
            case Errno.EEXIST:
                return NOT_OWNER;
            default:
                return BUG;
        }
    }
}
