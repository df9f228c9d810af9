package io.zcrx.ingest.broker.it;

/** The flush policy and group commit on copy-mode io_uring (multishot RECV into a provided-buffer ring). */
class UringGroupCommitIT extends AbstractGroupCommitIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
