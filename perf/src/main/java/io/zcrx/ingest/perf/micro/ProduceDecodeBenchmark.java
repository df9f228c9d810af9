package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import io.zcrx.ingest.protocol.produce.ProduceDecoder;
import io.zcrx.ingest.protocol.produce.ProduceRequestView;
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
 * Request header + Produce body decode over a frame whose batch spans 1, 2 or 16 slices (the
 * decoder reads the body up to the Records field and skips the batch by length, so slicing only
 * matters where a field straddles a cut). One op = one request, Produce v12 and v13 (topic id).
 * Expected allocation: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProduceDecodeBenchmark {
    @Param({"1", "2", "16"})
    public int slices;

    @Param({"12", "13"})
    public short version;

    private SlicedFrame frame;
    private SliceList body;
    private final SliceCursor cursor = new SliceCursor();
    private final RequestHeaderView header = new RequestHeaderView();
    private final ProduceDecoder decoder = new ProduceDecoder();
    private final ProduceRequestView view = new ProduceRequestView();

    @Setup
    public void setUp() {
        frame = new SlicedFrame(1024, slices, version);
        body = frame.body();
        if (decode() != frame.batchLength) {
            throw new IllegalStateException("decoded records length differs from the batch: batchLength="
                + frame.batchLength);
        }
    }

    @Benchmark
    public int decode() {
        cursor.wrap(body, 0, body.totalLength());
        if (!header.parse(cursor)) {
            throw new IllegalStateException("header not parsed: slices=" + slices);
        }
        decoder.decode(cursor, header.apiVersion(), view);
        return view.recordsLength(0);
    }

    @TearDown
    public void tearDown() {
        body.releaseAll();
    }
}
