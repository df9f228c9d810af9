package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.UringSupport;

/** The flush policy and group commit on copy-mode io_uring (multishot RECV into a provided-buffer ring). */
class UringGroupCommitIT extends AbstractGroupCommitIT {
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
