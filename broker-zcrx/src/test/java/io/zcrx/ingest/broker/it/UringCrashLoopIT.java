package io.zcrx.ingest.broker.it;

/** The kill -9 crash loop with the broker on copy-mode io_uring (multishot RECV into a provided-buffer ring). */
class UringCrashLoopIT extends AbstractCrashLoopIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
