package io.zcrx.ingest.broker.it;

/** The consumer suite over the portable NIO transport. */
class NioConsumerIT extends AbstractConsumerIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
