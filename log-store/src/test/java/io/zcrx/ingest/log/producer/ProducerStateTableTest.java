package io.zcrx.ingest.log.producer;

import static io.zcrx.ingest.log.producer.ProducerStateTable.APPEND;
import static io.zcrx.ingest.log.producer.ProducerStateTable.DUPLICATE;
import static io.zcrx.ingest.log.producer.ProducerStateTable.INVALID_PRODUCER_EPOCH;
import static io.zcrx.ingest.log.producer.ProducerStateTable.OUT_OF_ORDER_SEQUENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.BatchMetadata;
import org.apache.kafka.storage.internals.log.KafkaSnapshotOracle;
import org.apache.kafka.storage.internals.log.ProducerStateEntry;
import org.apache.kafka.storage.internals.log.ProducerStateManager;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTableTest {
    @TempDir
    Path tmp;

    /** Appends a batch of {@code count} records at {@code firstOffset} after checking it; returns the verdict. */
    private static int append(ProducerStateTable t, long pid, short epoch, int baseSeq, int count, long firstOffset,
            long ts) {
        final int lastSeq = ProducerEntry.incrementSequence(baseSeq, count - 1);
        final int verdict = t.check(pid, epoch, baseSeq, lastSeq);
        if (verdict == APPEND) {
            t.update(pid, epoch, lastSeq, firstOffset + count - 1, count - 1, ts);
        }
        assert t.checkInvariants();
        return verdict;
    }

    @Test
    void duplicatesOfTheLastFiveBatchesAndTheSixthOldest() {
        // Goal: a retry of any of the producer's last five batches is a duplicate carrying the offset
        // first assigned; a retry of the sixth-oldest is no longer known and is a sequence error.
        // Method: six batches of 3 records, then retry each by its exact sequence range.
        final ProducerStateTable t = new ProducerStateTable();
        for (int i = 0; i < 6; i++) {
            assertEquals(APPEND, append(t, 7, (short) 0, i * 3, 3, 100 + i * 10, 1000 + i));
        }
        for (int i = 1; i < 6; i++) {
            assertEquals(DUPLICATE, t.check(7, (short) 0, i * 3, i * 3 + 2), "batch " + i);
            assertEquals(100 + i * 10, t.duplicateBaseOffset());
            assertEquals(1000 + i, t.duplicateTimestamp());
        }
        assertEquals(OUT_OF_ORDER_SEQUENCE, t.check(7, (short) 0, 0, 2), "the sixth-oldest batch is forgotten");
        assertEquals(OUT_OF_ORDER_SEQUENCE, t.check(7, (short) 0, 3, 4), "a different range is not a duplicate");
        assertEquals(5, t.entry(7).batchCount());
    }

    @Test
    void epochFencingBumpsGapsAndUnknownProducers() {
        // Goal: Kafka's order of checks: older epoch fenced, new epoch must start at 0, same epoch must
        // continue at last+1, a producer without state is accepted at any sequence.
        // Method: drive one table through each case and check the verdicts and the state kept.
        final ProducerStateTable t = new ProducerStateTable();
        assertEquals(APPEND, append(t, 1, (short) 3, 57, 2, 0, 1), "unknown producer: any sequence");
        assertEquals(OUT_OF_ORDER_SEQUENCE, t.check(1, (short) 3, 60, 60), "gap");
        assertEquals(OUT_OF_ORDER_SEQUENCE, t.check(1, (short) 3, 58, 58), "overlap, not a duplicate");
        assertEquals(APPEND, append(t, 1, (short) 3, 59, 1, 2, 2));
        assertEquals(INVALID_PRODUCER_EPOCH, t.check(1, (short) 2, 60, 60), "older epoch");
        assertEquals(INVALID_PRODUCER_EPOCH, t.check(1, (short) 2, 57, 58), "older epoch, even for an old range");
        assertEquals(OUT_OF_ORDER_SEQUENCE, t.check(1, (short) 4, 60, 60), "new epoch must restart at 0");
        assertEquals(APPEND, append(t, 1, (short) 4, 0, 5, 3, 3));
        assertEquals(1, t.entry(1).batchCount(), "an epoch bump clears the cached batches");
        assertEquals(4, t.entry(1).epoch());
        assertEquals(INVALID_PRODUCER_EPOCH, t.check(1, (short) 3, 59, 59), "the old epoch's duplicate is fenced");
        assertEquals(APPEND, append(t, 2, (short) 0, 0, 1, 8, 4), "another producer is independent");
        assertEquals(2, t.size());
        assertEquals(2, t.maxProducerIdSeen());
    }

    @Test
    void sequencesWrapAfterIntegerMaxValue() {
        // Goal: sequence numbers wrap from Integer.MAX_VALUE to 0, inside a batch and between batches.
        // Method: a batch ending at MAX_VALUE, one spanning the wrap, and the one after; a duplicate
        // of the spanning batch is recognised by its wrapped range.
        final ProducerStateTable t = new ProducerStateTable();
        assertEquals(APPEND, append(t, 9, (short) 0, Integer.MAX_VALUE - 2, 3, 0, 1));
        assertEquals(Integer.MAX_VALUE, t.entry(9).lastSequence());
        assertEquals(OUT_OF_ORDER_SEQUENCE, t.check(9, (short) 0, 1, 1));
        assertEquals(APPEND, append(t, 9, (short) 0, 0, 2, 3, 2));
        assertEquals(APPEND, append(t, 9, (short) 0, 2, 1, 5, 3));
        assertEquals(ProducerEntry.incrementSequence(Integer.MAX_VALUE - 1, 4), 2);
        assertEquals(APPEND, append(t, 10, (short) 0, Integer.MAX_VALUE - 1, 5, 6, 4));
        assertEquals(2, t.entry(10).lastSequence());
        assertEquals(Integer.MAX_VALUE - 1, t.entry(10).firstSequence(0));
        assertEquals(DUPLICATE, t.check(10, (short) 0, Integer.MAX_VALUE - 1, 2));
        assertEquals(6, t.duplicateBaseOffset());
        assertEquals(APPEND, t.check(10, (short) 0, 3, 3));
    }

    @Test
    void producersExpireAfterInactivityMeasuredFromBatchTimestamps() {
        // Goal: expiry drops producers whose last batch timestamp is at least the expiration old
        // (Kafka's rule), keeps the rest, and a dropped producer is then accepted at any sequence.
        // Method: two producers with different batch timestamps, expire at a chosen clock.
        final ProducerStateTable t = new ProducerStateTable();
        append(t, 1, (short) 0, 0, 1, 0, 10_000);
        append(t, 2, (short) 0, 0, 1, 1, 50_000);
        assertEquals(0, t.removeExpired(59_999, 50_000));
        assertEquals(1, t.removeExpired(60_000, 50_000));
        assertNull(t.entry(1));
        assertEquals(1, t.size());
        assertEquals(APPEND, t.check(1, (short) 0, 77, 77), "expired: any sequence again");
        assertEquals(OUT_OF_ORDER_SEQUENCE, t.check(2, (short) 0, 77, 77));
        assertEquals(2, t.maxProducerIdSeen(), "expiry does not lower the largest id seen");
    }

    @Test
    void snapshotsRoundTripThroughKafkasReaderAndWriter() throws IOException {
        // Goal: our .snapshot is Kafka's format (version 1, CRC-32C, 46-byte entries): Kafka reads
        // ours, we read Kafka's, and only the newest batch of each producer is stored.
        // Method: 200 random producers -> our writer -> ProducerStateManager.readSnapshot; Kafka's
        // writeSnapshot of random entries -> our loadSnapshot; compare field by field.
        final Random random = new Random(0x5A4B);
        final ProducerStateTable ours = new ProducerStateTable();
        final Map<Long, long[]> expected = new HashMap<>();
        long offset = 0;
        for (int i = 0; i < 200; i++) {
            final long pid = random.nextInt(1_000_000);
            final short epoch = (short) random.nextInt(5);
            final int count = 1 + random.nextInt(10);
            final int lastSeq = random.nextInt(1_000_000);
            final long ts = 1_700_000_000_000L + random.nextInt(1_000_000);
            ours.update(pid, epoch, lastSeq, offset + count - 1, count - 1, ts);
            expected.put(pid, new long[] {epoch, lastSeq, offset + count - 1, count - 1, ts});
            offset += count;
        }
        final Path file = tmp.resolve("00000000000000001234.snapshot");
        ours.writeSnapshot(file, true);
        final List<ProducerStateEntry> read = ProducerStateManager.readSnapshot(file.toFile());
        assertEquals(expected.size(), read.size());
        long previousId = -1;
        for (ProducerStateEntry e : read) {
            assertTrue(e.producerId() > previousId, "entries in producer-id order");
            previousId = e.producerId();
            final long[] x = expected.get(e.producerId());
            assertEquals(x[0], e.producerEpoch());
            assertEquals(x[4], e.lastTimestamp());
            assertEquals(-1, e.coordinatorEpoch());
            assertTrue(e.currentTxnFirstOffset().isEmpty());
            assertEquals(1, e.batchMetadata().size(), "only the newest batch is stored");
            final BatchMetadata b = e.batchMetadata().iterator().next();
            assertEquals(x[1], b.lastSeq());
            assertEquals(x[2], b.lastOffset());
            assertEquals(x[3], b.offsetDelta());
        }

        final long[][] rows = new long[50][];
        for (int i = 0; i < rows.length; i++) {
            final boolean noBatch = i % 10 == 0;
            rows[i] = new long[] {i * 7L, random.nextInt(3), noBatch ? -1 : random.nextInt(100_000),
                noBatch ? -1 : 1000 + i * 20L,
                noBatch ? 0 : random.nextInt(20), 1_700_000_000_000L + i};
        }
        final Path kafkaFile = tmp.resolve("00000000000000004321.snapshot");
        KafkaSnapshotOracle.write(kafkaFile.toFile(), rows);
        final ProducerStateTable loaded = new ProducerStateTable();
        assertEquals(rows.length, loaded.loadSnapshot(kafkaFile, 1_700_000_000_100L, 86_400_000L));
        for (long[] r : rows) {
            final ProducerEntry e = loaded.entry(r[0]);
            assertEquals(r[1], e.epoch());
            assertEquals(r[5], e.lastTimestamp());
            if (r[3] < 0) {
                assertTrue(e.isEmpty());
            } else {
                assertEquals(1, e.batchCount());
                assertEquals(r[2], e.lastSequence());
                assertEquals(r[3], e.lastDataOffset());
                assertEquals(r[4], e.lastOffsetDelta());
            }
        }
        assert loaded.checkInvariants();
        assertEquals(343, loaded.maxProducerIdSeen());
        // Timestamps are base + i; at base + 146 with a 100 ms expiration, i <= 46 have expired.
        assertEquals(3, new ProducerStateTable().loadSnapshot(kafkaFile, 1_700_000_000_000L + 46 + 100, 100),
            "expired producers are left out on load");
    }

    @Test
    void snapshotsKeepTheWholeFiveBatchWindowAndKafkaLoadsTheNewestBatch() throws IOException {
        // Goal: a retry of any of a producer's last five batches is still a duplicate after a restart
        // that loaded a snapshot (the crash loop found a duplicate: a producer stalled while others
        // rolled segments, a snapshot kept only its newest batch, its retry of an older one was answered
        // OUT_OF_ORDER_SEQUENCE, and the client's epoch bump wrote it again), while Kafka reading the
        // same file ends with the state its own snapshot would give (newest batch per producer).
        // Method: producers with 1..8 batches -> our writer -> our loader: every one of the last five
        // batches is a DUPLICATE with its first offset, the sixth-oldest is not; Kafka's readSnapshot
        // with its load rule (each entry put into a map in file order) -> the newest batch, epoch and
        // timestamp of each producer.
        final ProducerStateTable ours = new ProducerStateTable();
        final Map<Long, long[][]> batches = new HashMap<>();
        long offset = 0;
        for (long pid = 10; pid < 18; pid++) {
            final int n = (int) (pid - 9);
            final long[][] rows = new long[n][];
            int seq = 0;
            for (int b = 0; b < n; b++) {
                final int count = 1 + (int) ((pid + b) % 4);
                // Timestamps are not monotonic on purpose: batch 1 carries the largest.
                final long ts = 1_700_000_000_000L + (b == 1 ? 900 : b * 10);
                assertEquals(APPEND, append(ours, pid, (short) 3, seq, count, offset, ts));
                rows[b] = new long[] {seq, seq + count - 1, offset, ts};
                seq += count;
                offset += count + 2;
            }
            batches.put(pid, rows);
        }
        final Path file = tmp.resolve("00000000000000009999.snapshot");
        ours.writeSnapshot(file, true);

        final ProducerStateTable loaded = new ProducerStateTable();
        assertEquals(8, loaded.loadSnapshot(file, 1_700_000_001_000L, 86_400_000L));
        assert loaded.checkInvariants();
        for (Map.Entry<Long, long[][]> e : batches.entrySet()) {
            final long[][] rows = e.getValue();
            final ProducerEntry entry = loaded.entry(e.getKey());
            assertEquals(Math.min(rows.length, ProducerEntry.BATCHES_RETAINED), entry.batchCount());
            assertEquals(rows[rows.length - 1][3], entry.lastTimestamp(), "the newest batch's timestamp");
            for (int b = 0; b < rows.length; b++) {
                final int verdict = loaded.check(e.getKey(), (short) 3, (int) rows[b][0], (int) rows[b][1]);
                if (b >= rows.length - ProducerEntry.BATCHES_RETAINED) {
                    assertEquals(DUPLICATE, verdict, "producer " + e.getKey() + " batch " + b);
                    assertEquals(rows[b][2], loaded.duplicateBaseOffset());
                } else {
                    assertEquals(OUT_OF_ORDER_SEQUENCE, verdict, "producer " + e.getKey() + " batch " + b);
                }
            }
        }

        final Map<Long, ProducerStateEntry> kafka = new HashMap<>();
        for (ProducerStateEntry e : ProducerStateManager.readSnapshot(file.toFile())) {
            kafka.put(e.producerId(), e);
        }
        assertEquals(batches.keySet(), kafka.keySet());
        for (Map.Entry<Long, long[][]> e : batches.entrySet()) {
            final long[] newest = e.getValue()[e.getValue().length - 1];
            final ProducerStateEntry k = kafka.get(e.getKey());
            assertEquals(3, k.producerEpoch());
            assertEquals(newest[3], k.lastTimestamp());
            assertEquals(1, k.batchMetadata().size());
            final BatchMetadata b = k.batchMetadata().iterator().next();
            assertEquals(newest[1], b.lastSeq());
            assertEquals(newest[2] + newest[1] - newest[0], b.lastOffset());
        }
        // Kafka's own ProducerStateManager loading the file from a partition directory (what a Kafka broker
        // given this log dir does) ends with the same newest batch per producer.
        final Path partitionDir = Files.createDirectories(tmp.resolve("kafka-0"));
        Files.copy(file, partitionDir.resolve(file.getFileName()));
        final ProducerStateManager manager = new ProducerStateManager(new TopicPartition("kafka", 0),
            partitionDir.toFile(), 60_000, new ProducerStateManagerConfig(86_400_000, false), Time.SYSTEM);
        manager.truncateAndReload(0L, 9_999L, 1_700_000_001_000L);
        assertEquals(batches.size(), manager.producerIdCount());
        for (Map.Entry<Long, long[][]> e : batches.entrySet()) {
            final long[] newest = e.getValue()[e.getValue().length - 1];
            final ProducerStateEntry k = manager.lastEntry(e.getKey()).orElseThrow();
            assertEquals(1, k.batchMetadata().size());
            assertEquals(newest[1], k.batchMetadata().iterator().next().lastSeq());
            assertEquals(newest[2] + newest[1] - newest[0], k.lastDataOffset());
            assertEquals(newest[3], k.lastTimestamp());
        }
        // An older batch whose timestamp is later than the newest's is written with the newest's, so
        // no older entry can outlive the newest in Kafka's per-entry expiry.
        for (ProducerStateEntry e : ProducerStateManager.readSnapshot(file.toFile())) {
            assertTrue(e.lastTimestamp() <= kafka.get(e.producerId()).lastTimestamp());
        }
    }

    @Test
    void snapshotLayoutAndCorruptionDetection() throws IOException {
        // Goal: the byte layout matches ProducerSnapshotLayout (checked on a Kafka-written file) and a
        // flipped byte, a wrong version or a truncated file is rejected as corrupt.
        // Method: read fields of Kafka's file at our offsets; corrupt copies of it.
        final Path file = tmp.resolve("00000000000000000010.snapshot");
        KafkaSnapshotOracle.write(file.toFile(), new long[][] {{77, 2, 40, 9, 3, 1234}});
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        assertEquals(ProducerSnapshotLayout.ENTRIES_OFFSET + ProducerSnapshotLayout.ENTRY_LENGTH, b.capacity());
        assertEquals(46, ProducerSnapshotLayout.ENTRY_LENGTH);
        assertEquals(ProducerSnapshotLayout.VERSION, b.getShort(ProducerSnapshotLayout.VERSION_OFFSET));
        assertEquals(1, b.getInt(ProducerSnapshotLayout.ENTRY_COUNT_OFFSET));
        final int e = ProducerSnapshotLayout.ENTRIES_OFFSET;
        assertEquals(77, b.getLong(e + ProducerSnapshotLayout.PRODUCER_ID_OFFSET));
        assertEquals(2, b.getShort(e + ProducerSnapshotLayout.EPOCH_OFFSET));
        assertEquals(40, b.getInt(e + ProducerSnapshotLayout.LAST_SEQUENCE_OFFSET));
        assertEquals(9, b.getLong(e + ProducerSnapshotLayout.LAST_OFFSET_OFFSET));
        assertEquals(3, b.getInt(e + ProducerSnapshotLayout.OFFSET_DELTA_OFFSET));
        assertEquals(1234, b.getLong(e + ProducerSnapshotLayout.TIMESTAMP_OFFSET));
        assertEquals(-1, b.getInt(e + ProducerSnapshotLayout.COORDINATOR_EPOCH_OFFSET));
        assertEquals(-1, b.getLong(e + ProducerSnapshotLayout.CURRENT_TXN_FIRST_OFFSET_OFFSET));

        final List<byte[]> corrupt = new ArrayList<>();
        final byte[] flipped = b.array().clone();
        flipped[e + 20] ^= 1;
        corrupt.add(flipped);
        final byte[] version = b.array().clone();
        version[1] = 9;
        corrupt.add(version);
        corrupt.add(Arrays.copyOf(b.array(), b.capacity() - 1));
        for (byte[] bytes : corrupt) {
            final Path bad = tmp.resolve("bad.snapshot");
            Files.write(bad, bytes);
            assertThrows(CorruptSnapshotException.class,
                () -> new ProducerStateTable().loadSnapshot(bad, 0, Long.MAX_VALUE));
        }
    }

    @Test
    void longHashMapAgainstAHashMap() {
        // Goal: the primitive map used for producer ids behaves like a map under puts, overwrites and
        // removals; backward-shift deletion keeps every probe run reachable, including runs that wrap
        // around the end of the table.
        // Method: random operations over key spaces from tiny (long runs, frequent wrap-around at
        // load 1/2) to large, mirrored on a HashMap, invariants checked as they go.
        final Random random = new Random(11);
        for (int keySpace : new int[] {6, 12, 40, 300, 3000}) {
            final LongHashMap<Long> map = new LongHashMap<>();
            final Map<Long, Long> model = new HashMap<>();
            for (int i = 0; i < 20_000; i++) {
                final long key = random.nextInt(keySpace) * 7919L;
                switch (random.nextInt(3)) {
                    case 0:
                        map.put(key, (long) i);
                        model.put(key, (long) i);
                        break;
                    case 1:
                        assertEquals(model.remove(key), map.remove(key));
                        break;
                    default:
                        assertEquals(model.get(key), map.get(key));
                }
                assertEquals(model.size(), map.size());
                // Every operation for the small tables; every 100th for the big ones (the check is O(n)).
                assert (keySpace > 100 && i % 100 != 0) || map.checkInvariants();
            }
            for (Map.Entry<Long, Long> en : model.entrySet()) {
                assertEquals(en.getValue(), map.get(en.getKey()), "key space " + keySpace);
            }
        }
    }

    @Test
    void longHashMapDeletionInsideARunThatWrapsAroundTheTable() {
        // Goal: deleting from a probe run that crosses the end of the table keeps the entries behind
        // the hole findable and leaves the entry already at its home slot (at the table start) alone.
        // Method: pick keys whose home slots in the 16-slot table are 14, 14 and 0, so they occupy
        // 14, 15, 0; remove the first; the other two must still be found.
        final LongHashMap<String> map = new LongHashMap<>();
        final long[] picked = new long[3];
        final int[] homes = {14, 14, 0};
        long candidate = 1;
        for (int k = 0; k < 3; k++) {
            while (map.slot(candidate) != homes[k]) {
                candidate++;
            }
            picked[k] = candidate++;
        }
        map.put(picked[0], "a");
        map.put(picked[1], "b");
        map.put(picked[2], "c");
        assert map.checkInvariants();
        assertEquals("a", map.remove(picked[0]));
        assert map.checkInvariants();
        assertEquals("b", map.get(picked[1]));
        assertEquals("c", map.get(picked[2]));
        assertEquals(2, map.size());
    }
}
