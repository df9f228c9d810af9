package io.zcrx.ingest.broker.it;

/** Protocol edges and control plane over the NIO transport. */
class NioProtocolIT extends AbstractProtocolIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
