package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    private final TestBatches tb = new TestBatches(1 << 18, 21);

    /** Appends {@code n} one-record batches of ~1 KiB with record time {@code ts} (idempotent producer 4). */
    private void fill(PartitionLog log, int n, long ts, int[] seq) {
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();
        for (int i = 0; i < n; i++) {
            log.append(tb.load(batch,
                TestBatches.idempotent(Compression.NONE, 4, (short) 0, seq[0]++, tb.records(1, 1000, ts))),
                clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
        }
    }

    @Test
    void sizeRetentionDeletesWholeOldestSegmentsAfterTheDeleteDelay() throws Exception {
        // Goal: retention.bytes removes the oldest whole segments while the log stays above the limit
        // (Kafka's running difference), moves the log start to the first remaining segment, renames
        // the removed files .deleted and deletes them file.delete.delay.ms later, drops their producer
        // snapshots, moves the leader epoch start, and reads below the new start are out of range.
        // Method: 8 segments of ~4 KiB, retention.bytes 10 KiB, run retention, inspect files, advance
        // the clock past the delay, run again; restart and check the log start survives.
        final LogConfig config = LogConfig.builder().segmentBytes(4096).retentionBytes(10 * 1024).retentionMs(-1)
            .fileDeleteDelayMs(60_000).build();
        final int[] seq = {0};
        final Path dir;
        final long newStart;
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("size", 0, Uuid.randomUuid(), config);
            dir = log.dir();
            fill(log, 30, clock.now(), seq);
            final long[] bases = log.segmentBaseOffsets();
            assertTrue(bases.length >= 7, "segments " + bases.length);
            final long total = log.sizeInBytes();
            long diff = total - config.retentionBytes;
            int expected = 0;
            for (long base : bases) {
                final long size = Files.size(LogFiles.logFile(dir, base));
                if (diff - size < 0) {
                    break;
                }
                diff -= size;
                expected++;
            }
            assertTrue(expected >= 3);
            assertEquals(expected, manager.deleteOldSegments(clock.now()));
            newStart = bases[expected];
            assertEquals(newStart, log.logStartOffset());
            assertTrue(log.sizeInBytes() >= config.retentionBytes - 4096 && log.sizeInBytes() <= config.retentionBytes
                + 4096);
            for (int i = 0; i < expected; i++) {
                assertFalse(Files.exists(LogFiles.logFile(dir, bases[i])));
                assertTrue(Files.exists(dir.resolve(LogFiles.prefix(bases[i]) + ".log.deleted")),
                    "renamed, not yet deleted");
                assertTrue(Files.exists(dir.resolve(LogFiles.prefix(bases[i]) + ".index.deleted")));
                assertFalse(Files.exists(LogFiles.snapshotFile(dir, bases[i])), "its producer snapshot is gone");
            }
            for (long s : log.snapshotOffsets()) {
                assertTrue(s >= newStart);
            }
            final FetchRegion region = new FetchRegion();
            log.read(bases[0], 1 << 20, true, region);
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), region.errorCode);
            log.read(newStart, 1 << 20, true, region);
            assertEquals(0, region.errorCode);
            assertEquals(newStart, region.firstBatchOffset);

            clock.advance(59_999);
            manager.deleteOldSegments(clock.now());
            assertTrue(Files.exists(dir.resolve(LogFiles.prefix(bases[0]) + ".log.deleted")));
            clock.advance(1);
            assertEquals(0, manager.deleteOldSegments(clock.now()), "nothing more to remove");
            assertTrue(LogTestSupport.files(dir, ".deleted").isEmpty(), "files deleted after the delay");
            manager.checkpoint();
            assertEquals("0\n1\n0 " + newStart + "\n",
                Files.readString(dir.resolve("leader-epoch-checkpoint"), StandardCharsets.UTF_8));
            assertEquals("0\n0\n", Files.readString(tmp.resolve("log-start-offset-checkpoint")),
                "Kafka lists only log starts inside the first segment");
            assert manager.checkInvariants();
        }
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.partition("size", 0);
            assertEquals(newStart, log.logStartOffset(), "the first segment's base is the log start after restart");
            assertEquals(30, log.logEndOffset());
        }
    }

    @Test
    void timeRetentionRollsTheActiveSegmentWhenEverythingIsOld() throws Exception {
        // Goal: retention.ms removes segments whose largest record timestamp is too old, oldest first,
        // stopping at the first young one; when every segment is old, the active one is rolled first
        // (Kafka's behaviour) so the log keeps an empty active segment at the log end.
        // Method: old records in the first segments, new ones after; run; then let everything age.
        final LogConfig config = LogConfig.builder().segmentBytes(4096).retentionMs(3_600_000).fileDeleteDelayMs(0)
            .build();
        final int[] seq = {0};
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("time", 0, Uuid.randomUuid(), config);
            final long old = clock.now() - 2 * 3_600_000;
            fill(log, 10, old, seq);
            final long[] oldBases = log.segmentBaseOffsets();
            fill(log, 10, clock.now(), seq);
            final long[] bases = log.segmentBaseOffsets();
            // Segments holding only old records go; the one where new records started stays.
            int expected = 0;
            for (int i = 0; i < bases.length - 1 && bases[i + 1] <= 10; i++) {
                expected++;
            }
            assertTrue(expected >= 1, "segments " + Arrays.toString(bases) + ", old "
                + Arrays.toString(oldBases));
            assertEquals(expected, log.deleteOldSegments(clock.now()));
            assertEquals(bases[expected], log.logStartOffset());

            clock.advance(3 * 3_600_000);
            final long end = log.logEndOffset();
            final int remaining = log.segmentCount();
            assertEquals(remaining, log.deleteOldSegments(clock.now()));
            assertEquals(1, log.segmentCount());
            assertArrayEquals(new long[] {end}, log.segmentBaseOffsets(), "a new empty active segment at the log end");
            assertEquals(end, log.logStartOffset());
            assertEquals(end, log.logEndOffset());
            assertEquals(0, log.deleteOldSegments(clock.now()), "an empty active segment is never deleted");
            final FetchRegion region = new FetchRegion();
            log.read(end, 1000, true, region);
            assertEquals(0, region.errorCode);
            assertEquals(0, region.length);
            fill(log, 1, clock.now(), seq);
            assertEquals(end + 1, log.logEndOffset());
            assert log.checkInvariants();
        }
    }
}
