package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.log.epoch.EpochEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#truncateTo} on real files: what stays is exactly the batches below the target, in files that
 * Kafka's DumpLogSegments accepts (indexes consistent with the logs), appends continue at the new log end, the
 * producer state and the leader epoch history follow, and a restart sees the same log.
 */
class LogTruncationTest {
    private static final String TOPIC = "trunc";
    private static final long PRODUCER_ID = 4711L;

    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    private final LogConfig config = LogConfig.builder().segmentBytes(1024).build();
    private final TestBatches tb = new TestBatches(1 << 16, 7);
    private int sequence;

    private LogManager open() throws IOException {
        return LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
    }

    private Path dir() {
        return tmp.resolve(TOPIC + "-0");
    }

    /** Appends {@code n} idempotent batches of 2 records (producer {@link #PRODUCER_ID}, consecutive sequences). */
    private void append(PartitionLog log, int n) {
        final AppendResult result = new AppendResult();
        for (int i = 0; i < n; i++) {
            log.append(tb.load(new AppendBatch(), batch(sequence)), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            sequence += 2;
        }
        assert log.checkInvariants();
    }

    private MemoryRecords batch(int baseSequence) {
        return TestBatches.idempotent(Compression.NONE, PRODUCER_ID, (short) 0, baseSequence,
            tb.records(2, 100, clock.now()));
    }

    private static List<EpochEntry> entries(long... pairs) {
        final List<EpochEntry> list = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            list.add(new EpochEntry((int) pairs[i], pairs[i + 1]));
        }
        return list;
    }

    private void assertKafkaAcceptsTheFiles() throws Exception {
        final List<Path> files = new ArrayList<>(LogTestSupport.files(dir(), ".log"));
        files.addAll(LogTestSupport.files(dir(), ".index"));
        files.addAll(LogTestSupport.files(dir(), ".timeindex"));
        final DumpLogSegmentsRunner dump = DumpLogSegmentsRunner.run(files);
        assertFalse(dump.err.contains("ismatch") || dump.err.contains("not found")
            || dump.out.contains("invalid bytes") || dump.out.contains("isvalid: false"), dump::toString);
    }

    @Test
    void truncationInsideTheLogKeepsExactlyTheBatchesBelowTheTarget() throws Exception {
        // Goal: truncateTo(offset inside a batch) drops that batch and everything after it (Kafka drops a
        // straddling batch whole), across segments; the segment holding the target becomes active again, later
        // segments are renamed .deleted; epochs from the cut on are gone; appends continue at the new end; the
        // files stay valid for Kafka's tools and survive a restart.
        // Method: 3 leaderships over ~9 segments of 1 KiB, truncate to 21 (inside batch 20-21), append, restart.
        try (LogManager manager = open()) {
            final PartitionLog log = manager.createPartition(TOPIC, 0, Uuid.randomUuid(), config);
            append(log, 6);
            log.becomeLeader(3);
            append(log, 6);
            log.becomeLeader(5);
            append(log, 12);
            assertEquals(48, log.logEndOffset());
            final long[] before = log.segmentBaseOffsets();
            assertTrue(before.length >= 6, "segments " + before.length);
            assertEquals(entries(0, 0, 3, 12, 5, 24), log.epochEntries());

            assertTrue(log.truncateTo(21, clock.now()));
            assertEquals(20, log.logEndOffset(), "the batch holding 21 went whole");
            assertEquals(entries(0, 0, 3, 12), log.epochEntries());
            assertEquals(3, log.latestEpoch());
            assertTrue(log.recoveryPoint() <= 20);
            for (long base : before) {
                assertEquals(base < 20 || base == log.segmentBaseOffsets()[log.segmentCount() - 1],
                    Files.exists(LogFiles.logFile(dir(), base)), "segment " + base);
            }
            assertTrue(Files.exists(dir().resolve(LogFiles.prefix(before[before.length - 1]) + ".log.deleted")));
            final List<Long> offsets = LogTestSupport.recordOffsets(LogTestSupport.readBatches(dir()));
            assertEquals(20, offsets.size());
            assertEquals(19L, offsets.get(offsets.size() - 1));
            assert manager.checkInvariants();

            final FetchRegion region = new FetchRegion();
            log.read(20, 1 << 20, true, region);
            assertEquals(0, region.errorCode);
            log.read(21, 1 << 20, true, region);
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), region.errorCode, "past the new log end");

