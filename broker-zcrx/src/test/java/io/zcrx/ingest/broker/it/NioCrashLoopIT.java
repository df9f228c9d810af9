package io.zcrx.ingest.broker.it;

/** The kill -9 crash loop with the broker on the NIO transport. */
class NioCrashLoopIT extends AbstractCrashLoopIT {
    @Override
    protected String transport() {
        return "nio";
    }
}
