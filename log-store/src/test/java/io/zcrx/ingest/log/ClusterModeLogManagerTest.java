package io.zcrx.ingest.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.log.checkpoint.CleanShutdownFile;
import io.zcrx.ingest.log.checkpoint.MetaPropertiesFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log manager's cluster-mode duties: directories must be formatted beforehand, the broker epoch
 * of a clean shutdown is recorded and read back (Kafka's previous broker epoch), and the KRaft
 * metadata log's directory is never taken for a partition.
 */
class ClusterModeLogManagerTest {
    @TempDir
    Path dir;

    private LogManager open(boolean requireFormatted) throws IOException {
        return LogManager.open(List.of(dir), 1, LogConfig.builder().build(), 86_400_000L,
            LogManager.DEFAULT_OPEN_SEGMENTS_MAX, System::currentTimeMillis, requireFormatted);
    }

    @Test
    void anUnformattedDirectoryIsRefusedNotFormatted() {
        final IOException e = assertThrows(IOException.class, () -> open(true));
        assertTrue(e.getMessage().contains("not formatted") && e.getMessage().contains(dir.toString()),
            e.getMessage());
        assertFalse(Files.exists(dir.resolve(MetaPropertiesFile.FILE_NAME)));
    }

    @Test
    void theCleanShutdownMarkerCarriesTheBrokerEpoch() throws IOException {
        new MetaPropertiesFile("Qk3b0aX2R0qfY3u3B0m2mA", 1, MetaPropertiesFile.newDirectoryId()).write(dir);
        LogManager logs = open(true);
        assertEquals(OptionalLong.empty(), logs.previousBrokerEpoch(), "no marker: first start");
        logs.close(42L);
        assertTrue(Files.readString(dir.resolve(CleanShutdownFile.FILE_NAME)).contains("\"brokerEpoch\":42"));
        logs = open(true);
        assertEquals(OptionalLong.of(42L), logs.previousBrokerEpoch());
        logs.close();
        logs = open(true);
        assertEquals(OptionalLong.empty(), logs.previousBrokerEpoch(), "standalone close writes -1: no epoch");
        logs.close();
    }

    @Test
    void theMetadataLogDirectoryIsNotAPartition() throws IOException {
        new MetaPropertiesFile("Qk3b0aX2R0qfY3u3B0m2mA", 1, MetaPropertiesFile.newDirectoryId()).write(dir);
        Files.createDirectories(dir.resolve("__cluster_metadata-0"));
        Files.writeString(dir.resolve("__cluster_metadata-0").resolve("quorum-state"), "{}");
        try (LogManager logs = open(true)) {
            assertTrue(logs.partitions().isEmpty());
            logs.createPartition("t", 0, Uuid.randomUuid(), LogConfig.builder().build());
            assertEquals(1, logs.partitions().size());
        }
        assertTrue(Files.exists(dir.resolve("__cluster_metadata-0").resolve("quorum-state")), "left alone");
    }
}
