package io.zcrx.ingest.broker.it;

/** The producer suite over copy-mode io_uring (multishot RECV into a provided-buffer ring). */
class UringProducerIT extends AbstractProducerIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
