package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.record.BatchValidationConfig;
import io.zcrx.ingest.protocol.record.BatchValidator;
import java.nio.ByteBuffer;
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
 * The record batch checks a broker runs before appending ({@link BatchValidator#validate}: header
 * fields, CRC-32C over slices, the walk over every record's framing, offset deltas and timestamps,
 * the header copy) for an idempotent, uncompressed batch of about 16 KB: 15 records of 1 KB or
 * about 150 of 100 B, spread over 1, 2 or 16 slices. One op = one batch. Expected allocation:
 * 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchValidateBenchmark {
    @Param({"1", "2", "16"})
    public int slices;

    @Param({"1024", "100"})
    public int recordBytes;

    private SlicedFrame frame;
    private SliceList body;
    private final BatchValidator validator = new BatchValidator(1 << 20);
    private final BatchValidationConfig config = new BatchValidationConfig();
    private final ByteBuffer header = ByteBuffer.allocateDirect(64);
    private long nowMs;

    @Setup
    public void setUp() {
        frame = new SlicedFrame(recordBytes, slices, (short) 12);
        body = frame.body();
        nowMs = System.currentTimeMillis();
        final short code = validate();
        if (code != 0) {
            throw new IllegalStateException("benchmark batch rejected: code=" + code + ", message="
                + validator.errorMessage());
        }
    }

    @Benchmark
    public short validate() {
        return validator.validate(body, frame.batchPosition, frame.batchLength, frame.version, config, nowMs, header);
    }

    @TearDown
    public void tearDown() {
        body.releaseAll();
    }
}
