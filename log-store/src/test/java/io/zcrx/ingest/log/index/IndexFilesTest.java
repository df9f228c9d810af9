package io.zcrx.ingest.log.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.apache.kafka.storage.internals.log.OffsetPosition;
import org.apache.kafka.storage.internals.log.TimestampOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IndexFilesTest {
    private Path dir;

    @BeforeProperty
    @BeforeEach
    void createDir() throws IOException {
        dir = Files.createTempDirectory("index-test");
    }

    @AfterProperty
    @AfterEach
    void deleteDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Property(tries = 12)
    void offsetLookupsMatchATreeMapAndKafkasOffsetIndex(@ForAll long seed) throws IOException {
        // Goal: lookup(target) returns the entry with the largest offset <= target, or (base, 0),
        // on both sides of the 8 KiB warm section, exactly as a sorted map and Kafka's own reader.
        // Method: random increasing entries (seeded), 2000 random lookups, compared with
        // TreeMap.floorEntry and with kafka-storage's OffsetIndex opened on the same (trimmed) file.
        final Random random = new Random(seed);
        final long base = random.nextInt(1_000_000);
        final int count = 1 + random.nextInt(3000);
        final Path file = dir.resolve("00000000000000000000.index");
        final OffsetIndex index = OffsetIndex.create(file, base, count * 8 + 8 * random.nextInt(4));
        final TreeMap<Long, Integer> model = new TreeMap<>();
        long offset = base;
        int position = 0;
        for (int i = 0; i < count; i++) {
            offset += 1 + random.nextInt(50);
            position += 1 + random.nextInt(5000);
            index.append(offset, position);
            model.put(offset, position);
            assert index.checkInvariants();
        }
        index.trimToValidSize();
        assertEquals(count * 8L, Files.size(file));
        // fully qualified: Kafka's OffsetIndex, beside ours of the same name
        final var kafka = new org.apache.kafka.storage.internals.log.OffsetIndex(file.toFile(), base, -1, false);
        try {
            assertEquals(count, kafka.entries());
            for (int i = 0; i < 2000; i++) {
                final long target = base - 10 + (long) (random.nextDouble() * (offset - base + 100));
                final Map.Entry<Long, Integer> floor = model.floorEntry(target);
                final long expectedOffset = floor == null ? base : floor.getKey();
                final int expectedPosition = floor == null ? 0 : floor.getValue();
                final long packed = index.lookup(target);
                assertEquals(expectedOffset, index.offsetOf(packed), "offset for target " + target + ", seed " + seed);
                assertEquals(expectedPosition, OffsetIndex.positionOf(packed), "position for target " + target);
                final OffsetPosition k = kafka.lookup(target);
                assertEquals(expectedOffset, k.offset(), "Kafka's lookup for target " + target);
                assertEquals(expectedPosition, k.position(), "Kafka's lookup for target " + target);
            }
        } finally {
            kafka.closeHandler();
            index.close();
        }
    }

    @Property(tries = 12)
    void timeLookupsMatchATreeMapAndKafkasTimeIndex(@ForAll long seed) throws IOException {
        // Goal: maybeAppend keeps only strictly growing timestamps, and lookup(ts) returns the offset
        // of the entry with the largest timestamp <= ts (or the base offset), like Kafka's TimeIndex.
        // Method: random non-monotonic (timestamp, offset) pairs fed through maybeAppend, a TreeMap of
        // what should survive, random lookups on ours and on Kafka's reader of the same file.
        final Random random = new Random(seed);
        final long base = random.nextInt(1_000_000);
        final int count = 1 + random.nextInt(2000);
        final Path file = dir.resolve("00000000000000000000.timeindex");
        final TimeIndex index = TimeIndex.create(file, base, (count + 2) * 12);
        final TreeMap<Long, Long> model = new TreeMap<>();
        long offset = base;
        long maxTs = -1;
        for (int i = 0; i < count; i++) {
            offset += 1 + random.nextInt(50);
            final long ts = 1_000_000 + random.nextInt(100_000);
            final long runningMax = Math.max(maxTs, ts);
            index.maybeAppend(runningMax, offset, false);
            if (runningMax > maxTs) {
                model.put(runningMax, offset);
            }
            maxTs = runningMax;
            assert index.checkInvariants();
        }
        assertEquals(model.size(), index.entries());
        index.trimToValidSize();
        // fully qualified: Kafka's TimeIndex, beside ours of the same name
        final var kafka = new org.apache.kafka.storage.internals.log.TimeIndex(file.toFile(), base, -1, false);
        try {
            kafka.sanityCheck();
            for (int i = 0; i < 2000; i++) {
                final long target = 999_000 + random.nextInt(102_000);
                final Map.Entry<Long, Long> floor = model.floorEntry(target);
                final long expected = floor == null ? base : floor.getValue();
                assertEquals(expected, index.lookup(target), "target " + target + ", seed " + seed);
                final TimestampOffset k = kafka.lookup(target);
                assertEquals(expected, k.offset(), "Kafka's lookup for target " + target);
            }
        } finally {
            kafka.closeHandler();
            index.close();
        }
    }

    @Test
    void resizeTrimReopenAndSanity() throws IOException {
        // Goal: entries survive trim and expansion; a reopened file counts every slot as an entry
        // (Kafka's rule), so an untrimmed file fails the sanity check while a trimmed one passes.
        // Method: append, expand, reopen untrimmed (zeros at the end), then trim and reopen.
        final Path file = dir.resolve("00000000000000000100.index");
        final OffsetIndex index = OffsetIndex.create(file, 100, 4096);
        assertEquals(4096, Files.size(file));
        index.append(110, 500);
        index.append(125, 9000);
        index.resize(8192);
        assertEquals(8192, Files.size(file));
        assertEquals(2, index.entries());
        assertEquals(125, index.offsetOf(index.lookup(1000)));
        index.flush();
        index.close();

        final OffsetIndex untrimmed = OffsetIndex.open(file, 100, 4096);
        assertEquals(1024, untrimmed.entries(), "every slot counts");
        assertFalse(untrimmed.isSane(20_000), "zero entries at the end are not sane");
        untrimmed.close();

        final OffsetIndex again = OffsetIndex.create(file, 100, 4096);
        again.append(110, 500);
        again.append(125, 9000);
        again.trimToValidSize();
        assertEquals(16, Files.size(file));
        again.close();
        final OffsetIndex trimmed = OffsetIndex.open(file, 100, 4096);
        assertEquals(2, trimmed.entries());
        assertTrue(trimmed.isSane(20_000));
        assertFalse(trimmed.isSane(9000), "an entry at or past the log end is not sane");
        assertTrue(trimmed.isFull(), "a trimmed index has no room until expanded");
        trimmed.resize(4096);
        assertFalse(trimmed.isFull());
        trimmed.append(130, 9500);
        assertEquals(130, trimmed.lastOffset());
        trimmed.resetEntries();
        assertEquals(0, trimmed.entries());
        assertEquals(100, trimmed.offsetOf(trimmed.lookup(1000)));
        assertEquals(4096, Files.size(file));
        trimmed.close();
        assertThrows(IllegalStateException.class, () -> trimmed.lookup(5));
    }

    @Test
    void appendRulesAndTheReservedTimeIndexSlot() throws IOException {
        // Goal: offsets must grow, a full index refuses entries, and the time index keeps its last
        // slot for the entry written when the segment is sealed.
        // Method: tiny indexes (3 offset slots, 3 time slots) pushed to their limits.
        final OffsetIndex index = OffsetIndex.create(dir.resolve("a.index"), 0, 24);
        index.append(5, 10);
        assertThrows(IllegalStateException.class, () -> index.append(5, 20));
        index.append(6, 20);
        index.append(7, 30);
        assertTrue(index.isFull());
        assertThrows(IllegalStateException.class, () -> index.append(8, 40));
        assertFalse(index.canAppendOffset(Integer.MAX_VALUE + 1L));
        assertTrue(index.canAppendOffset(Integer.MAX_VALUE));
        index.close();

        final TimeIndex time = TimeIndex.create(dir.resolve("a.timeindex"), 0, 36);
        time.maybeAppend(100, 1, false);
        time.maybeAppend(100, 2, false);
        assertEquals(1, time.entries(), "an equal timestamp is not appended");
        time.maybeAppend(200, 3, false);
        assertTrue(time.isFull(), "2 of 3 slots used: the last one is reserved");
        assertThrows(IllegalStateException.class, () -> time.maybeAppend(300, 4, false));
        time.maybeAppend(300, 4, true);
        assertEquals(3, time.entries());
        assertEquals(300, time.lastEntryTimestamp());
        assertEquals(4, time.lastEntryOffset());
        assertThrows(IllegalStateException.class, () -> time.maybeAppend(250, 5, true));
        time.close();
    }
}
