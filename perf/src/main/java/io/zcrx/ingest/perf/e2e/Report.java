package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.load.OpenLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's results: the Markdown report (header with the exact command and the machine, a
 * headline table, one full table per file system, skips and failures, how to read it), and a CSV
 * with one line per run for anyone who wants to recompute.
 */
public final class Report {
    private Report() {
    }

    /** Everything the report says besides the results. */
    public record Context(String title, String command, MachineInfo machine, CompareOptions options,
                          List<Target> targets, Map<String, String> skipped, String chartFile, String csvFile,
                          String started, String duration, String memoryNote) {
    }

    public static void writeMarkdown(Path file, Context c, Summary s) throws IOException {
        final StringBuilder b = new StringBuilder();
        b.append("# ").append(c.title()).append("\n\n");
        b.append("Command (repository root):\n\n```\n").append(c.command()).append("\n```\n\n");
        b.append("- Started ").append(c.started()).append(", took ").append(c.duration()).append(".\n");
        b.append("- Machine: ").append(c.machine().describe()).append(".\n");
        b.append("- Load average at start: ").append(c.machine().loadAverage())
            .append(" (a busy machine slows every row).\n");
        b.append("- Commit: `").append(c.machine().commit()).append("`.\n");
        if (s.rows().stream().anyMatch(r -> !r.fs().mount().inMemory())) {
            b.append("- Disk: ").append(c.machine().dirtyThresholds())
                .append("; each run's files are deleted before they are written back.\n");
        }
        if (c.memoryNote() != null) {
            b.append("- Memory: ").append(c.memoryNote()).append(".\n");
        }
        b.append("- Repetitions: ").append(c.options().reps)
            .append(" per configuration, targets interleaved (A B A B);")
            .append(" every run starts its target fresh on an empty log directory. Cells: median (min–max).\n");
        b.append("- Loads: warm-up ").append(c.options().warmupSeconds).append(" s, measured window about ")
            .append(c.options().seconds).append(" s (shorter where the run's byte budget ends it, see Memory); ")
            .append(c.options().partitions)
            .append(" partitions; firehose: ").append(c.options().connections).append(" connections x ")
            .append(c.options().inflight).append(" requests in flight, ").append(c.options().batchBytes)
            .append("-byte batches, one batch per partition per request.\n");
        for (Target t : c.targets()) {
            b.append("- ").append(t.label()).append(": ").append(t.describe()).append(".\n");
        }
        for (Map.Entry<String, String> e : c.skipped().entrySet()) {
            b.append("- Skipped ").append(e.getKey()).append(": ").append(oneLine(e.getValue())).append("\n");
        }
        b.append('\n');

        headline(b, c, s);
        openLoopLatency(b, s);

        final Map<String, List<Summary.Row>> byFs = new LinkedHashMap<>();
        for (Summary.Row r : s.rows()) {
            byFs.computeIfAbsent(r.fs().label(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Summary.Row>> e : byFs.entrySet()) {
            b.append("## Log directories on ").append(e.getKey()).append("\n\n");
            b.append("| load | target | ok | records/s | MB/s | latency ms avg / p50 / p99 / p99.9")
                .append(" | broker Produce ms p50 / p99 / p99.9 | broker CPU s/GB")
                .append(" | broker cores | busiest broker threads (cores) | peak RSS MB | client CPU s (cores)")
                .append(" | machine busy cores | disk MB/s | bound by |\n");
            b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Summary.Row r : e.getValue()) {
                final String lat = r.load().kind() == LoadSpec.Kind.FIREHOSE ? "–"
                    : r.latency(PerfTestSummary::avgMs).format(1) + " / " + r.latency(PerfTestSummary::p50Ms).format(0)
                    + " / " + r.latency(PerfTestSummary::p99Ms).format(0) + " / "
                    + r.latency(PerfTestSummary::p999Ms).format(0);
                b.append("| ").append(r.load().label()).append(" | ").append(r.target().label()).append(" | ")
                    .append(r.ok().size()).append('/').append(r.runs().size()).append(" | ")
                    .append(r.recordsPerSec().format(0)).append(" | ").append(r.mbPerSec().format(1)).append(" | ")
                    .append(lat).append(" | ").append(brokerLatency(r)).append(" | ")
                    .append(r.cpuPerGb().format(2)).append(" | ")
                    .append(r.brokerCores().format(2)).append(" | ")
                    .append(r.busiestThreads().isBlank() ? "–" : oneLine(r.busiestThreads())).append(" | ")
                    .append(r.peakRssMb().format(0)).append(" | ")
                    .append(r.clientCpu().format(1)).append(" (").append(r.clientCores().format(2)).append(") | ")
                    .append(r.machineCores().format(2)).append(" | ")
                    .append(r.fs().mount().inMemory() ? "–" : r.diskMbPerSec().format(0)).append(" | ")
                    .append(r.bound(c.machine().cores())).append(" |\n");
            }
            b.append('\n');
        }
        metricsOnOff(b, s);
        if (c.chartFile() != null) {
            b.append("![chart](").append(c.chartFile()).append(")\n\n");
        }
        final List<String> failures = new ArrayList<>();
        for (Summary.Row r : s.rows()) {
            for (String err : r.errors()) {
                failures.add("- " + r.fs().name() + " / " + r.load().label() + " / " + r.target().label() + ": "
                    + oneLine(err));
            }
        }
        if (!failures.isEmpty()) {
            b.append("## Failed runs\n\n").append(String.join("\n", failures)).append("\n\n");
        }
        b.append("## How to read this\n\n");
        b.append("- MB = 10^6 bytes and GB = 10^9 bytes of record values (what kafka-producer-perf-test counts);")
            .append(" the TCP sink gets the same Produce frames as the brokers, so its row is the same payload.\n");
        b.append("- broker CPU s/GB = utime+stime of the target process (from /proc/PID/stat)")
            .append(" over the measured window,")
            .append(" divided by the GB acknowledged in it. broker cores = the same CPU time / window wall time.\n");
        b.append("- busiest broker threads = the target's threads that used most CPU in the window")
            .append(" (/proc/PID/task/TID/stat), in cores, from the median run: a thread near 1.0 is a bottleneck.\n");
        b.append("- machine busy cores = all CPU time of the machine in the window (/proc/stat, idle and iowait")
            .append(" excluded): loopback softirqs, writeback threads and other processes show up here, not in the")
            .append(" broker's or the client's figures.\n");
        b.append("- peak RSS = VmHWM of the target at the end of the run (JVM start and warm-up included).\n");
        b.append("- client CPU: firehose = its own CPU in the window; perf-test = ")
            .append(c.options().perfSteady ? "the perf-test process's CPU in the window (/proc at its start, the"
                + " tool's own figure at its end)" : "the whole perf-test process").append(".\n");
        b.append("- perf-test rows: kafka-producer-perf-test (kafka-tools 4.3.1) with identical arguments")
            .append(" against each broker; a first perf-test process warms the broker up, the second is measured")
            .append(c.options().perfSteady ? " from its first progress line (5 s in) to its end (--perf-steady: a new"
                + " client's first seconds, when the brokers' JIT recompiles what its first requests deoptimized,"
                + " are left out; records, MB/s and CPU are the window's)" : "")
            .append(". Latency columns are its own figures (the whole process).\n");
        b.append("- broker Produce ms: the broker's own histogram of the time a Produce request spends in it")
            .append(" (received to response sent), Kafka's MBean")
            .append(" `kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce` (attributes 50thPercentile,")
            .append(" 99thPercentile, 999thPercentile), read over remote JMX from both brokers at the end of the")
            .append(" measured window. The two histograms differ: Apache Kafka's is a Yammer histogram, an")
            .append(" exponentially decaying sample (biased to the last five minutes) of whole milliseconds (a")
            .append(" 0.3 ms request counts as 0; its percentiles interpolate between samples); ours keeps exact")
            .append(" values at microsecond resolution over a sliding 60 s window, refreshed every 5 s (the last")
            .append(" seconds of a window may not be in it yet). Both include the warm-up. The client's latency")
            .append(" includes the client's own queueing and the network; the broker's is the share the broker is")
            .append(" responsible for. n/a = the broker does not register the MBean, its histogram is still empty,")
            .append(" or JMX was off (--broker-jmx false).\n");
        b.append("- open-loop rows: our open-loop latency load (`io.zcrx.ingest.perf.load.OpenLoop`); its latency")
            .append(" columns in the tables above are measured from each record's scheduled send time")
            .append(" (see Latency).\n");
        b.append("- firehose rows: our pipelined load generator, every response checked (error 0, offsets advancing,")
            .append(" log end offset = records sent). On the sink it sends the same frames and waits for the")
            .append(" sink's close.\n");
        b.append("- bound by: a heuristic from the medians. 'CPU, all N cores' = broker + client keep the")
            .append(" machine busy;")
            .append(" 'client CPU' = the load generator is the bottleneck (its numbers say little about the broker);")
            .append(" 'disk writeback' = the device wrote at least half the rate while CPU was idle;")
            .append(" 'page cache absorbed the writes' = a disk row whose window wrote (almost) nothing to the device;")
            .append(" 'offered rate' = the fixed rate was met. Compare brokers by CPU per GB and by firehose")
            .append(" throughput.\n");
        b.append("- Per-run figures: [").append(c.csvFile()).append("](").append(c.csvFile()).append(").\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    /** The comparison in brief: per (fs, unthrottled load), Kafka vs our best transport vs the limit. */
    private static void headline(StringBuilder b, Context c, Summary s) {
        final Target kafka = c.targets().stream().filter(t -> t.id().startsWith("kafka")).findFirst().orElse(null);
        // Ours as shipped: a metrics-off twin is in its own section.
        final List<Target> ours = c.targets().stream().filter(t -> t.id().startsWith("zcrx")
            && !t.id().endsWith(ZcrxBrokerTarget.NO_METRICS_SUFFIX)).toList();
        final Target sink = c.targets().stream().filter(t -> !t.isBroker()).findFirst().orElse(null);
        final List<String> lines = new ArrayList<>();
        final List<String> seen = new ArrayList<>();
        for (Summary.Row r : s.rows()) {
            if (r.load().fixedRate() || seen.contains(r.fs().name() + r.load().id())) {
                continue;
            }
            seen.add(r.fs().name() + r.load().id());
            final Summary.Row k = kafka == null ? null : s.find(r.fs().name(), r.load(), kafka.id());
            Summary.Row best = null;
            for (Target t : ours) {
                final Summary.Row o = s.find(r.fs().name(), r.load(), t.id());
                if (o != null && o.mbPerSec().present() && (best == null
                        || o.mbPerSec().median() > best.mbPerSec().median())) {
                    best = o;
                }
            }
            final Summary.Row limit = sink == null ? null : s.find(r.fs().name(), r.load(), sink.id());
            lines.add("| " + r.fs().name() + " | " + r.load().label() + " | " + mb(k) + " | " + mb(best)
                + (best == null ? "" : " (" + best.target().id().substring(5) + ")") + " | " + mb(limit) + " | "
                + cpu(k) + " | " + cpu(best) + " | " + ratio(k, best) + " |");
        }
        if (lines.isEmpty()) {
            return;
        }
        b.append("## Headline\n\n");
        b.append("| fs | load | Kafka MB/s | ours MB/s | limit MB/s | Kafka CPU s/GB | ours CPU s/GB")
            .append(" | ours/Kafka CPU per GB |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        b.append(String.join("\n", lines)).append("\n\n");
    }

    /**
     * The open-loop latency table: per file system, rate and target, the latency of every record from the moment it
     * was due to its response (median over repetitions), the broker's own Produce latency, how many requests the
     * client sent late, and our p99 against Kafka's at the same rate.
     */
    static void openLoopLatency(StringBuilder b, Summary s) {
        final List<String> lines = new ArrayList<>();
        for (Summary.Row r : s.rows()) {
            if (r.load().kind() != LoadSpec.Kind.OPEN_LOOP) {
                continue;
            }
            Summary.Row kafka = null;
            for (Summary.Row k : s.rows()) {
                if (k.fs().equals(r.fs()) && k.load().equals(r.load()) && k.target().id().startsWith("kafka")) {
                    kafka = k;
                }
            }
            final Summary.Stat p99 = r.latency(PerfTestSummary::p99Ms);
            final String vsKafka = kafka == null || kafka == r || !p99.present()
                || !kafka.latency(PerfTestSummary::p99Ms).present() ? "–"
                : String.format(Locale.ROOT, "%.2f", p99.median() / kafka.latency(PerfTestSummary::p99Ms).median());
            lines.add("| " + r.fs().name() + " | " + r.load().label() + " | " + r.target().label() + " | "
                + r.ok().size() + "/" + r.runs().size() + " | " + r.recordsPerSec().format(0) + " | "
                + r.latency(PerfTestSummary::p50Ms).format(2) + " | " + p99.format(2) + " | "
                + r.latency(PerfTestSummary::p999Ms).format(2) + " | " + r.latency(PerfTestSummary::maxMs).format(1)
                + " | " + brokerLatency(r) + " | " + r.stat(x -> x.openLoop(OpenLoop.Result::lateRequests)).format(0)
                + " of " + r.stat(x -> x.openLoop(OpenLoop.Result::requests)).format(0) + " ("
                + r.stat(x -> x.openLoop(OpenLoop.Result::maxLateMs)).format(1) + ") | " + vsKafka + " |");
        }
        if (lines.isEmpty()) {
            return;
        }
        b.append("## Latency (open loop)\n\n");
        b.append("Records due on a fixed schedule, each sent as soon as it is due (one batch per request, like")
            .append(" `linger.ms=0`), acks=all idempotent; every record's latency runs from when it was **due** to")
            .append(" when its response arrived, so a stall of the broker (or of the client) counts for every record")
            .append(" it delayed (no coordinated omission). Warm-up not counted; HdrHistogram percentiles in ms,")
            .append(" median over repetitions. Sent late = requests sent more than 1 ms after their oldest record was")
            .append(" due (the client's own health; the delay is in the latencies either way), max lateness in")
            .append(" brackets.\n\n");
        b.append("| fs | load | target | ok | records/s | p50 | p99 | p99.9 | max")
            .append(" | broker Produce ms p50 / p99 / p99.9")
            .append(" | sent late (max ms) | p99 / Kafka's |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        b.append(String.join("\n", lines)).append("\n\n");
    }

    /** "0.21 / 0.87 / 2.10"; "n/a" for a broker that did not give it, "–" for the sink. */
    static String brokerLatency(Summary.Row r) {
        if (!r.target().isBroker()) {
            return "–";
        }
        final Summary.Stat p50 = r.brokerLatency(BrokerJmx.ProduceLatency::p50Ms);
        if (!p50.present()) {
            return "n/a";
        }
        return p50.format(2) + " / " + r.brokerLatency(BrokerJmx.ProduceLatency::p99Ms).format(2) + " / "
            + r.brokerLatency(BrokerJmx.ProduceLatency::p999Ms).format(2);
    }

    /**
     * What recording metrics costs: every metrics-off twin ({@code --metrics-ab}) beside its
     * metrics-on sibling, per file system and load.
     */
    private static void metricsOnOff(StringBuilder b, Summary s) {
        final List<String> lines = new ArrayList<>();
        for (Summary.Row off : s.rows()) {
            final String id = off.target().id();
            if (!id.endsWith(ZcrxBrokerTarget.NO_METRICS_SUFFIX)) {
                continue;
            }
            final String onId = id.substring(0, id.length() - ZcrxBrokerTarget.NO_METRICS_SUFFIX.length());
            final Summary.Row on = s.find(off.fs().name(), off.load(), onId);
            if (on == null) {
                continue;
            }
            lines.add("| " + off.fs().name() + " | " + off.load().label() + " | " + onId.substring(5) + " | "
                + on.mbPerSec().format(1) + " | " + off.mbPerSec().format(1) + " | " + on.cpuPerGb().format(2)
                + " | " + off.cpuPerGb().format(2) + " | " + costPercent(on, off) + " |");
        }
        if (lines.isEmpty()) {
            return;
        }
        b.append("## Metrics on and off\n\n");
        b.append("Our broker run twice per transport (`--metrics-ab`): as shipped, and with")
            .append(" `--override metrics.enable=false` (every record call a no-op). The difference in CPU per GB")
            .append(" is what the metrics cost; on a shared machine differences of a few percent are noise, the")
            .append(" min–max ranges say how much.\n\n");
        b.append("| fs | load | transport | MB/s on | MB/s off | CPU s/GB on | CPU s/GB off")
            .append(" | metrics' CPU per GB |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        b.append(String.join("\n", lines)).append("\n\n");
    }

    /** "+3.1 %": CPU per GB with metrics on relative to off, from the medians. */
    static String costPercent(Summary.Row on, Summary.Row off) {
        if (!on.cpuPerGb().present() || !off.cpuPerGb().present() || off.cpuPerGb().median() <= 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%+.1f %%",
            (on.cpuPerGb().median() / off.cpuPerGb().median() - 1) * 100);
    }

    private static String mb(Summary.Row r) {
        return r == null || !r.mbPerSec().present() ? "–" : String.format("%,.0f", r.mbPerSec().median());
    }

    private static String cpu(Summary.Row r) {
        return r == null || !r.cpuPerGb().present() ? "–" : String.format("%.2f", r.cpuPerGb().median());
    }

    private static String ratio(Summary.Row kafka, Summary.Row ours) {
        if (kafka == null || ours == null || !kafka.cpuPerGb().present() || !ours.cpuPerGb().present()) {
            return "–";
        }
        return String.format("%.2f", ours.cpuPerGb().median() / kafka.cpuPerGb().median());
    }

    private static String oneLine(String s) {
        final String t = s == null ? "" : s.replace('\n', ' ').replace('|', '/');
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    static final String CSV_HEADER = "index,fs,fs_label,load,target,rep,ok,error,records,payload_bytes,load_seconds,"
        + "records_per_sec,mb_per_sec,lat_avg_ms,lat_p50_ms,lat_p95_ms,lat_p99_ms,lat_p999_ms,lat_max_ms,broker_cpu_s,"
        + "window_s,broker_cpu_s_per_gb,broker_cores,peak_rss_bytes,client_cpu_s,client_cores,disk_write_bytes,"
        + "busiest_threads,busiest_thread_cores,machine_busy_s,broker_p50_ms,broker_p99_ms,broker_p999_ms,"
        + "broker_produce_count,openloop_requests,openloop_late_requests,openloop_max_late_ms";

    /** One CSV line for a run (the file is appended as runs finish, so a stopped run keeps its lines). */
    public static String csvLine(RunResult r) {
        final RunSpec s = r.spec();
        final PerfTestSummary l = r.latency();
        final List<String> f = new ArrayList<>(List.of(Integer.toString(s.index()), s.fs().name(),
            quote(s.fs().label()),
            quote(s.load().label()), s.target().id(), Integer.toString(s.rep()), Boolean.toString(r.ok()),
            quote(r.error() == null ? "" : oneLine(r.error()))));
        if (!r.ok()) {
            while (f.size() < CSV_HEADER.split(",").length) {
                f.add("");
            }
            return String.join(",", f);
        }
        f.addAll(List.of(Long.toString(r.records()), Long.toString(r.payloadBytes()), num(r.loadSeconds()),
            num(r.recordsPerSec()), num(r.mbPerSec()), l == null ? "" : num(l.avgMs()), l == null ? "" : num(l.p50Ms()),
            l == null ? "" : num(l.p95Ms()), l == null ? "" : num(l.p99Ms()), l == null ? "" : num(l.p999Ms()),
            l == null ? "" : num(l.maxMs()), num(r.brokerCpuSeconds()), num(r.windowSeconds()), num(r.brokerCpuPerGb()),
            num(r.brokerCores()), Long.toString(r.peakRssBytes()), num(r.clientCpuSeconds()), num(r.clientCores()),
            Long.toString(r.diskWriteBytes()), quote(r.busiestThreads()), num(r.busiestThreadCores()),
            num(r.machineBusySeconds())));
        final BrokerJmx.ProduceLatency b = r.brokerLatency();
        final boolean has = b != null && b.present();
        f.addAll(List.of(has ? num(b.p50Ms()) : "", has ? num(b.p99Ms()) : "", has ? num(b.p999Ms()) : "",
            has ? Long.toString(b.count()) : ""));
        final OpenLoop.Result o = r.openLoop();
        f.addAll(List.of(o == null ? "" : Long.toString(o.requests()), o == null ? "" : Long.toString(o.lateRequests()),
            o == null ? "" : num(o.maxLateMs())));
        return String.join(",", f);
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
