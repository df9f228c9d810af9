package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The two header lines every Kafka checkpoint file starts with: version, entry count. */
final class CheckpointLines {
    private CheckpointLines() {
    }

    /** Checks the header and returns the entry count. */
    static int header(Path file, List<String> lines, int expectedVersion) throws IOException {
        if (lines.size() < 2) {
            throw new IOException("checkpoint too short: file=" + file + ", lines=" + lines.size());
        }
        final int version;
        final int count;
        try {
            version = Integer.parseInt(lines.get(0).trim());
            count = Integer.parseInt(lines.get(1).trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint header: file=" + file + ", first=" + lines.get(0)
                + ", second=" + lines.get(1), e);
        }
        if (version != expectedVersion) {
            throw new IOException("unknown checkpoint version: file=" + file + ", version=" + version);
        }
        if (count < 0 || lines.size() - 2 < count) {
            throw new IOException("checkpoint entry count does not match: file=" + file + ", count=" + count
                + ", lines=" + (lines.size() - 2));
        }
        return count;
    }
}
