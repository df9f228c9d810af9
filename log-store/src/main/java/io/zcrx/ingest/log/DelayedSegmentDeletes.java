package io.zcrx.ingest.log;

import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments removed from a partition's log by retention whose files still exist (renamed
 * {@code .deleted}) until {@code file.delete.delay.ms} has passed: a Fetch read just before the
 * removal may still be sending from them. Oldest first; due times never decrease (one clock, one
 * delay per removal).
 *
 * <p>Thread-safe: retention adds on the maintenance thread, which also deletes what is due; close
 * and delete of the partition drain it from their own thread.
 */
final class DelayedSegmentDeletes {
    private static final Logger LOG = LoggerFactory.getLogger(DelayedSegmentDeletes.class);

    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final ArrayDeque<Long> dueMs = new ArrayDeque<>();

    /** Queues a renamed segment whose files go at {@code due}. */
    synchronized void add(Segment s, long due) {
        segments.add(s);
        dueMs.add(due);
    }

    /**
     * Deletes the files of the queued segments whose delay has passed (all of them when
     * {@code all}); a failure is logged and that segment is dropped from the queue.
     */
    void deleteDue(long nowMs, boolean all) {
        while (true) {
            final Segment s;
            synchronized (this) {
                final Long due = dueMs.peek();
                if (due == null || (!all && due > nowMs)) {
                    return;
                }
                dueMs.poll();
                s = segments.poll();
            }
            try {
                s.deleteFiles();
            } catch (IOException e) {
                LOG.warn("Deleting segment files failed: file={}: {}", s.logFile(), e.toString());
            }
        }
    }

    /** Closes the queued segments' handles and leaves their files (crash simulation). */
    synchronized void closeAll() {
        for (Segment s : segments) {
            s.close();
        }
    }
}
