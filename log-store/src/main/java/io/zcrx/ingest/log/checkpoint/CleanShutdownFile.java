package io.zcrx.ingest.log.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern BROKER_EPOCH = Pattern.compile("\"brokerEpoch\"\\s*:\\s*(-?\\d+)");

    /**
     * The broker epoch in the marker, or empty when there is no marker or it holds none (-1 or
     * unreadable), as Kafka's {@code CleanShutdownFileHandler.read}.
     */
    public static OptionalLong readBrokerEpoch(Path logDir) {
        try {
            final String text = Files.readString(logDir.resolve(FILE_NAME), StandardCharsets.UTF_8);
            final Matcher m = BROKER_EPOCH.matcher(text);
            if (m.find()) {
                final long epoch = Long.parseLong(m.group(1));
                return epoch >= 0 ? OptionalLong.of(epoch) : OptionalLong.empty();
            }
        } catch (IOException | NumberFormatException e) {
            // No marker, or a damaged one: no previous epoch (the controller treats the stop as unclean).
        }
        return OptionalLong.empty();
    }

    public static void write(Path logDir, long brokerEpoch) throws IOException {
        AtomicFiles.write(logDir.resolve(FILE_NAME),
            ("{\"version\":0,\"brokerEpoch\":" + brokerEpoch + "}").getBytes(StandardCharsets.UTF_8));
    }
}
