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
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * What two reactors appending at once cost each other: {@link PartitionLog#append} of one ~16 KB batch (1 KB
 * records, one payload range) from 1 thread to one partition ({@code one}), from 2 threads to the same partition
 * ({@code twoOnOne}: they meet on its append lock, which covers the producer-state check, the offset assignment and
 * the gather write into the page cache) and from 2 threads to a partition each ({@code twoOnTwo}: nothing shared
 * but the JVM and the file system). Logs on tmpfs ({@code /dev/shm}) as in {@link AppendBenchmark}, a fresh
 * directory per iteration. Throughput summed over the group's threads, in batches per millisecond: if the lock
 * were free, {@code twoOnOne} would reach {@code twoOnTwo}; if appends did not scale at all (one core, or a
 * shared bottleneck under the lock), both would stay at {@code one}. Idempotent batches: each thread is its own
 * producer (producer id 1000 + thread index) with its own sequence, as two connections would be.
 * Expected allocation: 0 B/op.
 *
 * <p>Run: {@code bin/perf-jmh.sh --include ContendedAppend} (needs at least 2 idle cores to mean anything).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ContendedAppendBenchmark {

    /** The partitions, shared by a group's threads; fresh per iteration. */
    @State(Scope.Group)
    public static class Logs {
        @Param({"false", "true"})
        public boolean idempotent;

        Path dir;
        LogManager manager;
        final PartitionLog[] partitions = new PartitionLog[2];

        @Setup(Level.Iteration)
        public void open() throws IOException {
            final Path shm = Path.of("/dev/shm");
            final Path parent = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            dir = Files.createTempDirectory(parent, "zcrx-jmh-contended-");
            final LogConfig config = LogConfig.builder().build();
            manager = LogManager.open(List.of(dir), 1, config, 86_400_000L, System::currentTimeMillis);
            for (int p = 0; p < partitions.length; p++) {
                partitions[p] = manager.createPartition("bench", p, Uuid.randomUuid(), config);
            }
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            manager.close();
            Jvm.deleteTree(dir);
        }
    }

    /** One appending thread's batch (its own receive memory, header copy and sequence), as one reactor's. */
    @State(Scope.Thread)
    public static class Writer {
        private SlicedFrame frame;
        private SliceList body;
        private SequenceCrcPatch patch;
        private final AppendBatch batch = new AppendBatch();
        private final AppendResult result = new AppendResult();
        private boolean idempotent;
        private int index;
        private int sequence;
        private long nowMs;

        @Setup(Level.Trial)
        public void setUp(Logs logs, ThreadParams thread) {
            idempotent = logs.idempotent;
            index = thread.getSubgroupThreadIndex();
            frame = new SlicedFrame(1024, 1, (short) 12);
            body = frame.body();
            final ByteBuffer batchBytes = frame.template.frame();
            patch = new SequenceCrcPatch(batchBytes, frame.template.batchStart(0), frame.batchLength);
            frame.loadAppendBatch(batch, body, idempotent, 1000L + index);
            nowMs = System.currentTimeMillis();
        }

        @Setup(Level.Iteration)
        public void newLog() {
            sequence = 0;
        }

        long append(PartitionLog log) {
            if (idempotent) {
                patch.stamp(batch.header(), 0, sequence);
                sequence += frame.template.recordsPerBatch();
            }
            log.append(batch, nowMs, result);
            if (result.errorCode != 0) {
                throw new IllegalStateException("append failed: errorCode=" + result.errorCode + ", message="
                    + result.errorMessage + ", thread=" + index + ", sequence=" + sequence);
            }
            return result.baseOffset;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            body.releaseAll();
        }
    }

    @Benchmark
    @Group("one")
    @GroupThreads(1)
    public long one(Logs logs, Writer w) {
        return w.append(logs.partitions[0]);
    }

    @Benchmark
    @Group("twoOnOne")
    @GroupThreads(2)
    public long twoOnOne(Logs logs, Writer w) {
        return w.append(logs.partitions[0]);
    }

    @Benchmark
    @Group("twoOnTwo")
    @GroupThreads(2)
    public long twoOnTwo(Logs logs, Writer w) {
        return w.append(logs.partitions[w.index]);
    }
}
