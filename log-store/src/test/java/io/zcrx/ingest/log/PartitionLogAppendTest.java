package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static io.zcrx.ingest.log.LogTestSupport.StoredBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.storage.internals.log.OffsetIndex;
import org.apache.kafka.storage.internals.log.OffsetPosition;
import org.apache.kafka.storage.internals.log.TimeIndex;
import org.apache.kafka.storage.internals.log.TimestampOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogAppendTest {
    private static final long SEED = 0x5EED_0001L;

    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();

    private LogManager open(LogConfig config) throws Exception {
        return LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
    }

    /** A batch appended, as the test remembers it. */
    private static final class Appended {
        final MemoryRecords records;
        final long baseOffset;

        Appended(MemoryRecords records, long baseOffset) {
            this.records = records;
            this.baseOffset = baseOffset;
        }
    }

    @Test
    void appendedBatchesReadBackWithKafkaClients() throws Exception {
        // Goal: batches of every codec, idempotent (three producers) and not, land in Kafka's format.
        // Method: append 150 batches with scattered payloads across several rolls, then read every
        // .log back with FileRecords: ensureValid, dense offsets from 0, leader epoch 0, every byte
        // other than baseOffset/partitionLeaderEpoch identical to what kafka-clients produced; again
        // after a clean close and reopen.
        final LogConfig config = LogConfig.builder().segmentBytes(48 * 1024).segmentIndexBytes(4096).build();
        final TestBatches tb = new TestBatches(1 << 20, SEED);
        final List<Appended> appended = new ArrayList<>();
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("orders", 0, Uuid.randomUuid(), config);
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            final long[] producerIds = {1000L, 2000L, 3000L};
            final int[] sequences = new int[3];
            long next = 0;
            for (int i = 0; i < 150; i++) {
                final Compression codec = TestBatches.CODECS[i % TestBatches.CODECS.length];
                final int count = 1 + tb.random().nextInt(20);
                final SimpleRecord[] records = tb.records(count, 10 + tb.random().nextInt(300), clock.now() + i);
                final int who = tb.random().nextInt(4);
                final MemoryRecords mr;
                if (who == 3) {
                    mr = TestBatches.plain(codec, records);
                } else {
                    mr = TestBatches.idempotent(codec, producerIds[who], (short) 0, sequences[who], records);
                    sequences[who] += count;
                }
                log.append(tb.load(batch, mr), clock.now(), result);
                assertEquals(0, result.errorCode, () -> "append failed: " + result.errorMessage);
                assertEquals(next, result.baseOffset);
                assertFalse(result.duplicate);
                appended.add(new Appended(mr, next));
                next += count;
                assertEquals(next, log.logEndOffset());
                assert log.checkInvariants();
            }
            assertTrue(log.segmentCount() > 3, "expected several rolls, segments=" + log.segmentCount());
            assertBatchesStored(log.dir(), appended);
        }
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.partition("orders", 0);
            assertEquals(appended.get(appended.size() - 1).baseOffset
                + appended.get(appended.size() - 1).records.batches()
                .iterator().next().countOrNull(), log.logEndOffset());
            assertBatchesStored(log.dir(), appended);
            assert manager.checkInvariants();
        }
    }

    private static void assertBatchesStored(Path dir, List<Appended> appended) throws Exception {
        final List<StoredBatch> stored = LogTestSupport.readBatches(dir);
        assertEquals(appended.size(), stored.size(), "batch count");
        for (int i = 0; i < stored.size(); i++) {
            final StoredBatch s = stored.get(i);
            assertEquals(0, s.batch.partitionLeaderEpoch());
            final ByteBuffer bytes = LogTestSupport.readStored(s.log, s.position, s.batch.sizeInBytes());
            LogTestSupport.assertStoredAs(appended.get(i).records, bytes, appended.get(i).baseOffset);
        }
        final List<Long> offsets = LogTestSupport.recordOffsets(stored);
        for (int i = 0; i < offsets.size(); i++) {
            assertEquals(i, offsets.get(i).longValue(), "record offsets must be dense from 0");
        }
    }

    @Test
    void indexEntriesFollowKafkasRuleAndMatchKafkasReaders() throws Exception {
        // Goal: .index/.timeindex hold exactly the entries Kafka's LogSegment.append would write
        // (entry before a batch once more than index.interval.bytes were written since the last one,
        // never for the first batch; running max timestamp; final time entry when sealed).
        // Method: append batches with shuffled timestamps over several rolls, then compute the entries
        // from the stored batches with the rule and compare with what Kafka's own OffsetIndex and
        // TimeIndex read from our files.
        final LogConfig config = LogConfig.builder().segmentBytes(40 * 1024).segmentIndexBytes(8192)
            .indexIntervalBytes(1024).build();
        final TestBatches tb = new TestBatches(1 << 20, SEED + 1);
        final Path dir;
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("idx", 0, Uuid.randomUuid(), config);
            dir = log.dir();
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            for (int i = 0; i < 200; i++) {
                // Mostly rising with jitter: the running max both stalls and grows after the last
                // index entry of a segment, so sealing needs its final time-index entry.
                final long ts = clock.now() + i * 100L + tb.random().nextInt(250);
                final MemoryRecords mr = TestBatches.plain(TestBatches.CODECS[i % 5],
                    tb.records(1 + tb.random().nextInt(8), 20 + tb.random().nextInt(400), ts));
                log.append(tb.load(batch, mr), clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
            }
            assert log.checkInvariants();
        }
        final List<StoredBatch> stored = LogTestSupport.readBatches(dir);
        final List<Path> logs = LogTestSupport.files(dir, ".log");
        assertTrue(logs.size() >= 3, "segments=" + logs.size());
        int totalEntries = 0;
        int finalEntries = 0;
        for (Path logFile : logs) {
            final long base = Long.parseLong(logFile.getFileName().toString().substring(0, 20));
            final List<long[]> expectedOffsets = new ArrayList<>();
            final List<long[]> expectedTimes = new ArrayList<>();
            long bytesSince = 0;
            long maxTs = -1;
            long maxTsOffset = base;
            for (StoredBatch s : stored) {
                if (!s.log.equals(logFile)) {
                    continue;
                }
                if (s.batch.maxTimestamp() > maxTs) {
                    maxTs = s.batch.maxTimestamp();
                    maxTsOffset = s.batch.lastOffset();
                }
                if (bytesSince > config.indexIntervalBytes) {
                    expectedOffsets.add(new long[] {s.batch.lastOffset(), s.position});
                    if (expectedTimes.isEmpty() || maxTs > expectedTimes.get(expectedTimes.size() - 1)[0]) {
                        expectedTimes.add(new long[] {maxTs, maxTsOffset});
                    }
                    bytesSince = 0;
                }
                bytesSince += s.batch.sizeInBytes();
            }
            if (expectedTimes.isEmpty() || maxTs > expectedTimes.get(expectedTimes.size() - 1)[0]) {
                expectedTimes.add(new long[] {maxTs, maxTsOffset});
                finalEntries++;
            }
            final File indexFile = dir.resolve(LogFiles.prefix(base) + ".index").toFile();
            final File timeIndexFile = dir.resolve(LogFiles.prefix(base) + ".timeindex").toFile();
            assertEquals(expectedOffsets.size() * 8L, indexFile.length(), "trimmed .index of " + logFile);
            assertEquals(expectedTimes.size() * 12L, timeIndexFile.length(), "trimmed .timeindex of " + logFile);
            final OffsetIndex kafkaIndex = new OffsetIndex(indexFile, base, -1, false);
            final TimeIndex kafkaTimeIndex = new TimeIndex(timeIndexFile, base, -1, false);
            try {
                kafkaIndex.sanityCheck();
                kafkaTimeIndex.sanityCheck();
                assertEquals(expectedOffsets.size(), kafkaIndex.entries());
                for (int i = 0; i < expectedOffsets.size(); i++) {
                    final OffsetPosition e = kafkaIndex.entry(i);
                    assertEquals(expectedOffsets.get(i)[0], e.offset(), "index offset " + i + " of " + logFile);
                    assertEquals(expectedOffsets.get(i)[1], e.position(), "index position " + i + " of " + logFile);
                }
                assertEquals(expectedTimes.size(), kafkaTimeIndex.entries());
                for (int i = 0; i < expectedTimes.size(); i++) {
                    final TimestampOffset e = kafkaTimeIndex.entry(i);
                    assertEquals(expectedTimes.get(i)[0], e.timestamp(), "time index timestamp " + i + " of "
                        + logFile);
                    assertEquals(expectedTimes.get(i)[1], e.offset(), "time index offset " + i + " of " + logFile);
                }
                totalEntries += expectedOffsets.size();
            } finally {
                kafkaIndex.closeHandler();
                kafkaTimeIndex.closeHandler();
            }
        }
        assertTrue(totalEntries > 10, "the test must produce index entries: " + totalEntries);
        assertTrue(finalEntries >= 2, "the test must need final time-index entries: " + finalEntries);
    }

    @Test
    void rollsAtSegmentBytesTrimsOnRollAndCloseAndExpandsActiveOnReopen() throws Exception {
        // Goal: a segment never exceeds segment.bytes and the next batch would have; sealed segments'
        // indexes are trimmed at the roll, the active one at close, and expanded again on reopen.
        // Method: fill 1000-byte-ish batches into 10 KiB segments; inspect file sizes while open,
        // after close and after reopen.
        final LogConfig config = LogConfig.builder().segmentBytes(10 * 1024).segmentIndexBytes(4096)
            .indexIntervalBytes(2048).build();
        final TestBatches tb = new TestBatches(1 << 20, SEED + 2);
        final Path dir;
        final List<Integer> sizes = new ArrayList<>();
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("roll", 0, Uuid.randomUuid(), config);
            dir = log.dir();
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            for (int i = 0; i < 60; i++) {
                final MemoryRecords mr = TestBatches.plain(Compression.NONE,
                    tb.records(1, 900 + tb.random().nextInt(300), clock.now()));
                sizes.add(mr.sizeInBytes());
                log.append(tb.load(batch, mr), clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
            }
            final List<Path> logs = LogTestSupport.files(dir, ".log");
            assertTrue(logs.size() >= 5);
            for (int i = 0; i < logs.size() - 1; i++) {
                final long base = Long.parseLong(logs.get(i).getFileName().toString().substring(0, 20));
                final long length = Files.size(logs.get(i));
                assertTrue(length <= config.segmentBytes, "segment " + base + " exceeds segment.bytes: " + length);
                final long nextBase = Long.parseLong(logs.get(i + 1).getFileName().toString().substring(0, 20));
                assertTrue(length + sizes.get((int) nextBase) > config.segmentBytes,
                    "segment " + base + " rolled although batch " + nextBase + " fitted");
                final long entries = Files.size(dir.resolve(LogFiles.prefix(base) + ".index")) / 8;
                assertTrue(Files.size(dir.resolve(LogFiles.prefix(base) + ".index")) < 4096, "sealed .index trimmed");
                assertTrue(entries > 0, "2 KiB interval in a 10 KiB segment gives entries");
                assertTrue(Files.size(dir.resolve(LogFiles.prefix(base) + ".timeindex")) % 12 == 0);
                assertTrue(Files.size(dir.resolve(LogFiles.prefix(base) + ".timeindex")) < 4092);
            }
            final long activeBase = Long.parseLong(logs.get(logs.size() - 1).getFileName().toString().substring(0, 20));
            assertEquals(4096, Files.size(dir.resolve(LogFiles.prefix(activeBase) + ".index")),
                "active .index preallocated");
            assertEquals(4092, Files.size(dir.resolve(LogFiles.prefix(activeBase) + ".timeindex")),
                "active .timeindex preallocated, rounded down to 12-byte entries");
        }
        final List<Path> logs = LogTestSupport.files(dir, ".log");
        final long activeBase = Long.parseLong(logs.get(logs.size() - 1).getFileName().toString().substring(0, 20));
        final Path activeIndex = dir.resolve(LogFiles.prefix(activeBase) + ".index");
        final Path activeTimeIndex = dir.resolve(LogFiles.prefix(activeBase) + ".timeindex");
        final long indexAtRest = Files.size(activeIndex);
        assertTrue(indexAtRest < 4096 && indexAtRest % 8 == 0, "active .index trimmed at close: " + indexAtRest);
        assertTrue(Files.size(activeTimeIndex) < 4092 && Files.size(activeTimeIndex) % 12 == 0);
        assertTrue(Files.size(activeTimeIndex) >= 12, "close adds the final time-index entry");
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.partition("roll", 0);
            assertEquals(4096, Files.size(activeIndex), "active .index expanded on reopen");
            assertEquals(4092, Files.size(activeTimeIndex), "active .timeindex expanded on reopen");
            assertEquals(indexAtRest / 8, log.segmentsForTest()[log.segmentCount() - 1].offsetIndex().entries(),
                "entries survive the expansion");
            // Appends continue in the reopened active segment.
            final AppendResult result = new AppendResult();
            log.append(tb.load(new AppendBatch(), TestBatches.plain(Compression.NONE, tb.records(1, 100, clock.now()))),
                clock.now(), result);
            assertEquals(0, result.errorCode);
            assertEquals(60, result.baseOffset);
            assert log.checkInvariants();
        }
        LogTestSupport.readBatches(dir);
    }

    @Test
    void batchLargerThanSegmentBytesIsRejected() throws Exception {
        // Goal: RECORD_LIST_TOO_LARGE (18) for a batch larger than segment.bytes, nothing written.
        // Method: 4 KiB segments, a 6 KiB batch, then a small one that must get offset 0.
        final LogConfig config = LogConfig.builder().segmentBytes(4096).segmentIndexBytes(4096).build();
        final TestBatches tb = new TestBatches(1 << 16, SEED + 3);
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("big", 0, Uuid.randomUuid(), config);
            final AppendResult result = new AppendResult();
            log.append(tb.load(new AppendBatch(),
                TestBatches.plain(Compression.NONE, tb.records(3, 2000, clock.now()))),
                clock.now(), result);
            assertEquals(Errors.RECORD_LIST_TOO_LARGE.code(), result.errorCode);
            assertEquals(-1L, result.baseOffset);
            assertNotNull(result.errorMessage);
            assertTrue(result.errorMessage.contains("segment.bytes=4096"), result.errorMessage);
            assertEquals(0, log.logEndOffset());
            assertEquals(0, Files.size(LogFiles.logFile(log.dir(), 0)));
            log.append(tb.load(new AppendBatch(), TestBatches.plain(Compression.NONE, tb.records(2, 100, clock.now()))),
                clock.now(), result);
            assertEquals(0, result.errorCode);
            assertEquals(0, result.baseOffset);
        }
    }

    @Test
    void rollsWhenAnIndexIsFullWhenSegmentMsPassesAndWhenRelativeOffsetsOverflow() throws Exception {
        // Goal: the other three roll triggers of Kafka's shouldRoll.
        // Method: (1) 24-byte indexes: the time index (2 slots, one reserved) fills after one entry;
        // (2) segment.ms by record timestamps, then by wall clock for batches without timestamps;
        // (3) a batch whose lastOffsetDelta is near Integer.MAX_VALUE, then one more batch.
        final TestBatches tb = new TestBatches(1 << 20, SEED + 4);
        final AppendBatch batch = new AppendBatch();
        final AppendResult result = new AppendResult();

        final LogConfig tiny = LogConfig.builder().segmentIndexBytes(24).indexIntervalBytes(0).build();
        try (LogManager manager = open(tiny)) {
            final PartitionLog log = manager.createPartition("full", 0, Uuid.randomUuid(), tiny);
            for (int i = 0; i < 6; i++) {
                log.append(tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(1, 50, clock.now() + i))),
                    clock.now(), result);
                assertEquals(0, result.errorCode);
                assert log.checkInvariants();
            }
            // Batch 0 gets no entry; batch 1 adds the one usable time-index slot, so batch 2 rolls.
            assertEquals(3, log.segmentCount(), "segments " + Arrays.toString(log.segmentBaseOffsets()));
        }

        final LogConfig timed = LogConfig.builder().segmentMs(60_000).build();
        try (LogManager manager = open(timed)) {
            final PartitionLog log = manager.createPartition("timed", 0, Uuid.randomUuid(), timed);
            final long t0 = clock.now();
            log.append(tb.load(batch, TestBatches.plain(Compression.NONE, new SimpleRecord(t0, "a".getBytes()))),
                clock.now(), result);
            log.append(tb.load(batch,
                TestBatches.plain(Compression.NONE, new SimpleRecord(t0 + 60_000, "b".getBytes()))), clock.now(),
                result);
            assertEquals(1, log.segmentCount(), "exactly segment.ms old does not roll");
            log.append(tb.load(batch,
                TestBatches.plain(Compression.NONE, new SimpleRecord(t0 + 60_001, "c".getBytes()))), clock.now(),
                result);
            assertEquals(2, log.segmentCount(), "record time past segment.ms rolls");

            final PartitionLog untimed = manager.createPartition("untimed", 0, Uuid.randomUuid(), timed);
            untimed.append(tb.load(batch, TestBatches.plain(Compression.NONE, new SimpleRecord(-1L, "a".getBytes()))),
                clock.now(), result);
            assertEquals(0, result.errorCode);
            clock.advance(60_001);
            untimed.append(tb.load(batch, TestBatches.plain(Compression.NONE, new SimpleRecord(-1L, "b".getBytes()))),
                clock.now(), result);
            assertEquals(2, untimed.segmentCount(), "without timestamps the wall clock since creation counts");
            assert manager.checkInvariants();
        }

        final LogConfig plain = LogConfig.builder().build();
        try (LogManager manager = open(plain)) {
            final PartitionLog log = manager.createPartition("wide", 0, Uuid.randomUuid(), plain);
            final ByteBuffer buf = ByteBuffer.allocate(1024);
            final MemoryRecordsBuilder builder = MemoryRecords.builder(buf, Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
            builder.appendWithOffset(0, new SimpleRecord(clock.now(), "first".getBytes()));
            builder.appendWithOffset(Integer.MAX_VALUE - 10, new SimpleRecord(clock.now(), "far".getBytes()));
            log.append(tb.load(batch, builder.build()), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            assertEquals(Integer.MAX_VALUE - 9L, log.logEndOffset());
            assertEquals(1, log.segmentCount());
            log.append(tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(20, 10, clock.now()))),
                clock.now(), result);
            assertEquals(0, result.errorCode);
            assertEquals(2, log.segmentCount(), "the relative offset would overflow INT32: roll");
            assertEquals(Integer.MAX_VALUE - 9L, log.segmentBaseOffsets()[1]);
            assert log.checkInvariants();
        }
    }

    @Test
    void malformedAndTransactionalBatchesAreRejected() throws Exception {
        // Goal: a header that disagrees with its payload, a wrong magic, and transactional or control
        // batches get INVALID_RECORD (87) with a message naming the values; nothing is written.
        // Method: corrupt the loaded AppendBatch in each way, append, check code and file size.
        final LogConfig config = LogConfig.builder().build();
        final TestBatches tb = new TestBatches(1 << 16, SEED + 5);
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("bad", 0, Uuid.randomUuid(), config);
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();

            tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(2, 50, clock.now())));
            batch.header().putInt(8, batch.header().getInt(8) + 1);
            log.append(batch, clock.now(), result);
            assertEquals(Errors.INVALID_RECORD.code(), result.errorCode);
            assertTrue(result.errorMessage.contains("payloadLength="), result.errorMessage);

            tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(2, 50, clock.now())));
            batch.header().put(16, (byte) 1);
            log.append(batch, clock.now(), result);
            assertEquals(Errors.INVALID_RECORD.code(), result.errorCode);
            assertTrue(result.errorMessage.contains("magic=1"), result.errorMessage);

            tb.load(batch, MemoryRecords.withTransactionalRecords(Compression.NONE, 7L, (short) 0, 0,
                tb.records(1, 10, clock.now())));
            log.append(batch, clock.now(), result);
            assertEquals(Errors.INVALID_RECORD.code(), result.errorCode);
            assertTrue(result.errorMessage.contains("transactional"), result.errorMessage);

            tb.load(batch, TestBatches.plain(Compression.NONE, tb.records(1, 10, clock.now())));
            batch.header().putLong(43, 9L);
            log.append(batch, clock.now(), result);
            assertEquals(Errors.INVALID_RECORD.code(), result.errorCode, "producer id without a sequence");

            assertEquals(0, log.logEndOffset());
            assertEquals(0, Files.size(LogFiles.logFile(log.dir(), 0)));
        }
    }

    @Test
    void recordsKeepTheirTimestampsAndKeys() throws Exception {
        // Goal: record-level content survives (keys, values, headers, timestamps), not only bytes.
        // Method: append a compressed batch, read it back through kafka-clients' record iterator.
        final LogConfig config = LogConfig.builder().build();
        final TestBatches tb = new TestBatches(1 << 16, SEED + 6);
        try (LogManager manager = open(config)) {
            final PartitionLog log = manager.createPartition("content", 0, Uuid.randomUuid(), config);
            final SimpleRecord[] records = tb.records(7, 33, 12345L);
            log.append(tb.load(new AppendBatch(), TestBatches.plain(Compression.zstd().build(), records)),
                clock.now(), new AppendResult());
            final List<StoredBatch> stored = LogTestSupport.readBatches(log.dir());
            int i = 0;
            for (Record r : stored.get(0).batch) {
                assertEquals(records[i].timestamp(), r.timestamp());
                assertEquals(records[i].value(), r.value());
                assertEquals(records[i].key(), r.key());
                assertEquals(records[i].headers().length, r.headers().length);
                i++;
            }
            assertEquals(7, i);
        }
    }
}
