package io.zcrx.ingest.perf.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The open loop's arithmetic under a fake clock: what the sender sends when, and what latencies the records get.
 * The simulation below is the sender loop of {@link OpenLoop} with the socket replaced by a target that answers
 * every request a fixed time after it was sent, and stops (sender blocked, nothing sent) for a while.
 */
class OpenLoopPacerTest {
    private static final long MS = 1_000_000;

    /** One request as the simulated sender wrote it. */
    private record Sent(long first, int count, long atNs, long latenessNs) {
    }

    /**
     * Drives a pacer from 0 to {@code endNs} in steps of {@code stepNs}; no send in {@code [stallFrom, stallTo)}
     * (the sender is blocked: a full socket, a GC pause); every request answered {@code serviceNs} after its send.
     */
    private static List<Sent> simulate(OpenLoopPacer pacer, OpenLoopLatency latency, long stepNs, long endNs,
                                       long stallFrom, long stallTo, long serviceNs) {
        final List<Sent> sent = new ArrayList<>();
        for (long now = 0; now <= endNs && !pacer.done(); now += stepNs) {
            if (now >= stallFrom && now < stallTo) {
                continue;
            }
            int count;
            while ((count = pacer.batchAt(now)) > 0) {
                final long first = pacer.nextRecord();
                sent.add(new Sent(first, count, now, pacer.latenessNs(now)));
                pacer.sent(count);
                latency.answered(first, count, now + serviceNs);
            }
        }
        return sent;
    }

    @Test
    void aStallShowsUpInTheLatencyOfEveryRecordScheduledDuringIt() {
        // Goal: no coordinated omission. The sender cannot send from 50 ms to 150 ms; the 100 records due in that
        // time wait, and each one's latency includes its wait, not just the 0.2 ms the target takes. Method: 1,000
        // records/s (one per ms), a clock stepping 10 us, every record measured; a closed-loop measurement (from the
        // send) would see 0.2 ms everywhere.
        final OpenLoopSchedule s = new OpenLoopSchedule(0, 1_000);
        final OpenLoopPacer pacer = new OpenLoopPacer(s, 15, 300);
        final OpenLoopLatency latency = new OpenLoopLatency(s, 0, 300);
        final List<Sent> sent = simulate(pacer, latency, 10_000, 400 * MS, 50 * MS + 1, 150 * MS, 200_000);
        assertTrue(pacer.done());
        final Histogram h = latency.histogram();
        assertEquals(300, h.getTotalCount());
        // Records 51..149 were due during the stall (record 50 at 50 ms, just before it, went out on time) and record
        // 150 at its end: at 150 ms the sender sends 51..150 at once, answered at 150.2 ms. Record i waits 150 - i ms.
        for (int i = 51; i <= 150; i++) {
            final long expected = (150 - i) * MS + 200_000;
            assertTrue(h.getCountBetweenValues(h.lowestEquivalentValue(expected), h.highestEquivalentValue(expected))
                >= 1, "record " + i + " latency " + expected);
        }
        // Every record above 10 ms is one of those scheduled at least 10 ms before the end of the stall: 51..140.
        assertEquals(90, h.getCountBetweenValues(10 * MS + 200_000, Long.MAX_VALUE));
        assertEquals(99 * MS + 200_000, h.getMaxValue(), h.getMaxValue() / 1000.0);
        // The other 200 records were sent when due (clock steps of 10 us), and so was record 150: 0.2 ms.
        assertEquals(201, h.getCountBetweenValues(0, h.highestEquivalentValue(200_000)));

        // The backlog goes out at once, oldest first, in batches of at most 15 records: 100 records = 7 requests,
        // the first 99 ms late (record 51 was due at 51 ms).
        final List<Sent> atEnd = sent.stream().filter(x -> x.atNs() == 150 * MS).toList();
        assertEquals(List.of(15, 15, 15, 15, 15, 15, 10), atEnd.stream().map(Sent::count).toList());
        assertEquals(51, atEnd.get(0).first());
        assertEquals(99 * MS, atEnd.get(0).latenessNs());
        assertEquals(List.of(99L, 84L, 69L, 54L, 39L, 24L, 9L),
            atEnd.stream().map(x -> x.latenessNs() / MS).toList());
    }

    @Test
    void onScheduleEveryRecordIsItsOwnRequest() {
        // Goal: linger.ms=0: a sender that wakes up for every record sends it alone, on time. Method: 10,000/s, a
        // clock stepping exactly at the schedule's spacing.
        final OpenLoopSchedule s = new OpenLoopSchedule(0, 10_000);
        final OpenLoopPacer pacer = new OpenLoopPacer(s, 15, 1_000);
        final OpenLoopLatency latency = new OpenLoopLatency(s, 0, 1_000);
        final List<Sent> sent = simulate(pacer, latency, 100_000, 200 * MS, -1, -1, 50_000);
        assertEquals(1_000, sent.size());
        assertTrue(sent.stream().allMatch(x -> x.count() == 1 && x.latenessNs() == 0));
        assertEquals(50_000, latency.histogram().getMaxValue(), 50);
    }

    @Test
    void aCoarseClockBatchesWhatBecameDueAndCountsTheWait() {
        // Goal: a sender that wakes every 1 ms at 100,000/s sends the ~100 records due since its last wake-up in
        // batches of the batch size, and each record's latency includes its wait for the wake-up (0 to 1 ms).
        final OpenLoopSchedule s = new OpenLoopSchedule(0, 100_000);
        final OpenLoopPacer pacer = new OpenLoopPacer(s, 15, 10_000);
        final OpenLoopLatency latency = new OpenLoopLatency(s, 5_000, 10_000);
        simulate(pacer, latency, MS, 200 * MS, -1, -1, 0);
        final Histogram h = latency.histogram();
        assertEquals(5_000, h.getTotalCount());
        assertTrue(h.getMaxValue() >= 990_000 && h.getMaxValue() <= MS, "max " + h.getMaxValue());
        assertEquals(MS / 2, h.getMean(), 20_000);
    }

    @Test
    void warmUpRecordsAreNotMeasuredAndLatenessCountsOnlyAboveOneMillisecond() {
        final OpenLoopSchedule s = new OpenLoopSchedule(0, 1_000);
        final OpenLoopLatency latency = new OpenLoopLatency(s, 10, 20);
        latency.answered(0, 30, 100 * MS);
        assertEquals(10, latency.histogram().getTotalCount());
        assertEquals(90 * MS, latency.histogram().getMaxValue(), 90 * MS / 1000);
        final OpenLoopLateness lateness = new OpenLoopLateness();
        lateness.sent(OpenLoopLateness.LATE_NS);
        lateness.sent(OpenLoopLateness.LATE_NS + 1);
        lateness.sent(0);
        assertEquals(3, lateness.requests());
        assertEquals(1, lateness.late());
        assertEquals(OpenLoopLateness.LATE_NS + 1, lateness.maxNs());
    }
}
