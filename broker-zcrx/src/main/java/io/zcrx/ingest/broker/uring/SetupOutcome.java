package io.zcrx.ingest.broker.uring;

import io.zcrx.ingest.nativeio.Errno;

/**
 * What an {@code io_uring_setup} errno means (docs/kernel-abi.md#ring-setup-and-mapping). Every errno the call is
 * documented to return maps to a named outcome; anything else is {@link #UNEXPECTED}.
 */
public enum SetupOutcome {
    NO_IO_URING("kernel built without io_uring (or blocked by seccomp)"),
    DISABLED("io_uring disabled by sysctl kernel.io_uring_disabled, or not permitted for this process"),
    FLAGS_UNSUPPORTED("kernel too old for SINGLE_ISSUER|DEFER_TASKRUN|CQE32|SUBMIT_ALL|CQSIZE (needs >= 6.1)"),
    NO_MEMORY("out of memory or RLIMIT_MEMLOCK too low for the rings"),
    FD_LIMIT("file descriptor limit reached"),
    UNEXPECTED("unexpected errno from io_uring_setup");

    private final String meaning;

    SetupOutcome(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }

    /** @param errno positive errno returned by io_uring_setup */
    public static SetupOutcome of(int errno) {
        switch (errno) {
            case Errno.ENOSYS:
                return NO_IO_URING;
            case Errno.EPERM:
            case Errno.EACCES:
                return DISABLED;
            case Errno.EINVAL:
                return FLAGS_UNSUPPORTED;
            case Errno.ENOMEM:
                return NO_MEMORY;
            case Errno.EMFILE:
            case Errno.ENFILE:
                return FD_LIMIT;
            default:
                return UNEXPECTED;
        }
    }
}
