package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.UringSupport;

/** Full disks and unusable log directories with the broker on copy-mode io_uring (multishot RECV into a provided-buffer ring). */
class UringStorageFaultIT extends AbstractStorageFaultIT {
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
