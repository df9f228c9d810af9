package io.zcrx.ingest.broker.transport;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.uring.testkit.PatternClient;
import io.zcrx.ingest.broker.uring.testkit.PatternSink;
import io.zcrx.ingest.broker.uring.testkit.StreamPattern;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The transport contract, independent of the transport (Netty's pattern): one suite, subclassed once per
 * transport ({@code nio}, {@code uring}, {@code zcrx}), each subclass skipping with the reason when its
 * transport cannot run here. Real sockets on 127.0.0.1, real kernel, the test-only {@link PatternSink}
 * as the broker: every byte is checked against its stream position, and after every test all receive
 * memory must be back (ledger empty; for io_uring every buffer back in its ring).
 */
public abstract class TransportContractTest {
    protected Transport transport;
    protected PatternSink sink;

    /** Null when the transport can run on this machine, else why not (the skip message). */
    protected abstract String unavailableReason();

    protected abstract Transport newTransport(TransportSettings settings,
        ReactorHandlerFactory factory) throws IOException;

    /** Receive memory of one reactor, in bytes (what the transport may hand out before it must stop). */
    protected abstract long receiveCapacityBytes();

    /** Times the transport had to stop receiving because its receive memory was held. */
    protected abstract long pressureEvents(Transport t);

    /** Each reactor's open connections as the reactors publish them (where connections landed). */
    protected abstract int[] connectionsPerReactor(Transport t);

    /** Transport state for a failure message (io_uring: each reactor's connections), or "". */
    protected String diagnostics(Transport t) {
        return "";
    }

    /** Transport-specific leak check, called while the transport still runs and every connection is gone. */
    protected void assertReceiveMemoryBack(Transport t) throws Exception {
        assertEquals(0, t.outstandingChunks(), "outstanding chunks");
        assertEquals(0, t.outstandingBytes(), "outstanding bytes");
    }

    @BeforeEach
    void checkAvailable() {
        final String reason = unavailableReason();
        assumeTrue(reason == null, "skipped: " + reason);
    }

    @AfterEach
    void stopTransport() {
        if (transport != null) {
            transport.close();
            assertEquals(0, transport.outstandingChunks(), "chunks outstanding after close");
        }
        if (sink != null) {
            assertTrue(sink.errors.isEmpty(), sink.errors.toString());
        }
    }

    protected static TransportSettings settings(int reactors, int maxConnections, int sendBufferBytes) {
        return new TransportSettings(new InetSocketAddress("127.0.0.1", 0), reactors, sendBufferBytes, -1,
            maxConnections, 4096, null);
    }

    private void startWithSink(int reactors, int maxConnections) throws IOException {
        sink = new PatternSink();
        transport = newTransport(settings(reactors, maxConnections, -1), (id, io) -> sink);
        transport.start();
    }

    private void awaitAllGoneAndMemoryBack() throws Exception {
        Await.until("all connections closed", () -> transport.connectionCount() == 0);
        Await.until("all chunks released", () -> transport.outstandingChunks() == 0);
        assertReceiveMemoryBack(transport);
    }

    @Test
    void patternStreamsArriveInOrderOnEveryConnection() throws Exception {
        // Goal: bytes reach the broker side in stream order, whatever the chunking, on every connection and
        // reactor, acks flow back, and all receive memory returns. Method: 6 clients x 1.5 MiB of pattern in
        // random-size writes over 2 reactors; the sink checks each byte and acks every 64 KiB and at EOF.
        startWithSink(2, 100);
        final int clients = 6;
        final long length = 3 * 512 * 1024;
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            final long seed = 1000 + i;
            final Thread th = new Thread(() -> {
                try (PatternClient c = new PatternClient(transport.localAddress(), seed)) {
                    c.send(length, new Random(seed));
                    c.shutdownOutput();
                    assertEquals(length, c.readAcksUntilClose(), "final ack");
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(clients * length, sink.verifiedBytes.get());
        Await.until("every connection closed after its final ack", () -> sink.closed.get() == clients);
        awaitAllGoneAndMemoryBack();
    }

    @Test
    void newConnectionGoesToTheReactorWithFewestConnections() throws Exception {
        // Goal: connections are balanced by how many each reactor has, and a closed connection frees its
        // place. Method: 3 reactors, 6 connections opened one after the other (2 each); close connections 0
        // and 3, which share a reactor when connections are dealt out in turn, leaving it with none; the next
        // 2 connections must both go there (round-robin would give 1, 3, 2).
        startWithSink(3, 100);
        assumeTrue(connectionsPerReactor(transport).length == 3, "this transport runs one reactor per rx queue");
        final List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                sockets.add(new Socket(transport.localAddress().getAddress(), transport.localAddress().getPort()));
                final int open = i + 1;
                Await.until("connection " + i + " accepted", () -> transport.connectionCount() == open);
            }
            awaitPerReactor(2, 2, 2);
            final int[] before = connectionsPerReactor(transport).clone();
            sockets.get(0).close();
            sockets.get(3).close();
            Await.until("2 connections gone", () -> transport.connectionCount() == 4);
            Await.until("the reactors to see the closes",
                () -> Arrays.stream(connectionsPerReactor(transport)).sum() == 4);
            final int[] after = connectionsPerReactor(transport);
            assertEquals(1, Arrays.stream(after).filter(n -> n == 0).count(),
                "connections 0 and 3 should have shared a reactor: before=" + Arrays.toString(before) + ", after="
                    + Arrays.toString(after));
            for (int i = 0; i < 2; i++) {
                sockets.add(new Socket(transport.localAddress().getAddress(), transport.localAddress().getPort()));
                final int open = 5 + i;
                Await.until("new connection " + i + " accepted", () -> transport.connectionCount() == open);
            }
            awaitPerReactor(2, 2, 2);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        awaitAllGoneAndMemoryBack();
        awaitPerReactor(0, 0, 0);
    }

    private void awaitPerReactor(int... expected) throws InterruptedException {
        try {
            Await.until("connections per reactor " + Arrays.toString(expected),
                () -> Arrays.equals(expected, connectionsPerReactor(transport)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; now " + Arrays.toString(connectionsPerReactor(transport)), e);
        }
    }

    @Test
    void heldReceiveMemoryStopsReceivingUntilReleased() throws Exception {
        // Goal: when connections hold all receive memory (appends not done yet) the transport stops
        // receiving instead of growing, and once memory is released it resumes with nothing lost. Method:
        // the sink keeps every chunk; the client sends 4x the receive memory; wait for the transport to
        // report the pressure, check no more than the memory was handed over, then release repeatedly.
        startWithSink(1, 10);
        sink.holdBytes = Long.MAX_VALUE;
        final long capacity = receiveCapacityBytes();
        final long length = 4 * capacity;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicReference<Long> finalAck = new AtomicReference<>();
        final Thread client = new Thread(() -> {
            try (PatternClient c = new PatternClient(transport.localAddress(), 77)) {
                c.send(length, new Random(77));
                c.shutdownOutput();
                finalAck.set(c.readAcksUntilClose());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        client.start();
        Await.until("the transport to stop receiving for lack of memory", () -> pressureEvents(transport) > 0);
        assertTrue(sink.verifiedBytes.get() <= capacity,
            "handed over more than the receive memory: verified=" + sink.verifiedBytes.get() + ", capacity="
                + capacity);
        sink.holdBytes = 0;
        while (client.isAlive()) {
            sink.releaseHeldEverywhere();
            client.join(20);
        }
        assertEquals(null, failure.get(), () -> diagnostics(transport));
        assertEquals(length, finalAck.get());
        awaitAllGoneAndMemoryBack();
    }

    @Test
    void pausedConnectionGetsNoBytesUntilResumed() throws Exception {
        // Goal: pauseReceive means the handler sees no bytes until resumeReceive, and nothing is lost or
        // reordered across pauses. Method: the sink pauses after every chunk and records any chunk that
        // arrives while paused; the test keeps resuming until 512 KiB are through.
        startWithSink(1, 10);
        sink.pauseAfterEachChunk = true;
        final long length = 512 * 1024;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicReference<Long> finalAck = new AtomicReference<>();
        final Thread client = new Thread(() -> {
            try (PatternClient c = new PatternClient(transport.localAddress(), 5)) {
                c.send(length, new Random(5));
                c.shutdownOutput();
                finalAck.set(c.readAcksUntilClose());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        client.start();
        while (client.isAlive()) {
            sink.resumeAll();
            client.join(2);
        }
        assertEquals(null, failure.get(), () -> diagnostics(transport));
        assertEquals(length, finalAck.get());
        assertEquals(0, sink.chunksWhilePaused.get(), "chunks delivered while the connection was paused");
        awaitAllGoneAndMemoryBack();
    }

    @Test
    void connectionClosedMidFrameReleasesEverythingItHeld() throws Exception {
        // Goal: a connection that dies while its handler holds receive memory (a partly received frame)
        // gives all of it back. Method: the sink holds every chunk; the client sends 200 KiB and resets
        // the connection (SO_LINGER 0); the handler's onClosed releases; the ledger must be empty.
        startWithSink(1, 10);
        sink.holdBytes = Long.MAX_VALUE;
        final long length = Math.min(200 * 1024, receiveCapacityBytes() / 2);
        try (PatternClient c = new PatternClient(transport.localAddress(), 9)) {
            c.send(length, new Random(9));
            Await.until("all bytes received and held", () -> sink.verifiedBytes.get() == length);
            assertTrue(transport.outstandingChunks() > 0, "the handler holds chunks");
            c.socket().setSoLinger(true, 0);
        }
        Await.until("the broker side to see the reset", () -> sink.closed.get() == 1);
        awaitAllGoneAndMemoryBack();
    }

    @Test
    void closeWithFlushSendsEverythingQueuedFirst() throws Exception {
        // Goal: partial sends continue until the queue is empty, then close(flushFirst) closes. Method: on
        // the first byte the handler queues 3 MiB of pattern and asks for close-after-flush; SO_SNDBUF is
        // 8 KiB so the kernel takes the queue in many partial sends; the client reads it all, then EOF.
        final long length = 3L * 1024 * 1024;
        final ReactorHandler writer = new ReactorHandler() {
            @Override
            public ConnectionHandler onAccept(ConnectionIo io) {
                return new ConnectionHandler() {
                    boolean answered;

                    @Override
                    public void onReceive(RxChunk chunk) {
                        if (answered) {
                            return;
                        }
                        answered = true;
                        final ByteBuffer b = ByteBuffer.allocate((int) length);
                        StreamPattern.fill(b, 31, 0);
                        io.outbound().write(b);
                        io.flush();
                        io.close("done", true);
                    }

                    @Override
                    public void onReadClosed() {
                    }

                    @Override
                    public void onClosed(String reason) {
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
        transport = newTransport(settings(1, 10, 8192), (id, io) -> writer);
        transport.start();
        try (Socket s = new Socket("127.0.0.1", transport.localAddress().getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(1);
            final byte[] got = new byte[(int) length];
            new DataInputStream(s.getInputStream()).readFully(got);
            final int bad = StreamPattern.firstMismatch(ByteBuffer.wrap(got), 0, got.length, 31, 0);
            assertEquals(-1, bad, "response byte out of place");
            assertEquals(-1, s.getInputStream().read(), "closed after the queue drained");
        }
        awaitAllGoneAndMemoryBack();
    }

    @Test
    void fileRegionsAreSentBetweenByteRegions() throws Exception {
        // Goal: the outbound queue's file regions (Fetch-style) go out in order between byte regions.
        // Method: on the first byte the handler queues 5 bytes, 300 KiB of a pattern file, 5 bytes, then
        // closes after flush; the client checks every byte.
        final Path file = Files.createTempFile("region", ".bin");
        final int fileLength = 300 * 1024;
        final ByteBuffer content = ByteBuffer.allocate(fileLength);
        StreamPattern.fill(content, 8, 0);
        Files.write(file, content.array());
        try (FileChannel channel = FileChannel.open(file)) {
            final ReactorHandler sender = new ReactorHandler() {
                @Override
                public ConnectionHandler onAccept(ConnectionIo io) {
                    return new ConnectionHandler() {
                        boolean answered;

                        @Override
                        public void onReceive(RxChunk chunk) {
                            if (!answered) {
                                answered = true;
                                io.outbound().write(ByteBuffer.wrap("head:".getBytes()));
                                io.outbound().addFileRegion(channel, 0, fileLength);
                                io.outbound().write(ByteBuffer.wrap(":tail".getBytes()));
                                io.flush();
                                io.close("done", true);
                            }
                        }

                        @Override
                        public void onReadClosed() {
                        }

                        @Override
                        public void onClosed(String reason) {
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
            transport = newTransport(settings(1, 10, -1), (id, io) -> sender);
            transport.start();
            try (Socket s = new Socket("127.0.0.1", transport.localAddress().getPort())) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(1);
                final byte[] got = new byte[fileLength + 10];
                new DataInputStream(s.getInputStream()).readFully(got);
                assertEquals("head:", new String(got, 0, 5));
                assertEquals(-1, StreamPattern.firstMismatch(ByteBuffer.wrap(got), 5, fileLength, 8, 0), "file bytes");
                assertEquals(":tail", new String(got, 5 + fileLength, 5));
                assertEquals(-1, s.getInputStream().read());
            }
        } finally {
            Files.deleteIfExists(file);
        }
        awaitAllGoneAndMemoryBack();
    }

    @Test
    void maxConnectionsClosesTheExtraConnection() throws Exception {
        // Goal: admission control at accept. Method: max 2; a third connection reads EOF; the first two work.
        startWithSink(1, 2);
        try (Socket a = new Socket("127.0.0.1", transport.localAddress().getPort());
             Socket b = new Socket("127.0.0.1", transport.localAddress().getPort())) {
            Await.until("two connections", () -> transport.connectionCount() == 2);
            try (Socket c = new Socket("127.0.0.1", transport.localAddress().getPort())) {
                c.setSoTimeout(10_000);
                final InputStream in = c.getInputStream();
                assertEquals(-1, in.read(), "third connection closed by the broker");
            }
            assertEquals(2, sink.accepted.get());
        }
        awaitAllGoneAndMemoryBack();
    }

    @Test
    void shutdownWithOpenConnectionsClosesThemAndGetsAllMemoryBack() throws Exception {
        // Goal: close() with live connections holding memory tells every handler and ends with an empty
        // ledger. Method: 3 clients send and keep the connection open, the sink holds everything, close.
        startWithSink(2, 10);
        sink.holdBytes = Long.MAX_VALUE;
        final List<PatternClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                final PatternClient c = new PatternClient(transport.localAddress(), 40 + i);
                c.send(16 * 1024, new Random(i));
                clients.add(c);
            }
            Await.until("all bytes received", () -> sink.verifiedBytes.get() == 3 * 16 * 1024);
            assertTrue(transport.outstandingChunks() > 0);
            transport.close();
            assertEquals(3, sink.closed.get(), "every handler told");
            assertEquals(0, transport.outstandingChunks());
            assertEquals(0, transport.connectionCount());
        } finally {
            for (PatternClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void tasksFromOtherThreadsRunOnTheReactorThread() throws Exception {
        // Goal: ReactorIo.execute wakes an idle reactor and runs the task on its thread. Method: 200 tasks
        // from this thread, each recording whether it ran in the reactor thread.
        startWithSink(1, 10);
        try (Socket s = new Socket("127.0.0.1", transport.localAddress().getPort())) {
            Await.until("a connection (to reach its ReactorIo)", () -> sink.connections.size() == 1);
            final ConnectionIo io = sink.connections.peek();
            final ConcurrentLinkedQueue<Boolean> ran = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 200; i++) {
                assertTrue(io.reactor().execute(() -> ran.add(io.reactor().inReactorThread())));
                if (i % 50 == 0) {
                    // Deliberate pause: the reactor runs out of work and blocks again, so the next
                    // execute has to wake an idle reactor (what this test is about), not a busy one.
                    Thread.sleep(20);
                }
            }
            Await.until("every task ran", () -> ran.size() == 200);
            assertTrue(ran.stream().allMatch(b -> b));
        }
        awaitAllGoneAndMemoryBack();
    }
}
