package io.zcrx.ingest.broker.transport.uring;

import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.TransportContractTest;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.uring.UringSupport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport contract over copy-mode io_uring on the real kernel: 64 x 4 KiB provided buffers per
 * ring (small on purpose, so buffers run out and recycle). Leak check: on each reactor thread, every
 * buffer is back in its ring by our count and by the kernel's (PBUF_STATUS head = our consumer head),
 * and ring, ledger and connection invariants hold.
 */
class UringTransportContractTest extends TransportContractTest {
    static final UringSettings SMALL = new UringSettings(64, 1024, 4096, 64);

    @Override
    protected String unavailableReason() {
        final UringSupport s = UringSupport.get();
        return s.copyModeAvailable() ? null : "copy-mode io_uring unavailable: " + s.reason();
    }

    @Override
    protected Transport newTransport(TransportSettings settings, ReactorHandlerFactory factory) {
        return new UringTransport(settings, SMALL, factory);
    }

    @Override
    protected long receiveCapacityBytes() {
        return (long) SMALL.bufferBytes() * SMALL.bufferCount();
    }

    @Override
    protected long pressureEvents(Transport t) {
        final AbstractUringTransport u = (AbstractUringTransport) t;
        return u.starvationEvents() + u.backpressureEvents();
    }

    @Override
    protected String diagnostics(Transport t) {
        final StringBuilder b = new StringBuilder();
        for (UringReactor r : ((AbstractUringTransport) t).reactors()) {
            final CompletableFuture<String> state = new CompletableFuture<>();
            r.execute(() -> state.complete(r.describeState()));
            try {
                b.append(state.get(5, TimeUnit.SECONDS)).append('\n');
            } catch (Exception e) {
                b.append(r).append(": no answer (").append(e).append(")\n");
            }
        }
        return b.toString();
    }

    @Override
    protected void assertReceiveMemoryBack(Transport t) throws Exception {
        super.assertReceiveMemoryBack(t);
        for (UringReactor r : ((AbstractUringTransport) t).reactors()) {
            final CompletableFuture<String> check = new CompletableFuture<>();
            assertTrue(r.execute(() -> {
                try {
                    r.checkInvariants();
                    final CopyReceiveMemory m = (CopyReceiveMemory) r.receiveMemory();
                    check.complete("inRing=" + m.buffersInRing() + "/" + m.bufferRing().entries()
                        + " kernelHead=" + m.bufferRing().kernelHead() + " ourHead=" + m.bufferRing().consumerHead16()
                        + " ledgerEmpty=" + m.ledger().isEmpty());
                } catch (Throwable e) {
                    check.completeExceptionally(e);
                }
            }));
            final String state = check.get(10, TimeUnit.SECONDS);
            assertEquals("inRing=64/64", state.substring(0, state.indexOf(' ')), state);
            final String[] parts = state.split(" ");
            assertEquals(parts[1].substring("kernelHead=".length()), parts[2].substring("ourHead=".length()), state);
            assertEquals("ledgerEmpty=true", parts[3], state);
        }
    }

    @Override
    protected int[] connectionsPerReactor(Transport t) {
        return ((AbstractUringTransport) t).connectionsPerReactor();
    }
}
