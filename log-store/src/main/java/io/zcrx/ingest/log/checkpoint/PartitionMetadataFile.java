package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * A partition's {@code partition.metadata} (docs/kafka-protocol-notes.md#partition-files; Kafka's
 * {@code PartitionMetadataFile}): the topic id, so a directory is never mistaken for another topic's
 * partition of the same name. Exactly Kafka's bytes, without a trailing newline:
 *
 * <pre>
 *   version: 0
 *   topic_id: 3lq1hG2sQ9KhCq7a1qk2bA
 * </pre>
 *
 * <p>Thread-safe (stateless).
 */
public final class PartitionMetadataFile {
    public static final String FILE_NAME = "partition.metadata";
    static final int VERSION = 0;

    private PartitionMetadataFile() {
    }

    /** The topic id, or null if the file does not exist. */
    public static Uuid read(Path file) throws IOException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (lines.size() < 2 || !lines.get(0).equals("version: " + VERSION) || !lines.get(1).startsWith("topic_id: ")) {
            throw new IOException("malformed partition metadata: file=" + file + ", lines=" + lines);
        }
        try {
            return Uuid.fromString(lines.get(1).substring("topic_id: ".length()).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed topic id: file=" + file + ", text=" + lines.get(1), e);
        }
    }

    public static void write(Path file, Uuid topicId) throws IOException {
        AtomicFiles.write(file, ("version: " + VERSION + "\ntopic_id: " + topicId).getBytes(StandardCharsets.UTF_8));
    }
}
