package io.zcrx.ingest.log.cleaner;

import io.zcrx.ingest.log.CleanableSegment;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.checkpoint.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which log to clean next and how far each was cleaned (Kafka's {@code LogCleanerManager}): the first dirty offset of
 * every compacted log, kept in each log directory's {@code cleaner-offset-checkpoint} (Kafka's file and format);
 * the logs being cleaned now (one cleaner per log); the logs whose clean failed for an unexpected reason (left
 * alone until restart, as Kafka's uncleanable partitions).
 *
 * <p>The dirty section of a log is {@code [firstDirty, firstUncleanable)}: {@code firstDirty} is the checkpointed
 * offset (the log start when there is none or it lies outside the log); {@code firstUncleanable} is the lowest of
 * the high watermark (never clean what is not committed; Kafka's last stable offset, without transactions), the
 * active segment's base, and the base of the first dirty segment holding a record younger than
 * {@code min.compaction.lag.ms}. The filthiest log (largest dirty/total byte ratio) is cleaned when that ratio is
 * above its {@code min.cleanable.dirty.ratio}, or at once when a dirty record is older than
 * {@code max.compaction.lag.ms}.
 *
 * <p>Thread-safe: the cleaner threads call in under this object's monitor (cheap: header reads only).
 */
final class LogCleanerManager {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleanerManager.class);
    static final String CHECKPOINT_FILE = "cleaner-offset-checkpoint";

    private final LogManager logs;
    private final Map<TopicPartition, Long> lastClean = new HashMap<>();
    private final Set<TopicPartition> inProgress = new HashSet<>();
    private final Set<TopicPartition> uncleanable = new HashSet<>();
    private volatile double dirtiestRatio;

    LogCleanerManager(LogManager logs) {
        this.logs = logs;
        for (Path dir : logs.logDirs()) {
            final Path file = dir.resolve(CHECKPOINT_FILE);
            try {
                lastClean.putAll(OffsetCheckpointFile.read(file));
            } catch (IOException e) {
                LOG.warn("Ignoring unreadable cleaner checkpoint, those logs are cleaned from their start: file={}: {}",
                    file, e.getMessage());
            }
        }
    }

    /** The dirty ratio of the dirtiest compacted log at the last selection (Kafka's max-dirty-percent). */
    double dirtiestRatio() {
        return dirtiestRatio;
    }

    /** The first dirty offset recorded for {@code tp}, or null. */
    synchronized Long lastCleanOffset(TopicPartition tp) {
        return lastClean.get(tp);
    }

    /**
     * Kafka's {@code grabFilthiestCompactedLog}: the compacted log most in need of a clean, now marked in progress;
     * null when none needs one.
     */
    synchronized LogToClean grabFilthiest(long now) {
        LogToClean best = null;
        double maxRatio = 0;
        for (PartitionLog log : logs.partitions()) {
            final TopicPartition tp = log.topicPartition();
            final LogConfig config = log.config();
            if (!config.compact || !log.isOnline() || inProgress.contains(tp) || uncleanable.contains(tp)) {
                continue;
            }
            final LogToClean ltc;
            try {
                ltc = toClean(log, lastClean.get(tp), now);
            } catch (IOException | RuntimeException e) {
                // A segment removed under the look (retention, deletion): try again next round.
                LOG.debug("Skipping log for this round: partition={}: {}", tp, e.toString());
                continue;
            }
            if (ltc.totalBytes() == 0) {
                continue;
            }
            maxRatio = Math.max(maxRatio, ltc.cleanableRatio());
            final boolean cleanable = (ltc.needCompactionNow() && ltc.cleanableBytes() > 0)
                || ltc.cleanableRatio() > config.minCleanableDirtyRatio;
            if (cleanable && (best == null || ltc.cleanableRatio() > best.cleanableRatio())) {
                best = ltc;
            }
        }
        dirtiestRatio = maxRatio;
        if (best != null) {
            inProgress.add(best.log().topicPartition());
        }
        return best;
    }

    /** Kafka's {@code cleanableOffsets} and {@code maxCompactionDelay} for one log. */
    static LogToClean toClean(PartitionLog log, Long lastCleanOffset, long now) throws IOException {
        final LogConfig config = log.config();
        final long logStart = log.logStartOffset();
        final long logEnd = log.logEndOffset();
        final long checkpoint = lastCleanOffset == null ? logStart : lastCleanOffset;
        final long firstDirty = checkpoint < logStart || checkpoint > logEnd ? logStart : checkpoint;
        final List<CleanableSegment> segments = log.cleanableSegments();
        final long activeBase = log.activeSegmentBaseOffset();
        long firstUncleanable = Math.min(log.highWatermark(), activeBase);
        final List<CleanableSegment> dirtyInactive = Cleaner.overlapping(segments, activeBase, firstDirty, activeBase);
        if (config.minCompactionLagMs > 0) {
            for (CleanableSegment s : dirtyInactive) {
                if (s.largestTimestamp() > now - config.minCompactionLagMs) {
                    firstUncleanable = Math.min(firstUncleanable, s.baseOffset());
                    break;
                }
            }
        }
        firstUncleanable = Math.max(firstDirty, firstUncleanable);
        boolean needNow = false;
        if (config.maxCompactionLagMs < Long.MAX_VALUE && now - config.maxCompactionLagMs > 0) {
            final long cleanUntil = now - config.maxCompactionLagMs;
            for (CleanableSegment s : dirtyInactive) {
                final long first = s.firstBatchTimestamp();
                if (first > 0 && first < cleanUntil) {
                    needNow = true;
                    break;
                }
            }
        }
        long cleanBytes = 0;
        for (CleanableSegment s : Cleaner.overlapping(segments, activeBase, Long.MIN_VALUE, firstDirty)) {
            cleanBytes += s.sizeInBytes();
        }
        long cleanableBytes = 0;
        for (CleanableSegment s : Cleaner.overlapping(segments, activeBase, firstDirty, firstUncleanable)) {
            cleanableBytes += s.sizeInBytes();
        }
        return new LogToClean(log, firstDirty, firstUncleanable, cleanBytes, cleanableBytes, needNow);
    }

    /** The clean of {@code log} ended at {@code endOffset}: record it and write its directory's checkpoint. */
    synchronized void doneCleaning(PartitionLog log, long endOffset) {
        final TopicPartition tp = log.topicPartition();
        inProgress.remove(tp);
        lastClean.put(tp, endOffset);
        writeCheckpoint(log.dir().toAbsolutePath().getParent());
    }

    /** The clean of {@code tp} stopped without result (shutdown, or the log changed under it). */
    synchronized void abortCleaning(TopicPartition tp) {
        inProgress.remove(tp);
    }

    /** The clean failed unexpectedly: leave the log alone until restart (Kafka's uncleanable partitions). */
    synchronized void markUncleanable(TopicPartition tp) {
        inProgress.remove(tp);
        uncleanable.add(tp);
    }

    synchronized int uncleanableCount() {
        return uncleanable.size();
    }

    /** Rewrites {@code cleaner-offset-checkpoint} of one log directory from the logs it holds now. */
    private void writeCheckpoint(Path dir) {
        final Map<TopicPartition, Long> entries = new TreeMap<>((a, b) -> {
            final int c = a.topic().compareTo(b.topic());
            return c != 0 ? c : Integer.compare(a.partition(), b.partition());
        });
        for (PartitionLog log : logs.partitions()) {
            final Long offset = lastClean.get(log.topicPartition());
            if (offset != null && log.dir().toAbsolutePath().getParent().equals(dir)) {
                entries.put(log.topicPartition(), offset);
            }
        }
        final Path file = dir.resolve(CHECKPOINT_FILE);
        try {
            OffsetCheckpointFile.write(file, entries);
        } catch (IOException e) {
            // Costs a repeated clean after a restart, never data.
            LOG.warn("Writing the cleaner checkpoint failed: file={}: {}", file, e.toString());
        }
    }
}
