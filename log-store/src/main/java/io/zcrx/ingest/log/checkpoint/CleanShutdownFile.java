package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code .kafka_cleanshutdown} marker of a log directory
 * (docs/kafka-protocol-notes.md#recovery-and-clean-shutdown; Kafka's {@code CleanShutdownFileHandler}): written
 * last by a clean shutdown, deleted first on start, so its presence at start-up means no partition needs
 * validating. Content is Kafka's JSON; we have no broker epoch (no controller registration), so it is -1.
 *
 * <pre>
 *   {"version":0,"brokerEpoch":-1}
 * </pre>
 */
public final class CleanShutdownFile {
    public static final String FILE_NAME = ".kafka_cleanshutdown";

    private CleanShutdownFile() {
    }

    public static boolean exists(Path logDir) {
        return Files.exists(logDir.resolve(FILE_NAME));
    }

    /** Deletes the marker (and syncs the directory, so a crash right after cannot resurrect it). */
    public static void delete(Path logDir) throws IOException {
        if (Files.deleteIfExists(logDir.resolve(FILE_NAME))) {
            AtomicFiles.fsyncDirectory(logDir);
        }
    }

    public static void write(Path logDir, long brokerEpoch) throws IOException {
        AtomicFiles.write(logDir.resolve(FILE_NAME),
            ("{\"version\":0,\"brokerEpoch\":" + brokerEpoch + "}").getBytes(StandardCharsets.UTF_8));
    }
}
