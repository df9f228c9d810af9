package io.zcrx.ingest.broker.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz target: a connection's whole byte stream (framing, request headers, Produce decode, batch
 * checks, appends, control-plane parsing) through the broker's real dispatch and a real log
 * directory ({@link FuzzHarness}). Input: one byte choosing the receive chunk length (0 = one
 * chunk), then the stream. Seeds: kafka-clients requests (handshake, produce in every codec).
 */
class BrokerStreamFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void stream(byte[] input) {
        // Goal: no byte stream makes the broker throw, leak receive memory, write an invalid batch
        // or stop serving others. Method: FuzzHarness.feed checks the first three per input,
        // verifyLogs the fourth at the end.
        if (input.length == 0) {
            return;
        }
        final byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        FuzzHarness.shared().feed(stream, FuzzSeeds.chunkLength(input[0]));
    }

    @AfterAll
    static void everyWrittenBatchIsValid() throws Exception {
        final FuzzHarness h = FuzzHarness.shared();
        final long batches = h.verifyLogs();
        System.out.printf("BrokerStreamFuzzTest: %d inputs, %d batches on disk, all valid%n", h.inputs(), batches);
    }
}
