package io.zcrx.ingest.broker.it;

/**
 * Full disks and unusable log directories with the broker on copy-mode io_uring (multishot RECV
 * into a provided-buffer ring).
 */
class UringStorageFaultIT extends AbstractStorageFaultIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
