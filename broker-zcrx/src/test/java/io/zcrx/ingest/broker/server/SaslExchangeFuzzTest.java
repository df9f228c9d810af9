package io.zcrx.ingest.broker.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz target: a connection's byte stream on a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
 * through the broker's real dispatch ({@link FuzzHarness#sasl()}): SaslHandshake v0-1 and SaslAuthenticate v0-2
 * requests, bare tokens after a v0 handshake, and anything else before authentication. Input: one byte choosing
 * the receive chunk length (0 = one chunk), then the stream. Seeds ({@link SaslFuzzSeeds}): exchanges as clients
 * run them, with wrong passwords, in both framings.
 */
class SaslExchangeFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void exchange(byte[] input) {
        // Goal: no byte stream authenticates without the password (the harness's password is random per run),
        // makes the broker throw, leaks receive memory or stops it serving others. Method: FuzzHarness.feed checks
        // the connection's SASL session has no principal after every chunk, then the usual invariants.
        if (input.length == 0) {
            return;
        }
        FuzzHarness.sasl().feed(Arrays.copyOfRange(input, 1, input.length), FuzzSeeds.chunkLength(input[0]));
    }

    @AfterAll
    static void noInputAuthenticated() {
        final FuzzHarness h = FuzzHarness.sasl();
        System.out.printf("SaslExchangeFuzzTest: %d inputs, %d failed authentications, %d successful (the "
            + "self-test's)%n", h.inputs(), h.saslListener().failedAuthentications(),
            h.saslListener().successfulAuthentications());
    }
}
