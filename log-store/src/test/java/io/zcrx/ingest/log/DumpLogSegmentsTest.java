package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpLogSegmentsTest {
    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();

    @Test
    void kafkasDumpLogSegmentsReadsEveryFileAfterRollsAndAfterCleanClose() throws Exception {
        // Goal: Kafka's own DumpLogSegments (kafka-tools 4.3.1) accepts every file we write: each
        // batch isvalid, every record present with consecutive offsets, no index or time-index
        // mismatch, snapshots decode to our producer state.
        // Method: three idempotent producers plus plain batches, all codecs, 24 KiB segments; run the
        // tool (--deep-iteration) on all .log/.index/.timeindex/.snapshot files while the log is open
        // (active indexes still preallocated) and again after a clean close.
        final LogConfig config = LogConfig.builder().segmentBytes(24 * 1024).segmentIndexBytes(4096)
            .indexIntervalBytes(1024).build();
        final TestBatches tb = new TestBatches(1 << 20, 0xD0_4BL);
        final Map<Long, Integer> lastSequence = new HashMap<>();
        int totalRecords = 0;
        int totalBatches = 0;
        final Path dir;
        try (LogManager manager = LogManager.open(List.of(tmp), 3, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("dump", 2, Uuid.randomUuid(), config);
            dir = log.dir();
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            final int[] sequences = new int[3];
            for (int i = 0; i < 120; i++) {
                final Compression codec = TestBatches.CODECS[i % TestBatches.CODECS.length];
                final int count = 1 + tb.random().nextInt(12);
                final SimpleRecord[] records = tb.records(count, 20 + tb.random().nextInt(250),
                    clock.now() + tb.random().nextInt(50_000));
                final int who = tb.random().nextInt(4);
                final MemoryRecords mr;
                if (who < 3) {
                    final long pid = 42L + who;
                    mr = TestBatches.idempotent(codec, pid, (short) 1, sequences[who], records);
                    sequences[who] += count;
                    lastSequence.put(pid, sequences[who] - 1);
                } else {
                    mr = TestBatches.plain(codec, records);
                }
                log.append(tb.load(batch, mr), clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
                totalRecords += count;
                totalBatches++;
            }
            assertTrue(log.segmentCount() >= 4, "rolls expected: " + log.segmentCount());
            checkDump(dir, totalBatches, totalRecords, null);
        }
        checkDump(dir, totalBatches, totalRecords, lastSequence);
    }

    /**
     * kafka-tools 4.3.1's Java DumpLogSegments starts its "previous offset" at -1 for every file and
     * so reports "-1 is followed by B" for each segment whose base offset B is not 0 (the Scala tool
     * it replaced skipped the first record); a real broker's segments get the same line. Anything
     * else reported as non-consecutive is a real gap.
     */
    private static void assertOnlyToolQuirkNonConsecutive(DumpLogSegmentsRunner dump) {
        String file = null;
        for (String line : dump.err.split("\n")) {
            if (line.startsWith("Non-consecutive offsets in ")) {
                file = line.substring("Non-consecutive offsets in ".length()).trim();
            } else if (line.startsWith("  ") && line.contains(" is followed by ") && file != null) {
                final String name = Paths.get(file).getFileName().toString();
                final long base = Long.parseLong(name.substring(0, 20));
                assertTrue(base > 0, "a segment at offset 0 has no excuse: " + line);
                assertEquals("-1 is followed by " + base, line.trim(), "gap in " + file);
            }
        }
    }

    private static void checkDump(Path dir, int totalBatches, int totalRecords,
            Map<Long, Integer> finalSequences) throws Exception {
        final List<Path> files = new ArrayList<>();
        files.addAll(LogTestSupport.files(dir, ".log"));
        files.addAll(LogTestSupport.files(dir, ".index"));
        files.addAll(LogTestSupport.files(dir, ".timeindex"));
        files.addAll(LogTestSupport.files(dir, ".snapshot"));
        final DumpLogSegmentsRunner dump = DumpLogSegmentsRunner.run(files, "--deep-iteration");
        final List<String> batchLines = dump.lines("baseOffset:");
        assertEquals(totalBatches, batchLines.size(), dump::toString);
        for (String line : batchLines) {
            assertTrue(line.contains("isvalid: true"), line);
            assertTrue(line.contains("partitionLeaderEpoch: 0"), line);
        }
        assertEquals(totalRecords, dump.lines("| offset:").size(), "every record present");
        assertFalse(dump.out.contains("invalid bytes"), dump::toString);
        assertFalse(dump.err.contains("Mismatches"), dump::toString);
        assertFalse(dump.err.contains("mismatch"), dump::toString);
        assertFalse(dump.err.contains("out of order"), dump::toString);
        assertFalse(dump.err.contains("not found"), dump::toString);
        assertOnlyToolQuirkNonConsecutive(dump);
        assertFalse(dump.err.contains("Exception"), dump::toString);
        assertTrue(dump.lines("offset: ").size() > 5, "index entries dumped");
        assertTrue(dump.lines("timestamp: ").size() > 5, "time index entries dumped");
        if (finalSequences != null) {
            // The snapshot taken at the log end by the clean close lists each producer's cached batches, oldest first
            // (one entry per batch, the same producer id): the last entry of a producer is its newest batch.
            final List<Path> snapshots = LogTestSupport.files(dir, ".snapshot");
            final DumpLogSegmentsRunner last = DumpLogSegmentsRunner.run(List.of(snapshots.get(snapshots.size() - 1)));
            final Map<Long, String> newest = new HashMap<>();
            for (String line : last.lines("producerId: ")) {
                assertTrue(line.contains("producerEpoch: 1 "), line);
                newest.put(Long.parseLong(line.split(" ")[1]), line);
            }
            assertEquals(finalSequences.keySet(), newest.keySet(), last::toString);
            for (Map.Entry<Long, String> e : newest.entrySet()) {
                final String expected = "lastSequence: " + finalSequences.get(e.getKey()) + " ";
                assertTrue(e.getValue().contains(expected), e.getValue());
            }
        }
    }
}
