package io.zcrx.ingest.broker.it;

/**
 * The kill -9 crash loop with the broker on zcrx, on the NIC and queue {@code ZcrxAvailability}
 * picks; skipped with the registration's own reason where the NIC cannot do zcrx.
 */
class ZcrxCrashLoopIT extends AbstractCrashLoopIT {
    @Override
    protected String transport() {
        return "zcrx";
    }
}
