package io.zcrx.ingest.broker.it;

/** The flush policy and group commit over the NIO transport. */
class NioGroupCommitIT extends AbstractGroupCommitIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
