package io.zcrx.ingest.log;

import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import io.zcrx.ingest.log.checkpoint.LeaderEpochCheckpointFile;
import io.zcrx.ingest.log.checkpoint.PartitionMetadataFile;
import io.zcrx.ingest.log.epoch.EpochEntry;
import io.zcrx.ingest.log.epoch.LeaderEpochCache;
import io.zcrx.ingest.log.producer.CorruptSnapshotException;
import io.zcrx.ingest.log.producer.ProducerStateTable;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one partition directory and, after an unclean shutdown, recovers it
 * (docs/kafka-protocol-notes.md#recovery-and-clean-shutdown; Kafka's {@code LogLoader} and
 * {@code UnifiedLog.rebuildProducerState}):
 *
 * <ol>
 *   <li>delete leftovers ({@code .deleted}, {@code .cleaned}, {@code .tmp}), complete an interrupted cleaner swap
 *       ({@code .swap}, see {@link #completeSwaps}) and delete index files without a {@code .log};</li>
 *   <li>open the segments one by one; unclean shutdown: validate every batch of each segment
 *       holding offsets at or above the recovery point (always the active one), rebuild its
 *       indexes, cut it at the first bad or incomplete batch and delete all later segments; a
 *       segment whose index is missing or inconsistent is recovered too; clean shutdown: trust the
 *       files. Each segment but the last goes into the open-segment cache once the next one is
 *       opened, so loading a partition with many segments stays within {@code log.open.segments.max}
 *       handles too;</li>
 *   <li>expand the active segment's indexes back to {@code segment.index.bytes};</li>
 *   <li>producer state: keep snapshots at segment bases (plus the newest stray one above them),
 *       drop those above the log end or at/below the log start, load the newest valid one (after an
 *       unclean shutdown: the newest at or below the second-newest segment's base, so the replay
 *       rebuilds every producer's five-batch window) and replay the batches after it,
 *       snapshotting at the last two segment bases and the log end; after a
 *       clean shutdown without any snapshot, write empty ones and skip the scan (Kafka's upgrade
 *       rule);</li>
 *   <li>leader epoch history: {@code leader-epoch-checkpoint}, plus the epochs of newer leaders found in the
 *       batches step 2 validated (Kafka's {@code LogSegment.recover}); when the file is missing, unreadable or
 *       empty, rebuilt from the batch headers instead; then truncated to the log end and the log start, as
 *       Kafka's loader does, and the file rewritten if that changed it.</li>
 * </ol>
 *
 * <p>Runs on the thread calling {@link LogManager#open}, before the log is published.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
    private static final int RECOVERY_READ_BYTES = 64 * 1024;
    /** {@link #scanEpochs} of a segment without batches. */
    private static final int NO_BATCH = Integer.MIN_VALUE;

    private final Path dir;
    private final String topic;
    private final int partition;
    private final LogConfig config;
    private final boolean cleanShutdown;
    private final long recoveryPointCheckpoint;
    private final long logStartOffsetCheckpoint;
    private final long producerIdExpirationMs;
    private final long nowMs;
    private final OpenSegmentCache cache;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64);
    private final ByteBuffer body = ByteBuffer.allocateDirect(RECOVERY_READ_BYTES);
    private final LeaderEpochCache epochs;
    /** The history as the file listed it; null when it was missing or unreadable. */
    private List<EpochEntry> epochsOnDisk;
    /** Whether the history comes from the batch headers (step 5) rather than the file. */
    private boolean rebuildEpochs;

    /** What happened, for the one summary line per partition. */
    int recoveredSegments;
    long truncatedBytes;
    int deletedSegments;
    final List<String> truncations = new ArrayList<>();

    LogLoader(Path dir, String topic, int partition, LogConfig config, boolean cleanShutdown,
              long recoveryPointCheckpoint, long logStartOffsetCheckpoint, long producerIdExpirationMs, long nowMs,
              OpenSegmentCache cache) {
        this.dir = dir;
        this.topic = topic;
        this.partition = partition;
        this.config = config;
        this.cleanShutdown = cleanShutdown;
        this.recoveryPointCheckpoint = recoveryPointCheckpoint;
        this.logStartOffsetCheckpoint = logStartOffsetCheckpoint;
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.nowMs = nowMs;
        this.cache = cache;
        this.epochs = new LeaderEpochCache(new TopicPartition(topic, partition));
    }

    PartitionLog load() throws IOException {
        final long startNs = System.nanoTime();
        Uuid topicId = PartitionMetadataFile.read(dir.resolve(PartitionMetadataFile.FILE_NAME));
        if (topicId == null) {
            LOG.warn("Partition directory without partition.metadata, topic id unknown until the topic is created "
                + "again: dir={}", dir);
            topicId = Uuid.ZERO_UUID;
        }
        final TreeSet<Long> logBases = new TreeSet<>();
        final TreeSet<Long> snapshots = new TreeSet<>();
        final List<Path> indexFiles = new ArrayList<>();
        final List<Path> swapFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                final String name = file.getFileName().toString();
                if (name.endsWith(LogFiles.SWAP_SUFFIX)) {
                    swapFiles.add(file);
                    continue;
                }
                if (name.endsWith(LogFiles.DELETED_SUFFIX) || name.endsWith(LogFiles.CLEANED_SUFFIX)
                        || name.endsWith(LogFiles.TMP_SUFFIX)) {
                    LOG.info("Deleting leftover file: file={}", file);
                    Files.deleteIfExists(file);
                    continue;
                }
                final long offset = LogFiles.offsetOf(name);
                if (offset < 0) {
                    continue;
                }
                if (name.endsWith(LogFiles.LOG_SUFFIX)) {
                    logBases.add(offset);
                } else if (name.endsWith(LogFiles.SNAPSHOT_SUFFIX)) {
                    snapshots.add(offset);
                } else if (name.endsWith(LogFiles.INDEX_SUFFIX) || name.endsWith(LogFiles.TIME_INDEX_SUFFIX)
                        || name.endsWith(LogFiles.TXN_INDEX_SUFFIX)) {
                    indexFiles.add(file);
                }
            }
        }
        completeSwaps(swapFiles, logBases, indexFiles);
        for (Path file : indexFiles) {
            if (!logBases.contains(LogFiles.offsetOf(file.getFileName().toString()))) {
                LOG.warn("Deleting index file without a log file: file={}", file);
                Files.deleteIfExists(file);
            }
        }

        readLeaderEpochCheckpoint();
        final List<Segment> segments = new ArrayList<>();
        try {
            recoverSegments(logBases.stream().mapToLong(Long::longValue).toArray(), segments);
            long logStart = Math.max(logStartOffsetCheckpoint, 0);
            if (!segments.isEmpty() && segments.get(segments.size() - 1).nextOffset() < logStart) {
                LOG.warn("Deleting all segments: the log ends before the checkpointed log start: dir={}, "
                    + "logEndOffset={}, logStartOffset={}", dir, segments.get(segments.size() - 1).nextOffset(),
                    logStart);
                deleteSegments(segments, 0);
            }
            if (segments.isEmpty()) {
                segments.add(Segment.create(dir, logStart, config, nowMs, cache));
            }
            logStart = Math.max(logStart, segments.get(0).baseOffset());
            final Segment active = segments.get(segments.size() - 1);
            active.expandIndexes(config.segmentIndexBytes);
            active.openForAppend();
            final long logEnd = active.nextOffset();
            final long recoveryPoint = cleanShutdown ? logEnd : Math.min(Math.max(recoveryPointCheckpoint, 0), logEnd);

            final ProducerStateTable producers = new ProducerStateTable();
            removeStraySnapshots(snapshots, logBases(segments));
            final int replayed = rebuildProducerState(segments, logStart, logEnd, snapshots, producers);
            loadLeaderEpochs(segments, logStart, logEnd);

            final PartitionLog log = new PartitionLog(dir, topic, partition, topicId, config, producerIdExpirationMs,
                cache, segments.toArray(new Segment[0]), logStart, recoveryPoint, producers, snapshots, epochs);
            final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            if (recoveredSegments > 0 || truncatedBytes > 0 || deletedSegments > 0) {
                LOG.info("Recovered partition {}-{}: dir={}, recoveredSegments={}, truncatedBytes={}, "
                        + "deletedSegments={}, truncations={}, logStartOffset={}, logEndOffset={}, recoveryPoint={}, "
                        + "producers={}, replayedBatches={}, took={}ms", topic, partition, dir, recoveredSegments,
                    truncatedBytes, deletedSegments, truncations, logStart, logEnd, recoveryPoint, producers.size(),
                    replayed, tookMs);
            } else {
                LOG.info("Loaded partition {}-{}: dir={}, segments={}, logStartOffset={}, logEndOffset={}, clean={}, "
                        + "producers={}, replayedBatches={}, took={}ms", topic, partition, dir, segments.size(),
                    logStart, logEnd, cleanShutdown, producers.size(), replayed, tookMs);
            }
            return log;
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments) {
                s.close();
            }
            throw e;
        }
    }

    /**
     * Step 1, the log cleaner's leftovers ({@link SegmentSwap}; Kafka's {@code LogLoader} swap handling): a
     * {@code <X>.log.swap} is a cleaned segment whose swap had been committed when the process stopped. Its old
     * segments are the ones whose base offsets lie in [X, the swap segment's next offset): their files still there
     * are deleted, then the swap file takes its final name. Index {@code .swap} files are deleted (the segment's
     * indexes are then missing, and step 2 rebuilds them from the log). {@code .cleaned} files (a clean that had not
     * committed) were deleted by the scan.
     */
    private void completeSwaps(List<Path> swapFiles, TreeSet<Long> logBases, List<Path> indexFiles)
            throws IOException {
        for (Path swap : swapFiles) {
            final String name = swap.getFileName().toString();
            if (!name.endsWith(LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX)) {
                LOG.info("Deleting index swap file (rebuilt from the log): file={}", swap);
                Files.deleteIfExists(swap);
            }
        }
        for (Path swap : swapFiles) {
            final String name = swap.getFileName().toString();
            final long base = LogFiles.offsetOf(name);
            if (!name.endsWith(LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX) || base < 0) {
                continue;
            }
            final long next = swapNextOffset(swap, base);
            for (Long old : new ArrayList<>(logBases.subSet(base, true, Math.max(base, next), false))) {
                LOG.info("Deleting segment replaced by an interrupted swap: file={}", LogFiles.logFile(dir, old));
                Files.deleteIfExists(LogFiles.logFile(dir, old));
                logBases.remove(old);
            }
            // The old segment at X may have had the new segment's base offset: its index files go too.
            for (Iterator<Path> it = indexFiles.iterator(); it.hasNext(); ) {
                final Path index = it.next();
                final long offset = LogFiles.offsetOf(index.getFileName().toString());
                if (offset >= base && (offset < next || offset == base)) {
                    Files.deleteIfExists(index);
                    it.remove();
                }
            }
            Files.move(swap, LogFiles.logFile(dir, base));
            logBases.add(base);
            LOG.info("Completed an interrupted segment swap: file={}, offsets=[{}, {})", LogFiles.logFile(dir, base),
                base, next);
        }
        if (!swapFiles.isEmpty()) {
            AtomicFiles.fsyncDirectory(dir);
        }
    }

    /** The offset after the last whole batch of a {@code .log.swap} file ({@code base} when it has none). */
    private long swapNextOffset(Path swap, long base) throws IOException {
        long next = base;
        try (FileChannel ch = FileChannel.open(swap, StandardOpenOption.READ)) {
            final long size = ch.size();
            long position = 0;
            while (position < size) {
                if (BatchHeaders.read(ch, position, size, scratch) < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                    break;
                }
                final int batchSize = BatchHeaders.batchSize(scratch);
                if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD || position + batchSize > size) {
                    break;
                }
                next = BatchHeaders.lastOffset(scratch) + 1;
                position += batchSize;
            }
        }
        return next;
    }

    /**
     * Step 2: validate what may be torn, cut at the first bad batch, drop what follows. Opens the
     * segments of {@code bases} in order into {@code segments}; the last one opened stays out of the
     * cache (it may become the active one), the others are parked in it.
     */
    private void recoverSegments(long[] bases, List<Segment> segments) throws IOException {
        final int firstUnflushed = cleanShutdown ? bases.length : segmentHolding(bases, recoveryPointCheckpoint);
        for (int i = 0; i < bases.length; i++) {
            if (i > 0) {
                segments.get(i - 1).handles().park();
            }
            final Segment s = Segment.open(dir, bases[i], config, nowMs, cache);
            segments.add(s);
            boolean recover = i >= firstUnflushed || s.indexesNeedRebuild();
            if (!recover) {
                try {
                    SegmentRecovery.loadNextOffset(s, scratch);
                } catch (IOException e) {
                    LOG.warn("Segment inconsistent, recovering it: file={}: {}", s.logFile(), e.getMessage());
                    recover = true;
                }
            }
            if (!recover) {
                continue;
            }
            recoveredSegments++;
            int cut;
            try {
                final SegmentRecovery.Result r = SegmentRecovery.recover(s, scratch, body,
                    rebuildEpochs ? null : epochs);
                cut = r.truncatedBytes;
                if (cut > 0) {
                    truncations.add(s.logFile().getFileName() + ": cut " + cut + " bytes after " + r.validBatches
                        + " valid batches (" + r.reason + ")");
                    LOG.warn("Corruption in segment, truncated: file={}, validBatches={}, truncatedBytes={}, reason={}",
                        s.logFile(), r.validBatches, cut, r.reason);
                }
            } catch (IOException e) {
                // Kafka: an I/O problem during recovery empties the segment down to its base offset.
                LOG.warn("Recovery of segment failed, emptying it: file={}: {}", s.logFile(), e.toString());
                cut = s.size();
                SegmentRecovery.truncateFully(s);
                truncations.add(s.logFile().getFileName() + ": emptied (" + e + ")");
            }
            truncatedBytes += cut;
            if (cut > 0 && i + 1 < bases.length) {
                for (int j = bases.length - 1; j > i; j--) {
                    final Path log = LogFiles.logFile(dir, bases[j]);
                    LOG.warn("Deleting segment after a truncated one: file={}", log);
                    Files.deleteIfExists(log);
                    Files.deleteIfExists(LogFiles.indexFile(dir, bases[j]));
                    Files.deleteIfExists(LogFiles.timeIndexFile(dir, bases[j]));
                    deletedSegments++;
                }
                return;
            }
        }
    }

    /** Index of the segment holding {@code offset} (the last with base &lt;= it), 0 if before all. */
    private static int segmentHolding(long[] bases, long offset) {
        int found = 0;
        for (int i = 0; i < bases.length; i++) {
            if (bases[i] <= offset) {
                found = i;
            }
        }
        return found;
    }

    private void deleteSegments(List<Segment> segments, int from) throws IOException {
        while (segments.size() > from) {
            final Segment s = segments.remove(segments.size() - 1);
            LOG.warn("Deleting segment after a truncated one: file={}", s.logFile());
            s.deleteFiles();
            deletedSegments++;
        }
    }

    private static Set<Long> logBases(List<Segment> segments) {
        final Set<Long> bases = new HashSet<>();
        for (Segment s : segments) {
            bases.add(s.baseOffset());
        }
        return bases;
    }

    /**
     * Kafka's ProducerStateManager.removeStraySnapshots: keep snapshots at segment base offsets and
     * only the newest of the others, and that one only if it lies above every segment base (the
     * snapshot a clean shutdown takes at the log end).
     */
    private void removeStraySnapshots(TreeSet<Long> snapshots, Set<Long> segmentBases) throws IOException {
        final long maxBase = segmentBases.stream().mapToLong(Long::longValue).max().orElse(-1L);
        Long latestStray = null;
        for (Long offset : new ArrayList<>(snapshots)) {
            if (!segmentBases.contains(offset)) {
                if (latestStray != null) {
                    deleteSnapshot(snapshots, latestStray);
                }
                latestStray = offset;
            }
        }
        if (latestStray != null && maxBase >= 0 && latestStray < maxBase) {
            deleteSnapshot(snapshots, latestStray);
        }
    }

    private void deleteSnapshot(TreeSet<Long> snapshots, long offset) throws IOException {
        snapshots.remove(offset);
        Files.deleteIfExists(LogFiles.snapshotFile(dir, offset));
    }

    /**
     * Kafka's UnifiedLog.rebuildProducerState at start-up. Returns the number of batches replayed.
     */
    private int rebuildProducerState(List<Segment> segments, long logStart, long logEnd, TreeSet<Long> snapshots,
                                     ProducerStateTable producers) throws IOException {
        final List<Long> offsetsToSnapshot = new ArrayList<>();
        if (segments.size() >= 2) {
            offsetsToSnapshot.add(segments.get(segments.size() - 2).baseOffset());
        }
        offsetsToSnapshot.add(segments.get(segments.size() - 1).baseOffset());
        offsetsToSnapshot.add(logEnd);

        if (cleanShutdown && snapshots.isEmpty()) {
            // Kafka's upgrade path: a clean shutdown without snapshots means "no idempotent state
            // worth a scan"; write empty snapshots so the next start has a starting point.
            // As Kafka's takeSnapshot: only above the last snapshot offset, which starts at 0.
            long last = 0L;
            for (long offset : offsetsToSnapshot) {
                if (offset > last) {
                    writeSnapshot(producers, snapshots, offset);
                    last = offset;
                }
            }
            return 0;
        }
        for (Long offset : new ArrayList<>(snapshots)) {
            if (offset > logEnd || offset <= logStart) {
                deleteSnapshot(snapshots, offset);
            }
        }
        long mapEnd = logStart;
        long lastSnapshot = logStart;
        // A producer may retry any of its last five batches after a crash (five requests in flight),
        // and a retry the broker cannot recognise is answered OUT_OF_ORDER_SEQUENCE, after which the
        // Java client bumps its epoch and writes the batch a second time. Our snapshots carry the whole
        // five-batch window (ProducerStateTable#writeSnapshot); a snapshot Kafka wrote (a log dir taken
        // over from Kafka) holds only each producer's last batch. So after an unclean shutdown the
        // replay also starts no later than the second-newest segment: every batch of the last full
        // segment and the active one is replayed, which rebuilds the window from the log for the
        // producers that wrote there (docs/durability.md, "Duplicates after a crash").
        final long loadCeiling = cleanShutdown ? Long.MAX_VALUE
            : segments.size() >= 2 ? segments.get(segments.size() - 2).baseOffset() : logStart;
        while (!snapshots.isEmpty()) {
            final Long candidate = snapshots.floor(loadCeiling);
            if (candidate == null) {
                break;
            }
            final long latest = candidate;
            try {
                producers.loadSnapshot(LogFiles.snapshotFile(dir, latest), nowMs, producerIdExpirationMs);
                mapEnd = latest;
                lastSnapshot = latest;
                break;
            } catch (CorruptSnapshotException e) {
                LOG.warn("Dropping corrupt producer snapshot: {}", e.getMessage());
                producers.clear();
                deleteSnapshot(snapshots, latest);
            }
        }
        int replayed = 0;
        if (logEnd > mapEnd) {
            for (Segment s : segments) {
                if (s.nextOffset() <= mapEnd || s.baseOffset() >= logEnd) {
                    continue;
                }
                final long startOffset = Math.max(Math.max(s.baseOffset(), mapEnd), logStart);
                if (offsetsToSnapshot.contains(s.baseOffset()) && startOffset > lastSnapshot) {
                    writeSnapshot(producers, snapshots, startOffset);
                    lastSnapshot = startOffset;
                }
                replayed += ProducerReplay.replay(s, startOffset, logEnd, producers, scratch, this.body);
                mapEnd = s.nextOffset();
            }
        }
        if (logEnd > lastSnapshot) {
            writeSnapshot(producers, snapshots, logEnd);
        }
        return replayed;
    }

    private void writeSnapshot(ProducerStateTable producers, TreeSet<Long> snapshots, long offset) throws IOException {
        producers.writeSnapshot(LogFiles.snapshotFile(dir, offset), true);
        snapshots.add(offset);
    }

    /**
     * Step 5, first half: the history as {@code leader-epoch-checkpoint} lists it, through Kafka's assign rules (as
     * Kafka's cache constructor does). Missing, unreadable or empty: rebuilt from the batches later; the
     * segment recovery then assigns nothing.
     */
    private void readLeaderEpochCheckpoint() {
        final Path file = dir.resolve(LeaderEpochCheckpointFile.FILE_NAME);
        try {
            epochsOnDisk = LeaderEpochCheckpointFile.read(file);
            if (epochsOnDisk == null) {
                LOG.info("No leader epoch checkpoint, rebuilding the epochs from the batches: file={}", file);
            }
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable leader epoch checkpoint, rebuilding the epochs from the batches: {}",
                e.getMessage());
            epochsOnDisk = null;
        }
        rebuildEpochs = epochsOnDisk == null || epochsOnDisk.isEmpty();
        if (!rebuildEpochs) {
            for (EpochEntry e : epochsOnDisk) {
                epochs.assign(e.epoch(), e.startOffset());
            }
        }
    }

    /**
     * Step 5, second half: the history rebuilt from the batches if the file could not give it, then Kafka's
     * truncations to the log (first the end: entries at or past the log end are dropped, among them a leader's
     * entry that never got data; then the start: the epoch of the first offset starts at the log start), and the
     * file rewritten if the result differs from it.
     */
    private void loadLeaderEpochs(List<Segment> segments, long logStart, long logEnd) throws IOException {
        if (rebuildEpochs) {
            rebuildLeaderEpochs(segments);
        }
        epochs.truncateFromEnd(logEnd);
        epochs.truncateFromStart(logStart);
        final List<EpochEntry> loaded = epochs.entries();
        if (!loaded.equals(epochsOnDisk)) {
            if (epochsOnDisk != null && !epochsOnDisk.isEmpty()) {
                LOG.info("Leader epoch history adjusted to the log: partition={}-{}, file={}, now={}, logStartOffset={}"
                    + ", logEndOffset={}", topic, partition, epochsOnDisk, loaded, logStart, logEnd);
            }
            LeaderEpochCheckpointFile.write(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME), loaded);
        }
    }

    /**
     * The history from the batch headers: each batch whose leader epoch is newer than the last one seen starts
     * that epoch (the rule of {@link LeaderEpochCache#assignFromBatch}). Epochs never go down along a log, so a
     * segment whose first batch carries the same epoch as the next non-empty segment's first batch holds nothing
     * else, and its first header is enough; only segments where the epoch changes, and the last one, are read
     * header by header (a standalone log, always epoch 0, costs one header per segment plus its last segment).
     */
    private void rebuildLeaderEpochs(List<Segment> segments) throws IOException {
        final int n = segments.size();
        final int[] firstEpochs = new int[n];
        for (int i = 0; i < n; i++) {
            firstEpochs[i] = scanEpochs(segments.get(i), null, true);
        }
        for (int i = 0; i < n; i++) {
            if (firstEpochs[i] == NO_BATCH) {
                continue;
            }
            int next = i + 1;
            while (next < n && firstEpochs[next] == NO_BATCH) {
                next++;
            }
            scanEpochs(segments.get(i), epochs, next < n && firstEpochs[next] == firstEpochs[i]);
        }
        if (!epochs.isEmpty()) {
            LOG.info("Rebuilt the leader epoch history from the batches: partition={}-{}, entries={}", topic,
                partition, epochs.entries());
        }
    }

    /**
     * Walks the batch headers of {@code s}, giving each batch's (leader epoch, base offset) to
     * {@code into}'s {@link LeaderEpochCache#assignFromBatch} when it is not null; with {@code firstOnly}, the
     * first batch only. Returns the first batch's leader epoch, or {@link #NO_BATCH} for an empty segment.
     */
    private int scanEpochs(Segment s, LeaderEpochCache into, boolean firstOnly) throws IOException {
        final int size = s.size();
        if (size < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
            return NO_BATCH;
        }
        final SegmentFiles f = s.acquireFiles();
        try {
            final SequentialReader reader = new SequentialReader(f.channel, body, size);
            int first = NO_BATCH;
            int position = 0;
            while (position < size) {
                if (reader.copy(position, RecordBatchLayout.RECORD_BATCH_OVERHEAD, scratch)
                        < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                    break;
                }
                final int batchSize = BatchHeaders.batchSize(scratch);
                if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                    break;
                }
                final int epoch = scratch.getInt(RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET);
                if (first == NO_BATCH) {
                    first = epoch;
                }
                if (into != null) {
                    into.assignFromBatch(epoch, BatchHeaders.baseOffset(scratch));
                }
                if (firstOnly) {
                    break;
                }
                position += batchSize;
            }
            return first;
        } finally {
            s.release();
        }
    }
}
