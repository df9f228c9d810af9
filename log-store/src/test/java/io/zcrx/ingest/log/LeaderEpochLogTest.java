package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.log.epoch.EpochEndOffset;
import io.zcrx.ingest.log.epoch.EpochEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.storage.internals.checkpoint.LeaderEpochCheckpointFile;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader epoch history of a partition log on real files: the epoch stamped into stored batch headers,
 * {@code becomeLeader}, OffsetForLeaderEpoch answers across leaderships, {@code leader-epoch-checkpoint} in Kafka's
 * format (read back with kafka-storage's reader), and what start-up makes of it after clean and unclean stops, with
 * the file missing, unreadable, stale or half-written.
 */
class LeaderEpochLogTest {
    private static final String TOPIC = "epochs";

    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    /** About three 2-record batches per segment, so histories span segment boundaries. */
    private final LogConfig config = LogConfig.builder().segmentBytes(1024).build();
    private final TestBatches tb = new TestBatches(1 << 16, 42);

    private LogManager open() throws IOException {
        return LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
    }

    private PartitionLog create(LogManager manager) throws IOException {
        return manager.createPartition(TOPIC, 0, Uuid.randomUuid(), config);
    }

    private Path dir() {
        return tmp.resolve(TOPIC + "-0");
    }

    private Path checkpoint() {
        return dir().resolve("leader-epoch-checkpoint");
    }

    /** Appends {@code batches} batches of 2 records each; returns what was appended, for byte comparisons. */
    private List<MemoryRecords> append(PartitionLog log, int batches) {
        final List<MemoryRecords> appended = new ArrayList<>();
        final AppendResult result = new AppendResult();
        for (int i = 0; i < batches; i++) {
            final MemoryRecords records = TestBatches.plain(Compression.NONE, tb.records(2, 100, clock.now()));
            log.append(tb.load(new AppendBatch(), records), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            appended.add(records);
        }
        assert log.checkInvariants();
        return appended;
    }

    private static List<EpochEntry> entries(long... pairs) {
        final List<EpochEntry> list = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            list.add(new EpochEntry((int) pairs[i], pairs[i + 1]));
        }
        return list;
    }

    /** The file as kafka-storage's own reader sees it, in our entry type. */
    private List<EpochEntry> kafkaReads(Path file) throws IOException {
        return new LeaderEpochCheckpointFile(file.toFile(), new LogDirFailureChannel(1)).read().stream()
            .map(k -> new EpochEntry(k.epoch(), k.startOffset())).toList();
    }

    /** (epoch, base offset) of every stored batch, read from the .log files with kafka-clients. */
    private List<long[]> storedEpochs() throws IOException {
        final List<long[]> out = new ArrayList<>();
        for (LogTestSupport.StoredBatch b : LogTestSupport.readBatches(dir())) {
            out.add(new long[] {b.batch.partitionLeaderEpoch(), b.batch.baseOffset()});
        }
        return out;
    }

    /**
     * Three leaderships on one log: 4 batches in epoch 0 (offsets 0-7), 3 in epoch 2 (8-13), epoch 3 that writes
     * nothing, then 2 batches in epoch 7 (14-17).
     */
    private void threeLeaderships(PartitionLog log) {
        append(log, 4);
        log.becomeLeader(2);
        append(log, 3);
        log.becomeLeader(3);
        log.becomeLeader(7);
        append(log, 2);
    }

    @Test
    void aStandaloneLogStampsEpochZeroAndKeepsOneEntry() throws Exception {
        // Goal: a log never told of a leadership behaves as before: epoch 0 in every header, one entry (0, first
        // offset), written at the next flush; OffsetForLeaderEpoch says epoch 0 ends at the log end.
        // Method: create, append, inspect before and after a flush; reopen.
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            assertEquals(0, log.leaderEpoch());
            assertEquals(-1, log.latestEpoch(), "no data, no history");
            assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(0));
            append(log, 5);
            assertEquals(entries(0, 0), log.epochEntries());
            assertEquals(new EpochEndOffset(0, 10), log.endOffsetForEpoch(0));
            assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(1));
            assertEquals("0\n0\n", Files.readString(checkpoint()), "the append path leaves the file to the flush");
            log.flush();
            assertEquals("0\n1\n0 0\n", Files.readString(checkpoint()));
        }
        for (long[] b : storedEpochs()) {
            assertEquals(0, b[0]);
        }
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(0, log.leaderEpoch());
            assertEquals(entries(0, 0), log.epochEntries());
        }
        assertEquals("0\n1\n0 0\n", Files.readString(checkpoint()), "a clean load does not rewrite it");
    }

    @Test
    void appendsAfterBecomeLeaderCarryTheEpochInTheStoredHeader() throws Exception {
        // Goal: becomeLeader(5) assigns (5, log end) and writes the file before returning, and every batch appended
        // afterwards carries 5 in its stored partitionLeaderEpoch, every other header byte as the producer sent it.
        // Method: 2 batches, becomeLeader(5), 3 batches; read the file with Kafka's reader and the .log bytes.
        final List<MemoryRecords> appended = new ArrayList<>();
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            appended.addAll(append(log, 2));
            log.becomeLeader(5);
            assertEquals(5, log.leaderEpoch());
            assertEquals(5, log.latestEpoch());
            assertEquals("0\n2\n0 0\n5 4\n", Files.readString(checkpoint(), StandardCharsets.UTF_8));
            assertEquals(entries(0, 0, 5, 4), kafkaReads(checkpoint()));
            assertEquals(new EpochEndOffset(5, 4), log.endOffsetForEpoch(5), "the new epoch has written nothing yet");
            assertEquals(new EpochEndOffset(0, 4), log.endOffsetForEpoch(0));
            appended.addAll(append(log, 3));
            assertEquals(entries(0, 0, 5, 4), log.epochEntries(), "the appends add nothing to the history");
        }
        final List<LogTestSupport.StoredBatch> stored = LogTestSupport.readBatches(dir());
        assertEquals(5, stored.size());
        for (int i = 0; i < stored.size(); i++) {
            final LogTestSupport.StoredBatch b = stored.get(i);
            final int expectedEpoch = i < 2 ? 0 : 5;
            assertEquals(expectedEpoch, b.batch.partitionLeaderEpoch(), "batch " + i);
            final var bytes = LogTestSupport.readStored(b.log, b.position, b.batch.sizeInBytes());
            assertEquals(expectedEpoch, bytes.getInt(12), "raw header bytes of batch " + i);
            bytes.putInt(12, 0);
            LogTestSupport.assertStoredAs(appended.get(i), bytes, 2L * i);
        }
    }

    @Test
    void endOffsetForEpochAcrossSeveralLeaderships() throws Exception {
        // Goal: OffsetForLeaderEpoch answers as Kafka's leader does after several leaderships, one of which wrote
        // nothing and was replaced at the same offset; an older epoch is refused, the same one is a no-op.
        // Method: threeLeaderships, then every epoch from -1 to 9.
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            threeLeaderships(log);
            assertEquals(entries(0, 0, 2, 8, 7, 14), log.epochEntries(), "epoch 3 wrote nothing: replaced by 7");
            assertEquals(18, log.logEndOffset());
            final EpochEndOffset[] expected = {
                EpochEndOffset.UNDEFINED,
                new EpochEndOffset(0, 8), new EpochEndOffset(0, 8), new EpochEndOffset(2, 14),
                new EpochEndOffset(2, 14), new EpochEndOffset(2, 14), new EpochEndOffset(2, 14),
                new EpochEndOffset(2, 14), new EpochEndOffset(7, 18), EpochEndOffset.UNDEFINED,
                EpochEndOffset.UNDEFINED,
            };
            for (int epoch = -1; epoch <= 9; epoch++) {
                assertEquals(expected[epoch + 1], log.endOffsetForEpoch(epoch), "epoch " + epoch);
            }
            assertEquals(2, log.epochForOffset(13));
            assertEquals(7, log.epochForOffset(14));

            final String before = Files.readString(checkpoint());
            log.becomeLeader(7);
            assertEquals(before, Files.readString(checkpoint()), "the same epoch again changes nothing");
            final IllegalArgumentException older = assertThrows(IllegalArgumentException.class,
                () -> log.becomeLeader(6));
            assertTrue(older.getMessage().contains("leaderEpoch=6") && older.getMessage().contains("=7"),
                older.getMessage());
            assertEquals(7, log.leaderEpoch());
            assertThrows(IllegalArgumentException.class, () -> log.becomeLeader(-1));
            assertEquals(entries(0, 0, 2, 8, 7, 14), kafkaReads(checkpoint()));
        }
        assertEquals(List.of(0L, 0L, 0L, 0L, 2L, 2L, 2L, 7L, 7L), storedEpochs().stream().map(b -> b[0]).toList());
    }

    @Test
    void theHistorySurvivesACleanRestartAndACrash() throws Exception {
        // Goal: reopening keeps the history and the stamping epoch (the newest epoch with data), after a clean close
        // and after a crash; a leader entry without data (becomeLeader just before the stop) is dropped at load,
        // as Kafka's loader truncates the history to the log end.
        // Method: threeLeaderships + becomeLeader(9); close; reopen; append; crash; reopen.
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            threeLeaderships(log);
            log.becomeLeader(9);
            assertEquals(entries(0, 0, 2, 8, 7, 14, 9, 18), log.epochEntries());
        }
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(entries(0, 0, 2, 8, 7, 14), log.epochEntries(), "(9, 18) had no data");
            assertEquals(7, log.leaderEpoch(), "keeps stamping the newest epoch until told otherwise");
            assertEquals(entries(0, 0, 2, 8, 7, 14), kafkaReads(checkpoint()), "the file follows the load");
            log.becomeLeader(11);
            append(log, 1);
            manager.crashForTest();
        }
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(entries(0, 0, 2, 8, 7, 14, 11, 18), log.epochEntries());
            assertEquals(11, log.leaderEpoch());
            assertEquals(new EpochEndOffset(7, 18), log.endOffsetForEpoch(9));
            assertEquals(new EpochEndOffset(11, 20), log.endOffsetForEpoch(11));
            assert manager.checkInvariants();
        }
    }

    @Test
    void aMissingOrUnreadableCheckpointIsRebuiltFromTheBatchHeaders() throws Exception {
        // Goal: without a usable file, start-up rebuilds the history from the batches' partitionLeaderEpoch (first
        // offset of each new epoch), over several segments, after a clean and after an unclean stop, and writes it.
        // Method: threeLeaderships plus more epoch-7 data (segments where the epoch changes and segments that hold
        // one epoch only); remove, garble or empty the file between runs; compare with the history before.
        final List<EpochEntry> history = entries(0, 0, 2, 8, 7, 14);
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            threeLeaderships(log);
            append(log, 9);
            assertTrue(log.segmentCount() >= 6, "segments " + log.segmentCount());
            assertEquals(history, log.epochEntries());
        }
        final String written = Files.readString(checkpoint());
        final String[] damage = {null, "garbage\n", "0\n3\n0 0\n", "1\n1\n0 0\n", "0\n1\n-4 2\n", "0\n0\n"};
        for (int round = 0; round < damage.length * 2; round++) {
            final String bad = damage[round % damage.length];
            final boolean crash = round >= damage.length;
            if (bad == null) {
                Files.delete(checkpoint());
            } else {
                Files.writeString(checkpoint(), bad);
            }
            try (LogManager manager = open()) {
                final PartitionLog log = manager.partition(TOPIC, 0);
                assertEquals(history, log.epochEntries(), "round " + round + ": " + bad);
                assertEquals(7, log.leaderEpoch());
                assertEquals(written, Files.readString(checkpoint()), "rewritten, round " + round);
                if (crash) {
                    manager.crashForTest();
                }
            }
        }
    }

    @Test
    void recoveryAddsNewerEpochsFoundInTheBatchesAndDropsEntriesPastTheLogEnd() throws Exception {
        // Goal: after a crash the recovered batches restore entries a stale file lacks (Kafka's
        // LogSegment.recover), and entries past the surviving log end are dropped with the batches they described.
        // Method: threeLeaderships; crash; put back a file holding (0, 0) only; reopen; then crash again, cut the
        // .log files back to the end of epoch 2 (delete the later segments, truncate the one holding offset 13) and
        // reopen.
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            threeLeaderships(log);
            manager.crashForTest();
        }
        Files.writeString(checkpoint(), "0\n1\n0 0\n");
        final long[] bases;
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(entries(0, 0, 2, 8, 7, 14), log.epochEntries());
            assertEquals(entries(0, 0, 2, 8, 7, 14), kafkaReads(checkpoint()));
            bases = log.segmentBaseOffsets();
            manager.crashForTest();
        }
        // Keep the batches up to offset 13 (the end of epoch 2): whole segments below, a byte-exact cut in the
        // segment holding the first epoch-7 batch.
        for (int i = bases.length - 1; i >= 0 && bases[i] >= 14; i--) {
            Files.delete(LogFiles.logFile(dir(), bases[i]));
        }
        for (LogTestSupport.StoredBatch b : LogTestSupport.readBatches(dir())) {
            if (b.batch.baseOffset() == 14) {
                try (FileChannel ch = FileChannel.open(b.log, StandardOpenOption.WRITE)) {
                    ch.truncate(b.position);
                }
            }
        }
        try (LogManager manager = open()) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(14, log.logEndOffset());
            assertEquals(entries(0, 0, 2, 8), log.epochEntries());
            assertEquals(2, log.leaderEpoch());
            assertEquals(new EpochEndOffset(2, 14), log.endOffsetForEpoch(2));
            assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(7), "7 is unknown here now");
            assertEquals(entries(0, 0, 2, 8), kafkaReads(checkpoint()));
        }
    }

    @Test
    void aTornTemporaryFileIsIgnored() throws Exception {
        // Goal: a crash between writing leader-epoch-checkpoint.tmp and the rename leaves the old file in force;
        // the leftover is deleted at start-up.
        // Method: history on disk, write half a tmp file beside it, crash-reopen.
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            threeLeaderships(log);
            manager.crashForTest();
        }
        final Path torn = dir().resolve("leader-epoch-checkpoint.tmp");
        Files.writeString(torn, "0\n4\n0 0\n2 8\n7 1");
        try (LogManager manager = open()) {
            assertEquals(entries(0, 0, 2, 8, 7, 14), manager.partition(TOPIC, 0).epochEntries());
            assertFalse(Files.exists(torn));
        }
    }

    @Test
    void retentionTruncatesTheHistoryFromTheStart() throws Exception {
        // Goal: when retention moves the log start past the start of epochs, the history starts at the new log
        // start with the epoch that wrote it (Kafka's truncateFromStart), in memory at once, in the file with the
        // next checkpoint, and after a restart.
        // Method: threeLeaderships + 6 more batches over 1 KiB segments, retention.bytes keeping the newest ~2 KiB.
        final LogConfig small = config.toBuilder().retentionBytes(2048).retentionMs(-1).fileDeleteDelayMs(0).build();
        final long start;
        final List<EpochEntry> expected;
        try (LogManager manager = open()) {
            final PartitionLog log = manager.createPartition(TOPIC, 0, Uuid.randomUuid(), small);
            threeLeaderships(log);
            append(log, 6);
            assertTrue(manager.deleteOldSegments(clock.now()) > 0);
            start = log.logStartOffset();
            assertTrue(start > 8, "retention reached past the start of epoch 2: logStartOffset=" + start);
            // Whichever epoch wrote the new first offset now starts there.
            expected = start < 14 ? entries(2, start, 7, 14) : entries(7, start);
            assertEquals(expected, log.epochEntries());
            assertEquals(new EpochEndOffset(0, start), log.endOffsetForEpoch(0),
                "below the history: Kafka answers with the first known start");
            manager.checkpoint();
            assertEquals(expected, kafkaReads(checkpoint()));
            assert manager.checkInvariants();
        }
        try (LogManager manager = open()) {
            assertEquals(expected, manager.partition(TOPIC, 0).epochEntries());
        }
    }

    @Test
    void becomeLeaderOnAClosedLogIsRefused() throws Exception {
        final PartitionLog log;
        try (LogManager manager = open()) {
            log = create(manager);
        }
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.becomeLeader(1));
        assertTrue(e.getMessage().contains(TOPIC + "-0"), e.getMessage());
    }

    @Test
    void aResignedLogRefusesAppendsUntilItLeadsAgain() throws Exception {
        // Goal: after resign() an append (a reactor that found the log before the partitions were swapped) is
        // NOT_LEADER_OR_FOLLOWER and writes nothing, an idempotent producer's state included; becomeLeader leads
        // again. Method: 2 batches, resign, try a plain and an idempotent batch, compare the file and the log end,
        // becomeLeader(3), append again.
        try (LogManager manager = open()) {
            final PartitionLog log = create(manager);
            assertTrue(log.isLeading(), "a log leads from creation (standalone keeps appending as before)");
            append(log, 2);
            final long sizeBefore = Files.size(dir().resolve("00000000000000000000.log"));
            log.resign();
            log.resign();
            assertFalse(log.isLeading());
            final AppendResult result = new AppendResult();
            log.append(tb.load(new AppendBatch(),
                TestBatches.plain(Compression.NONE, tb.records(2, 100, clock.now()))), clock.now(), result);
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), result.errorCode);
            assertEquals(-1L, result.baseOffset);
            assertTrue(result.errorMessage.contains(TOPIC + "-0"), result.errorMessage);
            log.append(tb.load(new AppendBatch(), TestBatches.idempotent(Compression.NONE, 77L, (short) 0, 0,
                tb.records(2, 100, clock.now()))), clock.now(), result);
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), result.errorCode);
            assertEquals(4, log.logEndOffset(), "nothing appended after resigning");
            assertEquals(sizeBefore, Files.size(dir().resolve("00000000000000000000.log")), "nothing written");
            assertEquals(0, log.producerCount(), "the refused idempotent batch left no producer state");

            log.becomeLeader(3);
            assertTrue(log.isLeading());
            append(log, 1);
            assertEquals(6, log.logEndOffset());
            assertEquals(entries(0, 0, 3, 4), log.epochEntries());
        }
    }
}
