package io.zcrx.ingest.broker.it;

/** Kafka's admin tools over copy-mode io_uring. */
class UringAdminToolsIT extends AbstractAdminToolsIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
