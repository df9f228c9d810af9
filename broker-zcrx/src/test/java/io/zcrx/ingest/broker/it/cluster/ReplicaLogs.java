package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * A replica's partition as it lies on disk, read with kafka-clients' own record classes (not our
 * log-store): the {@code .log} segment files of {@code <logDir>/<topic>-<partition>/} in offset
 * order, each batch with its exact bytes, and each record's key. Cluster tests read a stopped (or
 * quiet) broker's files with it to compare replicas byte for byte and to count records per replica
 * without trusting the broker that wrote them.
 */
final class ReplicaLogs {
    private ReplicaLogs() {
    }

    /** One batch as stored: its offsets, leader epoch and bytes (header included). */
    record Batch(Path segment, long baseOffset, long lastOffset, int leaderEpoch, byte[] bytes, List<String> keys) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Batch b && baseOffset == b.baseOffset && lastOffset == b.lastOffset
                && leaderEpoch == b.leaderEpoch && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(baseOffset) * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Batch[" + segment.getFileName() + " offsets " + baseOffset + ".." + lastOffset + " epoch "
                + leaderEpoch + ", " + bytes.length + " bytes]";
        }
    }

    static Path partitionDir(Path logDir, String topic, int partition) {
        return logDir.resolve(topic + "-" + partition);
    }

    /** The {@code .log} files of a partition directory, in offset order (the names are zero-padded offsets). */
    static List<Path> segments(Path partitionDir) {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every batch of a partition directory, segment by segment, in file order; fails when a file holds
     * bytes that are not whole batches (a torn tail) or when offsets do not increase.
     */
    static List<Batch> batches(Path partitionDir) {
        return batches(partitionDir, true);
    }

    /**
     * The whole batches of a partition a running broker may be appending to (for waits, not for verdicts): a
     * batch being written, a segment being rolled or deleted, a directory not created yet are skipped, not
     * failures.
     */
    static List<Batch> wholeBatches(Path partitionDir) {
        try {
            return batches(partitionDir, false);
        } catch (UncheckedIOException | CorruptRecordException e) {
            return List.of();
        }
    }

    private static List<Batch> batches(Path partitionDir, boolean strict) {
        final List<Batch> out = new ArrayList<>();
        long next = -1;
        for (Path segment : segments(partitionDir)) {
            final byte[] file = read(segment);
            final MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(file));
            int position = 0;
            for (MutableRecordBatch b : records.batches()) {
                final int size = b.sizeInBytes();
                final List<String> keys = new ArrayList<>();
                for (Record r : b) {
                    keys.add(r.hasKey() ? StandardCharsets.UTF_8.decode(r.key()).toString() : null);
                }
                if (b.baseOffset() < next) {
                    throw new AssertionError(segment + ": batch at " + b.baseOffset() + " after offset " + (next - 1));
                }
                next = b.lastOffset() + 1;
                out.add(new Batch(segment, b.baseOffset(), b.lastOffset(), b.partitionLeaderEpoch(),
                    Arrays.copyOfRange(file, position, position + size), keys));
                position += size;
            }
            if (strict && position != file.length) {
                throw new AssertionError(segment + ": " + (file.length - position)
                    + " bytes after the last whole batch (at " + position + " of " + file.length + ")");
            }
        }
        return out;
    }

    /** Key -> how many times it is stored in {@code batches}. */
    static Map<String, Integer> keyCounts(List<Batch> batches) {
        final Map<String, Integer> counts = new HashMap<>();
        for (Batch b : batches) {
            for (String k : b.keys()) {
                counts.merge(k, 1, Integer::sum);
            }
        }
        return counts;
    }

    /**
     * Compares the sealed segment files of several replicas of one partition: a segment counts when every
     * replica has a file with its base offset and the same next segment (so the files should cover the same
     * offsets); fails naming the file when their bytes differ. Returns the number of segments compared: a
     * replica rolls by its own size rule, so segments of replicas that appended in different chunks need not
     * line up (the callers compare every batch as well).
     */
    static int assertAlignedSealedSegmentsIdentical(List<Path> partitionDirs) {
        final List<List<String>> names = new ArrayList<>();
        for (Path dir : partitionDirs) {
            names.add(segments(dir).stream().map(f -> f.getFileName().toString()).toList());
        }
        int compared = 0;
        final List<String> first = names.get(0);
        for (int i = 0; i + 1 < first.size(); i++) {
            final String name = first.get(i);
            final String nextName = first.get(i + 1);
            final boolean aligned = names.stream().allMatch(n -> {
                final int at = n.indexOf(name);
                return at >= 0 && at + 1 < n.size() && n.get(at + 1).equals(nextName);
            });
            if (!aligned) {
                continue;
            }
            final byte[] expected = read(partitionDirs.get(0).resolve(name));
            for (Path dir : partitionDirs.subList(1, partitionDirs.size())) {
                if (!Arrays.equals(expected, read(dir.resolve(name)))) {
                    throw new AssertionError("sealed segment " + dir.resolve(name) + " differs from "
                        + partitionDirs.get(0).resolve(name));
                }
            }
            compared++;
        }
        return compared;
    }

    /** The log end offset the batches give (0 when empty). */
    static long logEnd(List<Batch> batches) {
        return batches.isEmpty() ? 0 : batches.get(batches.size() - 1).lastOffset() + 1;
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
