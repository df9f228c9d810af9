package io.zcrx.ingest.log;

import static io.zcrx.ingest.log.LogTestSupport.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.log.epoch.EpochEntry;
import io.zcrx.ingest.log.producer.ProducerEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#appendAsFollower} on real files: the leader's batches (built by kafka-clients with given
 * offsets, leader epochs and producer ids) land byte for byte, the producer state and epoch history follow them,
 * and what a follower must refuse (a gap, a bad CRC, a batch not at the log end) writes nothing.
 */
class FollowerAppendTest {
    private static final String TOPIC = "follow";

    @TempDir
    Path tmp;

    private final LogTestSupport.Clock clock = new LogTestSupport.Clock();
    private final LogConfig config = LogConfig.builder().segmentBytes(400).build();
    private final AppendResult result = new AppendResult();

    private PartitionLog create(LogManager manager) throws IOException {
        return manager.createPartition(TOPIC, 0, Uuid.randomUuid(), config);
    }

    private SimpleRecord[] records(long first, int n) {
        final SimpleRecord[] r = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            r[i] = new SimpleRecord(clock.now() + first + i, ("k" + (first + i)).getBytes(StandardCharsets.UTF_8),
                ("value-" + (first + i)).getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    /** Concatenates batches as a fetch response's records field carries them. */
    private static ByteBuffer concat(MemoryRecords... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MemoryRecords m : parts) {
            final ByteBuffer b = m.buffer().duplicate();
            final byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.writeBytes(bytes);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static byte[] segmentBytes(Path dir) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                out.writeBytes(Files.readAllBytes(p));
            }
        }
        return out.toByteArray();
    }

