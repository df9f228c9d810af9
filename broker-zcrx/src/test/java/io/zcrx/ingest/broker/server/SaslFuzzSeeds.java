package io.zcrx.ingest.broker.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;

/**
 * Seeds of {@link SaslExchangeFuzzTest}, every frame made by kafka-clients: SASL exchanges as clients run them,
 * each with a wrong password (the harness's password is random per run), in both framings (SaslAuthenticate
 * v0-2 after SaslHandshake v1, bare tokens after SaslHandshake v0), plus requests before and after. Input format:
 * one chunk-length byte ({@link FuzzSeeds#chunkLength}), then the stream. {@link #main} writes them under
 * {@code src/test/resources/io/zcrx/ingest/broker/server/SaslExchangeFuzzTestInputs/exchange/seed-*}.
 */
public final class SaslFuzzSeeds {
    private SaslFuzzSeeds() {
    }

    private static byte[] request(AbstractRequest.Builder<?> builder, short version, int correlationId) {
        final AbstractRequest r = builder.build(version);
        return FuzzSeeds.frame(r.serializeWithHeader(new RequestHeader(r.apiKey(), version, "fuzz", correlationId)));
    }

    private static byte[] handshake(String mechanism, short version, int correlationId) {
        return request(new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(mechanism)),
            version, correlationId);
    }

    private static byte[] authenticate(byte[] token, short version, int correlationId) {
        return request(new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData().setAuthBytes(token)),
            version, correlationId);
    }

    /** A bare token after SaslHandshake v0: size-prefixed, no header. */
    private static byte[] raw(byte[] token) {
        return FuzzSeeds.frame(ByteBuffer.wrap(token));
    }

    private static byte[] plainToken(String user, String password) {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** SaslHandshake v1 PLAIN and SaslAuthenticate v2 (the harness's self-test uses it with the real password). */
    static byte[] plainLogin(String user, String password) {
        return concat(handshake("PLAIN", (short) 1, 1), authenticate(plainToken(user, password), (short) 2, 2));
    }

    private static byte[] scramFirst(String nonce) {
        return new ClientFirstMessage(ScramFormatter.saslName(FuzzHarness.SASL_USER), nonce, Map.of()).toBytes();
    }

    /** A well-formed client-final-message with a made-up proof (the server nonce of a real run is unknowable). */
    private static byte[] scramFinal(String nonce, int proofBytes) {
        final ClientFinalMessage m = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), nonce);
        m.proof(new byte[proofBytes]);
        return m.toBytes();
    }

    private static byte[] concat(byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] apiVersions(int correlationId) {
        return request(new ApiVersionsRequest.Builder((short) 3), (short) 3, correlationId);
    }

    private static byte[] produce(int correlationId) {
        return request(ProduceRequest.builder(new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000)),
            (short) 9, correlationId);
    }

    static Map<String, byte[]> inputs() {
        final Map<String, byte[]> streams = new LinkedHashMap<>();
        final String nonce = "rOprNGfwEbeRWgbNEkqO";
        final String both = nonce + "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        streams.put("plain-v1-v2", concat(apiVersions(1), plainLogin(FuzzHarness.SASL_USER, "wrong-password"),
            produce(3)));
        streams.put("plain-v1-v0", concat(handshake("PLAIN", (short) 1, 1),
            authenticate(plainToken(FuzzHarness.SASL_USER, "wrong"), (short) 0, 2)));
        streams.put("plain-raw", concat(handshake("PLAIN", (short) 0, 1),
            raw(plainToken(FuzzHarness.SASL_USER, "wrong")), apiVersions(2)));
        streams.put("plain-authzid", concat(handshake("PLAIN", (short) 1, 1), authenticate(
            ("other\0" + FuzzHarness.SASL_USER + "\0wrong").getBytes(StandardCharsets.UTF_8), (short) 1, 2)));
        for (String mechanism : new String[] {"SCRAM-SHA-256", "SCRAM-SHA-512"}) {
            final int proof = mechanism.endsWith("256") ? 32 : 64;
            final String m = mechanism.toLowerCase(Locale.ROOT);
            streams.put(m + "-v1-v2", concat(handshake(mechanism, (short) 1, 1),
                authenticate(scramFirst(nonce), (short) 2, 2), authenticate(scramFinal(both, proof), (short) 2, 3)));
            streams.put(m + "-v1-v1", concat(handshake(mechanism, (short) 1, 1),
                authenticate(scramFirst(nonce), (short) 1, 2), authenticate(scramFinal(both, proof), (short) 1, 3)));
            streams.put(m + "-raw", concat(handshake(mechanism, (short) 0, 1), raw(scramFirst(nonce)),
                raw(scramFinal(nonce + both, proof))));
        }
        streams.put("unknown-mechanism", concat(handshake("GSSAPI", (short) 1, 1), produce(2)));
        streams.put("authenticate-first", concat(authenticate(plainToken(FuzzHarness.SASL_USER, "x"), (short) 2, 1),
            handshake("PLAIN", (short) 1, 2)));
        streams.put("reauth-handshake-twice", concat(handshake("PLAIN", (short) 1, 1),
            handshake("SCRAM-SHA-512", (short) 1, 2)));
        final Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : streams.entrySet()) {
            out.put(e.getKey() + "-whole", concat(new byte[] {0}, e.getValue()));
            out.put(e.getKey() + "-chunks-7", concat(new byte[] {7}, e.getValue()));
        }
        return out;
    }

    /** Writes the corpus into the test resources (run from the broker-zcrx module directory). */
    public static void main(String[] args) throws IOException {
        final Path dir = Paths.get("src/test/resources/io/zcrx/ingest/broker/server",
            "SaslExchangeFuzzTestInputs", "exchange");
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : inputs().entrySet()) {
            Files.write(dir.resolve("seed-" + e.getKey()), e.getValue());
        }
        System.out.println(dir + ": " + inputs().keySet());
    }
}
