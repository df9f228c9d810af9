package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.sink.CSinkBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side comparison, end to end: resolve and check the targets (Apache Kafka
 * 4.4.0, our broker with every transport that starts, the TCP sink), plan every (file system, load,
 * repetition, target) run with targets interleaved, execute them one by one with a progress line,
 * and write {@code docs/perf/DATE-MACHINE.md}, {@code .png} and {@code .csv}.
 *
 * <p>Single-threaded; one comparison per JVM (children are killed by a shutdown hook if it dies).
 */
public final class Compare {
    private final CompareOptions options;
    private final PrintStream out;

    /** Where the results went. */
    public record Output(Path markdown, Path chart, Path csv, List<RunResult> results, Map<String, String> skipped) {
    }

    public Compare(CompareOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public Output run() throws IOException, InterruptedException {
        final ZonedDateTime startedAt = ZonedDateTime.now();
        final long t0 = System.nanoTime();
        final MachineInfo machine = MachineInfo.probe(options.repoRoot);
        Files.createDirectories(options.workDir);
        out.println("perf-compare: " + machine.describe());
        out.println("perf-compare: load average " + machine.loadAverage());

        final List<LogFs> fss = new ArrayList<>();
        for (String f : options.fs) {
            fss.add(LogFs.of(f, f.equals("tmpfs") ? options.tmpfsDir : options.diskDir));
        }
        for (LogFs f : fss) {
            out.println("perf-compare: " + f.name() + " log dirs under " + f.root() + " (" + f.mount().label() + ")");
        }
        final PageFillProbe.Result pageFill = options.pageProbe && !options.dryRun ? pageFill() : null;
        final LogFootprint footprint = options.logFootprint();
        // A bounded footprint recycles the page cache, so the probe's knee does not bound a run (LogFootprint).
        final long runBudget = options.runMaxBytes > 0 ? options.runMaxBytes
            : pageFill != null && !footprint.on() ? pageFill.runBudgetBytes() : Long.MAX_VALUE;
        final String pageFillNote = pageFill == null ? null : pageFill.describe()
            + (footprint.on() && options.runMaxBytes == 0 ? " (not applied: the log footprint is bounded)" : "");
        if (pageFillNote != null) {
            out.println("perf-compare: " + pageFillNote);
        }
        out.println("perf-compare: " + footprint.describe(options.partitions, options.connections));
        if (options.runMaxBytes > 0) {
            out.println(String.format(Locale.ROOT, "perf-compare: each run writes at most %.1f GB"
                + " (--run-max-bytes)", options.runMaxBytes / 1e9));
        }
        final Map<String, String> skipped = new LinkedHashMap<>();
        final List<Target> targets = targets(fss.get(0), skipped);
        for (Map.Entry<String, String> e : skipped.entrySet()) {
            out.println("perf-compare: skipping " + e.getKey() + ": " + e.getValue());
        }
        final List<RunSpec> plan = plan(fss, targets);
        out.println("perf-compare: " + plan.size() + " runs planned over " + targets.size() + " targets: "
            + String.join(", ", targets.stream().map(Target::id).toList()));
        if (plan.isEmpty()) {
            throw new IllegalStateException("nothing to run: every target was skipped or none was asked for: targets="
                + options.targets + ", skipped=" + skipped);
        }
        if (options.dryRun) {
            for (RunSpec s : plan) {
                out.println(String.format("  %3d %-6s %-40s rep %d %s", s.index(), s.fs().name(),
                    s.load().label(), s.rep(),
                    s.target().id()));
            }
            return new Output(null, null, null, List.of(), skipped);
        }

        final String name = options.name != null ? options.name
            : LocalDate.now() + "-" + machine.fileLabel()
                + (options.profile.equals("full") ? "" : "-" + options.profile);
        Files.createDirectories(options.outDir);
        final Path csv = options.outDir.resolve(name + ".csv");
        Files.writeString(csv, Report.CSV_HEADER + "\n", StandardCharsets.UTF_8);
        final Path runsDir = options.workDir.resolve("runs-" + name);
        Jvm.deleteTree(runsDir);
        final Runner runner = new Runner(options, Jvm.perfClassPath(), runsDir, runBudget);
        final List<RunResult> results = new ArrayList<>();
        final long loopStart = System.nanoTime();
        for (RunSpec spec : plan) {
            out.println(progressPrefix(spec, plan.size(), results.size(), loopStart) + " ...");
            final RunResult r = runner.run(spec);
            results.add(r);
            Files.writeString(csv, Report.csvLine(r) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            out.println(progressPrefix(spec, plan.size(), results.size(), loopStart) + " " + describe(r));
        }

        final Summary summary = Summary.of(results);
        final Path png = options.outDir.resolve(name + ".png");
        final String title = "zcrx vs Apache Kafka " + KafkaReference.VERSION + ", " + LocalDate.now() + ", "
            + machine.fileLabel();
        final boolean charted = Chart.write(summary, targets, title, png);
        final Path md = options.outDir.resolve(name + ".md");
        final String duration = formatDuration(Duration.ofNanos(System.nanoTime() - t0));
        Report.writeMarkdown(md, new Report.Context(title, command(), machine, options, targets, skipped,
            charted ? png.getFileName().toString() : null, csv.getFileName().toString(),
            startedAt.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")), duration,
            memoryNote(pageFillNote, footprint)), summary);
        out.println("perf-compare: done in " + duration + ": " + md + (charted ? ", " + png : "") + ", " + csv);
        return new Output(md, charted ? png : null, csv, results, skipped);
    }

    /** The report's memory line: the page-fill probe, the run byte budget, the log footprint; null if none. */
    private String memoryNote(String pageFillNote, LogFootprint footprint) {
        final List<String> parts = new ArrayList<>();
        if (pageFillNote != null) {
            parts.add(pageFillNote);
        } else if (options.runMaxBytes > 0) {
            parts.add(String.format(Locale.ROOT, "each run writes at most %.1f GB (--run-max-bytes)",
                options.runMaxBytes / 1e9));
        }
        if (footprint.on()) {
            parts.add(footprint.describe(options.partitions, options.connections));
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /**
     * The page-fill probe on the tmpfs directory, up to 16 GiB but at most 40 % of the tmpfs space
     * and of the memory available; null (with a line saying why) where it cannot run.
     */
    private PageFillProbe.Result pageFill() throws IOException {
        final LogFs tmpfs = LogFs.of("tmpfs", options.tmpfsDir);
        if (!tmpfs.mount().inMemory()) {
            out.println("perf-compare: page-fill probe skipped: " + options.tmpfsDir + " is not on tmpfs ("
                + tmpfs.mount().label() + ")");
            return null;
        }
        final long max = Math.min(16L << 30, Math.min(tmpfs.budgetBytes(0.4),
            (long) (MachineInfo.memAvailableBytes() * 0.4)));
        if (max < 4 * PageFillProbe.STEP_BYTES) {
            out.println("perf-compare: page-fill probe skipped: only " + max + " bytes to spare");
            return null;
        }
        out.println(String.format(Locale.ROOT,
            "perf-compare: page-fill probe: writing up to %.1f GB to %s ...", max / 1e9, options.tmpfsDir));
        return PageFillProbe.probe(options.tmpfsDir.resolve("page-fill"), max);
    }

    /** Kafka, our broker per transport that starts, the sink: in that order (the interleaving order). */
    private List<Target> targets(LogFs probeFs, Map<String, String> skipped) throws IOException, InterruptedException {
        final List<Target> targets = new ArrayList<>();
        final LogFootprint footprint = options.logFootprint();
        // The footprint's settings first: an explicit --zcrx-override of the same key comes later and wins.
        final List<String> zcrxOverrides = new ArrayList<>(footprint.brokerSettings(options.partitions));
        zcrxOverrides.addAll(options.zcrxOverrides);
        if (options.targets.contains("kafka")) {
            try {
                targets.add(new KafkaReferenceTarget(KafkaReference.ensureLib(options.repoRoot, options.workDir),
                    options.kafkaJvmOpts, options.brokerJmx, footprint.kafkaSettings(options.partitions)));
            } catch (IOException e) {
                skipped.put("Apache Kafka " + KafkaReference.VERSION, e.getMessage());
            }
        }
        if (options.targets.contains("zcrx")) {
            final String reason = ZcrxBrokerTarget.unavailableReason(options.repoRoot);
            if (reason != null) {
                skipped.put("zcrx broker (all transports)", reason);
            } else {
                // JDK x collector variants (--jdk, --gc), each its own target: null = the harness's JDK.
                final List<String[]> jvms = new ArrayList<>();
                final List<String> launchers = new ArrayList<>();
                launchers.add(null);
                launchers.addAll(options.jdks);
                for (String java : launchers) {
                    final String version;
                    try {
                        version = java == null ? null : Jvm.versionOf(java);
                    } catch (IOException e) {
                        skipped.put("zcrx broker on " + java, e.getMessage());
                        continue;
                    }
                    for (String gc : options.gcs) {
                        jvms.add(new String[] {java, version, gc});
                    }
                }
                for (String transport : options.transports) {
                    for (String[] jvm : jvms) {
                        addZcrx(new ZcrxBrokerTarget(options.repoRoot, transport, options.zcrxJvmOpts,
                            zcrxOverrides, options.brokerJmx, true).withJvm(jvm[0], jvm[1], jvm[2]), probeFs,
                            targets, skipped);
                    }
                }
            }
        }
        if (options.targets.contains("sink") || options.targets.contains("discard")) {
            final CSinkBuilder.Built built = CSinkBuilder.build(options.workDir.resolve("sink"));
            if (!built.ok()) {
                out.println("perf-compare: C sink unavailable, using the Java sink: " + built.reason());
            }
            if (options.targets.contains("sink")) {
                targets.add(new SinkTarget(built, Jvm.perfClassPath(), false,
                    footprint.sinkRotateBytes(options.connections), footprint.sinkKeepFiles()));
            }
            if (options.targets.contains("discard")) {
                targets.add(new SinkTarget(built, Jvm.perfClassPath(), true));
            }
        }
        return targets;
    }

    /** Our broker target (and its metrics-off twin with --metrics-ab), each only if it starts. */
    private void addZcrx(ZcrxBrokerTarget t, LogFs probeFs, List<Target> targets, Map<String, String> skipped)
            throws IOException, InterruptedException {
        final String why = probe(t, probeFs);
        if (why != null) {
            skipped.put(t.label(), why);
            return;
        }
        targets.add(t);
        if (options.metricsAb) {
            // Right after its metrics-on sibling, so the interleaving runs the two back to back.
            final ZcrxBrokerTarget off = t.withMetricsOff();
            final String whyOff = probe(off, probeFs);
            if (whyOff == null) {
                targets.add(off);
            } else {
                skipped.put(off.label(), whyOff);
            }
        }
    }

    /** Starts and stops a target once; null if it ran, else its refusal. */
    private String probe(Target t, LogFs fs) throws IOException, InterruptedException {
        final Path dir = fs.root().resolve("probe-" + t.id());
        final Path runDir = options.workDir.resolve("probe-" + t.id());
        Jvm.deleteTree(dir);
        Jvm.deleteTree(runDir);
        try {
            final Target.Started s = t.start(runDir, dir, options.partitions);
            s.process().stop(60_000);
            out.println("perf-compare: " + t.label() + " starts");
            return null;
        } catch (Target.TargetUnavailableException e) {
            return e.getMessage();
        } finally {
            Jvm.deleteTree(dir);
        }
    }

    /**
     * Every run, in execution order: per file system and load, repetition after repetition, each
     * repetition visiting every target once (A B C A B C ...), so slow drift of the machine (page
     * cache, thermal, neighbours) hits all targets alike. The sink only takes the firehose.
     */
    List<RunSpec> plan(List<LogFs> fss, List<Target> targets) {
        final List<RunSpec> plan = new ArrayList<>();
        for (LogFs fs : fss) {
            for (LoadSpec load : options.loadSpecs()) {
                for (int rep = 1; rep <= options.reps; rep++) {
                    for (Target t : targets) {
                        if (t.isBroker() || load.kind() == LoadSpec.Kind.FIREHOSE) {
                            plan.add(new RunSpec(plan.size() + 1, fs, load, t, rep));
                        }
                    }
                }
            }
        }
        return plan;
    }

    private String progressPrefix(RunSpec s, int total, int done, long loopStartNs) {
        final String eta;
        if (done == 0) {
            eta = "ETA ?";
        } else {
            final long perRun = (System.nanoTime() - loopStartNs) / done;
            eta = "ETA " + formatDuration(Duration.ofNanos(perRun * (total - done)));
        }
        return String.format("[%3d/%d %3.0f%% %s] %s | %s | rep %d/%d | %s", s.index(), total,
            100.0 * done / total, eta,
            s.fs().name(), s.load().label(), s.rep(), options.reps, s.target().id());
    }

    private static String describe(RunResult r) {
        if (!r.ok()) {
            final String e = r.error().replace('\n', ' ');
            return "FAILED: " + (e.length() > 240 ? e.substring(0, 240) + "..." : e);
        }
        final StringBuilder b = new StringBuilder(String.format(
            "-> %,.0f rec/s, %,.1f MB/s, target %.2f s/GB (%.2f cores),"
            + " RSS %,.0f MB, client %.2f cores", r.recordsPerSec(), r.mbPerSec(), r.brokerCpuPerGb(), r.brokerCores(),
            r.peakRssBytes() / 1e6, r.clientCores()));
        if (r.openLoop() != null) {
            b.append(", latency from the schedule ").append(r.openLoop().describe());
        } else if (r.latency() != null) {
            b.append(String.format(", latency avg %.1f / p99 %.0f ms", r.latency().avgMs(), r.latency().p99Ms()));
        }
        if (r.brokerLatency() != null) {
            b.append(", broker Produce ").append(r.brokerLatency().describe());
        }
        return b.toString();
    }

    private String command() {
        final StringBuilder b = new StringBuilder("bin/perf-compare.sh");
        for (String a : options.args) {
            b.append(' ').append(a.matches("[A-Za-z0-9_./:=,@+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return b.toString();
    }

    static String formatDuration(Duration d) {
        final long s = d.toSeconds();
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
            : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60)
            : s + "s";
    }
}
