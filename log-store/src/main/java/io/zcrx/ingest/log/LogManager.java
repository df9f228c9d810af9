package io.zcrx.ingest.log;

import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import io.zcrx.ingest.log.checkpoint.CleanShutdownFile;
import io.zcrx.ingest.log.checkpoint.LeaderEpochCheckpointFile;
import io.zcrx.ingest.log.checkpoint.OffsetCheckpointFile;
import io.zcrx.ingest.log.checkpoint.PartitionMetadataFile;
import io.zcrx.ingest.log.epoch.LeaderEpochCache;
import io.zcrx.ingest.log.producer.ProducerStateTable;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.UUID;
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
 * <p>Each directory's own files (lock, {@code meta.properties}, checkpoints) are
 * {@link LogDirectory}. The handles of inactive segments are bounded for all partitions together
 * by one {@link OpenSegmentCache} ({@code log.open.segments.max}).
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

    /**
     * Default of {@code log.open.segments.max}: 1000 inactive segments hold 1000 descriptors and
     * 2000 index mappings, well inside the usual limits ({@code ulimit -n} is often 1024 soft but
     * the JVM raises it to the hard limit, commonly 524288; {@code vm.max_map_count} is 65530 by
     * default and the JVM itself uses a few thousand) while leaving room for sockets and for the
     * active segments (2 descriptors and 2 mappings per partition, not counted here); and it keeps
     * hot segments of a few hundred partitions open, so consumers near the head never reopen files.
     */
    public static final int DEFAULT_OPEN_SEGMENTS_MAX = 1000;

    private final List<LogDirectory> dirs;
    private final String clusterId;
    private final int nodeId;
    private final LogConfig defaults;
    private final long producerIdExpirationMs;
    private final LongSupplier nowMs;
    private final OpenSegmentCache openSegments;
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Object lifecycleLock = new Object();
    /** Deleted partitions' directories waiting for their file.delete.delay.ms (a topic setting: any order). */
    private final List<PendingDelete> pendingDeletes = new ArrayList<>();
    private volatile boolean closed;
    /** The broker epoch of the clean shutdown before this start (cluster mode), read before the markers go. */
    private OptionalLong previousBrokerEpoch = OptionalLong.empty();
    /** Start-up statistics for the summary line. */
    private int recoveredPartitions;
    private long truncatedBytes;
    private int deletedSegments;

    private LogManager(List<LogDirectory> dirs, String clusterId, int nodeId, LogConfig defaults,
                       long producerIdExpirationMs, int openSegmentsMax, LongSupplier nowMs) {
        this.dirs = dirs;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.defaults = defaults;
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.openSegments = new OpenSegmentCache(openSegmentsMax);
        this.nowMs = nowMs;
    }

    /** {@link #open(List, int, LogConfig, long, int, LongSupplier)} with {@link #DEFAULT_OPEN_SEGMENTS_MAX}. */
    public static LogManager open(List<Path> logDirs, int nodeId, LogConfig defaults, long producerIdExpirationMs,
                                  LongSupplier nowMs) throws IOException {
        return open(logDirs, nodeId, defaults, producerIdExpirationMs, DEFAULT_OPEN_SEGMENTS_MAX, nowMs);
    }

    /**
     * Opens (formatting if new) the log directories, recovers every partition, and returns the
     * manager.
     *
     * @param logDirs   {@code log.dirs}; created if missing; a directory that cannot be used is an
     *                  IOException naming it
     * @param nodeId    {@code node.id}; must match an existing {@code meta.properties}
     * @param defaults  the broker-level log config, used for partitions without their own
     * @param openSegmentsMax {@code log.open.segments.max}: inactive segments whose handles may
     *                  stay open at once, over all partitions (at least 1)
     * @param nowMs     wall clock (tests pass a fake)
     */
    public static LogManager open(List<Path> logDirs, int nodeId, LogConfig defaults, long producerIdExpirationMs,
                                  int openSegmentsMax, LongSupplier nowMs) throws IOException {
        return open(logDirs, nodeId, defaults, producerIdExpirationMs, openSegmentsMax, nowMs, false);
    }

    /**
     * As {@link #open(List, int, LogConfig, long, int, LongSupplier)}; with {@code requireFormatted}
     * (cluster mode) every directory must already have its {@code meta.properties}: an unformatted one
     * is an IOException naming it, never formatted here with an invented cluster id.
     */
    public static LogManager open(List<Path> logDirs, int nodeId, LogConfig defaults, long producerIdExpirationMs,
                                  int openSegmentsMax, LongSupplier nowMs, boolean requireFormatted)
            throws IOException {
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("no log directories: log.dirs=" + logDirs);
        }
        if (nodeId < 0) {
            throw new IllegalArgumentException("node id must be >= 0: node.id=" + nodeId);
        }
        if (openSegmentsMax < 1) {
            throw new IllegalArgumentException("open segment bound below 1: log.open.segments.max=" + openSegmentsMax);
        }
        final long startNs = System.nanoTime();
        final LogDirectory.Opened opened = LogDirectory.openAll(logDirs, nodeId, requireFormatted);
        final LogManager manager = new LogManager(opened.dirs, opened.clusterId, nodeId, defaults,
            producerIdExpirationMs, openSegmentsMax, nowMs);
        try {
            manager.previousBrokerEpoch = readPreviousBrokerEpoch(opened.dirs);
            int partitions = 0;
            for (LogDirectory d : opened.dirs) {
                partitions += manager.loadDir(d);
            }
            manager.checkpoint();
            LOG.info("Opened {} log director{} with {} partition(s) in {} ms ({} recovered after an unclean shutdown, "
                    + "{} bytes truncated, {} segments deleted): cluster.id={}, node.id={}, log.open.segments.max={}",
                opened.dirs.size(), opened.dirs.size() == 1 ? "y" : "ies", partitions,
                (System.nanoTime() - startNs) / 1_000_000, manager.recoveredPartitions, manager.truncatedBytes,
                manager.deletedSegments, opened.clusterId, nodeId, openSegmentsMax);
            return manager;
        } catch (IOException | RuntimeException e) {
            for (PartitionLog log : manager.logs.values()) {
                log.abandon();
            }
            LogDirectory.unlockAll(opened.dirs, e);
            throw e;
        }
    }

    /** Loads every partition directory of one log dir; returns how many. */
    private int loadDir(LogDirectory d) throws IOException {
        final boolean clean = CleanShutdownFile.exists(d.path);
        // Deleted first: if this start crashes half-way, the next one must recover everything.
        CleanShutdownFile.delete(d.path);
        final Map<TopicPartition, Long> recoveryPoints = d.readCheckpoint(OffsetCheckpointFile.RECOVERY_POINT_FILE);
        final Map<TopicPartition, Long> logStarts = d.readCheckpoint(OffsetCheckpointFile.LOG_START_OFFSET_FILE);
        int loaded = 0;
        for (Path child : d.partitionDirectories()) {
            final String name = child.getFileName().toString();
            final int partition = LogFiles.partitionOf(name);
            final String topic = LogFiles.topicOf(name);
            final TopicPartition tp = new TopicPartition(topic, partition);
            final LogLoader loader = new LogLoader(child, topic, partition, defaults, clean,
                recoveryPoints.getOrDefault(tp, 0L), logStarts.getOrDefault(tp, 0L), producerIdExpirationMs,
                nowMs.getAsLong(), openSegments);
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

    /**
     * Kafka's {@code readBrokerEpochFromCleanShutdownFiles}: the broker epoch when every log directory
     * was shut down cleanly with the same one, else empty (the controller then treats the last stop as
     * unclean).
     */
    private static OptionalLong readPreviousBrokerEpoch(List<LogDirectory> dirs) {
        long epoch = -1L;
        for (LogDirectory d : dirs) {
            final OptionalLong e = CleanShutdownFile.readBrokerEpoch(d.path);
            if (e.isEmpty() || epoch != -1L && e.getAsLong() != epoch) {
                return OptionalLong.empty();
            }
            epoch = e.getAsLong();
        }
        return epoch < 0 ? OptionalLong.empty() : OptionalLong.of(epoch);
    }

    /** The broker epoch of the previous incarnation's clean shutdown, if every directory recorded the same. */
    public OptionalLong previousBrokerEpoch() {
        return previousBrokerEpoch;
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
        for (LogDirectory d : dirs) {
            paths.add(d.path);
        }
        return paths;
    }

    /** The {@code directory.id} of one of {@link #logDirs()}, or null. */
    public Uuid directoryId(Path logDir) {
        for (LogDirectory d : dirs) {
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
            final LogDirectory target = leastLoadedDir();
            final Path dir = target.path.resolve(LogFiles.partitionDirName(topic, partition));
            try {
                Files.createDirectory(dir);
            } catch (IOException e) {
                throw new IOException("cannot create partition directory: dir=" + dir + ": " + e, e);
            }
            Segment segment = null;
            try {
                PartitionMetadataFile.write(dir.resolve(PartitionMetadataFile.FILE_NAME), topicId);
                LeaderEpochCheckpointFile.write(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME), List.of());
                segment = Segment.create(dir, 0L, config, nowMs.getAsLong(), openSegments);
                AtomicFiles.fsyncDirectory(dir);
                AtomicFiles.fsyncDirectory(target.path);
            } catch (IOException | RuntimeException e) {
                if (segment != null) {
                    segment.close();
                }
                LogFiles.deleteRecursively(dir);
                throw e;
            }
            final PartitionLog log = new PartitionLog(dir, topic, partition, topicId, config, producerIdExpirationMs,
                openSegments, new Segment[] {segment}, 0L, 0L, new ProducerStateTable(), new TreeSet<>(),
                new LeaderEpochCache(tp));
            logs.put(tp, log);
            LOG.info("Created partition: partition={}, topicId={}, dir={}", tp, topicId, dir);
            return log;
        }
    }

    private LogDirectory leastLoadedDir() {
        LogDirectory best = null;
        int bestCount = Integer.MAX_VALUE;
        for (LogDirectory d : dirs) {
            int count = 0;
            for (PartitionLog log : logs.values()) {
                if (d.holds(log)) {
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
     * Deletes a partition (DeleteTopics, a topic the controller deleted): Kafka's {@code asyncDelete}.
     * The log is closed at once (appends and reads racing the deletion answer NOT_LEADER_OR_FOLLOWER;
     * no trim, sync or snapshot: its data is going away), its directory renamed
     * {@code <topic>-<partition>.<uuid>-delete} (parent fsynced, so a crash cannot bring it back) and
     * its checkpoint entries dropped; the files are removed {@code file.delete.delay.ms} later by
     * {@link #deleteDelayedPartitions} on the maintenance thread (a Fetch answered just before may still
     * be sending from them; and the caller, e.g. the metadata thread, does not wait for a large tree).
     * A start finishes the deletion of {@code -delete} directories left by a crash. Returns false if
     * there was no such partition.
     */
    public boolean deletePartition(String topic, int partition) throws IOException {
        final TopicPartition tp = new TopicPartition(topic, partition);
        synchronized (lifecycleLock) {
            ensureOpen();
            final PartitionLog log = logs.remove(tp);
            if (log == null) {
                return false;
            }
            final LogDirectory home = dirOf(log);
            log.abandon();
            final Path dir = log.dir().toAbsolutePath();
            final Path parent = dir.getParent();
            final Path doomed = parent.resolve(dir.getFileName() + "." + UUID.randomUUID().toString().replace("-", "")
                + LogFiles.DELETE_DIR_SUFFIX);
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(parent);
            home.writeCheckpoints(logs.values());
            synchronized (pendingDeletes) {
                pendingDeletes.add(new PendingDelete(doomed, nowMs.getAsLong() + log.config().fileDeleteDelayMs));
            }
            LOG.info("Deleted partition, its files go in {} ms: partition={}, dir={}", log.config().fileDeleteDelayMs,
                tp, doomed);
            return true;
        }
    }

    /** A deleted partition's renamed directory and when its files go. */
    private record PendingDelete(Path dir, long dueMs) {
    }

    /**
     * Removes the directories of deleted partitions whose {@code file.delete.delay.ms} has passed
     * (Kafka's {@code deleteLogs}); a failure is logged and left to the next start. Maintenance thread.
     * Returns how many were removed.
     */
    public int deleteDelayedPartitions(long nowMs) {
        final List<PendingDelete> due = new ArrayList<>();
        synchronized (pendingDeletes) {
            for (Iterator<PendingDelete> it = pendingDeletes.iterator(); it.hasNext();) {
                final PendingDelete d = it.next();
                if (d.dueMs - nowMs <= 0) {
                    due.add(d);
                    it.remove();
                }
            }
        }
        int removed = 0;
        for (PendingDelete next : due) {
            try {
                LogFiles.deleteRecursively(next.dir);
                removed++;
            } catch (IOException e) {
                LOG.warn("Deleting the directory of a deleted partition failed, the next start retries: dir={}: {}",
                    next.dir, e.toString());
            }
        }
        return removed;
    }

    /**
     * Sets a stray partition aside (Kafka's {@code LogManager.isStray} / {@code logStrayDirName}, cluster
     * mode: a log on disk that the controller's metadata does not assign here): closes it cleanly,
     * renames its directory {@code <topic>-<partition>.<uuid>-stray} (fsync of the parent, so the rename
     * survives a crash) and forgets it. The directory stays on disk for an operator; loading skips
     * {@code -stray} directories. Returns the new path, or null if there was no such partition.
     */
    public Path renameStray(String topic, int partition) throws IOException {
        final TopicPartition tp = new TopicPartition(topic, partition);
        synchronized (lifecycleLock) {
            ensureOpen();
            final PartitionLog log = logs.remove(tp);
            if (log == null) {
                return null;
            }
            final LogDirectory home = dirOf(log);
            log.close();
            final Path dir = log.dir().toAbsolutePath();
            final Path parent = dir.getParent();
            final Path stray = parent.resolve(dir.getFileName() + "." + UUID.randomUUID().toString().replace("-", "")
                + LogFiles.STRAY_DIR_SUFFIX);
            Files.move(dir, stray, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(parent);
            home.writeCheckpoints(logs.values());
            return stray;
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
     * first segment (never the case when retention removes whole segments). Does nothing once closed.
     */
    public void checkpoint() throws IOException {
        IOException failure = null;
        synchronized (lifecycleLock) {
            if (closed) {
                // close() wrote the final checkpoints and dropped its logs: a late caller (a DeleteRecords answer
                // still on its way) would overwrite them with empty files after the clean-shutdown marker.
                return;
            }
            for (LogDirectory d : dirs) {
                try {
                    d.writeCheckpoints(logs.values());
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

    private LogDirectory dirOf(PartitionLog log) {
        for (LogDirectory d : dirs) {
            if (d.holds(log)) {
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
        close(-1L);
    }

    /**
     * {@link #close()}, recording {@code brokerEpoch} (the controller's epoch of this incarnation;
     * -1 in standalone mode) in each clean-shutdown marker.
     */
    public void close(long brokerEpoch) throws IOException {
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            IOException failure = null;
            for (LogDirectory d : dirs) {
                boolean clean = true;
                for (PartitionLog log : logs.values()) {
                    if (d.holds(log)) {
                        clean &= log.close();
                    }
                }
                try {
                    d.writeCheckpoints(logs.values());
                    if (clean) {
                        CleanShutdownFile.write(d.path, brokerEpoch);
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
            for (LogDirectory d : dirs) {
                d.lock.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("log manager closed: dirs=" + logDirs());
        }
    }

    /** The bound on open inactive segments ({@code log.open.segments.max}). */
    public int openSegmentsMax() {
        return openSegments.maxOpenSegments();
    }

    /** Inactive segments with open handles in the cache now (tests). */
    long openInactiveSegmentsForTest() {
        return openSegments.size();
    }

    /** Evicts every inactive segment from the cache (tests). */
    void evictOpenSegmentsForTest() {
        openSegments.evictAllForTest();
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
            for (LogDirectory d : dirs) {
                inDir |= d.holds(log);
            }
            if (!inDir) {
                throw new IllegalStateException("partition outside the log directories: " + log);
            }
            log.checkInvariants();
        }
        return true;
    }
}
