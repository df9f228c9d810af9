package io.zcrx.ingest.broker.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Fuzz target: {@link RequestHeaderView} over a request frame (no size prefix) cut into chunks,
 * with kafka-clients' {@code RequestHeader.parse} as the oracle. Input: chunk length byte, frame.
 */
class RequestHeaderFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void header(byte[] input) {
        // Goal: the header parser answers true/false or a ProtocolException, never anything else,
        // and whenever both it and kafka-clients accept a header they agree on every field.
        // Method: our parse over slices; kafka-clients' over a heap copy; compare.
        if (input.length == 0) {
            return;
        }
        final int chunk = FuzzSeeds.chunkLength(input[0]);
        final byte[] frame = Arrays.copyOfRange(input, 1, input.length);
        final TestChunks chunks = new TestChunks();
        final SliceList slices = chunks.slices(frame, chunk == 0 ? new int[0]
            : FramingFuzzTest.cutsEvery(frame.length, chunk));
        try {
            final RequestHeaderView view = new RequestHeaderView();
            boolean ours;
            try {
                ours = view.parse(new SliceCursor().wrap(slices, 0, frame.length));
            } catch (ProtocolException e) {
                ours = false;
            }
            if (!ours) {
                return;
            }
            final RequestHeader theirs;
            try {
                theirs = RequestHeader.parse(ByteBuffer.wrap(frame));
            } catch (RuntimeException e) {
                return;
            }
            if (theirs.apiKey().id != view.apiKey() || theirs.apiVersion() != view.apiVersion()
                    || theirs.correlationId() != view.correlationId()
                    || !Objects.equals(theirs.clientId(), view.clientId(slices))) {
                throw new AssertionError("header disagrees with kafka-clients: ours=" + view + ", theirs=" + theirs);
            }
        } finally {
            slices.releaseAll();
        }
        if (chunks.outstanding() != 0) {
            throw new AssertionError("chunks leaked: outstanding=" + chunks.outstanding());
        }
    }
}
