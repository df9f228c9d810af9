package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.testkit.ZcrxAvailability;

/**
 * The kill -9 crash loop with the broker on zcrx, on the NIC and queue {@link ZcrxAvailability}
 * picks; skipped with the registration's own reason where the NIC cannot do zcrx.
 */
class ZcrxCrashLoopIT extends AbstractCrashLoopIT {
    @Override
    protected String transport() {
        return "zcrx";
    }

    @Override
    protected String unavailableReason() {
        return ZcrxAvailability.reason();
    }

    @Override
    protected String[] transportOverrides() {
        return ZcrxAvailability.brokerSettings();
    }
}
