package io.zcrx.ingest.broker.it;

/** Full disks and unusable log directories with the broker on the NIO transport. */
class NioStorageFaultIT extends AbstractStorageFaultIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
