package io.zcrx.ingest.broker.it;

/**
 * Request deadline, request limits and 1,000 connections with the broker on copy-mode io_uring
 * (multishot RECV into a provided-buffer ring).
 */
class UringConnectionLimitsIT extends AbstractConnectionLimitsIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
