package io.zcrx.ingest.broker.uring.zcrx;

import io.zcrx.ingest.broker.uring.UringException;

/** zcrx registration failed; {@link #outcome()} says what the errno means here. */
public final class ZcrxRegisterException extends UringException {
    private static final long serialVersionUID = 1L;

    private final transient ZcrxRegisterOutcome outcome;

    public ZcrxRegisterException(int errno, ZcrxRegisterOutcome outcome, String message) {
        super("IORING_REGISTER_ZCRX_IFQ", errno, message);
        this.outcome = outcome;
    }

    public ZcrxRegisterOutcome outcome() {
        return outcome;
    }
}
