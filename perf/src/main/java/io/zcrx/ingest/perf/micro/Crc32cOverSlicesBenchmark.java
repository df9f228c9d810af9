package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.record.Crc32cOverSlices;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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
 * CRC-32C of a record batch's covered range (about 16 KB) spread over 1, 2 or 16 slices of
 * native receive memory ({@link Crc32cOverSlices}: one intrinsic {@code CRC32C.update(ByteBuffer)}
 * per slice). One op = one batch; divide the batch size by the time for GB/s. Expected
 * allocation: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Crc32cOverSlicesBenchmark {
    @Param({"1", "2", "16"})
    public int slices;

    private SlicedFrame frame;
    private SliceList body;
    private final CRC32C crc = new CRC32C();
    private long expected;

    @Setup
    public void setUp() {
        frame = new SlicedFrame(1024, slices, (short) 12);
        body = frame.body();
        expected = frame.template.frame().getInt(frame.template.batchStart(0) + 17) & 0xFFFFFFFFL;
        if (crc() != expected) {
            throw new IllegalStateException("CRC over slices differs from the batch's: slices=" + slices);
        }
    }

    @Benchmark
    public long crc() {
        return Crc32cOverSlices.compute(crc, body, frame.crcFrom(), frame.crcTo());
    }

    @TearDown
    public void tearDown() {
        body.releaseAll();
    }
}
