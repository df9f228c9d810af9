package io.zcrx.ingest.broker.transport.nio;

import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportContractTest;
import io.zcrx.ingest.broker.transport.TransportSettings;

/** The transport contract over NIO (the reference implementation): 64 x 4 KiB receive buffers per reactor. */
class NioTransportContractTest extends TransportContractTest {
    private static final int BUFFER_BYTES = 4096;
    private static final int BUFFER_COUNT = 64;

    @Override
    protected String unavailableReason() {
        return null;
    }

    @Override
    protected Transport newTransport(TransportSettings settings, ReactorHandlerFactory factory) {
        return new NioTransport(settings, BUFFER_BYTES, BUFFER_COUNT, factory);
    }

    @Override
    protected long receiveCapacityBytes() {
        return (long) BUFFER_BYTES * BUFFER_COUNT;
    }

    @Override
    protected long pressureEvents(Transport t) {
        return ((NioTransport) t).starvationEvents();
    }

    @Override
    protected int[] connectionsPerReactor(Transport t) {
        return ((NioTransport) t).connectionsPerReactor();
    }
}
