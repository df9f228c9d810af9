package io.zcrx.ingest.log;

import io.zcrx.ingest.log.producer.CorruptSnapshotException;
import io.zcrx.ingest.log.producer.ProducerStateTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Truncation of one partition's log to an offset ({@link PartitionLog#truncateTo}; Kafka's
 * {@code UnifiedLog.truncateTo}), what a follower does when its log diverged from the leader's: the segments above
 * the offset go ({@code .deleted}, files deleted {@code file.delete.delay.ms} later, as retention's), the segment
 * holding it is cut and becomes the active one again, producer snapshots above it are deleted and the producer state
 * is rebuilt from the newest remaining snapshot plus a replay, and the leader epoch history is truncated from the
 * end. An offset at or past the log end only drops epoch entries past the log end (Kafka does the same: a leader
 * that failed before appending may have left one).
 *
 * <p>Threads: the caller's (the broker's replica management), under the partition's append lock; not a hot path
 * (it reads the cut segment and the replayed ones). A reader that races a truncation may get a region that ends
 * short; a follower serves no consumer reads. The cut reaches the disk with the next flush; a crash before that may
 * bring the dropped batches back, as in Kafka, where the follower then truncates again.
 */
final class LogTruncation {
    private static final Logger LOG = LoggerFactory.getLogger(LogTruncation.class);

    private final PartitionLog log;
    private final TopicPartition topicPartition;

    LogTruncation(PartitionLog log) {
        this.log = log;
        this.topicPartition = log.topicPartition();
    }

    /** See {@link PartitionLog#truncateTo}; append lock held by the caller. */
    boolean truncateTo(long target, long nowMs) throws IOException {
        final long logEnd = log.logEndOffset();
        if (target >= logEnd) {
            log.truncateEpochsToLogEnd();
            return false;
        }
        final Segment[] segs = log.segments();
        final LogConfig cfg = log.config();
        final Segment[] kept;
        final Segment[] doomed;
        final long newLogStart;
        if (target < segs[0].baseOffset()) {
            // Kafka's truncateFullyAndStartAt: nothing of the log stays; it restarts empty at the target.
            doomed = segs;
            for (Segment s : doomed) {
                s.renameToDeleted();
            }
            kept = new Segment[] {Segment.create(log.dir(), target, cfg, nowMs, log.openSegmentCache())};
            newLogStart = target;
        } else {
            int k = segs.length - 1;
            while (segs[k].baseOffset() > target) {
                k--;
            }
            doomed = Arrays.copyOfRange(segs, k + 1, segs.length);
            for (Segment s : doomed) {
                s.renameToDeleted();
            }
            final ByteBuffer scratch = ByteBuffer.allocateDirect(64);
            final ByteBuffer body = ByteBuffer.allocateDirect(64 * 1024);
            segs[k].truncateToAndActivate(target, cfg.segmentIndexBytes, scratch, body);
            kept = Arrays.copyOf(segs, k + 1);
            newLogStart = Math.min(log.logStartOffset(), target);
        }
        for (Segment s : doomed) {
            log.delayedDeletes().add(s, nowMs + cfg.fileDeleteDelayMs);
        }
        log.replaceSegmentsAfterTruncation(kept, newLogStart);
        final int replayed = rebuildProducerState(kept, log.logStartOffset(), log.logEndOffset(), nowMs);
        LOG.info("Truncated log: partition={}, targetOffset={}, logEndOffset={} (was {}), segmentsRemoved={}, "
                + "producers={}, replayedBatches={}, leaderEpochs={}", topicPartition, target, log.logEndOffset(),
            logEnd, doomed.length, log.producers().size(), replayed, log.epochEntries());
        return true;
    }

    /**
     * Kafka's {@code truncateFullyAndStartAt} (append lock held): every segment goes, the log restarts empty at
     * {@code target} (also above the log end: a follower behind its leader's log start), with no producer state,
     * no producer snapshots and no epoch history.
     */
    void truncateFullyAndStartAt(long target, long nowMs) throws IOException {
        final long logEnd = log.logEndOffset();
        final Segment[] doomed = log.segments();
        final LogConfig cfg = log.config();
        for (Segment s : doomed) {
            s.renameToDeleted();
        }
        final Segment[] kept = {Segment.create(log.dir(), target, cfg, nowMs, log.openSegmentCache())};
        for (Segment s : doomed) {
            log.delayedDeletes().add(s, nowMs + cfg.fileDeleteDelayMs);
        }
        log.replaceSegmentsAfterTruncation(kept, target);
        log.clearEpochs();
        log.snapshots().deleteAbove(-1L);
        log.producers().clear();
        LOG.info("Truncated log fully: partition={}, newStartOffset={} (log end was {}), segmentsRemoved={}",
            topicPartition, target, logEnd, doomed.length);
    }

    /**
     * Kafka's {@code rebuildProducerState} after a truncation: snapshots above the new log end go, the state is
     * reloaded from the newest valid snapshot at or below the second-newest segment's base (the same ceiling as
     * the loader after a crash, so the replay rebuilds every producer's five-batch window) and the batches after it
     * are replayed.
     */
    private int rebuildProducerState(Segment[] segs, long logStart, long logEnd, long nowMs) throws IOException {
        final ProducerSnapshots snapshots = log.snapshots();
        final ProducerStateTable producers = log.producers();
        snapshots.deleteAbove(logEnd);
        producers.clear();
        final long ceiling = segs.length >= 2 ? segs[segs.length - 2].baseOffset() : logStart;
        long from = logStart;
        for (long candidate = snapshots.floor(ceiling); candidate > logStart; candidate = snapshots.floor(ceiling)) {
            try {
                producers.loadSnapshot(LogFiles.snapshotFile(log.dir(), candidate), nowMs,
                    log.producerIdExpirationMs());
                from = candidate;
                break;
            } catch (CorruptSnapshotException e) {
                LOG.warn("Dropping corrupt producer snapshot: {}", e.getMessage());
                producers.clear();
                snapshots.delete(candidate);
            }
        }
        final ByteBuffer scratch = ByteBuffer.allocateDirect(64);
        final ByteBuffer body = ByteBuffer.allocateDirect(64 * 1024);
        int replayed = 0;
        for (Segment s : segs) {
            if (s.nextOffset() > from && s.size() > 0) {
                replayed += ProducerReplay.replay(s, from, logEnd, producers, scratch, body);
            }
        }
        return replayed;
    }
}
