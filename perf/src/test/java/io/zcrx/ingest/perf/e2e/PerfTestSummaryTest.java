package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PerfTestSummaryTest {

    @Test
    void findsTheFinalSummaryAndIgnoresProgressLines() {
        // Goal: the parser reads kafka-producer-perf-test 4.3.1's final line, not its periodic
        // ones. Method: real output captured from the tool against Kafka 4.4.0.
        final List<String> out = List.of(
            "124697 records sent, 24929.4 records/sec (24.35 MB/sec), 937.3 ms avg latency, 1668.0 ms max latency.",
            "200000 records sent, 26827.632461 records/sec (26.20 MB/sec), 976.18 ms avg latency, 1668.00 ms max "
                + "latency,"
                + " 870 ms 50th, 1494 ms 95th, 1636 ms 99th, 1664 ms 99.9th.",
            "perf-test: client-cpu-seconds=5.6");
        final PerfTestSummary s = PerfTestSummary.find(out);
        assertEquals(new PerfTestSummary(200_000, 26827.632461, 976.18, 1668.0, 870, 1494, 1636, 1664), s);
        assertEquals(200_000 / 26827.632461, s.seconds(), 1e-9);
        assertNull(PerfTestSummary.find(List.of(out.get(0), "org.apache.kafka.common.errors.TimeoutException: x")));
    }

    @Test
    void progressLinesGiveTheirIntervalsRecordsAndTheSummaryIsNotOne() {
        // Goal: --perf-steady starts its window at the first progress line and leaves out that interval's records.
        // Method: lines captured from the tool (kafka-tools 4.3.1) against our broker.
        assertEquals(3_048_511, PerfTestSummary.progressRecords("3048511 records sent, 609458.4 records/sec (58.12"
            + " MB/sec), 77.6 ms avg latency, 350.0 ms max latency."));
        assertEquals(-1, PerfTestSummary.progressRecords("6000000 records sent, 745990.302126 records/sec (71.14"
            + " MB/sec), 43.38 ms avg latency, 350.00 ms max latency, 12 ms 50th, 210 ms 95th, 330 ms 99th, 345 ms"
            + " 99.9th."));
        assertEquals(-1, PerfTestSummary.progressRecords("perf-test: client-cpu-seconds=5.6"));
        assertTrue(PerfTestSummary.isSummary("6000000 records sent, 745990.302126 records/sec (71.14 MB/sec), 43.38"
            + " ms avg latency, 350.00 ms max latency, 12 ms 50th, 210 ms 95th, 330 ms 99th, 345 ms 99.9th."));
        assertFalse(PerfTestSummary.isSummary("3048511 records sent, 609458.4 records/sec (58.12 MB/sec), 77.6 ms avg"
            + " latency, 350.0 ms max latency."));
    }
}
