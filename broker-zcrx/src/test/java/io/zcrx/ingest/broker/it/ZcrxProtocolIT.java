package io.zcrx.ingest.broker.it;

/** Protocol edges and control plane over zcrx; skipped with the registration's reason where it cannot run. */
class ZcrxProtocolIT extends AbstractProtocolIT {
    @Override
    protected String transport() {
        return "zcrx";
    }
}
