package io.zcrx.ingest.log;

import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import io.zcrx.ingest.log.checkpoint.CleanShutdownFile;
import io.zcrx.ingest.log.checkpoint.DirectoryLock;
import io.zcrx.ingest.log.checkpoint.LeaderEpochCheckpointFile;
import io.zcrx.ingest.log.checkpoint.MetaPropertiesFile;
import io.zcrx.ingest.log.checkpoint.OffsetCheckpointFile;
import io.zcrx.ingest.log.checkpoint.PartitionMetadataFile;
import io.zcrx.ingest.log.producer.ProducerStateTable;
import java.io.Closeable;
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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's log directories (docs/kafka-protocol-notes.md#log-directory-layout): {@code meta.properties},
 * {@code .lock}, clean-shutdown marker, recovery-point and log-start-offset checkpoints, and every partition log.
 * {@link #open} loads and, after an unclean shutdown, recovers them; {@link #close} is the clean shutdown.
 *
 * <pre>
 *   &lt;log.dir&gt;/meta.properties  .lock  .kafka_cleanshutdown  recovery-point-offset-checkpoint
 *             log-start-offset-checkpoint  &lt;topic&gt;-&lt;partition&gt;/ ...
 * </pre>
 *
 * <p>Who calls what: reactor threads call {@link PartitionLog#append} on the logs handed out here;
 * the broker's one flusher/maintenance thread calls {@link #flushDue}, {@link #checkpoint},
 * {@link #deleteOldSegments} and {@link #removeExpiredProducers}; start-up calls {@link #open},
 * shutdown {@link #close}.
 *
 * <p>Guarantees: an append that returned is in the page cache. {@link #flushDue} fsyncs what the
 * flush policy ({@code flush.messages}, {@code flush.ms}) says is due and advances recovery points;
 * {@link #checkpoint} writes them down, which bounds the re-validation after a crash. After a clean
 * {@link #close} the next start validates nothing.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class LogManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final List<LogDir> dirs;
    private final String clusterId;
    private final int nodeId;
    private final LogConfig defaults;
    private final long producerIdExpirationMs;
    private final LongSupplier nowMs;
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Object lifecycleLock = new Object();
    private volatile boolean closed;
    /** Start-up statistics for the summary line. */
    private int recoveredPartitions;
    private long truncatedBytes;
    private int deletedSegments;

    /** One log directory held by this manager. */
    private static final class LogDir {
        final Path path;
        final DirectoryLock lock;
        MetaPropertiesFile meta;

        LogDir(Path path, DirectoryLock lock, MetaPropertiesFile meta) {
            this.path = path;
            this.lock = lock;
            this.meta = meta;
        }
    }

    private LogManager(List<LogDir> dirs, String clusterId, int nodeId, LogConfig defaults, long producerIdExpirationMs,
                       LongSupplier nowMs) {
        this.dirs = dirs;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.defaults = defaults;
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.nowMs = nowMs;
    }

    /**
     * Opens (formatting if new) the log directories, recovers every partition, and returns the
     * manager.
     *
     * @param logDirs   {@code log.dirs}; created if missing; a directory that cannot be used is an
     *                  IOException naming it
     * @param nodeId    {@code node.id}; must match an existing {@code meta.properties}
     * @param defaults  the broker-level log config, used for partitions without their own
     * @param nowMs     wall clock (tests pass a fake)
     */
    public static LogManager open(List<Path> logDirs, int nodeId, LogConfig defaults, long producerIdExpirationMs,
                                  LongSupplier nowMs) throws IOException {
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("no log directories: log.dirs=" + logDirs);
        }
        if (nodeId < 0) {
            throw new IllegalArgumentException("node id must be >= 0: node.id=" + nodeId);
        }
        final long startNs = System.nanoTime();
        final List<LogDir> opened = new ArrayList<>();
        LogManager manager = null;
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
                for (LogDir other : opened) {
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
                opened.add(new LogDir(dir, lock, meta));
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
            for (LogDir d : opened) {
                if (d.meta == null || d.meta.directoryId == null) {
                    d.meta = new MetaPropertiesFile(clusterId, nodeId, MetaPropertiesFile.newDirectoryId());
                    d.meta.write(d.path);
                }
            }
            manager = new LogManager(opened, clusterId, nodeId, defaults, producerIdExpirationMs, nowMs);
            int partitions = 0;
            for (LogDir d : opened) {
                partitions += manager.loadDir(d);
            }
            manager.checkpoint();
            LOG.info("Opened {} log director{} with {} partition(s) in {} ms ({} recovered after an unclean shutdown, "
                    + "{} bytes truncated, {} segments deleted): cluster.id={}, node.id={}", opened.size(),
                opened.size() == 1 ? "y" : "ies", partitions, (System.nanoTime() - startNs) / 1_000_000,
                manager.recoveredPartitions, manager.truncatedBytes, manager.deletedSegments, clusterId, nodeId);
            return manager;
        } catch (IOException | RuntimeException e) {
            if (manager != null) {
                for (PartitionLog log : manager.logs.values()) {
                    log.abandon();
                }
            }
            for (LogDir d : opened) {
                try {
                    d.lock.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Loads every partition directory of one log dir; returns how many. */
    private int loadDir(LogDir d) throws IOException {
        final boolean clean = CleanShutdownFile.exists(d.path);
        // Deleted first: if this start crashes half-way, the next one must recover everything.
        CleanShutdownFile.delete(d.path);
        final Map<TopicPartition, Long> recoveryPoints =
            readCheckpoint(d.path.resolve(OffsetCheckpointFile.RECOVERY_POINT_FILE));
        final Map<TopicPartition, Long> logStarts =
            readCheckpoint(d.path.resolve(OffsetCheckpointFile.LOG_START_OFFSET_FILE));
        final List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(d.path)) {
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    children.add(p);
                }
            }
        }
        Collections.sort(children);
        int loaded = 0;
        for (Path child : children) {
            final String name = child.getFileName().toString();
            if (name.endsWith(LogFiles.DELETE_DIR_SUFFIX)) {
                LOG.info("Finishing deletion of partition directory: dir={}", child);
                PartitionLog.deleteRecursively(child);
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
            final TopicPartition tp = new TopicPartition(topic, partition);
            final LogLoader loader = new LogLoader(child, topic, partition, defaults, clean,
                recoveryPoints.getOrDefault(tp, 0L), logStarts.getOrDefault(tp, 0L), producerIdExpirationMs,
                nowMs.getAsLong());
            final PartitionLog log = loader.load();
            if (loader.recoveredSegments > 0) {
                recoveredPartitions++;
            }
            truncatedBytes += loader.truncatedBytes;
            deletedSegments += loader.deletedSegments;
            final PartitionLog previous = logs.putIfAbsent(tp, log);
            if (previous != null) {
                log.abandon();
                throw new IOException("partition found in two log directories: partition=" + tp + ", dir="
                    + previous.dir() + ", dir=" + child);
            }
            loaded++;
        }
        return loaded;
    }

    private static Map<TopicPartition, Long> readCheckpoint(Path file) {
        try {
            return OffsetCheckpointFile.read(file);
        } catch (IOException e) {
            // A damaged checkpoint only costs work: recovery points 0 re-validate everything.
            LOG.warn("Ignoring unreadable checkpoint: file={}: {}", file, e.getMessage());
            return new LinkedHashMap<>();
        }
    }

    private static boolean isValidTopic(String topic) {
        try {
            Topic.validate(topic);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    /** The cluster id from {@code meta.properties} (generated when the directory was formatted). */
    public String clusterId() {
        return clusterId;
    }

    public int nodeId() {
        return nodeId;
    }

    /** The log directories, absolute, in configuration order. */
    public List<Path> logDirs() {
        final List<Path> paths = new ArrayList<>(dirs.size());
        for (LogDir d : dirs) {
            paths.add(d.path);
        }
        return paths;
    }

    /** The {@code directory.id} of one of {@link #logDirs()}, or null. */
    public Uuid directoryId(Path logDir) {
        for (LogDir d : dirs) {
            if (d.path.equals(logDir.toAbsolutePath().normalize())) {
                return d.meta.directoryId;
            }
        }
        return null;
    }

    public Collection<PartitionLog> partitions() {
        return Collections.unmodifiableCollection(logs.values());
    }

    /** The partition's log, or null. */
    public PartitionLog partition(String topic, int partition) {
        return logs.get(new TopicPartition(topic, partition));
    }

    /**
     * Creates the partition directory (in the log dir holding the fewest partitions) with its
     * {@code partition.metadata}, or returns the existing log if it has the same topic id.
     *
     * @throws InvalidTopicException         if the name is not a legal topic name
     * @throws InconsistentTopicIdException  if the partition exists with another topic id
     */
    public PartitionLog createPartition(String topic, int partition, Uuid topicId,
            LogConfig config) throws IOException {
        Topic.validate(topic);
        if (partition < 0 || topicId == null || Uuid.ZERO_UUID.equals(topicId)) {
            throw new IllegalArgumentException("invalid partition: topic=" + topic + ", partition=" + partition
                + ", topicId=" + topicId);
        }
        final TopicPartition tp = new TopicPartition(topic, partition);
        synchronized (lifecycleLock) {
            ensureOpen();
            final PartitionLog existing = logs.get(tp);
            if (existing != null) {
                if (Uuid.ZERO_UUID.equals(existing.topicId())) {
                    existing.recordTopicId(topicId);
                    existing.updateConfig(config);
                    return existing;
                }
                if (!existing.topicId().equals(topicId)) {
                    throw new InconsistentTopicIdException("partition exists with another topic id: partition=" + tp
                        + ", existing=" + existing.topicId() + ", requested=" + topicId);
                }
                return existing;
            }
            final LogDir target = leastLoadedDir();
            final Path dir = target.path.resolve(LogFiles.partitionDirName(topic, partition));
            try {
                Files.createDirectory(dir);
            } catch (IOException e) {
                throw new IOException("cannot create partition directory: dir=" + dir + ": " + e, e);
            }
            Segment segment = null;
            try {
                PartitionMetadataFile.write(dir.resolve(PartitionMetadataFile.FILE_NAME), topicId);
                LeaderEpochCheckpointFile.write(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME), -1L);
                segment = Segment.create(dir, 0L, config, nowMs.getAsLong());
                AtomicFiles.fsyncDirectory(dir);
                AtomicFiles.fsyncDirectory(target.path);
            } catch (IOException | RuntimeException e) {
                if (segment != null) {
                    segment.release();
                }
                PartitionLog.deleteRecursively(dir);
                throw e;
            }
            final PartitionLog log = new PartitionLog(dir, topic, partition, topicId, config, producerIdExpirationMs,
                new Segment[] {segment}, 0L, 0L, new ProducerStateTable(), new TreeSet<>(), -1L);
            logs.put(tp, log);
            LOG.info("Created partition: partition={}, topicId={}, dir={}", tp, topicId, dir);
            return log;
        }
    }

    private LogDir leastLoadedDir() {
        LogDir best = null;
        int bestCount = Integer.MAX_VALUE;
        for (LogDir d : dirs) {
            int count = 0;
            for (PartitionLog log : logs.values()) {
                if (log.dir().getParent().equals(d.path)) {
                    count++;
                }
            }
            if (count < bestCount) {
                best = d;
                bestCount = count;
            }
        }
        return best;
    }

    /**
     * Deletes a partition and its directory (DeleteTopics). Appends racing the deletion answer
     * NOT_LEADER_OR_FOLLOWER. Returns false if there was no such partition.
     */
    public boolean deletePartition(String topic, int partition) throws IOException {
        final TopicPartition tp = new TopicPartition(topic, partition);
        synchronized (lifecycleLock) {
            ensureOpen();
            final PartitionLog log = logs.remove(tp);
            if (log == null) {
                return false;
            }
            log.delete();
            checkpointDir(dirOf(log));
            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Flusher / maintenance thread

    /**
     * Runs the flush policy: fsyncs every partition that rolled a segment since its last flush (as
     * Kafka does after each roll) or whose {@code flush.messages} or {@code flush.ms} is due. A
     * partition whose fsync fails goes offline (its appends answer KAFKA_STORAGE_ERROR) and is logged;
     * the others are still flushed. Returns the number of partitions flushed.
     */
    public int flushDue(long nowMs) {
        int flushed = 0;
        for (PartitionLog log : logs.values()) {
            if (log.flushDue(nowMs)) {
                try {
                    log.flush();
                    flushed++;
                } catch (IOException e) {
                    LOG.error("Flush failed, partition offline: partition={}: {}", log.topicPartition(), e.toString());
                }
            }
        }
        return flushed;
    }

    /**
     * Writes the recovery-point and log-start-offset checkpoints of every log directory (Kafka's
     * {@code log.flush.offset.checkpoint.interval.ms} task) and any changed leader-epoch checkpoint.
     * The log-start file lists, as Kafka's does, only partitions whose log start lies inside their
     * first segment (never the case when retention removes whole segments).
     */
    public void checkpoint() throws IOException {
        IOException failure = null;
        synchronized (lifecycleLock) {
            for (LogDir d : dirs) {
                try {
                    checkpointDir(d);
                } catch (IOException e) {
                    LOG.error("Writing checkpoints failed: dir={}: {}", d.path, e.toString());
                    failure = failure == null ? e : failure;
                }
            }
        }
        for (PartitionLog log : logs.values()) {
            try {
                log.writeLeaderEpochCheckpointIfDirty();
            } catch (IOException e) {
                LOG.error("Writing leader epoch checkpoint failed: partition={}: {}", log.topicPartition(),
                    e.toString());
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void checkpointDir(LogDir d) throws IOException {
        final Map<TopicPartition, Long> recoveryPoints = new TreeMap<>(LogManager::compare);
        final Map<TopicPartition, Long> logStarts = new TreeMap<>(LogManager::compare);
        for (PartitionLog log : logs.values()) {
            if (log.dir().getParent().equals(d.path)) {
                recoveryPoints.put(log.topicPartition(), log.recoveryPoint());
                final long[] bases = log.segmentBaseOffsets();
                if (log.logStartOffset() > bases[0]) {
                    logStarts.put(log.topicPartition(), log.logStartOffset());
                }
            }
        }
        OffsetCheckpointFile.write(d.path.resolve(OffsetCheckpointFile.RECOVERY_POINT_FILE), recoveryPoints);
        OffsetCheckpointFile.write(d.path.resolve(OffsetCheckpointFile.LOG_START_OFFSET_FILE), logStarts);
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        final int c = a.topic().compareTo(b.topic());
        return c != 0 ? c : Integer.compare(a.partition(), b.partition());
    }

    private LogDir dirOf(PartitionLog log) {
        for (LogDir d : dirs) {
            if (log.dir().getParent().equals(d.path)) {
                return d;
            }
        }
        throw new IllegalStateException("partition outside the log directories: dir=" + log.dir());
    }

    /** Retention for every partition ({@link PartitionLog#deleteOldSegments}); returns segments removed. */
    public int deleteOldSegments(long nowMs) {
        int removed = 0;
        for (PartitionLog log : logs.values()) {
            removed += log.deleteOldSegments(nowMs);
        }
        return removed;
    }

    /** Producer-id expiry for every partition (Kafka checks every 10 minutes); returns producers dropped. */
    public int removeExpiredProducers(long nowMs) {
        int removed = 0;
        for (PartitionLog log : logs.values()) {
            removed += log.removeExpiredProducers(nowMs);
        }
        return removed;
    }

    /**
     * The largest producer id in any partition's producer state, or -1 (ids must never be reused):
     * every id held or held since start-up (snapshots, replayed and appended batches, expired or
     * not). The broker allocates ids above it: a reused id could meet its old sequence state.
     */
    public long largestProducerId() {
        long max = -1L;
        for (PartitionLog log : logs.values()) {
            max = Math.max(max, log.largestProducerId());
        }
        return max;
    }

    // ---------------------------------------------------------------------------------------------
    // Shutdown

    /**
     * Clean shutdown: trim indexes and logs, fsync, producer snapshots, checkpoints, clean-shutdown
     * marker (written last, and only for a directory whose partitions all closed cleanly).
     */
    @Override
    public void close() throws IOException {
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            IOException failure = null;
            for (LogDir d : dirs) {
                boolean clean = true;
                for (PartitionLog log : logs.values()) {
                    if (log.dir().getParent().equals(d.path)) {
                        clean &= log.close();
                    }
                }
                try {
                    checkpointDir(d);
                    if (clean) {
                        CleanShutdownFile.write(d.path, -1L);
                    } else {
                        LOG.warn("Not marking log directory clean, the next start recovers it: dir={}", d.path);
                    }
                } catch (IOException e) {
                    LOG.error("Clean shutdown of log directory failed: dir={}: {}", d.path, e.toString());
                    failure = failure == null ? e : failure;
                }
                try {
                    d.lock.close();
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
            logs.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * Test seam: stops like a killed process: handles released, nothing trimmed, synced, snapshotted
     * or checkpointed, no clean-shutdown marker, locks released.
     */
    void crashForTest() throws IOException {
        synchronized (lifecycleLock) {
            closed = true;
            for (PartitionLog log : logs.values()) {
                log.abandon();
            }
            logs.clear();
            for (LogDir d : dirs) {
                d.lock.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("log manager closed: dirs=" + logDirs());
        }
    }

    /** Invariants of every partition; tests call it under {@code assert}. */
    public boolean checkInvariants() {
        for (Map.Entry<TopicPartition, PartitionLog> e : logs.entrySet()) {
            final PartitionLog log = e.getValue();
            if (!log.topicPartition().equals(e.getKey())) {
                throw new IllegalStateException("partition filed under another name: key=" + e.getKey() + ", log="
                    + log);
            }
            boolean inDir = false;
            for (LogDir d : dirs) {
                inDir |= log.dir().getParent().equals(d.path);
            }
            if (!inDir) {
                throw new IllegalStateException("partition outside the log directories: " + log);
            }
            log.checkInvariants();
        }
        return true;
    }
}
