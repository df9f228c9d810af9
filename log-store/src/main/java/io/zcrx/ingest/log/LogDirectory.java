package io.zcrx.ingest.log;

import io.zcrx.ingest.log.checkpoint.DirectoryLock;
import io.zcrx.ingest.log.checkpoint.MetaPropertiesFile;
import io.zcrx.ingest.log.checkpoint.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log directory's own files: the {@code .lock} held while the broker runs,
 * {@code meta.properties} (cluster id, node id, directory id; written when the directory is
 * formatted), the recovery-point and log-start-offset checkpoints, and which of its subdirectories
 * are partitions. Loading the partitions themselves is {@link LogManager}'s and {@link LogLoader}'s.
 *
 * <pre>
 *   &lt;log.dir&gt;/meta.properties  .lock  recovery-point-offset-checkpoint  log-start-offset-checkpoint
 * </pre>
 *
 * <p>{@link #openAll} opens and checks every configured directory together (they must agree on the
 * cluster and the node). Not thread-safe: {@link LogManager} calls it under its lifecycle lock.
 */
final class LogDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(LogDirectory.class);

    /** {@code __cluster_metadata-0}: the KRaft metadata log's directory, never one of our partitions. */
    static final String METADATA_PARTITION_DIR = "__cluster_metadata-0";

    final Path path;
    final DirectoryLock lock;
    MetaPropertiesFile meta;

    private LogDirectory(Path path, DirectoryLock lock, MetaPropertiesFile meta) {
        this.path = path;
        this.lock = lock;
        this.meta = meta;
    }

    /** The directories, opened and locked, and the cluster id they share (generated if new). */
    static final class Opened {
        final List<LogDirectory> dirs;
        final String clusterId;

        Opened(List<LogDirectory> dirs, String clusterId) {
            this.dirs = dirs;
            this.clusterId = clusterId;
        }
    }

    /**
     * Creates, locks and checks every directory, and formats the new ones ({@code meta.properties}
     * with a cluster id taken from the others or generated). On failure every lock taken is
     * released and the IOException names the directory.
     */
    static Opened openAll(List<Path> logDirs, int nodeId) throws IOException {
        return openAll(logDirs, nodeId, false);
    }

    /**
     * As {@link #openAll(List, int)}; with {@code requireFormatted} (cluster mode) a directory without
     * {@code meta.properties} (or without a directory id) is an IOException naming it instead of being
     * formatted: a KRaft broker's directories are formatted with the cluster's id beforehand.
     */
    static Opened openAll(List<Path> logDirs, int nodeId, boolean requireFormatted) throws IOException {
        final List<LogDirectory> opened = new ArrayList<>();
        try {
            String clusterId = null;
            Path clusterIdFrom = null;
            for (Path configured : logDirs) {
                final Path dir = configured.toAbsolutePath().normalize();
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new IOException("cannot create log directory: dir=" + dir + ": " + e, e);
                }
                if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                    throw new IOException("log directory is not a writable directory: dir=" + dir);
                }
                for (LogDirectory other : opened) {
                    if (other.path.equals(dir)) {
                        throw new IOException("log directory listed twice: dir=" + dir);
                    }
                }
                final DirectoryLock lock = DirectoryLock.acquire(dir);
                final MetaPropertiesFile meta;
                try {
                    meta = MetaPropertiesFile.read(dir);
                } catch (IOException e) {
                    lock.close();
                    throw e;
                }
                opened.add(new LogDirectory(dir, lock, meta));
                if (requireFormatted && (meta == null || meta.directoryId == null)) {
                    throw new IOException("log directory is not formatted: dir=" + dir
                        + (meta == null ? " has no " + MetaPropertiesFile.FILE_NAME : " has no directory.id"));
                }
                if (meta != null) {
                    if (meta.nodeId != nodeId) {
                        throw new IOException("log directory belongs to another node: dir=" + dir
                            + ", node.id in meta.properties="
                            + meta.nodeId + ", configured node.id=" + nodeId);
                    }
                    if (clusterId == null) {
                        clusterId = meta.clusterId;
                        clusterIdFrom = dir;
                    } else if (!clusterId.equals(meta.clusterId)) {
                        throw new IOException("log directories belong to different clusters: dir=" + dir
                            + ", cluster.id="
                            + meta.clusterId + ", dir=" + clusterIdFrom + ", cluster.id=" + clusterId);
                    }
                }
            }
            if (clusterId == null) {
                clusterId = Uuid.randomUuid().toString();
                LOG.info("Formatting new log directories: cluster.id={}, node.id={}", clusterId, nodeId);
            }
            for (LogDirectory d : opened) {
                if (d.meta == null || d.meta.directoryId == null) {
                    d.meta = new MetaPropertiesFile(clusterId, nodeId, MetaPropertiesFile.newDirectoryId());
                    d.meta.write(d.path);
                }
            }
            return new Opened(opened, clusterId);
        } catch (IOException | RuntimeException e) {
            unlockAll(opened, e);
            throw e;
        }
    }

    /** Releases every lock, adding failures to {@code cause}. */
    static void unlockAll(List<LogDirectory> dirs, Exception cause) {
        for (LogDirectory d : dirs) {
            try {
                d.lock.close();
            } catch (IOException suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
    }

    /**
     * The partition directories ({@code <topic>-<partition>}) in this log directory, sorted.
     * Finishes the deletion of directories renamed {@code -delete} (a crash interrupted it) and
     * skips {@code -stray}, {@code -future} and anything that is not a partition's directory.
     */
    List<Path> partitionDirectories() throws IOException {
        final List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    children.add(p);
                }
            }
        }
        Collections.sort(children);
        final List<Path> partitions = new ArrayList<>();
        for (Path child : children) {
            final String name = child.getFileName().toString();
            if (name.endsWith(LogFiles.DELETE_DIR_SUFFIX)) {
                LOG.info("Finishing deletion of partition directory: dir={}", child);
                LogFiles.deleteRecursively(child);
                continue;
            }
            if (name.equals(METADATA_PARTITION_DIR)) {
                // Cluster mode's replica of the metadata log, when metadata.log.dir is a log dir: Kafka's
                // Raft client owns it.
                continue;
            }
            if (name.endsWith(LogFiles.STRAY_DIR_SUFFIX) || name.endsWith(LogFiles.FUTURE_DIR_SUFFIX)) {
                LOG.warn("Ignoring partition directory: dir={}", child);
                continue;
            }
            final int partition = LogFiles.partitionOf(name);
            final String topic = partition < 0 ? null : LogFiles.topicOf(name);
            if (topic == null || !isValidTopic(topic)) {
                LOG.info("Skipping directory that is not a partition: dir={}", child);
                continue;
            }
            partitions.add(child);
        }
        return partitions;
    }

    private static boolean isValidTopic(String topic) {
        try {
            Topic.validate(topic);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    /** True if {@code log}'s partition directory is in this log directory. */
    boolean holds(PartitionLog log) {
        return log.dir().getParent().equals(path);
    }

    /** A checkpoint file of this directory; unreadable is empty (recovery points 0 re-validate everything). */
    Map<TopicPartition, Long> readCheckpoint(String fileName) {
        final Path file = path.resolve(fileName);
        try {
            return OffsetCheckpointFile.read(file);
        } catch (IOException e) {
            // A damaged checkpoint only costs work: recovery points 0 re-validate everything.
            LOG.warn("Ignoring unreadable checkpoint: file={}: {}", file, e.getMessage());
            return new LinkedHashMap<>();
        }
    }

    /**
     * Writes the recovery-point and log-start-offset checkpoints for the partitions of {@code logs}
     * in this directory. The log-start file lists, as Kafka's does, only partitions whose log start
     * lies inside their first segment.
     */
    void writeCheckpoints(Collection<PartitionLog> logs) throws IOException {
        final Map<TopicPartition, Long> recoveryPoints = new TreeMap<>(LogDirectory::compare);
        final Map<TopicPartition, Long> logStarts = new TreeMap<>(LogDirectory::compare);
        for (PartitionLog log : logs) {
            if (holds(log)) {
                recoveryPoints.put(log.topicPartition(), log.recoveryPoint());
                final long[] bases = log.segmentBaseOffsets();
                if (log.logStartOffset() > bases[0]) {
                    logStarts.put(log.topicPartition(), log.logStartOffset());
                }
            }
        }
        OffsetCheckpointFile.write(path.resolve(OffsetCheckpointFile.RECOVERY_POINT_FILE), recoveryPoints);
        OffsetCheckpointFile.write(path.resolve(OffsetCheckpointFile.LOG_START_OFFSET_FILE), logStarts);
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        final int c = a.topic().compareTo(b.topic());
        return c != 0 ? c : Integer.compare(a.partition(), b.partition());
    }
}
