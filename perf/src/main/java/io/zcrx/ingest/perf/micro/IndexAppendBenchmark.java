package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.log.index.OffsetIndex;
import io.zcrx.ingest.log.index.TimeIndex;
import io.zcrx.ingest.perf.e2e.Jvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Index appends, as a segment makes them every {@code index.interval.bytes}: an entry in the
 * memory-mapped {@code .index} ({@link OffsetIndex#append}, 8 bytes) and in the {@code .timeindex}
 * ({@link TimeIndex#maybeAppend}, 12 bytes), files preallocated at Kafka's default
 * {@code segment.index.bytes} (10 MiB) on tmpfs. One op = one entry; offsets advance by 15 (a 16 KB
 * batch of 1 KB records). When an index fills up it is reset (zero-filled), once per ~1 million
 * entries, which adds well under a nanosecond per op. Expected allocation: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IndexAppendBenchmark {
    static final int INDEX_BYTES = 10 * 1024 * 1024;
    static final int RECORDS_PER_BATCH = 15;

    private Path dir;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private long offset;
    private long timeOffset;
    private long timestamp;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        final Path shm = Path.of("/dev/shm");
        dir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "zcrx-jmh-index-");
        offsetIndex = OffsetIndex.create(dir.resolve("00000000000000000000.index"), 0L, INDEX_BYTES);
        timeIndex = TimeIndex.create(dir.resolve("00000000000000000000.timeindex"), 0L, INDEX_BYTES);
        timestamp = System.currentTimeMillis();
    }

    @Benchmark
    public int offsetIndexAppend() throws IOException {
        if (offsetIndex.isFull()) {
            offsetIndex.resetEntries();
            offset = 0;
        }
        offset += RECORDS_PER_BATCH;
        // Positions stay below 2 GiB: one entry per KiB of a segment at most.
        offsetIndex.append(offset, offsetIndex.entries() * 1024);
        return offsetIndex.entries();
    }

    @Benchmark
    public int timeIndexAppend() throws IOException {
        if (timeIndex.isFull()) {
            timeIndex.resetEntries();
            timeOffset = 0;
        }
        timeOffset += RECORDS_PER_BATCH;
        timeIndex.maybeAppend(++timestamp, timeOffset, false);
        return timeIndex.entries();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        Jvm.deleteTree(dir);
    }
}
