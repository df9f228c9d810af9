package io.zcrx.ingest.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/** Shared helpers for the log-store tests: a fake clock, file listings, read-back with kafka-clients. */
final class LogTestSupport {
    static final long DAY_MS = 86_400_000L;

    private LogTestSupport() {
    }

    /** A settable wall clock. */
    static final class Clock {
        final AtomicLong ms = new AtomicLong(1_700_000_000_000L);

        long now() {
            return ms.get();
        }

        void advance(long deltaMs) {
            ms.addAndGet(deltaMs);
        }
    }

    /** Files in {@code dir} ending with {@code suffix}, sorted by name (= by base offset). */
    static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        }
    }

    /** One batch as stored: its file, byte position and content (in memory). */
    static final class StoredBatch {
        final Path log;
        final int position;
        final MutableRecordBatch batch;

        StoredBatch(Path log, int position, MutableRecordBatch batch) {
            this.log = log;
            this.position = position;
            this.batch = batch;
        }
    }

    /**
     * Every batch of every {@code .log} file of a partition, in order: validated through
     * {@code FileRecords.open(file).batches()} ({@code ensureValid()}, no trailing bytes), content
     * read into memory.
     */
    static List<StoredBatch> readBatches(Path partitionDir) throws IOException {
        return readBatches(partitionDir, true);
    }

    /** As {@link #readBatches(Path)} without the CRC check (for logs a test corrupted on purpose). */
    static List<StoredBatch> readBatchesUnchecked(Path partitionDir) throws IOException {
        return readBatches(partitionDir, false);
    }

    private static List<StoredBatch> readBatches(Path partitionDir, boolean validate) throws IOException {
        final List<StoredBatch> all = new ArrayList<>();
        for (Path log : files(partitionDir, ".log")) {
            final List<Integer> positions = new ArrayList<>();
            try (FileRecords records = FileRecords.open(log.toFile(), false)) {
                long sum = 0;
                for (FileChannelRecordBatch batch : records.batches()) {
                    if (validate) {
                        batch.ensureValid();
                    }
                    positions.add(batch.position());
                    sum += batch.sizeInBytes();
                }
                assertEquals(records.sizeInBytes(), sum, "trailing bytes after the last batch of " + log);
            }
            final MemoryRecords memory = MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(log)));
            int i = 0;
            for (MutableRecordBatch batch : memory.batches()) {
                all.add(new StoredBatch(log, positions.get(i++), batch));
            }
            assertEquals(positions.size(), i, "batch count of " + log);
        }
        return all;
    }

    /** The bytes of one batch as stored at {@code position} of {@code log}. */
    static ByteBuffer readStored(Path log, long position, int size) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(size);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                assertTrue(ch.read(b, position + b.position()) > 0, "short read of " + log);
            }
        }
        return b.flip();
    }

    /**
     * Checks that {@code stored} is {@code original} with baseOffset = {@code baseOffset} and
     * partitionLeaderEpoch = 0, every other byte identical.
     */
    static void assertStoredAs(MemoryRecords original, ByteBuffer stored, long baseOffset) {
        final ByteBuffer src = original.buffer().duplicate();
        assertEquals(src.remaining(), stored.remaining(), "batch size");
        assertEquals(baseOffset, stored.getLong(0), "baseOffset");
        assertEquals(0, stored.getInt(12), "partitionLeaderEpoch");
        for (int i = 8; i < src.remaining(); i++) {
            if (i >= 12 && i < 16) {
                continue;
            }
            if (src.get(src.position() + i) != stored.get(i)) {
                throw new AssertionError("byte " + i + " differs: expected=" + src.get(src.position() + i)
                    + ", stored=" + stored.get(i)
                    + ", baseOffset=" + baseOffset);
            }
        }
    }

    /** Record offsets of all batches, in order. */
    static List<Long> recordOffsets(List<StoredBatch> batches) {
        final List<Long> offsets = new ArrayList<>();
        for (StoredBatch b : batches) {
            for (Record r : b.batch) {
                offsets.add(r.offset());
            }
        }
        return offsets;
    }
}
