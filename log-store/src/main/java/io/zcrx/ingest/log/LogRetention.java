package io.zcrx.ingest.log;

import java.io.IOException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of one partition ({@link PartitionLog#deleteOldSegments}; Kafka's
 * {@code UnifiedLog.deleteOldSegments}): which of the oldest segments {@code retention.bytes} and
 * {@code retention.ms} remove, then their removal from the log, the rename to {@code .deleted} and
 * the delayed deletion of their files ({@link DelayedSegmentDeletes}).
 *
 * <p>Threads: the broker's maintenance thread; the decision and the removal run under the
 * partition's append lock (a roll may be part of it), the file deletions outside it.
 */
final class LogRetention {
    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    private final PartitionLog log;
    private final TopicPartition topicPartition;

    LogRetention(PartitionLog log) {
        this.log = log;
        this.topicPartition = log.topicPartition();
    }

    /** See {@link PartitionLog#deleteOldSegments}. */
    int deleteOldSegments(long nowMs) {
        int removed = 0;
        synchronized (log.appendLock) {
            if (!log.isOnline()) {
                return 0;
            }
            final LogConfig cfg = log.config();
            try {
                // Kafka's deleteLogStartOffsetBreachedSegments: whatever the cleanup policy.
                removed += deleteLogStartBreached(nowMs);
                // cleanup.policy=compact alone: Kafka's deleteOldSegments applies no time or size retention (the
                // cleaner keeps the log small); the files of segments already removed (retention, cleaner swaps)
                // still go below.
                if (cfg.delete && cfg.retentionBytes >= 0) {
                    removed += deleteSegments(sizeBreached(cfg.retentionBytes), nowMs, "retention.bytes="
                        + cfg.retentionBytes);
                }
                if (cfg.delete && cfg.retentionMs >= 0) {
                    removed += deleteSegments(timeBreached(nowMs, cfg.retentionMs), nowMs, "retention.ms="
                        + cfg.retentionMs);
                }
            } catch (IOException e) {
                LOG.error("Retention failed: partition={}, dir={}: {}", topicPartition, log.dir(), e.toString());
            }
        }
        log.delayedDeletes().deleteDue(nowMs, false);
        return removed;
    }

    /**
     * Kafka's {@code deleteLogStartOffsetBreachedSegments}: the oldest segments whose next segment starts at or
     * below the log start offset (DeleteRecords or a leader's log start moved it past them) hold nothing readable
     * and go; the active segment never does. Append lock held.
     */
    int deleteLogStartBreached(long nowMs) throws IOException {
        final Segment[] segs = log.segments();
        final long start = log.logStartOffset();
        int n = 0;
        while (n < segs.length - 1 && segs[n + 1].baseOffset() <= start) {
            n++;
        }
        return deleteSegments(n, nowMs, "logStartOffset=" + start);
    }

    /** How many of the oldest segments retention.bytes removes (Kafka's running diff). */
    private int sizeBreached(long retentionBytes) {
        final Segment[] segs = log.segments();
        long diff = log.sizeInBytes() - retentionBytes;
        int n = 0;
        while (n < segs.length && !(n == segs.length - 1 && segs[n].size() == 0) && diff - segs[n].size() >= 0) {
            diff -= segs[n].size();
            n++;
        }
        return n;
    }

    /** How many of the oldest segments are older than retention.ms by their largest timestamp. */
    private int timeBreached(long nowMs, long retentionMs) throws IOException {
        final Segment[] segs = log.segments();
        int n = 0;
        while (n < segs.length && !(n == segs.length - 1 && segs[n].size() == 0)
                && nowMs - segs[n].largestTimestamp() > retentionMs) {
            n++;
        }
        return n;
    }

    private int deleteSegments(int count, long nowMs, String reason) throws IOException {
        if (count == 0) {
            return 0;
        }
        final Segment[] doomed = log.removeOldestSegments(count, nowMs);
        final DelayedSegmentDeletes deletes = log.delayedDeletes();
        for (Segment s : doomed) {
            s.renameToDeleted();
            deletes.add(s, nowMs + log.config().fileDeleteDelayMs);
            log.deleteSnapshot(s.baseOffset());
        }
        log.truncateEpochsToLogStart();
        LOG.info("Deleted {} segment(s) by {}: partition={}, baseOffsets={}..{}, logStartOffset={}", count, reason,
            topicPartition, doomed[0].baseOffset(), doomed[count - 1].baseOffset(), log.logStartOffset());
        return count;
    }
}
