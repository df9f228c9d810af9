package io.zcrx.ingest.broker.it;

/** The consumer-group suite over the portable NIO transport. */
class NioGroupIT extends AbstractGroupIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
