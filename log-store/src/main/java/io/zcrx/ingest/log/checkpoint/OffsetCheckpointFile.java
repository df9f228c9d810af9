package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A per-log-directory offset checkpoint ({@code recovery-point-offset-checkpoint},
 * {@code log-start-offset-checkpoint}; docs/kafka-protocol-notes.md#log-directory-layout, Kafka's
 * {@code OffsetCheckpointFile}).
 *
 * <pre>
 *   0                      format version
 *   2                      entry count
 *   orders 0 1234          topic, partition, offset, one entry per line, single spaces
 *   orders 1 99
 * </pre>
 *
 * <p>Written with {@link AtomicFiles}. Thread-safe (stateless).
 */
public final class OffsetCheckpointFile {
    public static final String RECOVERY_POINT_FILE = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_FILE = "log-start-offset-checkpoint";
    static final int VERSION = 0;

    private OffsetCheckpointFile() {
    }

    /** The entries; an empty map if the file does not exist. */
    public static Map<TopicPartition, Long> read(Path file) throws IOException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        }
        final Map<TopicPartition, Long> entries = new LinkedHashMap<>();
        final int count = CheckpointLines.header(file, lines, VERSION);
        for (int i = 0; i < count; i++) {
            final String line = lines.get(2 + i);
            final String[] fields = line.split(" ");
            if (fields.length != 3) {
                throw new IOException("malformed checkpoint entry: file=" + file + ", line=" + (3 + i) + ", text="
                    + line);
            }
            try {
                entries.put(new TopicPartition(fields[0], Integer.parseInt(fields[1])), Long.parseLong(fields[2]));
            } catch (NumberFormatException e) {
                throw new IOException("malformed checkpoint entry: file=" + file + ", line=" + (3 + i) + ", text="
                    + line, e);
            }
        }
        return entries;
    }

    public static void write(Path file, Map<TopicPartition, Long> entries) throws IOException {
        final StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(entries.size()).append('\n');
        for (Map.Entry<TopicPartition, Long> e : entries.entrySet()) {
            sb.append(e.getKey().topic()).append(' ').append(e.getKey().partition()).append(' ')
                .append(e.getValue()).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
