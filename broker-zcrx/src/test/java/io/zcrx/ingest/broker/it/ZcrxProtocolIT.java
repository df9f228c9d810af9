package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.testkit.ZcrxAvailability;

/** Protocol edges and control plane over zcrx; skipped with the registration's reason where it cannot run. */
class ZcrxProtocolIT extends AbstractProtocolIT {
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
