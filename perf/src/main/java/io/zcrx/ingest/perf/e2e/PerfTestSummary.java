package io.zcrx.ingest.perf.e2e;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The final summary line of kafka-producer-perf-test (kafka-tools 4.3.1 {@code ProducerPerformance}):
 * <pre>
 * 200000 records sent, 26827.632461 records/sec (26.20 MB/sec), 976.18 ms avg latency, 1668.00 ms max latency,
 *     870 ms 50th, 1494 ms 95th, 1636 ms 99th, 1664 ms 99.9th.
 * </pre>
 * (one line). Its MB are MiB of record values; the harness recomputes MB/s from records and the
 * record size instead, so every row uses the same unit.
 */
public record PerfTestSummary(long records, double recordsPerSec, double avgMs, double maxMs, double p50Ms,
                              double p95Ms, double p99Ms, double p999Ms) {
    static final Pattern LINE = Pattern.compile("^(\\d+) records sent, ([\\d.]+) records/sec \\([\\d.]+ MB/sec\\), "
        + "([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, "
        + "(\\d+) ms 99\\.9th\\.\\s*$");

    /**
     * A progress line, printed every 5 s while the tool runs:
     * {@code 1234 records sent, 246.8 records/sec (0.24 MB/sec), 12.3 ms avg latency, 45.6 ms max latency.}
     */
    static final Pattern PROGRESS = Pattern.compile("^(\\d+) records sent, [\\d.]+ records/sec \\([\\d.]+ MB/sec\\), "
        + "[\\d.]+ ms avg latency, [\\d.]+ ms max latency\\.\\s*$");

    /** Records of the interval a progress line reports; -1 when {@code line} is not one (the summary is not). */
    public static long progressRecords(String line) {
        final Matcher m = PROGRESS.matcher(line);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Whether {@code line} is the tool's final summary. */
    public static boolean isSummary(String line) {
        return LINE.matcher(line).matches();
    }

    /** The last summary line among {@code lines}; null when there is none (the tool failed). */
    public static PerfTestSummary find(List<String> lines) {
        PerfTestSummary found = null;
        for (String l : lines) {
            final Matcher m = LINE.matcher(l);
            if (m.matches()) {
                found = new PerfTestSummary(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)),
                    Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7)), Double.parseDouble(m.group(8)));
            }
        }
        return found;
    }

    /** Wall time of the produce phase as the tool measured it. */
    public double seconds() {
        return records / recordsPerSec;
    }
}
