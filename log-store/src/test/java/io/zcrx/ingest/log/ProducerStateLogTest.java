package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateLogTest {
    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    private final TestBatches tb = new TestBatches(1 << 18, 0xB0B);
    private final AppendBatch batch = new AppendBatch();
    private final AppendResult result = new AppendResult();

    private LogManager open(LogConfig config) throws Exception {
        return LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
    }

    private MemoryRecords idempotent(long pid, int epoch, int baseSeq, int count) {
        return TestBatches.idempotent(Compression.lz4().build(), pid, (short) epoch, baseSeq,
            tb.records(count, 40, clock.now()));
    }

    private void append(PartitionLog log, MemoryRecords records) {
        log.append(tb.load(batch, records), clock.now(), result);
        assert log.checkInvariants();
    }

    @Test
    void retriesOfTheLastFiveBatchesWriteNothingAndReturnTheirOffsets() throws Exception {
        // Goal: through the log, a duplicate of each of the last five batches answers NONE with the
        // offset first assigned and writes nothing; the sixth-oldest, a gap and an old epoch fail
        // with OUT_OF_ORDER_SEQUENCE_NUMBER (45) / INVALID_PRODUCER_EPOCH (47), nothing written.
        // Method: six batches of one producer, then every retry; compare the file size and LEO.
        final LogConfig config = LogConfig.builder().build();
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("dups", 0, Uuid.randomUuid(), config);
            final MemoryRecords[] sent = new MemoryRecords[6];
            final long[] offsets = new long[6];
            for (int i = 0; i < 6; i++) {
                sent[i] = idempotent(5, 1, i * 4, 4);
                append(log, sent[i]);
                assertEquals(0, result.errorCode);
                offsets[i] = result.baseOffset;
            }
            final long size = Files.size(LogFiles.logFile(log.dir(), 0));
            for (int i = 1; i < 6; i++) {
                append(log, sent[i]);
                assertEquals(0, result.errorCode, "retry of batch " + i);
                assertTrue(result.duplicate);
                assertEquals(offsets[i], result.baseOffset);
                assertEquals(0, result.logStartOffset);
            }
            append(log, sent[0]);
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), result.errorCode, "sixth-oldest");
            assertTrue(result.errorMessage.contains("producerId=5"), result.errorMessage);
            append(log, idempotent(5, 1, 25, 1));
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), result.errorCode, "gap");
            append(log, idempotent(5, 0, 24, 1));
            assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), result.errorCode, "older epoch");
            append(log, idempotent(5, 2, 3, 1));
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), result.errorCode, "bump without sequence 0");
            assertEquals(24, log.logEndOffset());
            assertEquals(size, Files.size(LogFiles.logFile(log.dir(), 0)), "nothing written by retries and rejects");
            append(log, idempotent(5, 2, 0, 1));
            assertEquals(0, result.errorCode, "bump with sequence 0");
            assertEquals(24, result.baseOffset);
        }
    }

    @Test
    void afterACleanRestartTheLastFiveBatchesAreKnown() throws Exception {
        // Goal: a clean shutdown snapshots each producer's five-batch window (one snapshot entry per batch; Kafka
        // keeps only the newest, docs/durability.md), so after restart a retry of any of the last five batches is a
        // duplicate answered with its original offset, a retry of the sixth-newest is a sequence error, and the next
        // sequence is accepted. Method: three producers, seven batches each, close, reopen, retry.
        final LogConfig config = LogConfig.builder().build();
        final int rounds = 7;
        final MemoryRecords[][] sent = new MemoryRecords[3][rounds];
        final long[][] offsets = new long[3][rounds];
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("clean", 0, Uuid.randomUuid(), config);
            for (int round = 0; round < rounds; round++) {
                for (int p = 0; p < 3; p++) {
                    sent[p][round] = idempotent(100 + p, 0, round * 2, 2);
                    append(log, sent[p][round]);
                    offsets[p][round] = result.baseOffset;
                }
            }
        }
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.partition("clean", 0);
            assertArrayEquals(new long[] {42}, log.snapshotOffsets(), "clean close left one snapshot, at the log end");
            assertEquals(3, log.producerCount());
            assertEquals(102, manager.largestProducerId());
            for (int p = 0; p < 3; p++) {
                for (int round = rounds - 1; round >= rounds - 5; round--) {
                    append(log, sent[p][round]);
                    assertTrue(result.duplicate, "batch " + round + " of producer " + p);
                    assertEquals(offsets[p][round], result.baseOffset);
                }
                append(log, sent[p][rounds - 6]);
                assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), result.errorCode);
                append(log, idempotent(100 + p, 0, rounds * 2, 1));
                assertEquals(0, result.errorCode);
            }
            assertEquals(45, log.logEndOffset());
        }
    }

    @Test
    void afterACrashStateIsRebuiltFromTheSecondNewestSegmentPlusReplay() throws Exception {
        // Goal: after an unclean stop, producer state = the snapshot at (or below) the second-newest
        // segment's base plus a replay of the log after it, so all of the last five batches are known
        // again even when the last roll split them (a retry of any of them is a duplicate).
        // Method: small segments so rolls snapshot; append more; crash (no close); reopen; every one
        // of the last five batches is a duplicate, and snapshots exist at the last two segment bases
        // and the log end.
        final LogConfig config = LogConfig.builder().segmentBytes(1024).build();
        final MemoryRecords[] sent = new MemoryRecords[200];
        final long[] offsets = new long[200];
        final long[] bases;
        LogManager manager = open(config);
        final PartitionLog first = manager.createPartition("crash", 0, Uuid.randomUuid(), config);
        int n = 0;
        // Append until the active segment holds exactly two batches after at least two rolls: the
        // newest snapshot (at the last roll) then splits the last five batches 3 + 2.
        while (n < 30 || first.segmentBaseOffsets().length < 3
                || first.logEndOffset() - first.segmentBaseOffsets()[first.segmentBaseOffsets().length - 1] != 2) {
            assertTrue(n < 200, "no roll left exactly two batches in the active segment");
            sent[n] = idempotent(9, 0, n, 1);
            append(first, sent[n]);
            assertEquals(0, result.errorCode);
            offsets[n] = result.baseOffset;
            n++;
        }
        final int total = n;
        bases = first.segmentBaseOffsets();
        assertTrue(bases.length >= 3, "rolls expected");
        manager.crashForTest();

        manager = open(config);
        try {
            final PartitionLog log = manager.partition("crash", 0);
            assertEquals(total, log.logEndOffset());
            // After a crash the replay starts at the second-newest segment (not at the newest
            // snapshot; a snapshot Kafka wrote keeps only each producer's last batch), so the whole
            // five-batch window is known again even though the last roll split it.
            final int known = 5;
            for (int i = total - known; i < total; i++) {
                append(log, sent[i]);
                assertTrue(result.duplicate, "batch " + i + " of " + total);
                assertEquals(offsets[i], result.baseOffset);
            }
            append(log, sent[total - 1 - known]);
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), result.errorCode);
            final long[] snapshots = log.snapshotOffsets();
            assertEquals(total, snapshots[snapshots.length - 1], "a snapshot at the log end after loading");
            for (long s : snapshots) {
                assertTrue(s == total || Arrays.binarySearch(bases, s) >= 0, "snapshot " + s
                    + " at a segment base");
            }
        } finally {
            manager.close();
        }
    }

    @Test
    void aStalledProducersWindowSurvivesACrashAfterOthersRolledSegments() throws Exception {
        // Goal: the case the crash loop caught in CI (6729cef): producer 1 writes five batches, then stalls while
        // producer 2 fills several segments; after a crash the loader's snapshot (at or below the second-newest
        // segment) lies after all five of producer 1's batches. Each of them retried must still be a duplicate
        // answered with its original offset (the window travels in the snapshots), not OUT_OF_ORDER_SEQUENCE.
        // Method: 1 KiB segments; 5 batches of producer 1; producer 2 until four more rolls; crash; reopen; retry.
        final LogConfig config = LogConfig.builder().segmentBytes(1024).build();
        final MemoryRecords[] stalled = new MemoryRecords[5];
        final long[] offsets = new long[5];
        LogManager manager = open(config);
        final PartitionLog first = manager.createPartition("stall", 0, Uuid.randomUuid(), config);
        for (int i = 0; i < stalled.length; i++) {
            stalled[i] = idempotent(1, 0, i * 2, 2);
            append(first, stalled[i]);
            assertEquals(0, result.errorCode);
            offsets[i] = result.baseOffset;
        }
        final int segmentsBefore = first.segmentBaseOffsets().length;
        int seq = 0;
        while (first.segmentBaseOffsets().length < segmentsBefore + 4) {
            append(first, idempotent(2, 0, seq, 1));
            assertEquals(0, result.errorCode);
            seq++;
        }
        append(first, idempotent(2, 0, seq, 1));
        final long[] bases = first.segmentBaseOffsets();
        assertTrue(bases[bases.length - 2] > offsets[4], "the second-newest segment starts after the stalled batches");
        manager.crashForTest();

        manager = open(config);
        try {
            final PartitionLog log = manager.partition("stall", 0);
            for (int i = 0; i < stalled.length; i++) {
                append(log, stalled[i]);
                assertEquals(0, result.errorCode, "batch " + i + ": " + result.errorMessage);
                assertTrue(result.duplicate, "batch " + i);
                assertEquals(offsets[i], result.baseOffset);
            }
            append(log, idempotent(1, 0, 10, 1));
            assertEquals(0, result.errorCode, "the next sequence continues");
            assertFalse(result.duplicate);
        } finally {
            manager.close();
        }
    }

    @Test
    void expiredProducersAreForgottenAndTheLargestIdIsKept() throws Exception {
        // Goal: producer.id.expiration.ms of inactivity (by batch timestamps) drops state, during
        // operation and when loading a snapshot; the largest id seen stays for id allocation.
        // Method: one producer, expire by moving the clock, retry (accepted as new data); then a
        // restart long after the snapshot's timestamps.
        final LogConfig config = LogConfig.builder().build();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, 60_000, clock::now)) {
            final PartitionLog log = manager.createPartition("exp", 0, Uuid.randomUuid(), config);
            final MemoryRecords first = idempotent(31, 0, 0, 2);
            append(log, first);
            append(log, idempotent(32, 0, 0, 2));
            clock.advance(59_000);
            assertEquals(0, manager.removeExpiredProducers(clock.now()));
            clock.advance(2_000);
            append(log, idempotent(32, 0, 2, 1));
            assertEquals(1, manager.removeExpiredProducers(clock.now()), "producer 31 idle for 61 s");
            assertNull(log.producerEntry(31));
            append(log, first);
            assertFalse(result.duplicate, "an expired producer's retry is new data");
            assertEquals(5, result.baseOffset);
        }
        clock.advance(120_000);
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, 60_000, clock::now)) {
            final PartitionLog log = manager.partition("exp", 0);
            assertEquals(0, log.producerCount(), "snapshot entries already expired are not loaded");
            assertEquals(32, manager.largestProducerId(), "ids seen in the snapshot still count");
        }
    }
}
