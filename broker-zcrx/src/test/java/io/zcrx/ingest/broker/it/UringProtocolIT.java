package io.zcrx.ingest.broker.it;

/** Protocol edges and control plane over copy-mode io_uring. */
class UringProtocolIT extends AbstractProtocolIT {
    @Override
    protected String transport() {
        return "uring";
    }
}
