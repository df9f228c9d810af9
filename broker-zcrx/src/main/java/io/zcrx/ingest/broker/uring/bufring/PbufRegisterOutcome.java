package io.zcrx.ingest.broker.uring.bufring;

import io.zcrx.ingest.nativeio.Errno;


/** What an {@code IORING_REGISTER_PBUF_RING} errno means (docs/kernel-abi.md#provided-buffer-rings). */
public enum PbufRegisterOutcome {
    BAD_ARGUMENT("entries not a power of two or > 32768, reserved field set, or kernel without buffer rings (< 5.19)"),
    GROUP_EXISTS("the buffer group id is already registered on this ring"),
    NO_MEMORY("out of memory for the kernel-allocated ring"),
    BAD_ADDRESS("ring memory pointer invalid"),
    UNEXPECTED("unexpected errno from IORING_REGISTER_PBUF_RING");

    private final String meaning;

    PbufRegisterOutcome(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }

    public static PbufRegisterOutcome of(int errno) {
        switch (errno) {
            case Errno.EINVAL:
                return BAD_ARGUMENT;
            case Errno.EEXIST:
                return GROUP_EXISTS;
            case Errno.ENOMEM:
                return NO_MEMORY;
            case Errno.EFAULT:
                return BAD_ADDRESS;
            default:
                return UNEXPECTED;
        }
    }
}
