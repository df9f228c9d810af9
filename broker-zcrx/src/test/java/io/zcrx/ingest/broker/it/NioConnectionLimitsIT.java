package io.zcrx.ingest.broker.it;

/** Request deadline, request limits and 1,000 connections with the broker on the NIO transport. */
class NioConnectionLimitsIT extends AbstractConnectionLimitsIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
