package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.checkpoint.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code replication-offset-checkpoint}, one per log directory (Kafka's {@code OffsetCheckpointFile} format): the
 * high watermark of every partition in that directory, written every
 * {@code replica.high.watermark.checkpoint.interval.ms} and at clean shutdown, read at start so that a replicated
 * partition's high watermark survives a restart (Kafka's {@code ReplicaManager.checkpointHighWatermarks}).
 *
 * <p>Cluster mode only: a standalone broker's high watermark is its log end offset, there is nothing to keep.
 * Stateless; callers serialise the writes (the log scheduler and the shutdown run one after the other).
 */
public final class HighWatermarkCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(HighWatermarkCheckpoints.class);
    public static final String FILE_NAME = "replication-offset-checkpoint";

    private HighWatermarkCheckpoints() {
    }

    /** Every directory's entries; a directory whose file is unreadable contributes nothing (logged). */
    public static Map<TopicPartition, Long> read(List<Path> logDirs) {
        final Map<TopicPartition, Long> all = new HashMap<>();
        for (Path dir : logDirs) {
            final Path file = dir.resolve(FILE_NAME);
            try {
                all.putAll(OffsetCheckpointFile.read(file));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Reading {} failed; the high watermarks of its partitions start from their log start: {}",
                    file, e.toString());
            }
        }
        return all;
    }

    /**
     * Writes each directory's file with the current high watermark of its partitions ({@code logs}, each's value
     * as {@code highWatermark} gives it: {@link LeaderPartitions#checkpointValue}); a directory without partitions
     * gets an empty file.
     *
     * @throws IOException when a file could not be written (the others are written anyway)
     */
    public static void write(List<Path> logDirs, Collection<PartitionLog> logs,
                             ToLongFunction<PartitionLog> highWatermark) throws IOException {
        final Map<Path, Map<TopicPartition, Long>> byDir = new LinkedHashMap<>();
        for (Path dir : logDirs) {
            byDir.put(dir.toAbsolutePath().normalize(), new LinkedHashMap<>());
        }
        for (PartitionLog log : logs) {
            final Path parent = log.dir().toAbsolutePath().normalize().getParent();
            final Map<TopicPartition, Long> entries = byDir.get(parent);
            if (entries != null && log.isOnline()) {
                entries.put(log.topicPartition(), highWatermark.applyAsLong(log));
            }
        }
        IOException failed = null;
        for (Map.Entry<Path, Map<TopicPartition, Long>> e : byDir.entrySet()) {
            try {
                OffsetCheckpointFile.write(e.getKey().resolve(FILE_NAME), e.getValue());
            } catch (IOException ex) {
                if (failed == null) {
                    failed = ex;
                } else {
                    failed.addSuppressed(ex);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
