package io.zcrx.ingest.broker.transport.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz target: a TLS listener connection's byte stream through the TLS layer ({@link TlsFuzzHarness}: real
 * {@link TlsListener}, {@link TlsReactorHandler}, {@link TlsConnection} over the JDK's SSLEngine). Input: one byte
 * choosing the receive chunk length (0 = one chunk), then the stream. Seeds ({@link TlsFuzzSeeds}): the client
 * flights of real TLS 1.3 and 1.2 handshakes, with and without a client certificate, and streams that are not TLS.
 */
class TlsHandshakeFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void handshake(byte[] input) {
        // Goal: no byte stream makes the TLS layer throw, leak a receive chunk or leave decrypted memory out of its
        // pool. Method: TlsFuzzHarness.feed checks all three per input, after the connection is closed.
        if (input.length == 0) {
            return;
        }
        TlsFuzzHarness.shared().feed(Arrays.copyOfRange(input, 1, input.length), input[0] & 0xFF);
    }

    @AfterAll
    static void report() {
        final TlsFuzzHarness h = TlsFuzzHarness.shared();
        System.out.printf("TlsHandshakeFuzzTest: %d inputs, %d handshakes failed, %d completed%n", h.inputs(),
            h.handshakeFailures(), h.handshakes());
    }
}
