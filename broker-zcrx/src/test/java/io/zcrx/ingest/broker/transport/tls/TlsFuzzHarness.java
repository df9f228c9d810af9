package io.zcrx.ingest.broker.transport.tls;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.testkit.DrainingConnectionIo;
import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.testkit.TlsCerts;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The in-process target for fuzzing the TLS layer: one real {@link TlsListener} (kafka-clients' SslFactory over
 * a keytool-made PKCS12 keystore, {@code ssl.client.auth=requested}) and its {@link TlsReactorHandler} in front of
 * a broker handler that drops what it gets, fed from the fuzzing thread. Each input is the byte stream of a fresh
 * {@link TlsConnection}, cut into receive chunks with real native addresses ({@link TestChunks}); what the layer
 * sends (handshake messages, alerts) is drained, or kept for {@link #exchange}.
 *
 * <p>Invariants per input ({@link #feed}): no exception escapes the connection, every receive chunk is released
 * once it is closed, and no decrypted (plaintext) chunk is left out of the reactor's pool.
 *
 * <p>One per JVM; fuzzing thread only.
 */
final class TlsFuzzHarness {
    private static TlsFuzzHarness shared;

    private final TlsListener listener;
    private final TlsReactorHandler reactor;
    private final TestChunks chunks = new TestChunks();
    private final OutboundBlockPool blocks = new OutboundBlockPool(16 * 1024, 64);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final TlsCerts certs;
    private long ids;
    private long inputs;
    private final ReactorIo transportIo;

    private TlsFuzzHarness(TlsCerts certs) {
        this.certs = certs;
        final Map<String, Object> raw = new HashMap<>();
        raw.put("ssl.keystore.location", certs.broker().toString());
        raw.put("ssl.keystore.password", TlsCerts.PASSWORD);
        raw.put("ssl.keystore.type", "PKCS12");
        raw.put("ssl.truststore.location", certs.truststore().toString());
        raw.put("ssl.truststore.password", TlsCerts.PASSWORD);
        raw.put("ssl.client.auth", "requested");
        listener = new TlsListener("SSL", BrokerConfig.sslConfigDef().parse(raw), 10_000, 64 * 1024, 8);
        transportIo = new ReactorIo() {
            @Override
            public boolean execute(Runnable task) {
                tasks.add(task);
                return true;
            }

            @Override
            public boolean inReactorThread() {
                return true;
            }

            @Override
            public int receiveMemoryFreePermille() {
                return 1000;
            }
        };
        reactor = (TlsReactorHandler) listener.wrap((id, io) -> new Drop()).newReactorHandler(0, transportIo);
    }

    static synchronized TlsFuzzHarness shared() {
        if (shared == null) {
            try {
                final Path dir = Files.createTempDirectory("zcrx-tls-fuzz");
                shared = new TlsFuzzHarness(TlsCerts.generate(dir));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    shared.listener.close();
                    try {
                        TestBroker.deleteRecursively(dir);
                    } catch (IOException ignored) {
                        // A temp dir left behind.
                    }
                }));
            } catch (IOException e) {
                throw new IllegalStateException("TLS fuzz harness: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return shared;
    }

    TlsCerts certs() {
        return certs;
    }

    long inputs() {
        return inputs;
    }

    /** Handshakes the layer completed over all inputs (random input completes none). */
    long handshakes() {
        return listener.handshakes();
    }

    long handshakeFailures() {
        return listener.handshakeFailures();
    }

    /**
     * Feeds {@code stream} to a new connection in chunks of {@code chunkLength} bytes (0 = one chunk), then the
     * peer's end of stream, closes it and checks the invariants.
     */
    void feed(byte[] stream, int chunkLength) {
        inputs++;
        final DrainingConnectionIo io = new DrainingConnectionIo(++ids, blocks, transportIo);
        try {
            final ConnectionHandler c = reactor.onAccept(io);
            io.handler = c;
            for (RxChunk chunk : chunks.chunks(stream, cuts(stream.length, chunkLength))) {
                if (!io.closed && !io.paused) {
                    c.onReceive(chunk);
                }
                chunk.release();
                runTasks();
            }
            if (!io.closed) {
                c.onReadClosed();
            }
        } catch (RuntimeException e) {
            throw new AssertionError("exception escaped the TLS connection: " + e, e);
        } finally {
            io.close("end of fuzz input", false);
            runTasks();
            reactor.onTick(System.nanoTime());
        }
        if (chunks.outstanding() != 0) {
            throw new AssertionError("receive chunks leaked after the connection closed: outstanding="
                + chunks.outstanding());
        }
        if (reactor.pool().outstandingChunks() != 0) {
            throw new AssertionError("decrypted chunks leaked after the connection closed: outstanding="
                + reactor.pool().outstandingChunks());
        }
    }

    /**
     * For seeds: one connection fed {@code flights} one after another; returns what the layer sent after each
     * (the handshake messages a client needs for its next flight).
     */
    Exchange open() {
        final DrainingConnectionIo io = new DrainingConnectionIo(++ids, blocks, transportIo);
        io.capture = true;
        io.handler = reactor.onAccept(io);
        return new Exchange(io);
    }

    /** A connection under a seed generator's control. */
    final class Exchange implements AutoCloseable {
        private final DrainingConnectionIo io;

        private Exchange(DrainingConnectionIo io) {
            this.io = io;
        }

        /** Feeds {@code bytes}; returns what the layer sent in answer. */
        byte[] send(byte[] bytes) {
            for (RxChunk chunk : chunks.chunks(bytes)) {
                if (!io.closed) {
                    io.handler.onReceive(chunk);
                }
                chunk.release();
            }
            runTasks();
            final byte[] out = io.captured.toByteArray();
            io.captured.reset();
            return out;
        }

        boolean closed() {
            return io.closed;
        }

        @Override
        public void close() {
            io.close("seed done", false);
        }
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }

    private static int[] cuts(int length, int chunkLength) {
        if (chunkLength <= 0 || chunkLength >= length) {
            return new int[0];
        }
        final int[] cuts = new int[(length - 1) / chunkLength];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1) * chunkLength;
        }
        return cuts;
    }

    /** The broker's side: takes nothing, as a broker connection that never got a request. */
    private static final class Drop implements ReactorHandler {
        @Override
        public ConnectionHandler onAccept(ConnectionIo io) {
            return new ConnectionHandler() {
                @Override
                public void onReceive(RxChunk chunk) {
                    // Plaintext reaching here needs a completed handshake; the caller releases the chunk.
                }

                @Override
                public void onReadClosed() {
                    io.close("eof", false);
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
    }
}
