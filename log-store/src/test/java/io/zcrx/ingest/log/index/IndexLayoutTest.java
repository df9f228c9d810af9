package io.zcrx.ingest.log.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void entryLayoutsMatchKafkasIndexes() throws Exception {
        // Goal: our entry constants are the byte layout Kafka's OffsetIndex and TimeIndex write.
        // Method: let kafka-storage write two entries into each file, read the bytes at our offsets,
        // and read the files with our classes.
        final Path index = tmp.resolve("00000000000000000500.index");
        // fully qualified: Kafka's OffsetIndex, beside ours of the same name
        final var kafkaIndex = new org.apache.kafka.storage.internals.log.OffsetIndex(index.toFile(), 500, 64,
            true);
        kafkaIndex.append(510, 1234);
        kafkaIndex.append(530, 99_999);
        kafkaIndex.trimToValidSize();
        kafkaIndex.closeHandler();
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(index));
        assertEquals(2 * OffsetIndex.ENTRY_LENGTH, b.capacity());
        assertEquals(10, b.getInt(OffsetIndex.RELATIVE_OFFSET_OFFSET));
        assertEquals(1234, b.getInt(OffsetIndex.POSITION_OFFSET));
        assertEquals(30, b.getInt(OffsetIndex.ENTRY_LENGTH + OffsetIndex.RELATIVE_OFFSET_OFFSET));
        assertEquals(99_999, b.getInt(OffsetIndex.ENTRY_LENGTH + OffsetIndex.POSITION_OFFSET));
        final OffsetIndex ours = OffsetIndex.open(index, 500, 64);
        assertEquals(530, ours.offsetOf(ours.entry(1)));
        assertEquals(1234, OffsetIndex.positionOf(ours.lookup(515)));
        ours.close();

        final Path time = tmp.resolve("00000000000000000500.timeindex");
        // fully qualified: Kafka's TimeIndex, beside ours of the same name
        final var kafkaTime = new org.apache.kafka.storage.internals.log.TimeIndex(time.toFile(), 500, 72,
            true);
        kafkaTime.maybeAppend(1_700_000_000_123L, 505);
        kafkaTime.maybeAppend(1_700_000_000_456L, 520);
        kafkaTime.trimToValidSize();
        kafkaTime.closeHandler();
        final ByteBuffer t = ByteBuffer.wrap(Files.readAllBytes(time));
        assertEquals(2 * TimeIndex.ENTRY_LENGTH, t.capacity());
        assertEquals(1_700_000_000_123L, t.getLong(TimeIndex.TIMESTAMP_OFFSET));
        assertEquals(5, t.getInt(TimeIndex.RELATIVE_OFFSET_OFFSET));
        assertEquals(1_700_000_000_456L, t.getLong(TimeIndex.ENTRY_LENGTH + TimeIndex.TIMESTAMP_OFFSET));
        assertEquals(20, t.getInt(TimeIndex.ENTRY_LENGTH + TimeIndex.RELATIVE_OFFSET_OFFSET));
        final TimeIndex oursTime = TimeIndex.open(time, 500, 72);
        assertEquals(1_700_000_000_456L, oursTime.lastEntryTimestamp());
        assertEquals(520, oursTime.lastEntryOffset());
        assertEquals(505, oursTime.lookup(1_700_000_000_300L));
        oursTime.close();
    }
}
