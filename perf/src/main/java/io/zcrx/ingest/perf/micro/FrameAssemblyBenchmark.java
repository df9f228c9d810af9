package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.frame.FrameAssembler;
import io.zcrx.ingest.protocol.frame.FrameSink;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Frame assembly: one Produce frame (about 16 KB) arriving as 1, 2 or 16 receive chunks, through
 * {@link FrameAssembler#onChunk} to a sink that closes the frame (which gives the chunks back).
 * One op = one frame: wrap each chunk, frame it, drop the transport's reference. Expected
 * allocation: 0 B/op (pooled frames, slice arrays reused).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameAssemblyBenchmark {
    @Param({"1", "2", "16"})
    public int slices;

    private SlicedFrame frame;
    private FrameAssembler assembler;
    private long frames;
    // In a field, as the broker keeps it: a method reference made per call would allocate.
    private final FrameSink sink = this::onFrame;

    @Setup
    public void setUp() {
        frame = new SlicedFrame(1024, slices, (short) 12);
        assembler = new FrameAssembler(1 << 20);
    }

    private void onFrame(Frame f) {
        frames++;
        f.close();
    }

    @Benchmark
    public long assemble() {
        for (int k = 0; k < frame.chunkCount(); k++) {
            final RxChunk c = frame.wrap(k);
            final int code = assembler.onChunk(c, sink);
            c.release();
            if (code != FrameAssembler.OK) {
                throw new IllegalStateException("frame assembly failed: code=" + code + ", slices=" + slices);
            }
        }
        return frames;
    }

    @TearDown
    public void tearDown() {
        if (assembler.inFrame() || assembler.openFrames() != 0) {
            throw new IllegalStateException("assembler left state behind: " + assembler);
        }
        assembler.close();
    }
}
