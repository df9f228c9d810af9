package io.zcrx.ingest.perf.load;

import org.HdrHistogram.Histogram;

/**
 * The latency of every record of the measured window, from the moment the schedule said it was due
 * ({@link OpenLoopSchedule#scheduledNs}) to the moment its response arrived, into an HdrHistogram of nanoseconds
 * (3 significant digits, resizing itself, so no latency is ever clipped). Measuring from the schedule rather than
 * from the send is what keeps a stall visible: when the target (or the client) stops for 100 ms, every record due in
 * those 100 ms waits and is counted with its wait, instead of the one request that happened to be in flight.
 *
 * <p>Records outside {@code [measureFrom, measureTo)} (the warm-up) are ignored. One per receiving thread (the
 * histograms are merged at the end); not thread-safe.
 */
public final class OpenLoopLatency {
    private final OpenLoopSchedule schedule;
    private final long measureFrom;
    private final long measureTo;
    private final Histogram histogram = new Histogram(3);

    /** @param measureFrom first record index of the window; @param measureTo one past its last */
    public OpenLoopLatency(OpenLoopSchedule schedule, long measureFrom, long measureTo) {
        if (measureFrom < 0 || measureTo < measureFrom) {
            throw new IllegalArgumentException("open-loop window: from=" + measureFrom + ", to=" + measureTo);
        }
        this.schedule = schedule;
        this.measureFrom = measureFrom;
        this.measureTo = measureTo;
    }

    /** The response for records {@code [first, first + count)} arrived at {@code nowNs}. */
    public void answered(long first, int count, long nowNs) {
        final long from = Math.max(first, measureFrom);
        final long to = Math.min(first + count, measureTo);
        for (long i = from; i < to; i++) {
            // A response cannot come before its record was due; the clamp only guards a clock that went backwards.
            histogram.recordValue(Math.max(0, nowNs - schedule.scheduledNs(i)));
        }
    }

    public boolean measured(long record) {
        return record >= measureFrom && record < measureTo;
    }

    /** Latencies in nanoseconds recorded so far. */
    public Histogram histogram() {
        return histogram;
    }
}
