package io.zcrx.ingest.broker.transport.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * Seeds of {@link TlsHandshakeFuzzTest}: what the JDK's TLS client sends to the harness's TLS layer in real
 * handshakes (TLS 1.3 and 1.2, with and without a client certificate): the first flight alone (ClientHello), and
 * every client flight of the handshake concatenated (the later flights fail their Finished check against another
 * run's server random, after being parsed), plus two streams that are not TLS (a Kafka request, HTTP). Input
 * format: one chunk-length byte (0 = one chunk), then the stream. {@link #main} writes them under
 * {@code src/test/resources/io/zcrx/ingest/broker/transport/tls/TlsHandshakeFuzzTestInputs/handshake/seed-*}.
 */
public final class TlsFuzzSeeds {
    private TlsFuzzSeeds() {
    }

    /** The client's flights of one real handshake with the harness: [first flight, all flights]. */
    private static byte[][] handshake(TlsFuzzHarness h, SSLContext ctx, String protocol) throws IOException {
        final SSLEngine engine = ctx.createSSLEngine("localhost", 9093);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {protocol});
        final int packet = engine.getSession().getPacketBufferSize();
        final int app = engine.getSession().getApplicationBufferSize();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] first = null;
        ByteBuffer fromServer = ByteBuffer.allocate(0);
        try (TlsFuzzHarness.Exchange x = h.open()) {
            engine.beginHandshake();
            for (int round = 0; round < 20 && !x.closed(); round++) {
                final ByteArrayOutputStream flight = new ByteArrayOutputStream();
                final ByteBuffer appIn = ByteBuffer.allocate(app);
                boolean progressed = true;
                for (int step = 0; progressed && step < 1000; step++) {
                    progressed = false;
                    final HandshakeStatus hs = engine.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK) {
                        Runnable t;
                        while ((t = engine.getDelegatedTask()) != null) {
                            t.run();
                        }
                        progressed = true;
                    } else if (hs == HandshakeStatus.NEED_WRAP) {
                        final ByteBuffer out = ByteBuffer.allocate(packet);
                        final SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), out);
                        flight.write(out.array(), 0, out.position());
                        progressed = r.getStatus() == SSLEngineResult.Status.OK;
                    } else if (hs == HandshakeStatus.NEED_UNWRAP && fromServer.hasRemaining()) {
                        appIn.clear();
                        final SSLEngineResult r = engine.unwrap(fromServer, appIn);
                        progressed = r.getStatus() == SSLEngineResult.Status.OK;
                    }
                }
                if (flight.size() == 0) {
                    break;
                }
                if (first == null) {
                    first = flight.toByteArray();
                }
                all.writeBytes(flight.toByteArray());
                fromServer = ByteBuffer.wrap(x.send(flight.toByteArray()));
            }
        }
        return new byte[][] {first, all.toByteArray()};
    }

    static Map<String, byte[]> inputs(TlsFuzzHarness h) throws IOException, GeneralSecurityException {
        final Map<String, byte[]> streams = new LinkedHashMap<>();
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            for (boolean cert : new boolean[] {false, true}) {
                final byte[][] f = handshake(h, h.certs().clientContext(cert), protocol);
                final String name = protocol.replace("TLSv1.", "tls1") + (cert ? "-client-cert" : "");
                streams.put(name + "-client-hello", f[0]);
                streams.put(name + "-all-flights", f[1]);
            }
        }
        streams.put("kafka-request", new byte[] {0, 0, 0, 14, 0, 18, 0, 3, 0, 0, 0, 1, 0, 4, 'f', 'u', 'z', 'z', 0,
            0});
        streams.put("http", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        final Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : streams.entrySet()) {
            out.put(e.getKey() + "-whole", prefixed((byte) 0, e.getValue()));
            out.put(e.getKey() + "-chunks-5", prefixed((byte) 5, e.getValue()));
        }
        return out;
    }

    private static byte[] prefixed(byte first, byte[] rest) {
        final byte[] out = new byte[1 + rest.length];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Writes the corpus into the test resources (run from the broker-zcrx module directory). */
    public static void main(String[] args) throws Exception {
        final Path dir = Paths.get("src/test/resources/io/zcrx/ingest/broker/transport/tls",
            "TlsHandshakeFuzzTestInputs", "handshake");
        Files.createDirectories(dir);
        final Map<String, byte[]> inputs = inputs(TlsFuzzHarness.shared());
        for (Map.Entry<String, byte[]> e : inputs.entrySet()) {
            Files.write(dir.resolve("seed-" + e.getKey()), e.getValue());
        }
        System.out.println(dir + ": " + inputs.keySet() + "; handshakes completed: "
            + TlsFuzzHarness.shared().handshakes());
        System.exit(0);
    }
}
