package io.zcrx.ingest.broker.it;

/**
 * The producer suite over zcrx, on the NIC and queue {@code ZcrxAvailability} picks; skipped with the
 * registration's own reason where the NIC cannot do zcrx (virtio_net: EOPNOTSUPP).
 */
class ZcrxProducerIT extends AbstractProducerIT {
    @Override
    protected String transport() {
        return "zcrx";
    }
}
