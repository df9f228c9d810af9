package io.zcrx.ingest.broker.transport.uring;

import com.sun.management.ThreadMXBean;
import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.uring.UringSupport;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The receive hot path allocates nothing per CQE or chunk: CQE drain, dispatch, chunk wrap, hand-over,
 * release and buffer re-add. Method: a handler that keeps each chunk in a reused SliceList (as a frame
 * assembler would) and releases it; after a warm-up, stream 64 MiB and read the reactor thread's
 * allocation counter (HotSpot ThreadMXBean) before and after. 64 MiB in 4 KiB buffers is over 16 000
 * chunks, so even 16 bytes per chunk would show as 256 KiB; the bound allows only fixed noise.
 */
class ReactorAllocationTest {
    @Test
    void steadyStateReceiveDoesNotAllocatePerChunk() throws Exception {
        assumeTrue(UringSupport.get().copyModeAvailable(), "skipped: copy-mode io_uring unavailable");
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean,
            "skipped: no per-thread allocation counter on this JVM");
        final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        final AtomicLong received = new AtomicLong();
        final CompletableFuture<ConnectionIo> connection = new CompletableFuture<>();
        final ReactorHandler handler = new ReactorHandler() {
            @Override
            public ConnectionHandler onAccept(ConnectionIo io) {
                connection.complete(io);
                return new ConnectionHandler() {
                    final SliceList held = new SliceList();

                    @Override
                    public void onReceive(RxChunk chunk) {
                        held.add(chunk, chunk.index(), chunk.length());
                        received.addAndGet(chunk.length());
                        held.releaseAll();
                    }

                    @Override
                    public void onReadClosed() {
                        io.close("eof", false);
                    }

                    @Override
                    public void onClosed(String reason) {
                        held.releaseAll();
                    }
                };
            }

            @Override
            public long onTick(long nowNs) {
                return Long.MAX_VALUE;
            }

            @Override
            public void onReactorClose() {
            }
        };
        final UringTransport t =
            new UringTransport(new TransportSettings(new InetSocketAddress("127.0.0.1", 0), 1, -1, -1, 10, 4096, null),
            new UringSettings(64, 1024, 4096, 256), (id, io) -> handler);
        t.start();
        try (Socket s = new Socket("127.0.0.1", t.localAddress().getPort())) {
            final OutputStream out = s.getOutputStream();
            final byte[] block = new byte[256 * 1024];
            final ConnectionIo io = connection.get(10, TimeUnit.SECONDS);
            final CompletableFuture<Long> threadId = new CompletableFuture<>();
            io.reactor().execute(() -> threadId.complete(Thread.currentThread().getId()));
            final long tid = threadId.get(10, TimeUnit.SECONDS);
            // Warm-up: class loading, JIT, buffer-ring and pool growth happen here, not in the window.
            for (int i = 0; i < 128; i++) {
                out.write(block);
            }
            Await.until("warm-up bytes received", () -> received.get() == 128L * block.length);
            final long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 256; i++) {
                out.write(block);
            }
            Await.until("measured bytes received", () -> received.get() == 384L * block.length);
            final long allocated = threads.getThreadAllocatedBytes(tid) - before;
            System.out.println("reactor thread allocated " + allocated + " bytes while receiving 64 MiB");
            assertTrue(allocated < 64 * 1024, "receive path allocates per chunk: " + allocated + " bytes for 64 MiB");
        } finally {
            t.close();
        }
        assertEquals(0, t.outstandingChunks());
    }
}
