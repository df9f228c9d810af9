package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.UringSupport;

/** Protocol edges and control plane over copy-mode io_uring. */
class UringProtocolIT extends AbstractProtocolIT {
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
