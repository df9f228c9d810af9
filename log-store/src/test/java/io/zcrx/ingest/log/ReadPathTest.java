package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static io.zcrx.ingest.log.LogTestSupport.StoredBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadPathTest {
    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();

    /** The region's bytes, parsed by kafka-clients (every batch validated). */
    private static List<MutableRecordBatch> batchesIn(FetchRegion region) throws Exception {
        final ByteBuffer bytes = ByteBuffer.allocate(region.length);
        while (bytes.hasRemaining()) {
            assertTrue(region.channel.read(bytes, region.position + bytes.position()) > 0);
        }
        bytes.flip();
        final List<MutableRecordBatch> batches = new ArrayList<>();
        for (MutableRecordBatch b : MemoryRecords.readableRecords(bytes).batches()) {
            b.ensureValid();
            batches.add(b);
        }
        return batches;
    }

    @Test
    void fetchRegionsHoldWholeBatchesFromTheOneContainingTheOffset() throws Exception {
        // Goal: read(fetchOffset, maxBytes) returns whole batches of one segment, starting with the
        // batch holding fetchOffset, as many as fit in maxBytes (at least one with minOneBatch, KIP-74,
        // none without); out of range outside [logStart, LEO]; empty at the LEO.
        // Method: 200 batches over several segments; every offset fetched with random limits and
        // checked against the stored batches; then consume the whole log fetch by fetch.
        final LogConfig config = LogConfig.builder().segmentBytes(16 * 1024).indexIntervalBytes(512).build();
        final TestBatches tb = new TestBatches(1 << 20, 8);
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("read", 0, Uuid.randomUuid(), config);
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            for (int i = 0; i < 200; i++) {
                log.append(tb.load(batch, TestBatches.plain(TestBatches.CODECS[i % 5],
                    tb.records(1 + tb.random().nextInt(5), 10 + tb.random().nextInt(400), clock.now()))), clock.now(),
                    result);
            }
            final List<StoredBatch> stored = LogTestSupport.readBatches(log.dir());
            final long end = log.logEndOffset();
            final FetchRegion region = new FetchRegion();
            for (long offset = 0; offset < end; offset++) {
                final int maxBytes = 1 + tb.random().nextInt(3000);
                final boolean minOne = tb.random().nextBoolean();
                log.read(offset, maxBytes, minOne, region);
                assertEquals(0, region.errorCode, region::toString);
                assertEquals(end, region.highWatermark);
                int first = 0;
                while (stored.get(first).batch.lastOffset() < offset) {
                    first++;
                }
                final StoredBatch holder = stored.get(first);
                if (holder.batch.sizeInBytes() > maxBytes && !minOne) {
                    assertEquals(0, region.length, "nothing fits and minOneBatch is off: " + region);
                    continue;
                }
                assertEquals(holder.position, region.position, "offset " + offset);
                assertEquals(holder.batch.baseOffset(), region.firstBatchOffset);
                int expectedLength = 0;
                for (int i = first; i < stored.size() && stored.get(i).log.equals(holder.log); i++) {
                    final int size = stored.get(i).batch.sizeInBytes();
                    if (expectedLength + size > maxBytes) {
                        if (expectedLength == 0) {
                            expectedLength = size;
                        }
                        break;
                    }
                    expectedLength += size;
                }
                assertEquals(expectedLength, region.length, "offset " + offset + ", maxBytes " + maxBytes);
                final List<MutableRecordBatch> got = batchesIn(region);
                assertEquals(holder.batch.baseOffset(), got.get(0).baseOffset());
            }
            log.read(end, 1000, true, region);
            assertEquals(0, region.errorCode);
            assertEquals(0, region.length);
            assertNull(region.channel);
            log.read(end + 1, 1000, true, region);
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), region.errorCode);
            assertTrue(region.errorMessage.contains("fetchOffset=" + (end + 1)), region.errorMessage);
            log.read(-1, 1000, true, region);
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), region.errorCode);

            long position = 0;
            long records = 0;
            while (position < end) {
                log.read(position, 4096, true, region);
                for (MutableRecordBatch b : batchesIn(region)) {
                    for (Record r : b) {
                        if (r.offset() >= position) {
                            assertEquals(records, r.offset());
                            records++;
                        }
                    }
                }
                position = records;
            }
            assertEquals(end, records, "consuming fetch by fetch sees every record once");
        }
    }

    @Test
    void listOffsetsByTimestampEarliestLatestAndMaxTimestamp() throws Exception {
        // Goal: ListOffsets answers: a timestamp gives the first record (in offset order) whose
        // timestamp is >= it, through the time index and a record scan (Kafka's findOffsetByTimestamp);
        // EARLIEST the log start, LATEST the log end, MAX_TIMESTAMP the first record with the largest
        // timestamp; -1/-1 when no record qualifies.
        // Method: records with shuffled timestamps over several segments; 300 random targets compared
        // with a brute-force scan of every record read back with kafka-clients.
        final LogConfig config = LogConfig.builder().segmentBytes(8 * 1024).indexIntervalBytes(256).build();
        final TestBatches tb = new TestBatches(1 << 20, 9);
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("ts", 0, Uuid.randomUuid(), config);
            final AppendBatch batch = new AppendBatch();
            final AppendResult result = new AppendResult();
            for (int i = 0; i < 150; i++) {
                final int n = 1 + tb.random().nextInt(4);
                final SimpleRecord[] records = new SimpleRecord[n];
                for (int k = 0; k < n; k++) {
                    records[k] = new SimpleRecord(1_000_000 + tb.random().nextInt(50_000), new byte[20
                        + tb.random().nextInt(80)]);
                }
                log.append(tb.load(batch, TestBatches.plain(TestBatches.CODECS[i % 5], records)), clock.now(), result);
                assertEquals(0, result.errorCode);
            }
            assertTrue(log.segmentCount() >= 3);
            final List<long[]> all = new ArrayList<>();
            for (StoredBatch b : LogTestSupport.readBatches(log.dir())) {
                for (Record r : b.batch) {
                    all.add(new long[] {r.offset(), r.timestamp()});
                }
            }
            final OffsetLookup lookup = new OffsetLookup();
            for (int i = 0; i < 300; i++) {
                final long target = 995_000 + tb.random().nextInt(60_000);
                long[] expected = null;
                for (long[] r : all) {
                    if (r[1] >= target) {
                        expected = r;
                        break;
                    }
                }
                log.offsetForTimestamp(target, lookup);
                assertEquals(0, lookup.errorCode, lookup::toString);
                assertEquals(expected == null ? -1 : expected[0], lookup.offset, "target " + target);
                assertEquals(expected == null ? -1 : expected[1], lookup.timestamp, "target " + target);
            }
            long[] max = all.get(0);
            for (long[] r : all) {
                if (r[1] > max[1]) {
                    max = r;
                }
            }
            log.offsetForTimestamp(OffsetLookup.MAX_TIMESTAMP, lookup);
            assertEquals(max[0], lookup.offset);
            assertEquals(max[1], lookup.timestamp);
            log.offsetForTimestamp(OffsetLookup.EARLIEST_TIMESTAMP, lookup);
            assertEquals(0, lookup.offset);
            assertEquals(-1, lookup.timestamp);
            log.offsetForTimestamp(OffsetLookup.LATEST_TIMESTAMP, lookup);
            assertEquals(log.logEndOffset(), lookup.offset);
            log.offsetForTimestamp(-7, lookup);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), lookup.errorCode);
        }
    }

    @Test
    void readersRacingAppendsNeverSeeAPartialBatch() throws Exception {
        // Goal: reads concurrent with appends are safe: every region holds complete, valid batches
        // below the high watermark it reports, starting with the batch holding the fetch offset.
        // Method: one thread appends 1500 batches across rolls while this thread keeps fetching at
        // random offsets and parses every region with kafka-clients.
        final LogConfig config = LogConfig.builder().segmentBytes(32 * 1024).indexIntervalBytes(1024).build();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.createPartition("race", 0, Uuid.randomUuid(), config);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = new Thread(() -> {
                try {
                    final TestBatches tb = new TestBatches(1 << 18, 10);
                    final AppendBatch batch = new AppendBatch();
                    final AppendResult result = new AppendResult();
                    for (int i = 0; i < 1500; i++) {
                        log.append(tb.load(batch,
                            TestBatches.plain(Compression.NONE, tb.records(1 + i % 4, 50 + i % 300, clock.now()))),
                            clock.now(), result);
                        if (result.errorCode != 0) {
                            throw new AssertionError(result.errorMessage);
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "appender");
            writer.start();
            final FetchRegion region = new FetchRegion();
            final Random random = new Random(12);
            int reads = 0;
            while (writer.isAlive() || reads < 100) {
                final long hw = log.highWatermark();
                if (hw == 0) {
                    continue;
                }
                final long offset = (long) (random.nextDouble() * hw);
                log.read(offset, 1 + random.nextInt(8192), true, region);
                assertEquals(0, region.errorCode, region::toString);
                final List<MutableRecordBatch> batches = batchesIn(region);
                assertTrue(!batches.isEmpty(), "at least one batch below the high watermark " + region);
                assertTrue(batches.get(0).baseOffset() <= offset && batches.get(0).lastOffset() >= offset,
                    region::toString);
                for (MutableRecordBatch b : batches) {
                    assertTrue(b.lastOffset() < region.highWatermark, "batch beyond the high watermark: " + region);
                }
                reads++;
            }
            writer.join();
            if (failure.get() != null) {
                throw new AssertionError("appender failed", failure.get());
            }
            assertTrue(reads >= 100);
            assertTrue(log.segmentCount() > 3);
            assert log.checkInvariants();
        }
    }
}
