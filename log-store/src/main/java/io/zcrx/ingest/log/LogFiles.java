package io.zcrx.ingest.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * File and directory names of a Kafka log (docs/kafka-protocol-notes.md#log-directory-layout; Kafka's
 * {@code LogFileUtils}): segment files are named after their base offset, zero-padded to 20
 * digits; a partition directory is {@code <topic>-<partition>}.
 *
 * <pre>
 *   00000000000000001234.log | .index | .timeindex | .snapshot     (+ ".deleted" while being removed)
 *   orders-0/                                                       (+ ".<uuid>-delete" while being removed)
 * </pre>
 */
final class LogFiles {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String TXN_INDEX_SUFFIX = ".txnindex";
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    static final String DELETED_SUFFIX = ".deleted";
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    static final String TMP_SUFFIX = ".tmp";
    static final String DELETE_DIR_SUFFIX = "-delete";
    static final String STRAY_DIR_SUFFIX = "-stray";
    static final String FUTURE_DIR_SUFFIX = "-future";
    /** Kafka's LogFileUtils: base offsets are printed with 20 digits (Long.MAX_VALUE has 19). */
    static final int OFFSET_DIGITS = 20;

    private LogFiles() {
    }

    static String prefix(long offset) {
        final String digits = Long.toString(offset);
        final StringBuilder sb = new StringBuilder(OFFSET_DIGITS);
        for (int i = digits.length(); i < OFFSET_DIGITS; i++) {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(prefix(baseOffset) + LOG_SUFFIX);
    }

    static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(prefix(baseOffset) + INDEX_SUFFIX);
    }

    static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(prefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    static Path snapshotFile(Path dir, long offset) {
        return dir.resolve(prefix(offset) + SNAPSHOT_SUFFIX);
    }

    /** The offset a segment or snapshot file name starts with, or -1 if the name has none. */
    static long offsetOf(String fileName) {
        final int dot = fileName.indexOf('.');
        if (dot != OFFSET_DIGITS) {
            return -1L;
        }
        for (int i = 0; i < dot; i++) {
            if (fileName.charAt(i) < '0' || fileName.charAt(i) > '9') {
                return -1L;
            }
        }
        try {
            return Long.parseLong(fileName.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    static String partitionDirName(String topic, int partition) {
        return topic + "-" + partition;
    }

    /** The partition number of a {@code <topic>-<partition>} directory name, or -1. */
    static int partitionOf(String dirName) {
        final int dash = dirName.lastIndexOf('-');
        if (dash <= 0 || dash == dirName.length() - 1) {
            return -1;
        }
        for (int i = dash + 1; i < dirName.length(); i++) {
            if (dirName.charAt(i) < '0' || dirName.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Integer.parseInt(dirName.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String topicOf(String dirName) {
        return dirName.substring(0, dirName.lastIndexOf('-'));
    }

    /** Deletes a directory and everything in it (nothing if it does not exist). */
    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
