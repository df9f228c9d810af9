package io.zcrx.ingest.broker.transport.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.TlsCerts;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ConnectionIo;
import io.zcrx.ingest.broker.transport.ReactorHandler;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.TransportSettings;
import io.zcrx.ingest.broker.transport.nio.NioTransport;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS layer on the real NIO transport, with an echo handler instead of the broker: real sockets on
 * 127.0.0.1, the JDK's TLS client with certificates made by keytool. Bytes echo through unwrap and wrap intact
 * (several MiB, so records split across receive chunks and output is wrapped in steps as the socket drains); the
 * handler sees the client certificate's principal; a client without a certificate is refused under
 * {@code ssl.client.auth=required}; a plaintext client is closed; every decrypted chunk comes back.
 */
class TlsLayerTest {
    @TempDir
    static Path certDir;
    private static TlsCerts certs;
    private NioTransport transport;
    private TlsListener listener;
    private final ConcurrentLinkedQueue<KafkaPrincipal> principals = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void makeCerts() throws Exception {
        certs = TlsCerts.generate(certDir);
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** Echoes every received byte; remembers the principal the TLS layer gives the connection. */
    private final class Echo implements ReactorHandler {
        @Override
        public ConnectionHandler onAccept(ConnectionIo io) {
            return new ConnectionHandler() {
                @Override
                public void onReceive(RxChunk chunk) {
                    if (io instanceof TlsPeer && principals.isEmpty()) {
                        principals.add(((TlsPeer) io).tlsPrincipal());
                    }
                    final ByteBuffer m = chunk.memory().duplicate();
                    m.limit(chunk.index() + chunk.length()).position(chunk.index());
                    io.outbound().write(m);
                    io.flush();
                }

                @Override
                public void onReadClosed() {
                    io.close("eof", true);
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

    private void start(String clientAuth) throws IOException {
        start(clientAuth, 10_000, 64, (id, io) -> new Echo());
    }

    private void start(String clientAuth, long handshakeTimeoutMs, int poolBuffers, ReactorHandlerFactory handlers)
            throws IOException {
        final Map<String, Object> raw = new HashMap<>();
        raw.put("ssl.keystore.location", certs.broker().toString());
        raw.put("ssl.keystore.password", TlsCerts.PASSWORD);
        raw.put("ssl.keystore.type", "PKCS12");
        raw.put("ssl.truststore.location", certs.truststore().toString());
        raw.put("ssl.truststore.password", TlsCerts.PASSWORD);
        raw.put("ssl.client.auth", clientAuth);
        listener = new TlsListener("SSL", BrokerConfig.sslConfigDef().parse(raw), handshakeTimeoutMs, 64 * 1024,
            poolBuffers);
        transport = new NioTransport(new TransportSettings(new InetSocketAddress("127.0.0.1", 0), 2, -1, -1, 100,
            4096, null), 4096, 64, listener.wrap(handlers));
        transport.start();
    }

    private SSLSocket connect(boolean withCertificate) throws Exception {
        final SSLSocket s = (SSLSocket) certs.clientContext(withCertificate).getSocketFactory()
            .createSocket("127.0.0.1", transport.localAddress().getPort());
        s.setSoTimeout(20_000);
        return s;
    }

    private static byte[] pattern(int n) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + i / 251);
        }
        return b;
    }

    /** Writes {@code data} on one thread while reading the echo on this one. */
    private static byte[] echo(Socket s, byte[] data) throws Exception {
        final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                final OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += 100_000) {
                    out.write(data, off, Math.min(100_000, data.length - off));
                }
                out.flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        final byte[] back = new byte[data.length];
        final InputStream in = s.getInputStream();
        int got = 0;
        while (got < back.length) {
            final int n = in.read(back, got, back.length - got);
            if (n < 0) {
                break;
            }
            got += n;
        }
        writer.get(20, TimeUnit.SECONDS);
        assertEquals(data.length, got, "echoed bytes");
        return back;
    }

    @Test
    void bytesEchoThroughTlsAndTheHandlerSeesTheCertificatesPrincipal() throws Exception {
        start("required");
        final byte[] data = pattern(3 * 1024 * 1024 + 17);
        try (SSLSocket s = connect(true)) {
            assertArrayEquals(data, echo(s, data));
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
        assertEquals(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, TlsCerts.CLIENT_DN), principals.peek());
        Await.until("every decrypted chunk back", Duration.ofSeconds(10), listener::outstandingChunks, n -> n == 0);
        Await.until("every receive chunk back", Duration.ofSeconds(10), transport::outstandingChunks, n -> n == 0);
        assertEquals(1, listener.handshakes());
        assertEquals(0, listener.handshakeFailures());
    }

    @Test
    void withoutClientAuthThePrincipalIsAnonymousAndTls12Works() throws Exception {
        start("none");
        try (SSLSocket s = connect(false)) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            final byte[] data = pattern(100_000);
            assertArrayEquals(data, echo(s, data));
            assertEquals("TLSv1.2", s.getSession().getProtocol());
        }
        assertEquals(KafkaPrincipal.ANONYMOUS, principals.peek());
    }

