package io.zcrx.ingest.broker.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.frame.FrameAssembler;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target: {@link FrameAssembler} alone over any byte stream cut into chunks. Input: chunk
 * length byte, then the stream (seeds: real request streams).
 */
class FramingFuzzTest {
    private static final int FRAME_BYTES_MAX = 4096;

    @FuzzTest(maxDuration = "8s")
    void frames(byte[] input) {
        // Goal: framing never throws, only hands out frames whose body length is the size prefix,
        // never hands out more bytes than came in, stays failed after a bad size, and releases
        // every chunk reference when closed. Method: the stream cut at the chosen length.
        if (input.length == 0) {
            return;
        }
        final int chunk = FuzzSeeds.chunkLength(input[0]);
        final byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        final TestChunks chunks = new TestChunks();
        final FrameAssembler assembler = new FrameAssembler(FRAME_BYTES_MAX);
        final long[] framed = {0};
        final int[] cuts = chunk == 0 ? new int[0] : cutsEvery(stream.length, chunk);
        final List<RxChunk> list = chunks.chunks(stream, cuts);
        boolean failed = false;
        for (RxChunk c : list) {
            final int rc = failed ? FrameAssembler.ERR_FAILED : assembler.onChunk(c, (Frame f) -> {
                try {
                    if (f.body().totalLength() != f.size() || f.size() > FRAME_BYTES_MAX || f.size() < 0) {
                        throw new AssertionError("frame length mismatch: size=" + f.size() + ", body="
                            + f.body().totalLength());
                    }
                    framed[0] += 4 + f.size();
                } finally {
                    f.close();
                }
            });
            c.release();
            if (rc != FrameAssembler.OK) {
                failed = true;
                if (!assembler.isFailed()) {
                    throw new AssertionError("framing error without the failed state: rc=" + rc);
                }
            }
        }
        if (framed[0] > stream.length) {
            throw new AssertionError("more framed bytes than received: framed=" + framed[0] + ", length="
                + stream.length);
        }
        if (assembler.openFrames() != 0) {
            throw new AssertionError("frames left open: " + assembler.openFrames());
        }
        assembler.close();
        if (chunks.outstanding() != 0) {
            throw new AssertionError("chunks leaked: outstanding=" + chunks.outstanding());
        }
    }

    static int[] cutsEvery(int length, int chunk) {
        final int[] cuts = new int[Math.max(0, (length - 1) / chunk)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1) * chunk;
        }
        return cuts;
    }
}
