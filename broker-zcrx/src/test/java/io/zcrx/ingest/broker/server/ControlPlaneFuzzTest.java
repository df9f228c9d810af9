package io.zcrx.ingest.broker.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz target: control-plane request bodies (Metadata, CreateTopics, Fetch, groups, ...) behind a
 * valid header, through the broker's real dispatch ({@link FuzzHarness}), so the fuzzer spends its
 * time in the body parsers and handlers rather than in framing. Input: api selector
 * ({@link FuzzSeeds#CONTROL_APIS}), version, chunk length, body.
 */
class ControlPlaneFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void request(byte[] input) {
        // Goal: no body makes a control-plane handler throw past the dispatch, leak, write an invalid
        // batch or stop the broker serving others; over-limit requests close the connection.
        // Method: header built here for the chosen api/version; FuzzHarness checks per input.
        if (input.length < 3) {
            return;
        }
        final ApiKeys api = FuzzSeeds.CONTROL_APIS[(input[0] & 0xFF) % FuzzSeeds.CONTROL_APIS.length];
        final short version = (short) ((input[1] & 0xFF) % (api.latestVersion() + 2));
        final byte[] header = FuzzSeeds.header(api, (short) Math.min(version, api.latestVersion()), 7);
        final ByteBuffer b = ByteBuffer.allocate(header.length + input.length - 3).put(header)
            .put(input, 3, input.length - 3);
        // A version byte above the latest is written into the header as is: unsupported versions.
        b.putShort(2, version);
        b.flip();
        FuzzHarness.shared().feed(FuzzSeeds.frame(b), FuzzSeeds.chunkLength(input[2]));
    }

    @AfterAll
    static void everyWrittenBatchIsValid() throws Exception {
        final FuzzHarness h = FuzzHarness.shared();
        final long batches = h.verifyLogs();
        System.out.printf("ControlPlaneFuzzTest: %d inputs, %d batches on disk, all valid%n", h.inputs(), batches);
    }
}
