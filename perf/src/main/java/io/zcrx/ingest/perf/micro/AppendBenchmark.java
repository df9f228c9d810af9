package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.log.AppendBatch;
import io.zcrx.ingest.log.AppendResult;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.perf.e2e.Jvm;
import io.zcrx.ingest.perf.load.SequenceCrcPatch;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The append path: {@link PartitionLog#append} of one validated ~16 KB batch (1 KB records) to a
 * partition log on tmpfs ({@code /dev/shm}, so the file system's CPU cost is in and the disk is
 * out): producer-state check, offset assignment, one gather write of the 61-byte header copy plus
 * the payload still in (native) receive memory, 1 or 16 ranges of it, index entries. One op = one
 * batch. Idempotent batches get the next sequence (and its CRC) stamped into the header copy, as
 * a producer's next batch would carry. Each iteration starts from an empty log directory.
 * Expected allocation: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AppendBenchmark {
    @Param({"1", "16"})
    public int slices;

    @Param({"false", "true"})
    public boolean idempotent;

    private SlicedFrame frame;
    private SliceList body;
    private SequenceCrcPatch patch;
    private final AppendBatch batch = new AppendBatch();
    private final AppendResult result = new AppendResult();
    private Path dir;
    private LogManager manager;
    private PartitionLog log;
    private int sequence;
    private long nowMs;

    @Setup(Level.Trial)
    public void setUpTrial() {
        frame = new SlicedFrame(1024, slices, (short) 12);
        body = frame.body();
        final ByteBuffer batchBytes = frame.template.frame();
        patch = new SequenceCrcPatch(batchBytes, frame.template.batchStart(0), frame.batchLength);
        frame.loadAppendBatch(batch, body, idempotent, -1L);
        nowMs = System.currentTimeMillis();
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
        final Path shm = Path.of("/dev/shm");
        dir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "zcrx-jmh-append-");
        final LogConfig config = LogConfig.builder().build();
        manager = LogManager.open(List.of(dir), 1, config, 86_400_000L, System::currentTimeMillis);
        log = manager.createPartition("bench", 0, Uuid.randomUuid(), config);
        sequence = 0;
    }

    @Benchmark
    public long append() {
        if (idempotent) {
            patch.stamp(batch.header(), 0, sequence);
            sequence += frame.template.recordsPerBatch();
        }
        log.append(batch, nowMs, result);
        if (result.errorCode != 0) {
            throw new IllegalStateException("append failed: errorCode=" + result.errorCode + ", message="
                + result.errorMessage + ", sequence=" + sequence);
        }
        return result.baseOffset;
    }

    @TearDown(Level.Iteration)
    public void closeLog() throws IOException {
        manager.close();
        Jvm.deleteTree(dir);
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() {
        body.releaseAll();
    }
}
