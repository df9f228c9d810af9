package io.zcrx.ingest.perf.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {

    @Test
    void dueCountAndScheduledTimeAreInverse() {
        // Goal: record i is due exactly at scheduledNs(i) and not a nanosecond before, at rates that divide a second
        // and rates that do not. Method: for each i, dueCount just before and at its time.
        for (long rate : new long[] {1, 3, 1000, 7_001, 10_000, 100_000, 333_333}) {
            final OpenLoopSchedule s = new OpenLoopSchedule(5_000_000_000L, rate);
            assertEquals(0, s.dueCount(s.startNs() - 1));
            for (long i = 0; i < 2_000; i++) {
                final long at = s.scheduledNs(i);
                assertEquals(i + 1, s.dueCount(at), "rate=" + rate + ", i=" + i);
                assertEquals(i, s.dueCount(at - 1), "rate=" + rate + ", i=" + i);
            }
        }
    }

    @Test
    void spacingIsOneSecondOverTheRate() {
        final OpenLoopSchedule s = new OpenLoopSchedule(0, 10_000);
        assertEquals(0, s.scheduledNs(0));
        assertEquals(100_000, s.scheduledNs(1));
        assertEquals(1_000_000_000L, s.scheduledNs(10_000));
        // 60 s at 100,000/s: far from overflowing.
        assertEquals(60_000_000_000L, new OpenLoopSchedule(0, 100_000).scheduledNs(6_000_000));
        assertEquals(600_000, new OpenLoopSchedule(0, 10_000).recordsIn(60));
    }

    @Test
    void rejectsARateOfZero() {
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, 0));
    }
}
