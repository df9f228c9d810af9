package io.zcrx.ingest.broker.uring;

import java.io.IOException;

/**
 * A setup-time io_uring, mmap or socket call failed. Carries the operation and the errno so callers
 * (transport selection, doctor) can decide and log without parsing text; the message reads
 * {@code "what: name=value, ..."} and always names the errno symbolically.
 *
 * <p>Loops never throw this: hot-path failures are per-operation outcome enums or
 * {@link IllegalStateException} for bugs.
 */
public class UringException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    public UringException(String operation, int errno, String message) {
        super(message);
        this.operation = operation;
        this.errno = Math.abs(errno);
    }

    /** The failing call, e.g. {@code "io_uring_setup"}, {@code "IORING_REGISTER_ZCRX_IFQ"}. */
    public String operation() {
        return operation;
    }

    /** Positive errno, 0 when the failure was not an errno (e.g. a missing feature bit). */
    public int errno() {
        return errno;
    }
}
