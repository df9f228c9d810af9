package io.zcrx.ingest.perf.e2e;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Groups run results into rows (file system, load, target) and reduces each figure to its median
 * and min-max over the repetitions; says which resource most likely bounded each row.
 */
public final class Summary {

    /** Median and range of one figure over a row's successful runs. */
    public record Stat(double median, double min, double max, int count) {
        static Stat of(double[] values) {
            if (values.length == 0) {
                return new Stat(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            final double[] v = values.clone();
            Arrays.sort(v);
            final int n = v.length;
            final double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Stat(median, v[0], v[n - 1], n);
        }

        public boolean present() {
            return count > 0 && !Double.isNaN(median);
        }

        /** "812 (790–830)", or "812" for one run, with {@code decimals} digits; "–" when absent. */
        public String format(int decimals) {
            if (!present()) {
                return "–";
            }
            final String f = "%,." + decimals + "f";
            return count == 1 || min == max ? String.format(Locale.ROOT, f, median)
                : String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median, min, max);
        }
    }

    /** One table row. */
    public record Row(LogFs fs, LoadSpec load, Target target, List<RunResult> runs) {
        public List<RunResult> ok() {
            return runs.stream().filter(RunResult::ok).toList();
        }

        public Stat stat(ToDoubleFunction<RunResult> f) {
            return Stat.of(ok().stream().mapToDouble(f).filter(d -> !Double.isNaN(d) && d >= 0).toArray());
        }

        public Stat recordsPerSec() {
            return stat(RunResult::recordsPerSec);
        }

        public Stat mbPerSec() {
            return stat(RunResult::mbPerSec);
        }

        public Stat cpuPerGb() {
            return stat(RunResult::brokerCpuPerGb);
        }

        public Stat brokerCores() {
            return stat(RunResult::brokerCores);
        }

        public Stat peakRssMb() {
            return stat(r -> r.peakRssBytes() / 1e6);
        }

        public Stat clientCpu() {
            return stat(RunResult::clientCpuSeconds);
        }

        public Stat clientCores() {
            return stat(RunResult::clientCores);
        }

        public Stat machineCores() {
            return stat(RunResult::machineCores);
        }

        public Stat busiestThreadCores() {
            return stat(RunResult::busiestThreadCores);
        }

        /** The busiest threads of the median run (by busiest-thread cores), e.g. "reactor-0 0.97, ...". */
        public String busiestThreads() {
            final List<RunResult> ok = new ArrayList<>(ok());
            if (ok.isEmpty()) {
                return "–";
            }
            ok.sort((x, y) -> Double.compare(x.busiestThreadCores(), y.busiestThreadCores()));
            return ok.get((ok.size() - 1) / 2).busiestThreads();
        }

        public Stat diskMbPerSec() {
            return stat(RunResult::diskMbPerSec);
        }

        /** A figure of the broker's own Produce latency (JMX), over the runs that have it. */
        public Stat brokerLatency(ToDoubleFunction<BrokerJmx.ProduceLatency> f) {
            return stat(r -> r.brokerLatency(f));
        }

        public Stat latency(ToDoubleFunction<PerfTestSummary> f) {
            return stat(r -> r.latency() == null ? Double.NaN : f.applyAsDouble(r.latency()));
        }

        public List<String> errors() {
            return runs.stream().filter(r -> !r.ok()).map(RunResult::error).toList();
        }

        /**
         * Which resource most likely bounded the row, from the medians: a fixed rate bounds itself;
         * when broker and client together keep (nearly) every core busy the machine's CPU is the
         * bound; a load generator using a whole core is the bound; on a disk, a writeback rate near
         * the throughput with idle CPU points at the disk; otherwise nothing was saturated (the
         * pipeline or the latency of each request set the pace).
         */
        public String bound(int cores) {
            if (ok().isEmpty()) {
                return "failed";
            }
            final double broker = brokerCores().median();
            final double client = clientCores().median();
            final String split = String.format(Locale.ROOT, "%s %.1f + client %.1f cores",
                target.isBroker() ? "broker" : "sink", broker, client);
            if (load.fixedRate()) {
                final double achieved = recordsPerSec().median();
                return achieved >= 0.95 * load.rate() ? "offered rate" : "could not sustain the rate (" + split + ")";
            }
            if (broker + client >= 0.85 * cores) {
                return "CPU, all " + cores + " cores (" + split + ")";
            }
            final double machine = machineCores().median();
            if (machine >= 0.85 * cores) {
                return String.format(Locale.ROOT, "CPU, all %d cores, %.1f of them outside broker and client"
                    + " (kernel threads, other processes; %s)", cores, Math.max(0, machine - broker - client), split);
            }
            if (client >= 0.9) {
                return "client CPU (" + split + ")";
            }
            final double thread = busiestThreadCores().median();
            if (thread >= 0.85) {
                return String.format(Locale.ROOT, "one %s thread (%s at %.2f cores; %s)",
                    target.isBroker() ? "broker" : "sink", firstThreadName(busiestThreads()), thread, split);
            }
            if (broker >= 0.9 && !target.isBroker()) {
                return "sink CPU (" + split + ")";
            }
            final double disk = diskMbPerSec().median();
            if (!fs.mount().inMemory() && disk > 0 && disk >= 0.5 * mbPerSec().median()) {
                return String.format(Locale.ROOT, "disk writeback (%.0f MB/s written; %s)", disk, split);
            }
            if (!fs.mount().inMemory() && disk >= 0 && disk < 0.05 * mbPerSec().median()) {
                return "not CPU-bound, and the page cache absorbed the writes (" + split + ")";
            }
            return "not CPU-bound: pipeline/latency (" + split + ")";
        }
    }

    /** "reactor-0" out of "reactor-0 0.97, log-flusher 0.05". */
    static String firstThreadName(String threads) {
        final int comma = threads.indexOf(", ");
        final String first = comma < 0 ? threads : threads.substring(0, comma);
        final int space = first.lastIndexOf(' ');
        return space < 0 ? first : first.substring(0, space);
    }

    private final List<Row> rows;

    private Summary(List<Row> rows) {
        this.rows = rows;
    }

    /** Rows in plan order: file system, load, then target in the order the plan lists them. */
    public static Summary of(List<RunResult> results) {
        final Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult r : results) {
            groups.computeIfAbsent(r.spec().rowKey(), k -> new ArrayList<>()).add(r);
        }
        final List<Row> rows = new ArrayList<>();
        for (List<RunResult> g : groups.values()) {
            final RunSpec s = g.get(0).spec();
            rows.add(new Row(s.fs(), s.load(), s.target(), g));
        }
        return new Summary(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    /** The row for a file system, load and target id, or null. */
    public Row find(String fs, LoadSpec load, String targetId) {
        for (Row r : rows) {
            if (r.fs().name().equals(fs) && r.load().equals(load) && r.target().id().equals(targetId)) {
                return r;
            }
        }
        return null;
    }
}
