package io.zcrx.ingest.log.checkpoint;

import io.zcrx.ingest.log.epoch.EpochEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A partition's {@code leader-epoch-checkpoint} (docs/kafka-protocol-notes.md#partition-files; Kafka's
 * {@code LeaderEpochCheckpointFile}): the leader epoch history, one (epoch, first offset written in that epoch) pair
 * per line, oldest first.
 *
 * <pre>
 *   0          format version
 *   3          entry count (0 before any data)
 *   0 0        epoch, start offset
 *   3 120
 *   5 410
 * </pre>
 *
 * <p>Written with {@link AtomicFiles} (tmp, fsync, rename, directory fsync), so a crash leaves the old or the new
 * history, never a mix. Thread-safe (stateless); callers serialise writes of one file.
 */
public final class LeaderEpochCheckpointFile {
    public static final String FILE_NAME = "leader-epoch-checkpoint";
    static final int VERSION = 0;

    private LeaderEpochCheckpointFile() {
    }

    /**
     * The entries as the file lists them, or null if the file does not exist. Like Kafka's reader, fields may be
     * separated by any whitespace; the order and monotonicity of the entries are the cache's business.
     *
     * @throws IOException if the file cannot be read or is malformed (bad header, count larger than the lines, an
     *     entry that is not two numbers, a negative epoch or offset)
     */
    public static List<EpochEntry> read(Path file) throws IOException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        final int count = CheckpointLines.header(file, lines, VERSION);
        final List<EpochEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final String line = lines.get(2 + i);
            final String[] fields = line.trim().split("\\s+");
            try {
                if (fields.length != 2) {
                    throw new IOException("malformed leader epoch entry: file=" + file + ", line=" + (3 + i)
                        + ", text=" + line);
                }
                entries.add(new EpochEntry(Integer.parseInt(fields[0]), Long.parseLong(fields[1])));
            } catch (IllegalArgumentException e) {
                // NumberFormatException, or EpochEntry refusing a negative value
                throw new IOException("malformed leader epoch entry: file=" + file + ", line=" + (3 + i) + ", text="
                    + line, e);
            }
        }
        return entries;
    }

    /** Replaces the file with {@code entries} (oldest first; an empty list writes the empty history). */
    public static void write(Path file, List<EpochEntry> entries) throws IOException {
        final StringBuilder sb = new StringBuilder(16 + 24 * entries.size());
        sb.append(VERSION).append('\n').append(entries.size()).append('\n');
        for (EpochEntry e : entries) {
            sb.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
