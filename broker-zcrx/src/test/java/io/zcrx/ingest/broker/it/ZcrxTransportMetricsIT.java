package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.transport.uring.ZcrxTransport;

/**
 * The transport metrics over zcrx (skipped with the reason where no NIC here can do zero-copy
 * receive): the gauges against the reactor's release ledger, and the refill ring's gauges exist.
 */
class ZcrxTransportMetricsIT extends AbstractTransportMetricsIT {
    @Override
    protected String transport() {
        return "zcrx";
    }

    @Override
    protected Own ownCounters(TestBroker b, int reactor) throws Exception {
        return UringTransportMetricsIT.ledgerCounters(((ZcrxTransport) b.broker().transport()).reactors()[reactor]);
    }
}
