package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.perf.proc.Mount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SummaryTest {
    static final LogFs TMPFS = new LogFs("tmpfs", Path.of("/t"), new Mount("/t", "tmpfs", "tmpfs", "0:1"));
    static final LogFs DISK = new LogFs("disk", Path.of("/d"), new Mount("/", "ext4", "/dev/vda", "254:0"));
    static final Target KAFKA = new FakeTarget("kafka-4.4.0", "Apache Kafka 4.4.0", true);
    static final Target OURS = new FakeTarget("zcrx-nio", "zcrx broker (nio)", true);
    static final Target SINK = new FakeTarget("tcp-sink-c", "TCP sink (C): limit", false);

    /** A successful run: {@code mbps} MB/s over 10 s, broker and client busy as given. */
    static RunResult run(LogFs fs, LoadSpec load, Target t, int rep, double mbps, double brokerCores,
                         double clientCores, long diskBytes) {
        return run(fs, load, t, rep, mbps, brokerCores, clientCores, diskBytes, brokerCores / 4,
            brokerCores + clientCores);
    }

    /**
     * As above, with the busiest thread ("worker-1") at {@code threadCores}, the machine at
     * {@code machineCores}; a broker's own Produce latency p50 0.5 + rep / 10, p99 2, p99.9 4 ms.
     */
    static RunResult run(LogFs fs, LoadSpec load, Target t, int rep, double mbps, double brokerCores,
                         double clientCores, long diskBytes, double threadCores, double machineCores) {
        final long payload = (long) (mbps * 1e6 * 10);
        final long records = payload / load.recordBytes();
        final PerfTestSummary lat = load.kind() == LoadSpec.Kind.FIREHOSE ? null
            : new PerfTestSummary(records, records / 10.0, 5, 50, 4, 9, 20, 40);
        return new RunResult(new RunSpec(rep, fs, load, t, rep), null, records, payload, 10, lat,
            brokerCores * 10, 10, 400_000_000L + rep, clientCores * 10, diskBytes,
            String.format(Locale.ROOT, "worker-1 %.2f, gc 0.01", threadCores), threadCores,
            machineCores * 10,
            t.isBroker() ? new BrokerJmx.ProduceLatency(0.5 + rep / 10.0, 2, 4, 100_000L * rep, null) : null);
    }

    @Test
    void statsAreMedianAndRangeOverSuccessfulRunsOnly() {
        // Goal: a row's cells are the median and min-max of its good runs; failures are listed,
        // not averaged in. Method: three good runs and a failed one.
        final LoadSpec fh = new LoadSpec(LoadSpec.Kind.FIREHOSE, 1024, true, 0);
        final List<RunResult> rs = new ArrayList<>(List.of(run(TMPFS, fh, KAFKA, 1, 100, 1, 0.2, -1),
            run(TMPFS, fh, KAFKA, 2, 300, 1, 0.2, -1), run(TMPFS, fh, KAFKA, 3, 200, 1, 0.2, -1)));
        rs.add(RunResult.failed(new RunSpec(4, TMPFS, fh, KAFKA, 4), "broker died"));
        final Summary.Row row = Summary.of(rs).rows().get(0);
        assertEquals(new Summary.Stat(200, 100, 300, 3), row.mbPerSec());
        assertEquals("200.0 (100.0–300.0)", row.mbPerSec().format(1));
        assertEquals(List.of("broker died"), row.errors());
        assertEquals(1e9 / 200e6 * 1, row.cpuPerGb().median(), 1e-9);
        assertEquals(new Summary.Stat(2.5, 1, 4, 4), Summary.Stat.of(new double[] {4, 1, 3, 2}));
        assertEquals("–", Summary.Stat.of(new double[0]).format(1));
    }

    @Test
    void boundNamesTheSaturatedResource() {
        // Goal: the heuristic says CPU when broker+client fill the cores, client when the load
        // generator is pinned, disk when the device keeps up with idle CPU, the rate for fixed-rate
        // rows. Method: one synthetic row per case on a 2-core machine.
        final LoadSpec fh = new LoadSpec(LoadSpec.Kind.FIREHOSE, 1024, true, 0);
        final LoadSpec perf = new LoadSpec(LoadSpec.Kind.PERF_TEST, 1024, true, 0);
        final LoadSpec rate = new LoadSpec(LoadSpec.Kind.PERF_TEST_RATE, 1024, true, 1000);
        final Summary s = Summary.of(List.of(run(TMPFS, fh, KAFKA, 1, 500, 1.8, 0.2, -1),
            run(TMPFS, perf, KAFKA, 1, 60, 0.4, 1.0, -1),
            run(DISK, fh, OURS, 1, 250, 0.5, 0.1, 2_600_000_000L),
            run(TMPFS, rate, KAFKA, 1, 1.024, 0.05, 0.3, -1),
            run(TMPFS, fh, SINK, 1, 2000, 1.0, 0.2, -1),
            run(TMPFS, fh, OURS, 1, 100, 0.3, 0.1, -1),
            run(DISK, fh, KAFKA, 1, 300, 0.6, 0.1, 0),
            run(DISK, perf, OURS, 1, 300, 1.0, 0.2, -1, 0.97, 1.2),
            run(DISK, rate, OURS, 1, 1.024, 0.1, 0.3, -1, 0.1, 0.4),
            run(DISK, perf, KAFKA, 1, 30, 0.6, 0.5, -1, 0.3, 1.9)));
        assertTrue(s.find("tmpfs", fh, "kafka-4.4.0").bound(2).startsWith("CPU, all 2 cores"));
        assertTrue(s.find("tmpfs", perf, "kafka-4.4.0").bound(2).startsWith("client CPU"));
        assertTrue(s.find("disk", fh, "zcrx-nio").bound(2).startsWith("disk writeback (260 MB/s"),
            s.find("disk", fh, "zcrx-nio").bound(2));
        assertEquals("offered rate", s.find("tmpfs", rate, "kafka-4.4.0").bound(2));
        assertTrue(s.find("tmpfs", fh, "tcp-sink-c").bound(2).startsWith("sink CPU"));
        assertTrue(s.find("tmpfs", fh, "zcrx-nio").bound(2).startsWith("not CPU-bound: pipeline"));
        assertTrue(s.find("disk", fh, "kafka-4.4.0").bound(2).contains("page cache absorbed"));
        assertTrue(s.find("disk", perf, "zcrx-nio").bound(2).startsWith("one broker thread (worker-1 at 0.97 cores"),
            s.find("disk", perf, "zcrx-nio").bound(2));
        assertTrue(s.find("disk", perf, "kafka-4.4.0").bound(2).startsWith("CPU, all 2 cores, 0.8 of them outside"),
            s.find("disk", perf, "kafka-4.4.0").bound(2));
        assertEquals("worker-1", Summary.firstThreadName("worker-1 0.97, gc 0.01"));
        assertEquals("a b", Summary.firstThreadName("a b 0.50"));
    }
}
