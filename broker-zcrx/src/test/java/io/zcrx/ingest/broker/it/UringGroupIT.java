package io.zcrx.ingest.broker.it;

/** Consumer groups over copy-mode io_uring. */
class UringGroupIT extends AbstractGroupIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
