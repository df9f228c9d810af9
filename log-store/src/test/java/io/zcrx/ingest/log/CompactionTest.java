package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.log.checkpoint.CleanShutdownFile;
import io.zcrx.ingest.log.cleaner.CleanerConfig;
import io.zcrx.ingest.log.cleaner.LogCleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log compaction on real files ({@code io.zcrx.ingest.log.cleaner} through {@link LogCleaner#cleanOnce}): last value
 * per key, tombstones until {@code delete.retention.ms}, offsets kept, every batch valid for Kafka's
 * DumpLogSegments, idempotent producers unaffected, reads across a swap, the crash leftovers of a swap, the throttle.
 */
class CompactionTest {
    private static final int KEYS = 60;

    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    private final TestBatches tb = new TestBatches(1 << 20, 42);
    private final Random random = new Random(7);
    /** key to last value written (null: tombstone). */
    private final Map<String, String> model = new HashMap<>();
    private int seq;
    private String keyPrefix = "key-";

    private static LogConfig compactConfig() {
        return LogConfig.builder().segmentBytes(8 * 1024).cleanupPolicy(true, false).deleteRetentionMs(1000)
            .minCleanableDirtyRatio(0.01).build();
    }

    /** Throttle checks every 10 ms (Kafka's 300 ms would let a small clean on a fast machine finish first). */
    private static CleanerConfig cleanerConfig(double bytesPerSecond) {
        return new CleanerConfig(true, 1, bytesPerSecond, 4L * 1024 * 1024, 64 * 1024, 0.9, 100, 10);
    }

    /**
     * Appends {@code batches} batches of 1 to 5 records (producer 9, idempotent, codecs rotating), keys among
     * {@link #KEYS}, one record in {@code tombstoneEvery} a tombstone.
     */
    private void fill(PartitionLog log, int batches, int tombstoneEvery) {
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();
        for (int b = 0; b < batches; b++) {
            final int n = 1 + random.nextInt(5);
            final SimpleRecord[] records = new SimpleRecord[n];
            for (int i = 0; i < n; i++) {
                final String key = keyPrefix + random.nextInt(KEYS);
                final String value = random.nextInt(tombstoneEvery) == 0 ? null : key + "@" + b + "." + i + "-"
                    + "x".repeat(random.nextInt(200));
                model.put(key, value);
                records[i] = new SimpleRecord(clock.now(), key.getBytes(StandardCharsets.UTF_8),
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8));
            }
            final Compression codec = TestBatches.CODECS[b % TestBatches.CODECS.length];
            log.append(tb.load(batch, TestBatches.idempotent(codec, 9, (short) 0, seq, records)), clock.now(),
                result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            seq += n;
        }
    }

    /** Every record of the partition, in log order, checked valid (CRC) and with ascending offsets. */
    private static List<Record> records(Path dir) throws Exception {
        final List<Record> out = new ArrayList<>();
        long last = -1;
        for (LogTestSupport.StoredBatch b : LogTestSupport.readBatches(dir)) {
            assertTrue(b.batch.baseOffset() > last, "batches ascending: " + b.batch.baseOffset() + " after " + last);
            for (Record r : b.batch) {
                assertTrue(r.offset() > last, "offsets ascending");
                last = r.offset();
                out.add(r);
            }
            last = Math.max(last, b.batch.lastOffset());
        }
        return out;
    }

    private static String str(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    /** The last value per key a reader of the whole log sees (null: a tombstone is the last). */
    private static Map<String, String> lastValues(List<Record> records) {
        final Map<String, String> out = new HashMap<>();
        for (Record r : records) {
            out.put(str(r.key()), r.hasValue() ? str(r.value()) : null);
        }
        return out;
    }

    /** DumpLogSegments over the logs and the indexes of the inactive segments (the active ones are preallocated). */
    private void assertDumpValid(Path dir, long activeBase) throws Exception {
        final List<Path> files = new ArrayList<>(LogTestSupport.files(dir, ".log"));
        files.addAll(LogTestSupport.files(dir, ".index"));
        files.addAll(LogTestSupport.files(dir, ".timeindex"));
        files.removeIf(p -> !p.toString().endsWith(".log") && LogFiles.offsetOf(p.getFileName().toString())
            == activeBase);
        final DumpLogSegmentsRunner dump = DumpLogSegmentsRunner.run(files, "--deep-iteration");
        final List<String> batchLines = dump.lines("baseOffset:");
        assertFalse(batchLines.isEmpty(), dump::toString);
        for (String line : batchLines) {
            assertTrue(line.contains("isvalid: true"), line);
        }
        assertFalse(dump.out.contains("invalid bytes"), dump::toString);
        assertFalse(dump.err.contains("ismatch"), () -> dump.err.substring(0, Math.min(3000, dump.err.length())));
        assertFalse(dump.err.contains("out of order"), dump::toString);
    }

    @Test
    void cleaningKeepsTheLastValueOfEachKeyAndRemovesTombstonesAfterTheDeleteRetention() throws Exception {
        // Goal: after a clean a reader of the whole log sees exactly the last value of each key, once per key in the
        // cleaned section, offsets ascending with gaps, every batch valid for Kafka's DumpLogSegments (CRCs,
        // compressed batches recompressed); tombstones stay until delete.retention.ms after the clean that first
        // kept them, then a later clean removes them. Method: 600 batches (5 codecs, 1 in 8 records a tombstone)
        // over many 8 KiB segments; clean; check; advance the clock past the horizon, add dirty data, clean again.
        final LogConfig config = compactConfig();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
             LogCleaner cleaner = new LogCleaner(manager, cleanerConfig(Double.MAX_VALUE), clock::now)) {
            final PartitionLog log = manager.createPartition("compacted", 0, Uuid.randomUuid(), config);
            fill(log, 600, 8);
            final List<Record> before = records(log.dir());
            final long sizeBefore = log.sizeInBytes();
            final int segmentsBefore = log.segmentCount();
            assertTrue(segmentsBefore > 10, "segments " + segmentsBefore);

            assertTrue(cleaner.cleanOnce(), "a clean ran");
            assertFalse(cleaner.cleanOnce(), "nothing dirty is left above the ratio");
            final long cleanedTo = cleaner.cleanedUpTo(new TopicPartition("compacted", 0));
            assertEquals(log.activeSegmentBaseOffset(), cleanedTo, "cleaned up to the active segment");
            assert log.checkInvariants();
            final List<Record> after = records(log.dir());
            assertEquals(lastValues(before), lastValues(after), "every key keeps its last value (or tombstone)");
            assertEquals(model, lastValues(after));
            final Map<String, Integer> seen = new HashMap<>();
            boolean gap = false;
            long previous = -1;
            int tombstones = 0;
            for (Record r : after) {
                gap |= previous >= 0 && r.offset() != previous + 1;
                previous = r.offset();
                if (r.offset() < cleanedTo) {
                    assertEquals(null, seen.put(str(r.key()), 1), "one record per key below the clean point");
                    tombstones += r.hasValue() ? 0 : 1;
                }
            }
            assertTrue(gap, "offsets have gaps");
            assertTrue(tombstones > 0, "tombstones kept until delete.retention.ms");
            assertTrue(log.sizeInBytes() < sizeBefore / 2, "log shrank: " + sizeBefore + " -> " + log.sizeInBytes());
            assertEquals(before.get(before.size() - 1).offset() + 1, log.logEndOffset(), "log end unchanged");
            assertDumpValid(log.dir(), log.activeSegmentBaseOffset());
            assertTrue(LogTestSupport.files(log.dir(), ".cleaned").isEmpty());
            assertTrue(LogTestSupport.files(log.dir(), ".swap").isEmpty());
            assertFalse(LogTestSupport.files(log.dir(), ".deleted").isEmpty(), "old segments wait for the delay");
            assertTrue(Files.exists(tmp.resolve("cleaner-offset-checkpoint")));
            assertTrue(Files.readString(tmp.resolve("cleaner-offset-checkpoint"))
                .contains("compacted 0 " + cleanedTo + "\n"));

            // Past the horizon: the next clean drops the tombstones of the clean section.
            clock.advance(1001);
            fill(log, 200, 1_000_000);
            assertTrue(cleaner.cleanOnce());
            final List<Record> again = records(log.dir());
            final long cleanedTo2 = cleaner.cleanedUpTo(new TopicPartition("compacted", 0));
            final Map<String, String> expected = new HashMap<>(model);
            for (Record r : again) {
                if (r.offset() < cleanedTo && !r.hasValue()) {
                    throw new AssertionError("tombstone past its delete horizon survived: offset=" + r.offset());
                }
            }
            final Map<String, String> got = lastValues(again);
            for (Map.Entry<String, String> e : expected.entrySet()) {
                if (e.getValue() != null) {
                    assertEquals(e.getValue(), got.get(e.getKey()), "live key " + e.getKey());
                }
            }
            assertTrue(cleanedTo2 > cleanedTo);
            assertTrue(log.segmentCount() < segmentsBefore, "shrunken segments grouped by the second clean: "
                + segmentsBefore + " -> " + log.segmentCount());
            manager.deleteOldSegments(clock.now() + 60_000);
            assertTrue(LogTestSupport.files(log.dir(), ".deleted").isEmpty(), "old files deleted after the delay");
            assertDumpValid(log.dir(), log.activeSegmentBaseOffset());
            assert log.checkInvariants();
        }
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.partition("compacted", 0);
            assertNotNull(log);
            assertEquals(lastValues(records(log.dir())).keySet().size(), lastValues(records(log.dir())).size());
            assert log.checkInvariants();
        }
    }

    /** Appends every key of {@code keys} once, 100 records a batch (no producer id), values tagged {@code round}. */
    private void fillKeys(PartitionLog log, String prefix, int keys, String round) {
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();
        for (int from = 0; from < keys; from += 100) {
            final SimpleRecord[] records = new SimpleRecord[Math.min(100, keys - from)];
            for (int i = 0; i < records.length; i++) {
                final String key = prefix + (from + i);
                final String value = key + "@" + round;
                model.put(key, value);
                records[i] = new SimpleRecord(clock.now(), key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8));
            }
            log.append(tb.load(batch, MemoryRecords.withRecords(Compression.NONE, records)), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
        }
    }

    @Test
    void aCleanWhoseOffsetMapGrowsKeepsEveryKeysLastValueAndSoDoesTheNextCleanOfAnotherLog() throws Exception {
        // Goal: the offset map's region grows (rehashing in place) during a clean of more keys than its first
        // region holds, and the next clean by the same cleaner (map cleared) of another log loses nothing either.
        // Method: two logs of 50,000 keys each, written twice (the second round's values win), 64 KiB segments;
        // clean both; every key keeps its last value and appears once below the active segment.
        final LogConfig config = LogConfig.builder().segmentBytes(64 * 1024).cleanupPolicy(true, false)
            .minCleanableDirtyRatio(0.01).build();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
             LogCleaner cleaner = new LogCleaner(manager, cleanerConfig(Double.MAX_VALUE), clock::now)) {
            final PartitionLog a = manager.createPartition("many-keys", 0, Uuid.randomUuid(), config);
            final PartitionLog b = manager.createPartition("many-keys", 1, Uuid.randomUuid(), config);
            for (String round : List.of("first", "second")) {
                fillKeys(a, "a-", 50_000, round);
                fillKeys(b, "b-", 50_000, round);
            }
            assertTrue(cleaner.cleanOnce(), "the first clean ran");
            assertTrue(cleaner.cleanOnce(), "the second clean ran");
            for (PartitionLog log : List.of(a, b)) {
                final List<Record> after = records(log.dir());
                final Map<String, String> last = lastValues(after);
                assertEquals(50_000, last.size(), log.topicPartition().toString());
                for (Map.Entry<String, String> e : last.entrySet()) {
                    assertEquals(model.get(e.getKey()), e.getValue(), e.getKey());
                }
                long belowActive = 0;
                for (Record r : after) {
                    if (r.offset() < log.activeSegmentBaseOffset()) {
                        belowActive++;
                    }
                }
                final long activeRecords = after.size() - belowActive;
                assertTrue(after.size() <= 50_000 + activeRecords, log.topicPartition() + ": " + after.size()
                    + " records, " + activeRecords + " in the active segment");
                assert log.checkInvariants();
            }
        }
    }

    @Test
    void idempotentProducerContinuesAfterCleaningAndRestarts() throws Exception {
        // Goal: the producer's last batch survives cleaning (kept even if emptied), so its next sequence is accepted,
        // a retry of its last batch is still a duplicate, and after a crash the state reloaded from the log and
        // snapshots accepts the next sequence too (no OutOfOrderSequence). Method: one key only, so every earlier
        // record is removed; clean; append; crash; reopen; append.
        final LogConfig config = compactConfig();
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();
        final Path dir;
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
             LogCleaner cleaner = new LogCleaner(manager, cleanerConfig(Double.MAX_VALUE), clock::now)) {
            final PartitionLog log = manager.createPartition("idem", 0, Uuid.randomUuid(), config);
            dir = log.dir();
            for (int i = 0; i < 200; i++) {
                log.append(tb.load(batch, TestBatches.idempotent(Compression.NONE, 5, (short) 0, i,
                    new SimpleRecord(clock.now(), "only".getBytes(StandardCharsets.UTF_8), new byte[100]))),
                    clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
            }
            // A second producer whose last batch lies in the cleaned section.
            log.append(tb.load(batch, TestBatches.idempotent(Compression.NONE, 6, (short) 0, 0,
                new SimpleRecord(clock.now(), "only".getBytes(StandardCharsets.UTF_8), new byte[100]))), clock.now(),
                result);
            for (int i = 200; i < 300; i++) {
                log.append(tb.load(batch, TestBatches.idempotent(Compression.NONE, 5, (short) 0, i,
                    new SimpleRecord(clock.now(), "only".getBytes(StandardCharsets.UTF_8), new byte[100]))),
                    clock.now(), result);
            }
            assertTrue(cleaner.cleanOnce());
            final List<Record> after = records(dir);
            assertTrue(after.size() < 150, "most records removed: " + after.size());
            boolean producer6Kept = false;
            for (LogTestSupport.StoredBatch b : LogTestSupport.readBatches(dir)) {
                producer6Kept |= b.batch.producerId() == 6;
            }
            assertTrue(producer6Kept, "the last batch of producer 6 stays (empty)");
            log.append(tb.load(batch, TestBatches.idempotent(Compression.NONE, 5, (short) 0, 299,
                new SimpleRecord(clock.now(), "only".getBytes(StandardCharsets.UTF_8), new byte[100]))), clock.now(),
                result);
            assertTrue(result.duplicate, "retry of the last batch is a duplicate");
            log.append(tb.load(batch, TestBatches.idempotent(Compression.NONE, 5, (short) 0, 300,
                new SimpleRecord(clock.now(), "only".getBytes(StandardCharsets.UTF_8), new byte[100]))), clock.now(),
                result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            manager.crashForTest();
        }
        // Snapshots gone too: the state comes from the cleaned log alone.
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".snapshot"))::iterator) {
                Files.delete(p);
            }
        }
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.partition("idem", 0);
            log.append(tb.load(batch, TestBatches.idempotent(Compression.NONE, 5, (short) 0, 301,
                new SimpleRecord(clock.now(), "only".getBytes(StandardCharsets.UTF_8), new byte[100]))), clock.now(),
                result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            log.append(tb.load(batch, TestBatches.idempotent(Compression.NONE, 6, (short) 0, 1,
                new SimpleRecord(clock.now(), "only".getBytes(StandardCharsets.UTF_8), new byte[100]))), clock.now(),
                result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            assert log.checkInvariants();
        }
    }

    @Test
    void aFetchRegionHeldAcrossASwapStillReadsTheOldBytes() throws Exception {
        // Goal: a read handed out before a swap (its segment renamed .deleted) sends valid bytes afterwards, and a
        // read after the swap finds the cleaned segment. Method: read at offset 0, clean, read the held region.
        final LogConfig config = compactConfig();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
             LogCleaner cleaner = new LogCleaner(manager, cleanerConfig(Double.MAX_VALUE), clock::now)) {
            final PartitionLog log = manager.createPartition("r", 0, Uuid.randomUuid(), config);
            fill(log, 300, 8);
            final FetchRegion held = new FetchRegion();
            log.read(0, 1 << 20, true, held);
            assertEquals(0, held.errorCode);
            assertTrue(cleaner.cleanOnce());
            final ByteBuffer bytes = ByteBuffer.allocate(held.length);
            final FileChannel ch = held.segment.acquire();
            try {
                while (bytes.hasRemaining()) {
                    assertTrue(ch.read(bytes, held.position + bytes.position()) > 0);
                }
            } finally {
                held.segment.release();
            }
            bytes.flip();
            int batches = 0;
            for (MutableRecordBatch b : MemoryRecords.readableRecords(bytes).batches()) {
                b.ensureValid();
                batches++;
            }
            assertTrue(batches > 0);
            held.reset();
            final FetchRegion fresh = new FetchRegion();
            log.read(0, 1 << 20, true, fresh);
            assertEquals(0, fresh.errorCode);
            fresh.reset();
        }
    }

    @Test
    void recoveryDeletesCleanedFilesAndCompletesAnInterruptedSwap() throws Exception {
        // Goal: a kill -9 during a clean loses nothing. Leftover .cleaned files (the clean had not committed) are
        // deleted and the old segments kept; a leftover .log.swap (committed, old segments not yet renamed) replaces
        // the old segments of its offset range, its index .swap files are deleted and the indexes rebuilt. Method:
        // copy of the log before a clean; the clean's first segment copied back as X.log.swap (+ .index.swap) and a
        // half-written X+1 .cleaned file; start without the clean-shutdown marker.
        final LogConfig config = compactConfig();
        final Path before = Files.createDirectories(tmp.resolve("before"));
        final Path live = Files.createDirectories(tmp.resolve("live"));
        Map<String, String> expected;
        try (LogManager manager = LogManager.open(List.of(live), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("crash", 0, Uuid.randomUuid(), config);
            fill(log, 500, 8);
            expected = lastValues(records(log.dir()));
        }
        final long firstBase;
        final Path liveDir = live.resolve("crash-0");
        try (LogManager manager = LogManager.open(List.of(live), 1, config, DAY_MS, clock::now);
             LogCleaner cleaner = new LogCleaner(manager, cleanerConfig(Double.MAX_VALUE), clock::now)) {
            assertTrue(cleaner.cleanOnce());
        }
        // The state a second clean starts from (shrunken segments, which that clean merges into groups).
        copyTree(live, before);
        try (LogManager manager = LogManager.open(List.of(live), 1, config, DAY_MS, clock::now);
             LogCleaner cleaner = new LogCleaner(manager, cleanerConfig(Double.MAX_VALUE), clock::now)) {
            // Other keys: nothing the copy holds is superseded by records it does not have.
            keyPrefix = "other-";
            fill(manager.partition("crash", 0), 100, 1_000_000);
            assertTrue(cleaner.cleanOnce());
            firstBase = manager.partition("crash", 0).segmentBaseOffsets()[0];
        }
        final Path dir = before.resolve("crash-0");
        final long oldSegments = LogTestSupport.files(dir, ".log").size();
        Files.copy(LogFiles.logFile(liveDir, firstBase), dir.resolve(LogFiles.prefix(firstBase) + ".log.swap"));
        Files.copy(LogFiles.indexFile(liveDir, firstBase), dir.resolve(LogFiles.prefix(firstBase) + ".index.swap"));
        final long[] bases;
        try (Stream<Path> s = Files.list(dir)) {
            bases = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
                .mapToLong(LogFiles::offsetOf).sorted().toArray();
        }
        Files.write(dir.resolve(LogFiles.prefix(bases[bases.length - 2]) + ".log.cleaned"), new byte[100]);
        Files.deleteIfExists(before.resolve(CleanShutdownFile.FILE_NAME));
        try (LogManager manager = LogManager.open(List.of(before), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.partition("crash", 0);
            assertTrue(LogTestSupport.files(dir, ".swap").isEmpty(), "no .swap left");
            assertTrue(LogTestSupport.files(dir, ".cleaned").isEmpty(), "no .cleaned left");
            assertTrue(log.segmentCount() < oldSegments, "the swap replaced old segments");
            assertEquals(expected, lastValues(records(dir)), "no key lost or changed");
            assert log.checkInvariants();
            assertDumpValid(dir, log.activeSegmentBaseOffset());
        }
    }

    @Test
    void theThrottleLimitsTheCleanersIo() throws Exception {
        // Goal: log.cleaner.io.max.bytes.per.second holds: the cleaner sleeps, and its bytes over the clean's
        // duration stay under the limit (with a generous factor: the check is behavioural, never a speed test; a
        // slow machine only makes the clean slower). Method: ~300 KB log, limit 200 KB/s, one clean.
        final LogConfig config = compactConfig();
        final double limit = 200_000;
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("slow", 0, Uuid.randomUuid(), config);
            fill(log, 1500, 50);
            // Created now: the throttle's first interval starts with the cleaner, not before the fill.
            try (LogCleaner cleaner = new LogCleaner(manager, cleanerConfig(limit), clock::now)) {
                final long t0 = System.nanoTime();
                assertTrue(cleaner.cleanOnce());
                final double secs = (System.nanoTime() - t0) / 1e9;
                assertTrue(cleaner.throttleSleeps() > 0, "the throttle made the cleaner sleep");
                final double rate = cleaner.ioBytes() / secs;
                assertTrue(rate < 2 * limit, "cleaner I/O " + (long) rate + " B/s over " + secs + " s, limit " + limit);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals(".lock")) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
