package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static io.zcrx.ingest.log.LogTestSupport.StoredBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartContinuityTest {
    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();

    @Test
    void appendCloseOpenAppendContinuesTheOffsetsAndLosesNothing() throws Exception {
        // Goal: restarts are invisible in the data: offsets continue where they stopped, every batch
        // written before any clean close or crash is still there byte for byte, idempotent producers
        // continue their sequences across restarts.
        // Method: six cycles of appends, alternating clean closes and simulated crashes (after a
        // flush, so the data is what a real crash would keep), checking all batches after each open.
        final LogConfig config = LogConfig.builder().segmentBytes(12 * 1024).build();
        final TestBatches tb = new TestBatches(1 << 20, 606);
        final List<MemoryRecords> sent = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();
        final Uuid topicId = Uuid.randomUuid();
        int sequence = 0;
        long next = 0;
        for (int cycle = 0; cycle < 6; cycle++) {
            final LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now);
            final PartitionLog log = manager.createPartition("cont", 0, topicId, config);
            assertEquals(next, log.logEndOffset(), "cycle " + cycle);
            final List<StoredBatch> stored = LogTestSupport.readBatches(log.dir());
            assertEquals(sent.size(), stored.size(), "cycle " + cycle);
            for (int i = 0; i < stored.size(); i++) {
                LogTestSupport.assertStoredAs(sent.get(i),
                    LogTestSupport.readStored(stored.get(i).log, stored.get(i).position,
                    stored.get(i).batch.sizeInBytes()), offsets.get(i));
            }
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            for (int i = 0; i < 25; i++) {
                final int count = 1 + tb.random().nextInt(5);
                final MemoryRecords mr = i % 2 == 0
                    ? TestBatches.idempotent(TestBatches.CODECS[i % 5], 77, (short) 0, sequence,
                    tb.records(count, 80, clock.now()))
                    : TestBatches.plain(Compression.NONE, tb.records(count, 80, clock.now()));
                if (i % 2 == 0) {
                    sequence += count;
                }
                log.append(tb.load(batch, mr), clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
                assertEquals(next, result.baseOffset);
                sent.add(mr);
                offsets.add(next);
                next += count;
            }
            assert manager.checkInvariants();
            if (cycle % 2 == 0) {
                manager.close();
            } else {
                log.flush();
                manager.crashForTest();
            }
        }
        assertTrue(next > 150);
    }

    @Test
    void aTinyIndexSizeGivesOneBatchSegmentsInsteadOfErrors() throws Exception {
        // Goal: segment.index.bytes below two time-index entries makes the time index "full" from the
        // start; appends must still work (one batch per segment), never throw.
        // Method: segment.index.bytes = 12, five appends, restart, one more.
        final LogConfig config = LogConfig.builder().segmentIndexBytes(12).indexIntervalBytes(0).build();
        final TestBatches tb = new TestBatches(1 << 16, 1);
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("tiny", 0, Uuid.randomUuid(), config);
            final AppendResult result = new AppendResult();
            for (int i = 0; i < 5; i++) {
                log.append(tb.load(new AppendBatch(),
                    TestBatches.plain(Compression.NONE, tb.records(1, 10, clock.now()))), clock.now(), result);
                assertEquals(0, result.errorCode, () -> result.errorMessage);
            }
            assertEquals(5, log.segmentCount());
            assert log.checkInvariants();
        }
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.partition("tiny", 0);
            final AppendResult result = new AppendResult();
            log.append(tb.load(new AppendBatch(),
                TestBatches.plain(Compression.NONE, tb.records(1, 10, clock.now()))), clock.now(), result);
            assertEquals(0, result.errorCode, () -> result.errorMessage);
            assertEquals(5, result.baseOffset);
        }
    }
}
