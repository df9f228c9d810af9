package io.zcrx.ingest.log;

import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The flush policy and the fsync of one partition ({@link PartitionLog#flushDue},
 * {@link PartitionLog#flush}): what makes a flush due (a roll, {@code flush.messages},
 * {@code flush.ms}) and making everything appended before a flush durable, which advances the
 * recovery point.
 *
 * <p>Threads: appends and rolls report to it under the append lock ({@link #onAppend},
 * {@link #onRoll}); {@link #flushDue} and {@link #flush} run on the broker's flusher thread, and
 * the fsyncs run without the append lock, so appends continue meanwhile.
 */
final class PartitionFlush {
    private final PartitionLog log;
    /** Set by a roll, cleared by the next flush: a roll makes a flush due. */
    private volatile boolean newSegmentSinceFlush;
    private volatile long firstUnflushedAppendMs = -1L;
    /** Truncations so far (append lock held); a flush only advances the recovery point if none happened during it. */
    private long truncations;

    PartitionFlush(PartitionLog log) {
        this.log = log;
    }

    /** An append completed (append lock held). */
    void onAppend(long nowMs) {
        if (firstUnflushedAppendMs < 0) {
            firstUnflushedAppendMs = nowMs;
        }
    }

    /** A segment was rolled (append lock held). */
    void onRoll() {
        newSegmentSinceFlush = true;
    }

    /**
     * The log was truncated (append lock held): segments were renamed and the active one changed, so the next flush
     * syncs the directory, and a flush that started before the truncation must not move the recovery point.
     */
    void onTruncate() {
        newSegmentSinceFlush = true;
        truncations++;
    }

    /** See {@link PartitionLog#flushDue}. */
    boolean flushDue(long nowMs) {
        if (!log.isOnline()) {
            return false;
        }
        final LogConfig cfg = log.config();
        final long unflushed = log.logEndOffset() - log.recoveryPoint();
        if (unflushed <= 0) {
            return false;
        }
        final long since = firstUnflushedAppendMs;
        return newSegmentSinceFlush || unflushed >= cfg.flushMessages || (since >= 0 && nowMs - since >= cfg.flushMs);
    }

    /** See {@link PartitionLog#flush}. */
    long flush() throws IOException {
        final long target;
        final long previous;
        final Segment[] segs;
        final Path[] snapshots;
        final boolean syncDir;
        final long truncationsAtStart;
        synchronized (log.appendLock) {
            truncationsAtStart = truncations;
            if (!log.isOnline()) {
                return log.recoveryPoint();
            }
            target = log.logEndOffset();
            previous = log.recoveryPoint();
            segs = log.segments();
            snapshots = log.snapshots().takeUnsynced();
            syncDir = newSegmentSinceFlush;
            newSegmentSinceFlush = false;
            firstUnflushedAppendMs = -1L;
        }
        try {
            for (Segment s : segs) {
                if (s.nextOffset() > previous || s.sealedUnsynced()) {
                    flushSegment(s);
                }
            }
            for (Path snapshot : snapshots) {
                try (FileChannel ch = FileChannel.open(snapshot, StandardOpenOption.READ)) {
                    ch.force(true);
                } catch (NoSuchFileException e) {
                    // Removed with its segment meanwhile.
                }
            }
            if (syncDir) {
                AtomicFiles.fsyncDirectory(log.dir());
            }
            log.writeLeaderEpochCheckpointIfDirty();
        } catch (IOException e) {
            if (log.isClosed()) {
                return log.recoveryPoint();
            }
            log.markOffline("flush failed", e);
            throw new IOException("flush failed: partition=" + log.topicPartition() + ", dir=" + log.dir()
                + ", targetOffset=" + target, e);
        }
        synchronized (log.appendLock) {
            // A truncation during the fsyncs may have cut (and new appends rewritten) offsets below the target.
            return truncations == truncationsAtStart ? log.advanceRecoveryPoint(target) : log.recoveryPoint();
        }
    }

    private static void flushSegment(Segment s) throws IOException {
        try {
            s.flush();
        } catch (ClosedChannelException | IllegalStateException e) {
            // A segment deleted by retention (or the partition closed) under the flush has nothing
            // left to make durable; anything else is a real failure.
            if (!s.isClosed()) {
                throw e instanceof IOException ? (IOException) e : new IOException(e);
            }
        }
    }
}
