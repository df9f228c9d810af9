package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class AppendAllocationTest {
    private static final Logger LOG = LoggerFactory.getLogger(AppendAllocationTest.class);

    @TempDir
    Path tmp;

    @Test
    void steadyStateAppendsAllocateNothing() throws Exception {
        // Goal: the append path (producer-state check and update, offset assignment, gather write,
        // index entries, publication) allocates nothing per batch once warm.
        // Method: per-thread allocated bytes (com.sun.management.ThreadMXBean) over 20000 appends
        // after 20000 warm-up appends (best of three rounds), three idempotent producers plus plain batches, index
        // entries
        // every few batches, no roll (a roll creates files and may allocate). The sequence is patched
        // into the reused header each time, so those batches' CRCs are stale: fine here, the log does
        // not recheck CRCs on append and this test does not read the file back.
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean,
            "no per-thread allocation counter in this JVM");
        final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation accounting unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);

        final LogConfig config = LogConfig.builder().segmentBytes(1 << 30).indexIntervalBytes(1024).build();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, () -> 1_000L)) {
            final PartitionLog log = manager.createPartition("alloc", 0, Uuid.randomUuid(), config);
            final AppendBatch[] batches = new AppendBatch[4];
            for (int p = 0; p < 3; p++) {
                // One arena per batch: an arena holds only the batch loaded last.
                final TestBatches tb = new TestBatches(1 << 16, p);
                batches[p] = tb.load(new AppendBatch(),
                    TestBatches.idempotent(Compression.lz4().build(), 500 + p, (short) 0, 0,
                    tb.records(3, 100, 1_000L)));
            }
            final TestBatches plain = new TestBatches(1 << 16, 3);
            batches[3] = plain.load(new AppendBatch(),
                TestBatches.plain(Compression.NONE, plain.records(2, 150, 1_000L)));
            final int[] sequences = new int[3];
            final AppendResult result = new AppendResult();
            final long warm = run(log, batches, sequences, result, 20_000);
            final long tid = Thread.currentThread().getId();
            // Best of three rounds: a JIT recompilation or the MXBean call itself can allocate a few
            // hundred bytes once; an allocation per append would cost every round >= 320 KB.
            long allocated = Long.MAX_VALUE;
            long checksum = 0;
            for (int round = 0; round < 3; round++) {
                final long before = threads.getThreadAllocatedBytes(tid);
                checksum += run(log, batches, sequences, result, 20_000);
                allocated = Math.min(allocated, threads.getThreadAllocatedBytes(tid) - before);
            }
            LOG.info("allocated {} bytes over 20000 appends, best of 3 rounds (checksum {} {})", allocated, warm,
                checksum);
            assertEquals(1, log.segmentCount(), "no roll during the measurement");
            assertTrue(log.segmentsForTest()[0].offsetIndex().entries() > 1000, "index entries were written");
            assertTrue(allocated < 1024, "append path allocated " + allocated + " bytes for 20000 appends");
        }
    }

    private static long run(PartitionLog log, AppendBatch[] batches, int[] sequences, AppendResult result, int count) {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            final int k = i & 3;
            if (k < 3) {
                batches[k].header().putInt(53, sequences[k]);
                sequences[k] += 3;
            }
            log.append(batches[k], 1_000L, result);
            if (result.errorCode != 0) {
                throw new AssertionError(result.errorMessage);
            }
            sum += result.baseOffset;
        }
        return sum;
    }
}
