package io.zcrx.ingest.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swaps a cleaned segment in for the group of old segments it was cleaned from ({@link PartitionLog#replaceSegments};
 * Kafka's {@code LocalLog.replaceSegments}), crash-safely with Kafka's file protocol:
 *
 * <pre>
 *   cleaner thread, no lock:  X.log.cleaned (+ .index.cleaned, .timeindex.cleaned) written, sealed, fsynced
 *   under the append lock:    1. X.*.cleaned  -&gt; X.*.swap           (the clean is now committed)
 *                             2. each old segment's files -&gt; *.deleted  (readers keep their open handles)
 *                             3. X.*.swap     -&gt; X.*                (the new segment has its final names)
 *                             4. the segment array replaced; old segments deleted file.delete.delay.ms later
 *   no lock:                  fsync of the directory
 * </pre>
 *
 * <p>A crash at any point is repaired by {@link LogLoader}: {@code .cleaned} files are deleted (the old segments are
 * all still there); a {@code .log.swap} completes the swap: the old segment files whose base offsets lie in the swap
 * segment's offset range are deleted, index {@code .swap} files are deleted (rebuilt from the log), the log
 * {@code .swap} takes its final name; {@code .deleted} files are deleted. The cleaner retains the last batch of every
 * group (empty if need be), so the swap segment's range covers every old segment of its group.
 *
 * <p>Appends wait only for the renames and the array swap (no I/O but metadata); readers never wait: one holding an
 * old segment keeps reading it (renamed, still open, or reopened under its new name) until the delayed delete.
 */
final class SegmentSwap {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSwap.class);

    private SegmentSwap() {
    }

    /** See {@link PartitionLog#replaceSegments}. */
    static boolean replace(PartitionLog log, CleanedSegment cleaned, List<CleanableSegment> old, long nowMs)
            throws IOException {
        if (old.isEmpty() || old.get(0).baseOffset() != cleaned.baseOffset()) {
            cleaned.close();
            throw new IllegalArgumentException("cleaned segment does not start the group it replaces: partition="
                + log.topicPartition() + ", cleaned=" + cleaned + ", old=" + old);
        }
        final Path dir = log.dir();
        final long base = cleaned.baseOffset();
        cleaned.closeHandles();
        final Segment fresh;
        try {
            fresh = Segment.openCleaned(dir, base, log.config(), nowMs, log.openSegmentCache(), cleaned.logFile,
                cleaned.indexFile, cleaned.timeIndexFile);
        } catch (IOException | RuntimeException e) {
            cleaned.close();
            throw e;
        }
        try {
            SegmentRecovery.loadNextOffset(fresh, ByteBuffer.allocateDirect(64));
        } catch (IOException | RuntimeException e) {
            fresh.close();
            cleaned.close();
            throw e;
        }
        final Path finalLog = LogFiles.logFile(dir, base);
        final Path finalIndex = LogFiles.indexFile(dir, base);
        final Path finalTimeIndex = LogFiles.timeIndexFile(dir, base);
        synchronized (log.appendLock) {
            final Segment[] segs = log.segments();
            final int at = indexOf(segs, old.get(0).segment);
            if (!log.isOnline() || at < 0 || !matches(segs, at, old)) {
                // Retention, a truncation or a close changed the segments since the clean listed them.
                fresh.close();
                cleaned.close();
                LOG.info("Cleaned segment discarded, the log changed during the clean: partition={}, baseOffset={}",
                    log.topicPartition(), base);
                return false;
            }
            try {
                final SegmentFiles f = fresh.files();
                final Path swapLog = CleanedSegment.swapName(finalLog);
                Files.move(cleaned.logFile, swapLog);
                f.offsetIndex.renameTo(CleanedSegment.swapName(finalIndex));
                f.timeIndex.renameTo(CleanedSegment.swapName(finalTimeIndex));
                for (CleanableSegment s : old) {
                    s.segment.renameToDeleted();
                }
                f.offsetIndex.renameTo(finalIndex);
                f.timeIndex.renameTo(finalTimeIndex);
                Files.move(swapLog, finalLog);
            } catch (IOException | RuntimeException e) {
                // The files are in a state the loader completes or undoes; this process cannot go on with them.
                fresh.close();
                log.markOffline("segment swap failed", e);
                throw e;
            }
            final Segment[] next = new Segment[segs.length - old.size() + 1];
            System.arraycopy(segs, 0, next, 0, at);
            next[at] = fresh;
            System.arraycopy(segs, at + old.size(), next, at + 1, segs.length - at - old.size());
            log.replaceSegmentArray(next);
            final long due = nowMs + log.config().fileDeleteDelayMs;
            for (CleanableSegment s : old) {
                log.delayedDeletes().add(s.segment, due);
                if (s.baseOffset() != base) {
                    log.deleteSnapshot(s.baseOffset());
                }
            }
        }
        fresh.handles().park();
        try {
            cleaned.syncDir();
        } catch (IOException e) {
            LOG.warn("fsync of the partition directory after a swap failed (a crash may replay the swap): dir={}: {}",
                dir, e.toString());
        }
        return true;
    }

    private static int indexOf(Segment[] segs, Segment s) {
        for (int i = 0; i < segs.length; i++) {
            if (segs[i] == s) {
                return i;
            }
        }
        return -1;
    }

    /** The old segments are the log's, contiguous from {@code at}, and none of them is the active one. */
    private static boolean matches(Segment[] segs, int at, List<CleanableSegment> old) {
        if (at + old.size() >= segs.length) {
            return false;
        }
        for (int k = 0; k < old.size(); k++) {
            if (segs[at + k] != old.get(k).segment) {
                return false;
            }
        }
        return true;
    }
}