    @Test
    void leaderBatchesLandAsTheyAreWithProducerStateAndEpochs() throws IOException {
        final MemoryRecords a = MemoryRecords.withRecords(0L, Compression.NONE, 3, records(0, 3));
        final MemoryRecords b = MemoryRecords.withIdempotentRecords(3L, Compression.NONE, 77L, (short) 2, 0, 3,
            records(3, 2));
        final MemoryRecords c = MemoryRecords.withIdempotentRecords(5L, Compression.NONE, 77L, (short) 2, 2, 5,
            records(5, 4));
        final MemoryRecords d = MemoryRecords.withRecords(9L, Compression.gzip().build(), 7, records(9, 20));
        final ByteBuffer fetched = concat(a, b, c, d);
        final byte[] expected = fetched.array().clone();
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = create(manager);
            // A fetch cut at its byte limit ends inside a batch: the whole ones are appended, the tail waits.
            final ByteBuffer cut = ByteBuffer.wrap(expected, 0, expected.length - 5).slice();
            log.appendAsFollower(cut, clock.now(), result);
            assertEquals(Errors.NONE.code(), result.errorCode, result.errorMessage);
            assertEquals(0L, result.baseOffset);
            assertEquals(9L, log.logEndOffset());
            final int tail = d.sizeInBytes();
            log.appendAsFollower(ByteBuffer.wrap(expected, expected.length - tail, tail).slice(), clock.now(), result);
            assertEquals(Errors.NONE.code(), result.errorCode, result.errorMessage);
            assertEquals(29L, log.logEndOffset());
            assertTrue(log.checkInvariants());

            assertArrayEquals(expected, segmentBytes(log.dir()), "segments hold the leader's bytes unchanged");
            assertTrue(log.segmentCount() > 1, "rolled by this log's segment.bytes");
            assertEquals(List.of(new EpochEntry(3, 0L), new EpochEntry(5, 5L), new EpochEntry(7, 9L)),
                log.epochEntries());
            final ProducerEntry p = log.producerEntry(77L);
            assertEquals(2, p.epoch());
            assertEquals(5, p.lastSequence());
            assertEquals(7, log.leaderEpoch(), "never stamps an epoch older than the history");

            // Idempotence once this replica leads: a retry of the last batch is a duplicate, the next one appends.
            log.becomeLeader(8);
            final TestBatches tb = new TestBatches(1 << 16, 7);
            final AppendBatch retry = new AppendBatch();
            tb.load(retry, MemoryRecords.withIdempotentRecords(Compression.NONE, 77L, (short) 2, 2, records(5, 4)));
            log.append(retry, clock.now(), result);
            assertEquals(Errors.NONE.code(), result.errorCode, result.errorMessage);
            assertTrue(result.duplicate);
            assertEquals(5L, result.baseOffset);

            log.updateFollowerHighWatermark(100L);
            assertEquals(29L, log.followerHighWatermark(), "capped at the log end");
        }
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(29L, log.logEndOffset());
            assertEquals(new EpochEntry(7, 9L), log.epochEntries().get(2), "the history reached the checkpoint file");
            assertEquals(2, log.producerEntry(77L).epoch(), "the producer state is rebuilt after a restart");
        }
    }

    @Test
    void refusesWhatAFollowerMustNotWrite() throws IOException {
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = create(manager);
            log.appendAsFollower(MemoryRecords.withRecords(0L, Compression.NONE, 1, records(0, 2)).buffer(),
                clock.now(), result);
            assertEquals(Errors.NONE.code(), result.errorCode, result.errorMessage);
            final byte[] before = segmentBytes(log.dir());

            // Below the log end (2): refused as out of range, nothing written (past it is a compacted leader's gap).
            log.appendAsFollower(MemoryRecords.withRecords(1L, Compression.NONE, 1, records(1, 2)).buffer(),
                clock.now(), result);
            assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), result.errorCode);

            // Overlapping batches inside one response: the whole response is refused, the good first batch too.
            final ByteBuffer gap = concat(MemoryRecords.withRecords(2L, Compression.NONE, 1, records(2, 2)),
                MemoryRecords.withRecords(3L, Compression.NONE, 1, records(3, 2)));
            log.appendAsFollower(gap, clock.now(), result);
            assertEquals(Errors.CORRUPT_MESSAGE.code(), result.errorCode);

            // A flipped byte in a record: the CRC check refuses it.
            final ByteBuffer corrupt = concat(MemoryRecords.withRecords(2L, Compression.NONE, 1, records(2, 2)));
            corrupt.put(corrupt.limit() - 3, (byte) (corrupt.get(corrupt.limit() - 3) ^ 1));
            log.appendAsFollower(corrupt, clock.now(), result);
            assertEquals(Errors.CORRUPT_MESSAGE.code(), result.errorCode);
            assertTrue(result.errorMessage.contains("CRC"), result.errorMessage);

            assertEquals(2L, log.logEndOffset());
            assertArrayEquals(before, segmentBytes(log.dir()));
            assertTrue(log.checkInvariants());
        }
    }

    @Test
    void aFollowerBehindTheLeadersLogStartRestartsEmptyThere() throws IOException {
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = create(manager);
            log.appendAsFollower(MemoryRecords.withIdempotentRecords(0L, Compression.NONE, 5L, (short) 0, 0, 1,
                records(0, 3)).buffer(), clock.now(), result);
            assertEquals(Errors.NONE.code(), result.errorCode, result.errorMessage);
            log.truncateFullyAndStartAt(100L, clock.now());
            assertEquals(100L, log.logStartOffset());
            assertEquals(100L, log.logEndOffset());
            assertEquals(List.of(), log.epochEntries());
            assertEquals(0, log.producerCount());
            log.appendAsFollower(MemoryRecords.withRecords(100L, Compression.NONE, 2, records(100, 2)).buffer(),
                clock.now(), result);
            assertEquals(Errors.NONE.code(), result.errorCode, result.errorMessage);
            assertEquals(102L, log.logEndOffset());
            assertEquals(List.of(new EpochEntry(2, 100L)), log.epochEntries());
            assertTrue(log.checkInvariants());
        }
        try (LogManager manager = LogManager.open(List.of(tmp), 1, config, DAY_MS, clock::now)) {
            final PartitionLog log = manager.partition(TOPIC, 0);
            assertEquals(100L, log.logStartOffset(), "the new start survives a restart");
            assertEquals(102L, log.logEndOffset());
        }
    }
}
