package io.zcrx.ingest.broker.it;

/** Kafka's admin tools over the portable NIO transport. */
class NioAdminToolsIT extends AbstractAdminToolsIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
