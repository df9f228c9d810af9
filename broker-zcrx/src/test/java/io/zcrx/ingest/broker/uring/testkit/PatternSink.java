package io.zcrx.ingest.broker.uring.testkit;

import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceList;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only broker side of a transport: checks pattern payloads and acknowledges them.
 *
 * <p>Wire protocol: the client sends an 8-byte big-endian seed, then pattern bytes
 * ({@link StreamPattern}) from stream position 0. The sink verifies every byte against its position
 * (whatever chunk boundaries the transport produced), keeps chunks referenced the way a frame assembler
 * would (in a {@link SliceList}) until {@code holdBytes} are held, then releases them, and writes an
 * 8-byte big-endian ack (bytes verified so far) every {@code ackEveryBytes} and once at EOF, after which
 * it closes with flush. Any mismatch is recorded in {@link #errors} and closes the connection.
 *
 * <p>Knobs are volatile so a test can change them while connections run; everything else runs on
 * the reactor thread of the connection.
 */
public final class PatternSink implements ReactorHandler {
    public final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    public final AtomicInteger accepted = new AtomicInteger();
    public final AtomicInteger closed = new AtomicInteger();
    public final AtomicLong verifiedBytes = new AtomicLong();
    public final ConcurrentLinkedQueue<ConnectionIo> connections = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<String> closeReasons = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<ConnectionIo, Conn> conns = new ConcurrentHashMap<>();
    /** Chunks are released once more than this many bytes are held (0 = at once). */
    public volatile long holdBytes;
    public volatile int ackEveryBytes = 64 * 1024;
    /** When true the connection pauses its receive after every chunk; the test resumes it. */
    public volatile boolean pauseAfterEachChunk;
    /** While paused (by pauseAfterEachChunk) a chunk arriving is an error. */
    public final AtomicInteger chunksWhilePaused = new AtomicInteger();

    @Override
    public ConnectionHandler onAccept(ConnectionIo io) {
        accepted.incrementAndGet();
        connections.add(io);
        return new Conn(io);
    }

    @Override
    public long onTick(long nowNs) {
        return Long.MAX_VALUE;
    }

    @Override
    public void onReactorClose() {
    }

    /** Releases every held chunk of every connection (run on each connection's reactor). */
    public void releaseHeldEverywhere() {
        for (ConnectionIo io : connections) {
            io.reactor().execute(() -> {
                final Conn c = conns.get(io);
                if (c != null) {
                    c.held.releaseAll();
                    c.heldBytes = 0;
                }
            });
        }
    }

    final class Conn implements ConnectionHandler {
        final ConnectionIo io;
        final SliceList held = new SliceList();
        long heldBytes;
        long seed;
        int seedBytes;
        long position;
        long lastAck;
        boolean paused;
        boolean failed;

        Conn(ConnectionIo io) {
            this.io = io;
            conns.put(io, this);
        }

        @Override
        public void onReceive(RxChunk chunk) {
            if (paused) {
                chunksWhilePaused.incrementAndGet();
            }
            if (failed) {
                return;
            }
            final ByteBuffer m = chunk.memory();
            int i = chunk.index();
            final int end = chunk.index() + chunk.length();
            while (seedBytes < 8 && i < end) {
                seed = (seed << 8) | (m.get(i++) & 0xFF);
                seedBytes++;
            }
            final int n = end - i;
            if (n > 0) {
                final int bad = StreamPattern.firstMismatch(m, i, n, seed, position);
                if (bad >= 0) {
                    failed = true;
                    errors.add(io + ": pattern mismatch at stream position " + (position + bad) + " (chunk index="
                        + chunk.index() + ", length=" + chunk.length() + ")");
                    io.close("pattern mismatch", false);
                    return;
                }
                position += n;
                verifiedBytes.addAndGet(n);
            }
            held.add(chunk, chunk.index(), chunk.length());
            heldBytes += chunk.length();
            if (heldBytes > holdBytes) {
                held.releaseAll();
                heldBytes = 0;
            }
            if (position - lastAck >= ackEveryBytes) {
                ack();
            }
            if (pauseAfterEachChunk) {
                paused = true;
                io.pauseReceive();
            }
        }

        void resume() {
            paused = false;
            io.resumeReceive();
        }

        private void ack() {
            lastAck = position;
            final ByteBuffer out = io.outbound().beginWrite(8);
            out.putLong(position);
            io.outbound().commitWrite();
            io.flush();
        }

        @Override
        public void onReadClosed() {
            ack();
            io.close("eof", true);
        }

        @Override
        public void onClosed(String reason) {
            held.releaseAll();
            heldBytes = 0;
            closed.incrementAndGet();
            closeReasons.add(reason);
            conns.remove(io);
        }
    }

    /** Resumes every connection paused by {@link #pauseAfterEachChunk}. */
    public void resumeAll() {
        for (ConnectionIo io : connections) {
            io.reactor().execute(() -> {
                final Conn c = conns.get(io);
                if (c != null && c.paused) {
                    c.resume();
                }
            });
        }
    }
}
