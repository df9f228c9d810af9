package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A partition's {@code leader-epoch-checkpoint} (docs/kafka-protocol-notes.md#partition-files; Kafka's
 * {@code LeaderEpochCheckpointFile}): (epoch, first offset written in that epoch) pairs. A single
 * node always leads with epoch 0, so the file holds at most one entry.
 *
 * <pre>
 *   0          format version
 *   1          entry count (0 before any data)
 *   0 1234     epoch, start offset
 * </pre>
 *
 * <p>Thread-safe (stateless).
 */
public final class LeaderEpochCheckpointFile {
    public static final String FILE_NAME = "leader-epoch-checkpoint";
    static final int VERSION = 0;

    private LeaderEpochCheckpointFile() {
    }

    /**
     * The start offset of epoch 0, -1 if the file lists no entry, or -2 if the file is missing.
     *
     * @throws IOException if the file is malformed or lists an epoch other than 0
     */
    public static long readEpochZeroStart(Path file) throws IOException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return -2L;
        }
        final int count = CheckpointLines.header(file, lines, VERSION);
        if (count == 0) {
            return -1L;
        }
        if (count != 1) {
            throw new IOException("more than one leader epoch on a single node: file=" + file + ", count=" + count);
        }
        final String[] fields = lines.get(2).split(" ");
        try {
            if (fields.length != 2 || Integer.parseInt(fields[0]) != 0 || Long.parseLong(fields[1]) < 0) {
                throw new IOException("unexpected leader epoch entry: file=" + file + ", text=" + lines.get(2));
            }
            return Long.parseLong(fields[1]);
        } catch (NumberFormatException e) {
            throw new IOException("malformed leader epoch entry: file=" + file + ", text=" + lines.get(2), e);
        }
    }

    /** Writes epoch 0 starting at {@code startOffset}, or no entry when it is negative. */
    public static void write(Path file, long startOffset) throws IOException {
        final String text = startOffset < 0 ? VERSION + "\n0\n" : VERSION + "\n1\n0 " + startOffset + "\n";
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
