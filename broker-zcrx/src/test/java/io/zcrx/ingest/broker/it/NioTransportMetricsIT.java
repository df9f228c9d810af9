package io.zcrx.ingest.broker.it;

import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.transport.nio.NioTransport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The transport metrics over NIO: the gauges against the reactor's receive pool. */
class NioTransportMetricsIT extends AbstractTransportMetricsIT {
    @Override
    protected String transport() {
        return "nio";
    }

    @Override
    protected Own ownCounters(TestBroker b, int reactor) throws Exception {
        final CompletableFuture<Own> own = new CompletableFuture<>();
        ((NioTransport) b.broker().transport()).inspectReceiveMemory(reactor, pool -> own.complete(new Own(
            pool.outstandingChunks(), pool.outstandingBytes(),
            (long) (pool.bufferCount() - pool.freeBuffers()) * pool.bufferBytes(),
            (long) pool.bufferCount() * pool.bufferBytes())));
        return own.get(10, TimeUnit.SECONDS);
    }
}
