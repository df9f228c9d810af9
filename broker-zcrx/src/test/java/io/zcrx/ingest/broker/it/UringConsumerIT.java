package io.zcrx.ingest.broker.it;

/**
 * Fetch, consumers and console tools over copy-mode io_uring (file regions go out through the
 * connection's bounce buffer).
 */
class UringConsumerIT extends AbstractConsumerIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
