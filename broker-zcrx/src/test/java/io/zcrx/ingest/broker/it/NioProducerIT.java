package io.zcrx.ingest.broker.it;

/** The producer suite over the portable NIO transport. */
class NioProducerIT extends AbstractProducerIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
