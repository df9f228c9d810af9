package io.zcrx.ingest.broker.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Assertions;

/**
 * Reads a partition straight from its segment files with kafka-clients' own {@code FileRecords}
 * (the reader Kafka's broker uses), validating every batch's CRC: the oracle for "what landed on
 * disk".
 */
public final class SegmentReader {

    /** One record as stored: absolute offset, timestamp, key, value (null allowed) and headers. */
    public record StoredRecord(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers,
                               int partitionLeaderEpoch, long producerId, int baseSequence) {
    }

    private SegmentReader() {
    }

    public static Path partitionDir(Path logDir, String topic, int partition) {
        return logDir.resolve(topic + "-" + partition);
    }

    /** The partition's .log files in offset order. */
    public static List<Path> segments(Path logDir, String topic, int partition) throws IOException {
        try (Stream<Path> s = Files.list(partitionDir(logDir, topic, partition))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    public static List<StoredRecord> read(Path logDir, String topic, int partition) throws IOException {
        final List<StoredRecord> out = new ArrayList<>();
        for (Path seg : segments(logDir, topic, partition)) {
            // Never FileRecords.close(): it trims the file to the size seen at open, and the broker
            // may have appended since. Only the channel is closed.
            final FileRecords fr = FileRecords.open(seg.toFile(), false);
            try (FileChannel ignored = fr.channel()) {
                for (FileChannelRecordBatch batch : fr.batches()) {
                    batch.ensureValid();
                    for (Record r : batch) {
                        out.add(new StoredRecord(r.offset(), r.timestamp(), bytes(r.key()), bytes(r.value()),
                            Arrays.asList(r.headers()), batch.partitionLeaderEpoch(), batch.producerId(),
                            batch.baseSequence()));
                    }
                }
            }
        }
        return out;
    }

    /** Every .log/.index/.timeindex/.snapshot file of the partition, for DumpLogSegments. */
    public static List<File> allFiles(Path logDir, String topic, int partition) throws IOException {
        try (Stream<Path> s = Files.list(partitionDir(logDir, topic, partition))) {
            return s.map(Path::toFile).filter(f -> f.getName().matches("\\d{20}\\.(log|index|timeindex|snapshot)"))
                .sorted().toList();
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        final byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /**
     * Runs Kafka's {@code DumpLogSegments --deep-iteration} over {@code files} in a child JVM and
     * asserts it found nothing wrong: exit code 0, no invalid batch, no index mismatch, no exception,
     * no corruption. Returns its output, for counting batches and records.
     */
    public static String dumpAndCheck(List<File> files, long timeoutSeconds) throws IOException, InterruptedException {
        final ChildJvm.Result res = ChildJvm.run(timeoutSeconds, "org.apache.kafka.tools.DumpLogSegments",
            "--deep-iteration", "--files", String.join(",", files.stream().map(File::getPath).toList()));
        Assertions.assertEquals(0, res.exitCode(), res.output());
        final String lower = res.output().toLowerCase();
        for (String bad : List.of("isvalid: false", "mismatch", "exception", "corrupt")) {
            Assertions.assertFalse(lower.contains(bad), res.output());
        }
        return res.output();
    }
}
