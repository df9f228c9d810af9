package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.uring.testkit.ZcrxAvailability;

/**
 * The producer suite over zcrx, on the NIC and queue {@link ZcrxAvailability} picks; skipped with the
 * registration's own reason where the NIC cannot do zcrx (virtio_net: EOPNOTSUPP).
 */
class ZcrxProducerIT extends AbstractProducerIT {
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