    @Test
    void aClientWithoutACertificateIsRefusedWhenClientAuthIsRequired() throws Exception {
        start("required");
        try (SSLSocket s = connect(false)) {
            // TLS 1.3: the server's refusal (its alert) arrives after the client's Finished, with the first read.
            final SSLException e = assertThrows(SSLException.class, () -> {
                s.startHandshake();
                s.getOutputStream().write(new byte[] {1, 2, 3});
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) {
                    throw new IOException("closed without an alert");
                }
            });
            assertTrue(e.getMessage().contains("bad_certificate"), e.getMessage());
        }
        Await.until("the failed handshake counted", Duration.ofSeconds(10), listener::handshakeFailures,
            n -> n == 1);
        assertTrue(principals.isEmpty(), "nothing reached the handler");
    }

    @Test
    void aPlaintextClientIsClosed() throws Exception {
        start("none");
        try (Socket s = new Socket("127.0.0.1", transport.localAddress().getPort())) {
            s.setSoTimeout(20_000);
            // A Kafka ApiVersions request's first bytes: size, api key 18, version 3.
            s.getOutputStream().write(new byte[] {0, 0, 0, 20, 0, 18, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0});
            final InputStream in = s.getInputStream();
            // Whatever comes back (a TLS alert at most) ends with the close.
            int n = 0;
            try {
                while (in.read() >= 0) {
                    n++;
                }
            } catch (IOException reset) {
                // Closed with unread data: a reset is a close too.
            }
            assertTrue(n < 100, "no Kafka response, at most an alert: " + n);
        }
        Await.until("the failed handshake counted", Duration.ofSeconds(10), listener::handshakeFailures,
            n -> n == 1);
        assertTrue(principals.isEmpty(), "nothing reached the handler");
        Await.until("every receive chunk back", Duration.ofSeconds(10), transport::outstandingChunks, n -> n == 0);
    }

    /**
     * Holds every received chunk (as a slow log write would) until told to let go, then echoes what it held and
     * everything after it.
     */
    private static final class Holder implements ReactorHandler {
        final AtomicLong heldBytes = new AtomicLong();
        final List<RxChunk> held = new ArrayList<>();
        volatile ConnectionIo io;
        boolean holding = true;

        @Override
        public ConnectionHandler onAccept(ConnectionIo connectionIo) {
            io = connectionIo;
            return new ConnectionHandler() {
                @Override
                public void onReceive(RxChunk chunk) {
                    if (holding) {
                        chunk.retain();
                        held.add(chunk);
                        heldBytes.addAndGet(chunk.length());
                        return;
                    }
                    echo(chunk);
                    io.flush();
                }

                @Override
                public void onReadClosed() {
                    io.close("eof", true);
                }

                @Override
                public void onClosed(String reason) {
                    held.forEach(RxChunk::release);
                    held.clear();
                }
            };
        }

        void echo(RxChunk chunk) {
            final ByteBuffer m = chunk.memory().duplicate();
            m.limit(chunk.index() + chunk.length()).position(chunk.index());
            io.outbound().write(m);
        }

        /** On the reactor: echo and release what was held, and stop holding. */
        void letGo() {
            holding = false;
            for (RxChunk c : held) {
                echo(c);
                c.release();
            }
            held.clear();
            heldBytes.set(0);
            io.flush();
        }

        @Override
        public long onTick(long nowNs) {
            return Long.MAX_VALUE;
        }

        @Override
        public void onReactorClose() {
        }
    }

    @Test
    void decryptMemoryIsBoundedAndUnwrappingResumesWhenItComesBack() throws Exception {
        // Goal: a connection whose plaintext is not released stops at the pool's size (2 x 64 KiB), keeps its
        // ciphertext, and carries on, every byte in order, once memory comes back. 16 MiB is far more than the
        // pool plus every socket buffer on the way, so the client is still writing while the pool is full.
        final Holder holder = new Holder();
        start("none", 10_000, 2, (id, io) -> holder);
        final byte[] data = pattern(16 * 1024 * 1024);
        try (SSLSocket s = connect(false)) {
            s.startHandshake();
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Await.until("the pool filled", Duration.ofSeconds(20), holder.heldBytes::get, n -> n > 64 * 1024);
            Await.until("the pool's share published", Duration.ofSeconds(10), listener::outstandingBytes,
                n -> n > 64 * 1024);
            assertTrue(holder.heldBytes.get() <= 2 * 64 * 1024, "held " + holder.heldBytes.get());
            assertTrue(!writer.isDone(), "the client is still writing: TCP holds it back");
            holder.io.reactor().execute(holder::letGo);
            final byte[] back = new byte[data.length];
            final InputStream in = s.getInputStream();
            int got = 0;
            while (got < back.length) {
                final int n = in.read(back, got, back.length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            writer.get(20, TimeUnit.SECONDS);
            assertEquals(data.length, got);
            assertArrayEquals(data, back);
        }
        Await.until("every decrypted chunk back", Duration.ofSeconds(10), listener::outstandingChunks, n -> n == 0);
    }

    @Test
    void aStalledHandshakeIsClosedAtItsDeadline() throws Exception {
        start("none", 300, 4, (id, io) -> new Echo());
        try (Socket s = new Socket("127.0.0.1", transport.localAddress().getPort())) {
            s.setSoTimeout(20_000);
            // Connected, never says hello: the handshake deadline closes it (after a TLS alert record, type 21).
            final InputStream in = s.getInputStream();
            int n = 0;
            while (in.read() >= 0) {
                n++;
            }
            assertTrue(n < 100, "at most an alert: " + n + " bytes");
        }
        assertEquals(1, listener.handshakeFailures());
    }
}