            sequence = 20;
            log.becomeLeader(6);
            append(log, 3);
            assertEquals(26, log.logEndOffset());
            assertEquals(entries(0, 0, 3, 12, 6, 20), log.epochEntries());
            log.flush();
        }
        assertKafkaAcceptsTheFiles();
        final List<LogTestSupport.StoredBatch> stored = LogTestSupport.readBatches(dir());
        assertEquals(13, stored.size());
        for (int i = 0; i < stored.size(); i++) {
            assertEquals(2L * i, stored.get(i).batch.baseOffset());
            assertEquals(i < 6 ? 0 : i < 10 ? 3 : 6, stored.get(i).batch.partitionLeaderEpoch(), "batch " + i);
        }
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(26, log.logEndOffset());
            assertEquals(entries(0, 0, 3, 12, 6, 20), log.epochEntries());
            assert manager.checkInvariants();
        }
    }

    @Test
    void theProducerStateFollowsTheTruncation() throws Exception {
        // Goal: after a truncation the idempotence state is that of the kept batches: a retry of a kept batch is a
        // duplicate answered with its original offset, the first cut batch is accepted again as new, a sequence
        // beyond it is out of order; also after a restart.
        // Method: 20 idempotent batches over several segments (producer snapshots at the rolls), truncate to 24.
        try (LogManager manager = open()) {
            final PartitionLog log = manager.createPartition(TOPIC, 0, Uuid.randomUuid(), config);
            append(log, 20);
            assertTrue(log.snapshotOffsets().length >= 3);
            assertTrue(log.truncateTo(24, clock.now()));
            assertEquals(24, log.logEndOffset());
            for (long snapshot : log.snapshotOffsets()) {
                assertTrue(snapshot <= 24, "snapshot " + snapshot);
            }
            final AppendResult result = new AppendResult();
            log.append(tb.load(new AppendBatch(), batch(22)), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            assertTrue(result.duplicate, "the last kept batch is a duplicate");
            assertEquals(22, result.baseOffset);
            log.append(tb.load(new AppendBatch(), batch(26)), clock.now(), result);
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), result.errorCode, "24-25 are missing now");
            log.append(tb.load(new AppendBatch(), batch(24)), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            assertFalse(result.duplicate);
            assertEquals(24, result.baseOffset);
            manager.crashForTest();
        }
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(26, log.logEndOffset());
            final AppendResult result = new AppendResult();
            log.append(tb.load(new AppendBatch(), batch(24)), clock.now(), result);
            assertTrue(result.duplicate);
            assertEquals(24, result.baseOffset);
        }
    }

    @Test
    void truncationAtTheLogEndOnlyDropsEpochEntriesThere() throws Exception {
        // Goal: Kafka's no-op branch: nothing is cut, but a leader entry that never got data goes.
        try (LogManager manager = open()) {
            final PartitionLog log = manager.createPartition(TOPIC, 0, Uuid.randomUuid(), config);
            append(log, 3);
            log.becomeLeader(4);
            assertEquals(entries(0, 0, 4, 6), log.epochEntries());
            assertFalse(log.truncateTo(6, clock.now()));
            assertFalse(log.truncateTo(100, clock.now()));
            assertEquals(6, log.logEndOffset());
            assertEquals(entries(0, 0), log.epochEntries());
            assertThrows(IllegalArgumentException.class, () -> log.truncateTo(-1, clock.now()));
        }
    }

    @Test
    void truncationBelowTheFirstSegmentRestartsTheLogEmptyThere() throws Exception {
        // Goal: Kafka's truncateFullyAndStartAt: with the target below the first segment (retention moved the log
        // start past it), every segment goes and the log restarts empty at the target.
        final LogConfig small = config.toBuilder().retentionBytes(2048).retentionMs(-1).fileDeleteDelayMs(0).build();
        try (LogManager manager = open()) {
            final PartitionLog log = manager.createPartition(TOPIC, 0, Uuid.randomUuid(), small);
            append(log, 15);
            assertTrue(manager.deleteOldSegments(clock.now()) > 0);
            final long start = log.logStartOffset();
            assertTrue(start > 4);
            assertTrue(log.truncateTo(4, clock.now()));
            assertEquals(4, log.logStartOffset());
            assertEquals(4, log.logEndOffset());
            assertEquals(1, log.segmentCount());
            assertEquals(List.of(), log.epochEntries());
            assertEquals(0, log.producerCount());
            sequence = 0;
            append(log, 1);
            assertEquals(6, log.logEndOffset());
            assertEquals(entries(0, 4), log.epochEntries());
            assert manager.checkInvariants();
        }
        assertKafkaAcceptsTheFiles();
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(4, log.logStartOffset());
            assertEquals(6, log.logEndOffset());
        }
    }
}
