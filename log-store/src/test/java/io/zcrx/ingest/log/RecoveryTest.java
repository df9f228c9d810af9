package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static io.zcrx.ingest.log.LogTestSupport.StoredBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.storage.internals.log.OffsetIndex;
import org.apache.kafka.storage.internals.log.OffsetPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();

    private LogManager open(LogConfig config) throws Exception {
        return LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
    }

    /** Sequences of the two idempotent producers {@link #fill} uses, continued across calls. */
    private final int[] seq = new int[2];

    /** Appends {@code count} mixed batches (idempotent ones only with {@code idempotent}). */
    private void fill(PartitionLog log, TestBatches tb, int count) {
        fill(log, tb, count, true);
    }

    private void fill(PartitionLog log, TestBatches tb, int count, boolean idempotent) {
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();
        for (int i = 0; i < count; i++) {
            final int n = 1 + tb.random().nextInt(6);
            final int who = idempotent ? tb.random().nextInt(3) : 2;
            final var records = tb.records(n, 30 + tb.random().nextInt(200), clock.now() + tb.random().nextInt(10_000));
            final var mr = who < 2
                ? TestBatches.idempotent(TestBatches.CODECS[i % 5], 70 + who, (short) 0, seq[who], records)
                : TestBatches.plain(TestBatches.CODECS[i % 5], records);
            if (who < 2) {
                seq[who] += n;
            }
            log.append(tb.load(batch, mr), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
        }
    }

    private static List<long[]> indexEntries(Path dir, long base) throws Exception {
        final List<long[]> entries = new ArrayList<>();
        final OffsetIndex index = new OffsetIndex(LogFiles.indexFile(dir, base).toFile(), base, -1, false);
        try {
            for (int i = 0; i < index.entries(); i++) {
                final OffsetPosition e = index.entry(i);
                if (i > 0 && e.offset() == base) {
                    break;
                }
                entries.add(new long[] {e.offset(), e.position()});
            }
        } finally {
            index.closeHandler();
        }
        return entries;
    }

    @Test
    void garbageFromARandomPositionLeavesExactlyTheValidPrefix() throws Exception {
        // Goal: Kafka's LogSegmentTest.testRecoveryWithCorruptMessage through the whole loader: after
        // an unclean stop, nonsense written over a segment from a random position to its end leaves
        // exactly the batches that ended before that position, later segments are deleted, the
        // indexes are rebuilt as they were written, producer state and appends carry on.
        // Method: per seed, 3+ segments of mixed batches, crash, overwrite the middle segment from a
        // random position with random bytes, reopen; compare with what was there before.
        for (long seed = 1; seed <= 6; seed++) {
            final Path root = tmp.resolve("seed-" + seed);
            final LogConfig config = LogConfig.builder().segmentBytes(16 * 1024).indexIntervalBytes(1024).build();
            final TestBatches tb = new TestBatches(1 << 20, seed);
            seq[0] = 0;
            seq[1] = 0;
            LogManager manager = LogManager.open(List.of(root), 1, config, DAY_MS, clock::now);
            final PartitionLog log = manager.createPartition("rec", 0, Uuid.randomUuid(), config);
            fill(log, tb, 120);
            final Path dir = log.dir();
            final long[] bases = log.segmentBaseOffsets();
            assertTrue(bases.length >= 3, "seed " + seed + ": segments " + bases.length);
            manager.crashForTest();

            final List<StoredBatch> before = LogTestSupport.readBatches(dir);
            final int victim = 1 + tb.random().nextInt(bases.length - 2);
            final long victimBase = bases[victim];
            final Path victimLog = LogFiles.logFile(dir, victimBase);
            final List<long[]> indexBefore = indexEntries(dir, victimBase);
            final long length = Files.size(victimLog);
            final int position = tb.random().nextInt((int) length);
            final byte[] garbage = new byte[(int) length - position];
            new Random(seed * 31).nextBytes(garbage);
            try (RandomAccessFile raf = new RandomAccessFile(victimLog.toFile(), "rw")) {
                raf.seek(position);
                raf.write(garbage);
            }
            long expectedEnd = victimBase;
            int survivors = 0;
            for (StoredBatch b : before) {
                if (b.log.equals(victimLog) && b.position + b.batch.sizeInBytes() <= position) {
                    expectedEnd = b.batch.nextOffset();
                    survivors++;
                }
            }
            final int expectedSurvivors = survivors;

            manager = LogManager.open(List.of(root), 1, config, DAY_MS, clock::now);
            try {
                final PartitionLog reopened = manager.partition("rec", 0);
                assertEquals(expectedEnd, reopened.logEndOffset(), "seed " + seed + ", position " + position);
                assertEquals(victim + 1, reopened.segmentCount(), "later segments deleted, seed " + seed);
                for (int i = victim + 1; i < bases.length; i++) {
                    assertFalse(Files.exists(LogFiles.logFile(dir, bases[i])), "segment " + bases[i] + " deleted");
                    assertFalse(Files.exists(LogFiles.indexFile(dir, bases[i])));
                }
                final List<StoredBatch> after = LogTestSupport.readBatches(dir);
                int kept = 0;
                for (StoredBatch b : after) {
                    if (b.log.equals(victimLog)) {
                        kept++;
                    }
                }
                assertEquals(expectedSurvivors, kept, "seed " + seed);
                final List<long[]> expectedIndex = new ArrayList<>();
                for (long[] e : indexBefore) {
                    if (e[0] < expectedEnd) {
                        expectedIndex.add(e);
                    }
                }
                final List<long[]> indexAfter = indexEntries(dir, victimBase);
                assertEquals(expectedIndex.size(), indexAfter.size(), "rebuilt index size, seed " + seed);
                for (int i = 0; i < expectedIndex.size(); i++) {
                    assertEquals(expectedIndex.get(i)[0], indexAfter.get(i)[0], "rebuilt entry " + i);
                    assertEquals(expectedIndex.get(i)[1], indexAfter.get(i)[1], "rebuilt entry " + i);
                }
                assert manager.checkInvariants();
                fill(reopened, tb, 5, false);
                assertTrue(reopened.logEndOffset() > expectedEnd);
                final List<Path> files = new ArrayList<>(LogTestSupport.files(dir, ".log"));
                files.addAll(LogTestSupport.files(dir, ".index"));
                files.addAll(LogTestSupport.files(dir, ".timeindex"));
                final DumpLogSegmentsRunner dump = DumpLogSegmentsRunner.run(files);
                assertFalse(dump.err.contains("ismatch") || dump.err.contains("not found")
                    || dump.out.contains("invalid bytes")
                    || dump.out.contains("isvalid: false"), dump::toString);
            } finally {
                manager.close();
            }
        }
    }

    @Test
    void aTornLastBatchIsDroppedAndItsOffsetReused() throws Exception {
        // Goal: a crash in the middle of writing the last batch (a prefix of it on disk) loses that
        // batch only; the next append gets its offset; the untrimmed active index left by the crash
        // is rebuilt, trimmed and expanded.
        // Method: 40 batches, crash, cut the active .log in the middle of its last batch, reopen.
        final LogConfig config = LogConfig.builder().segmentIndexBytes(4096).indexIntervalBytes(512).build();
        final TestBatches tb = new TestBatches(1 << 20, 77);
        LogManager manager = open(config);
        final PartitionLog log = manager.createPartition("torn", 0, Uuid.randomUuid(), config);
        fill(log, tb, 40);
        final Path dir = log.dir();
        manager.crashForTest();
        assertEquals(4096, Files.size(LogFiles.indexFile(dir, 0)), "a crash leaves the index preallocated");
        final List<StoredBatch> before = LogTestSupport.readBatches(dir);
        final StoredBatch last = before.get(before.size() - 1);
        try (FileChannel ch = FileChannel.open(LogFiles.logFile(dir, 0), StandardOpenOption.WRITE)) {
            ch.truncate(last.position + last.batch.sizeInBytes() / 2);
        }
        manager = open(config);
        try {
            final PartitionLog reopened = manager.partition("torn", 0);
            assertEquals(last.batch.baseOffset(), reopened.logEndOffset());
            assertEquals(last.position, Files.size(LogFiles.logFile(dir, 0)));
            assertEquals(4096, Files.size(LogFiles.indexFile(dir, 0)), "active index expanded after the rebuild");
            final AppendResult result = new AppendResult();
            reopened.append(tb.load(new AppendBatch(),
                TestBatches.plain(TestBatches.CODECS[0], tb.records(2, 10, clock.now()))),
                clock.now(), result);
            assertEquals(last.batch.baseOffset(), result.baseOffset);
            assert manager.checkInvariants();
        } finally {
            manager.close();
        }
        assertTrue(Files.size(LogFiles.indexFile(dir, 0)) < 4096, "trimmed again at close");
        final DumpLogSegmentsRunner dump = DumpLogSegmentsRunner.run(List.of(LogFiles.logFile(dir, 0),
            LogFiles.indexFile(dir, 0),
            LogFiles.timeIndexFile(dir, 0)));
        assertFalse(dump.err.contains("ismatch") || dump.out.contains("isvalid: false"), dump::toString);
        assertEquals(before.size(), dump.lines("baseOffset:").size());
    }

    @Test
    void recoveryStartsAtTheCheckpointedRecoveryPointAndACleanShutdownSkipsValidation() throws Exception {
        // Goal: only segments holding offsets at or above the checkpointed recovery point are
        // re-validated after a crash, and nothing is after a clean shutdown (Kafka's rules).
        // Method: flush + checkpoint, append more, crash; flip a byte in a flushed segment (not
        // noticed) and one in the unflushed tail (cut there). Then a clean close with a flipped byte:
        // the next open trusts the files.
        final LogConfig config = LogConfig.builder().segmentBytes(8 * 1024).build();
        final TestBatches tb = new TestBatches(1 << 20, 99);
        LogManager manager = open(config);
        PartitionLog log = manager.createPartition("rp", 0, Uuid.randomUuid(), config);
        fill(log, tb, 60);
        final Path dir = log.dir();
        assertEquals(log.logEndOffset(), log.flush());
        manager.checkpoint();
        final long flushedEnd = log.logEndOffset();
        final long[] flushedBases = log.segmentBaseOffsets();
        fill(log, tb, 30);
        final long[] bases = log.segmentBaseOffsets();
        assertTrue(bases.length > flushedBases.length, "new segments after the checkpoint");
        manager.crashForTest();

        final List<StoredBatch> before = LogTestSupport.readBatches(dir);
        final StoredBatch inFlushed = before.get(2);
        flipByte(inFlushed.log, inFlushed.position + 70);
        StoredBatch inTail = null;
        for (StoredBatch b : before) {
            if (b.batch.baseOffset() > flushedEnd + 20) {
                inTail = b;
                break;
            }
        }
        flipByte(inTail.log, inTail.position + 70);
        manager = open(config);
        log = manager.partition("rp", 0);
        assertEquals(inTail.batch.baseOffset(), log.logEndOffset(), "the unflushed tail is validated and cut");
        assertTrue(log.logEndOffset() > flushedEnd);
        manager.close();

        final List<StoredBatch> now = LogTestSupport.readBatchesUnchecked(dir);
        final StoredBatch victim = now.get(now.size() - 3);
        flipByte(victim.log, victim.position + 70);
        final long endBefore = now.get(now.size() - 1).batch.nextOffset();
        manager = open(config);
        try {
            assertEquals(endBefore, manager.partition("rp", 0).logEndOffset(), "a clean shutdown skips validation");
        } finally {
            manager.close();
        }
    }

    private static void flipByte(Path file, long position) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5A);
        }
    }

    @Test
    void aMissingIndexIsRebuiltEvenAfterACleanShutdown() throws Exception {
        // Goal: a segment whose .index or .timeindex is missing gets its indexes rebuilt (Kafka
        // recovers such a segment whatever the shutdown was).
        // Method: clean close, delete a sealed segment's index files, reopen, compare entries.
        final LogConfig config = LogConfig.builder().segmentBytes(8 * 1024).indexIntervalBytes(1024).build();
        final TestBatches tb = new TestBatches(1 << 20, 5);
        final Path dir;
        final long base;
        final List<long[]> original;
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("noidx", 0, Uuid.randomUuid(), config);
            fill(log, tb, 50);
            dir = log.dir();
            base = log.segmentBaseOffsets()[1];
        }
        original = indexEntries(dir, base);
        assertTrue(original.size() > 2);
        Files.delete(LogFiles.indexFile(dir, base));
        Files.delete(LogFiles.timeIndexFile(dir, base));
        try (LogManager manager = open(config)) {
            assertTrue(Files.exists(LogFiles.timeIndexFile(dir, base)));
            final List<long[]> rebuilt = indexEntries(dir, base);
            assertEquals(original.size(), rebuilt.size());
            for (int i = 0; i < original.size(); i++) {
                assertEquals(original.get(i)[0], rebuilt.get(i)[0]);
                assertEquals(original.get(i)[1], rebuilt.get(i)[1]);
            }
            assert manager.checkInvariants();
        }
    }
}
