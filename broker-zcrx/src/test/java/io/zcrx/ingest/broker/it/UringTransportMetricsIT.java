package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.transport.uring.ReceiveLedger;
import io.zcrx.ingest.broker.transport.uring.ReceiveMemory;
import io.zcrx.ingest.broker.transport.uring.UringTransport;
import io.zcrx.ingest.broker.transport.uring.UringReactor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The transport metrics over copy-mode io_uring: the gauges against the reactor's release ledger. */
class UringTransportMetricsIT extends AbstractTransportMetricsIT {
    @Override
    protected String transport() {
        return "uring";
    }

    @Override
    protected Own ownCounters(TestBroker b, int reactor) throws Exception {
        return ledgerCounters(((UringTransport) b.broker().transport()).reactors()[reactor]);
    }

    /** The ledger's counters and the memory's size, read on the reactor's thread (they are not published). */
    static Own ledgerCounters(UringReactor r) throws Exception {
        final CompletableFuture<Own> own = new CompletableFuture<>();
        r.execute(() -> {
            final ReceiveMemory m = r.receiveMemory();
            final ReceiveLedger l = m.ledger();
            own.complete(new Own(l.outstandingChunks(), l.outstandingBytes(), m.inUseBytes(), m.capacityBytes()));
        });
        return own.get(10, TimeUnit.SECONDS);
    }
}
