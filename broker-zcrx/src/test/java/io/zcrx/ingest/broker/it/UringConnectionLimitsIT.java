package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.UringSupport;

/** Request deadline, request limits and 1,000 connections with the broker on copy-mode io_uring (multishot RECV into a provided-buffer ring). */
class UringConnectionLimitsIT extends AbstractConnectionLimitsIT {
    @Override
    protected String transport() {
        return "uring";
    }

    @Override
    protected String unavailableReason() {
        final UringSupport s = UringSupport.get();
        return s.copyModeAvailable() ? null : "copy-mode io_uring unavailable: " + s.reason();
    }
}
