package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.UringSupport;

/** Fetch, consumers and console tools over copy-mode io_uring (file regions go out through the connection's bounce buffer). */
class UringConsumerIT extends AbstractConsumerIT {
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
