package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.load.Firehose;
import io.zcrx.ingest.perf.load.FirehoseConfig;
import io.zcrx.ingest.perf.load.FirehoseMain;
import io.zcrx.ingest.perf.load.OpenLoop;
import io.zcrx.ingest.perf.load.OpenLoopConfig;
import io.zcrx.ingest.perf.load.OpenLoopMain;
import io.zcrx.ingest.perf.load.ProducerPerfMain;
import io.zcrx.ingest.perf.proc.ChildProcess;
import io.zcrx.ingest.perf.proc.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Executes one {@link RunSpec}: fresh log directory, start the target, run the load, bill the
 * target's CPU between two samples that bracket the measured window, read its peak RSS, stop it
 * (SIGTERM), delete the log directory, and on a real disk {@code sync} so the next run does not
 * pay for this one's writeback.
 *
 * <p>Where the window is:
 * <ul>
 *   <li>open loop: between its {@code measure-start} line (first request of the window sent) and its
 *       {@code measure-end} line (last one answered);</li>
 *   <li>firehose: between its {@code measure-start} and {@code measure-end} lines (after its
 *       warm-up; the pump thread samples the moment each line arrives);</li>
 *   <li>perf-test: a first perf-test process warms the broker up (JIT, topic creation); the
 *       window is the whole second process, whose size is chosen from the first one's rate so that
 *       it lasts about {@code seconds} (or rate x seconds records at a fixed rate).</li>
 * </ul>
 *
 * <p>The broker's own Produce latency ({@link BrokerJmx}) is read over JMX at the end of the
 * window: the connection is opened before the load starts, so the window pays only for one
 * attribute read, after its CPU samples.
 *
 * <p>Used by one thread at a time.
 */
public final class Runner {
    static final String TOPIC = "perf";

    private final CompareOptions options;
    private final String perfClassPath;
    private final Path runsDir;
    /** The most bytes one run may write, warm-up included ({@link PageFillProbe}). */
    private final long runBudgetBytes;

    public Runner(CompareOptions options, String perfClassPath, Path runsDir, long runBudgetBytes) {
        if (runBudgetBytes <= 0) {
            throw new IllegalArgumentException("run budget must be positive: runBudgetBytes=" + runBudgetBytes);
        }
        this.runBudgetBytes = runBudgetBytes;
        this.options = options;
        this.perfClassPath = perfClassPath;
        this.runsDir = runsDir;
    }

    /** Window samples, written by the pump thread and read after the load exits. */
    private static final class Window {
        volatile Sample start;
        volatile Sample end;
        volatile BrokerJmx.ProduceLatency endLatency;
    }

    public RunResult run(RunSpec spec) throws InterruptedException {
        final String name = String.format("%03d-%s-%s-%s-r%d", spec.index(), spec.fs().name(), spec.load().id(),
            spec.target().id(), spec.rep());
        final Path runDir = runsDir.resolve(name);
        final Path dataDir = spec.fs().root().resolve(name);
        Target.Started started = null;
        BrokerJmx jmx = null;
        try {
            Jvm.deleteTree(dataDir);
            Files.createDirectories(dataDir);
            started = spec.target().start(runDir, dataDir, options.partitions);
            String jmxError = null;
            if (started.jmxPort() > 0) {
                try {
                    jmx = BrokerJmx.connect(started.jmxPort());
                } catch (IOException | RuntimeException e) {
                    jmxError = "JMX connect to 127.0.0.1:" + started.jmxPort() + " failed: " + e;
                }
            }
            final BrokerJmx jmx0 = jmx;
            final String why = jmxError;
            final Supplier<BrokerJmx.ProduceLatency> latency = () -> jmx0 != null ? jmx0.produceLatency()
                : why != null ? BrokerJmx.ProduceLatency.absent(why) : null;
            final RunResult r = switch (spec.load().kind()) {
                case FIREHOSE -> firehose(spec, runDir, started, latency);
                case OPEN_LOOP -> openLoop(spec, runDir, started, latency);
                case PERF_TEST, PERF_TEST_RATE -> perfTest(spec, runDir, started, latency);
            };
            if (!started.process().isAlive()) {
                return RunResult.failed(spec, "target exited during the run: " + started.process().tail(10));
            }
            return r;
        } catch (IOException | RuntimeException e) {
            return RunResult.failed(spec, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (jmx != null) {
                jmx.close();
            }
            if (started != null) {
                final int rc = started.process().stop(60_000);
                if (rc == -1) {
                    System.err.println("warning: " + spec.target().id()
                        + " ignored SIGTERM for 60 s and was killed; log: "
                        + started.process().logFile());
                }
            }
            try {
                Jvm.deleteTree(dataDir);
            } catch (IOException e) {
                System.err.println("warning: cannot delete " + dataDir + ": " + e.getMessage());
            }
            if (!spec.fs().mount().inMemory()) {
                sync();
            }
        }
    }

    /**
     * The most bytes a run may write on its file system: 40 % of the free space, or no limit when the log
     * footprint is bounded (retention deletes as the run writes, {@link LogFootprint}).
     */
    private long fsBudgetBytes(RunSpec spec) throws IOException {
        return options.logFootprint().on() ? Long.MAX_VALUE : spec.fs().budgetBytes(0.4);
    }

    private RunResult firehose(RunSpec spec, Path runDir, Target.Started started,
                               Supplier<BrokerJmx.ProduceLatency> latency)
            throws IOException, InterruptedException {
        final LoadSpec load = spec.load();
        final long pid = started.process().pid();
        // A fast target on tmpfs could fill memory: the window (plus its warm-up, at the same pace)
        // may use at most 40 % of the free space.
        // The run budget (page-fill probe) caps warm-up + window alike: the firehose ends its warm-up
        // early too once it has sent maxBytes * warmupSeconds / seconds.
        final double windowShare = options.seconds / (options.seconds + options.warmupSeconds);
        final long maxBytes = Math.max(1, Math.min(Math.min(options.firehoseMaxBytes,
            (long) (fsBudgetBytes(spec) * windowShare)), (long) (runBudgetBytes * windowShare)));
        final FirehoseConfig config = new FirehoseConfig("127.0.0.1", started.port(), TOPIC,
            options.partitions, load.recordBytes(), options.batchBytes,
            load.acksAll() ? (short) -1 : (short) 1, load.acksAll(), options.connections, options.inflight,
            options.warmupSeconds, options.seconds, maxBytes, !spec.target().isBroker(), (short) 12, true);
        final Window w = new Window();
        final List<String> results = new ArrayList<>();
        final ChildProcess load0 = ChildProcess.startPumped("firehose",
            Jvm.command(Jvm.FIREHOSE_OPTS, perfClassPath, FirehoseMain.class.getName(), config.toArgs()), runDir,
            runDir.resolve("firehose.log"), windowPump(w, spec, pid, latency, Firehose.MEASURE_START,
                Firehose.MEASURE_END, Firehose.RESULT_PREFIX, results));
        final long timeoutMs = (long) ((options.warmupSeconds + options.seconds) * 1000) + 180_000;
        final int rc = load0.waitFor(timeoutMs);
        if (rc != 0) {
            return RunResult.failed(spec, "firehose failed: exit=" + rc + ": " + firstError(load0.logFile()));
        }
        final Sample start = w.start;
        final Sample end = w.end;
        if (start == null || end == null || results.isEmpty()) {
            return RunResult.failed(spec, "firehose window not sampled (target gone?): " + load0.tail(5));
        }
        final Firehose.Result r = Firehose.Result.parse(results.get(results.size() - 1));
        final long peak = ProcStat.peakRssBytes(pid);
        final double window = start.secondsTo(end);
        final var busiest = ProcStat.busiest(start.threads(), end.threads(), window, 3);
        return new RunResult(spec, null, r.records(), r.payloadBytes(), r.seconds(), null, start.cpuSecondsTo(end),
            window, peak, r.clientCpuSeconds(), start.diskBytesTo(end), RunResult.formatThreads(busiest),
            busiest.isEmpty() ? 0 : busiest.get(0).getValue(), start.machineSecondsTo(end), w.endLatency);
    }

    /**
     * Samples the target at the load's window lines (CPU, threads, machine, disk at start; the same and the broker's
     * own latency at the end) and keeps the result lines.
     */
    private static Consumer<String> windowPump(Window w, RunSpec spec, long pid,
                                               Supplier<BrokerJmx.ProduceLatency> latency, String startLine,
                                               String endLine, String resultPrefix, List<String> results) {
        return line -> {
            try {
                if (line.equals(startLine)) {
                    w.start = Sample.take(pid, spec);
                } else if (line.equals(endLine)) {
                    w.end = Sample.take(pid, spec);
                    // After the window's samples, so their CPU is not billed to it.
                    w.endLatency = latency.get();
                } else if (line.startsWith(resultPrefix)) {
                    synchronized (results) {
                        results.add(line);
                    }
                }
            } catch (IOException e) {
                // The target died; the run fails on the missing sample.
            }
        };
    }

    /**
     * The open-loop latency load ({@link OpenLoop}) at the load's rate, acks=all idempotent, for
     * {@code --openloop-seconds} after {@code --openloop-warmup-seconds}. A fixed rate writes rate x size bytes a
     * second; where that would pass the run's byte budget (or 40 % of the file system) the window and warm-up are
     * shortened alike, with a warning.
     */
    private RunResult openLoop(RunSpec spec, Path runDir, Target.Started started,
                               Supplier<BrokerJmx.ProduceLatency> latency)
            throws IOException, InterruptedException {
        final LoadSpec load = spec.load();
        final long pid = started.process().pid();
        double seconds = options.openLoopSeconds;
        double warmup = options.openLoopWarmupSeconds;
        final double bytes = (double) load.rate() * load.recordBytes() * (seconds + warmup);
        final double budget = Math.min(runBudgetBytes, fsBudgetBytes(spec));
        if (bytes > budget) {
            final double scale = budget / bytes;
            seconds = Math.max(1, seconds * scale);
            warmup *= scale;
            System.err.printf(Locale.ROOT, "warning: %s: %.1f GB would pass the run budget of %.1f GB: window"
                + " shortened to %.1f s (warm-up %.1f s)%n", load.label(), bytes / 1e9, budget / 1e9, seconds, warmup);
        }
        final OpenLoopConfig config = new OpenLoopConfig("127.0.0.1", started.port(), TOPIC, load.recordBytes(),
            options.batchBytes, (short) -1, true, options.openLoopConnections, load.rate(), warmup, seconds,
            options.openLoopMaxInflight, true);
        final Window w = new Window();
        final List<String> results = new ArrayList<>();
        final ChildProcess load0 = ChildProcess.startPumped("openloop",
            Jvm.command(Jvm.FIREHOSE_OPTS, perfClassPath, OpenLoopMain.class.getName(), config.toArgs()), runDir,
            runDir.resolve("openloop.log"), windowPump(w, spec, pid, latency, OpenLoop.MEASURE_START,
                OpenLoop.MEASURE_END, OpenLoop.RESULT_PREFIX, results));
        // A target far behind the rate drains for long after the window; give it that (and the stall timeout).
        final long timeoutMs = (long) ((warmup + seconds) * 3_000) + 180_000;
        final int rc = load0.waitFor(timeoutMs);
        if (rc != 0) {
            return RunResult.failed(spec, "open-loop load failed: exit=" + rc + ": " + firstError(load0.logFile()));
        }
        final Sample start = w.start;
        final Sample end = w.end;
        if (start == null || end == null || results.isEmpty()) {
            return RunResult.failed(spec, "open-loop window not sampled (target gone?): " + load0.tail(5));
        }
        final OpenLoop.Result r = OpenLoop.Result.parse(results.get(results.size() - 1));
        final double window = start.secondsTo(end);
        final var busiest = ProcStat.busiest(start.threads(), end.threads(), window, 3);
        // The latency columns of the main table take the open loop's figures (from the schedule, not the send).
        final PerfTestSummary asSummary = new PerfTestSummary(r.records(), r.recordsPerSec(), r.meanMs(), r.maxMs(),
            r.p50Ms(), r.p95Ms(), r.p99Ms(), r.p999Ms());
        return new RunResult(spec, null, r.records(), r.records() * load.recordBytes(), r.seconds(), asSummary,
            start.cpuSecondsTo(end), window, ProcStat.peakRssBytes(pid), r.clientCpuSeconds(), start.diskBytesTo(end),
            RunResult.formatThreads(busiest), busiest.isEmpty() ? 0 : busiest.get(0).getValue(),
            start.machineSecondsTo(end), w.endLatency, r);
    }

    private RunResult perfTest(RunSpec spec, Path runDir, Target.Started started,
                               Supplier<BrokerJmx.ProduceLatency> latency)
            throws IOException, InterruptedException {
        final LoadSpec load = spec.load();
        final long pid = started.process().pid();
        final boolean fixed = load.fixedRate();
        long records;
        if (fixed) {
            records = Math.max(1_000, (long) (load.rate() * options.seconds));
        } else {
            records = options.perfRecords;
        }
        if (options.perfWarmup) {
            // About warmupSeconds at the fixed rate, or at an assumed 50 MB/s when unthrottled.
            final long warmupRecords = Math.max(1_000, fixed ? (long) (load.rate() * options.warmupSeconds)
                : (long) (options.warmupSeconds * 50e6 / load.recordBytes()));
            final List<String> warm = runPerfTest(runDir, "perf-test-warmup", started.port(), load, warmupRecords);
            final PerfTestSummary warmSummary = PerfTestSummary.find(warm);
            if (warmSummary == null) {
                return RunResult.failed(spec, "perf-test warm-up failed: "
                    + firstError(runDir.resolve("perf-test-warmup.log")));
            }
            if (!fixed && records == 0) {
                records = Math.max(1_000, (long) (warmSummary.recordsPerSec() * options.seconds));
            }
        }
        if (!fixed && runBudgetBytes != Long.MAX_VALUE) {
            // Sized from the warm-up's rate, the measured process stays inside the run budget too.
            final long warmupBytes = options.perfWarmup ? (long) (options.warmupSeconds * 50e6) : 0;
            records = Math.max(1_000, Math.min(records, (runBudgetBytes - warmupBytes) / load.recordBytes()));
        }

        // The window: the whole measured process, or with --perf-steady from the tool's first progress line (its
        // first 5 s left out) to its summary line (its last record, not its JVM's exit).
        final PerfWindow w = new PerfWindow();
        if (!options.perfSteady) {
            w.start = Sample.take(pid, spec);
        }
        final List<String> out = runPerfTest(runDir, "perf-test", started.port(), load, records, w.clientPid, line -> {
            if (!options.perfSteady || w.error != null) {
                return;
            }
            try {
                final long firstInterval = w.start == null ? PerfTestSummary.progressRecords(line) : -1;
                if (firstInterval >= 0) {
                    w.skippedRecords = firstInterval;
                    final long client = w.clientPid.get();
                    w.clientCpu0 = client > 0 ? (double) ProcStat.cpuTicks(client) / ProcStat.clockTicksPerSecond()
                        : -1;
                    w.start = Sample.take(pid, spec);
                } else if (w.start != null && w.end == null && PerfTestSummary.isSummary(line)) {
                    w.end = Sample.take(pid, spec);
                }
            } catch (IOException | RuntimeException e) {
                w.error = "cannot sample the target for the --perf-steady window: " + e;
            }
        });
        final PerfTestSummary s = PerfTestSummary.find(out);
        final String error = firstError(runDir.resolve("perf-test.log"));
        if (s == null || s.records() != records || !error.isEmpty()) {
            return RunResult.failed(spec, "perf-test failed: records=" + (s == null ? "none" : s.records())
                + " of " + records
                + ": " + error);
        }
        if (w.error != null) {
            return RunResult.failed(spec, w.error);
        }
        final Sample start = w.start;
        if (start == null) {
            return RunResult.failed(spec, "perf-test printed no progress line, so --perf-steady has no window:"
                + " the measured process lasted under its 5 s reporting interval (raise --seconds)");
        }
        final Sample end = w.end != null ? w.end : Sample.take(pid, spec);
        final double windowSeconds = start.secondsTo(end);
        final var busiest = ProcStat.busiest(start.threads(), end.threads(), windowSeconds, 3);
        final BrokerJmx.ProduceLatency brokerLatency = latency.get();
        // With --perf-steady the records, time and client CPU are the window's; the latency columns stay the tool's
        // whole-process figures either way.
        final long windowRecords = s.records() - w.skippedRecords;
        final double clientTotal = clientCpu(out);
        final double clientCpu = !options.perfSteady ? clientTotal
            : clientTotal < 0 || w.clientCpu0 < 0 ? -1 : clientTotal - w.clientCpu0;
        return new RunResult(spec, null, windowRecords, windowRecords * load.recordBytes(),
            options.perfSteady ? windowSeconds : s.seconds(), s,
            start.cpuSecondsTo(end), windowSeconds, ProcStat.peakRssBytes(pid), clientCpu, start.diskBytesTo(end),
            RunResult.formatThreads(busiest), busiest.isEmpty() ? 0 : busiest.get(0).getValue(),
            start.machineSecondsTo(end), brokerLatency);
    }

    /** The same arguments against every broker: only the bootstrap address differs. */
    static List<String> perfTestArgs(int port, LoadSpec load, long records) {
        final List<String> a = new ArrayList<>(List.of("--bootstrap-server", "127.0.0.1:" + port, "--topic", TOPIC,
            "--num-records", Long.toString(records), "--record-size", Integer.toString(load.recordBytes()),
            "--throughput", load.fixedRate() ? Integer.toString(load.rate()) : "-1", "--command-property"));
        if (load.acksAll()) {
            a.add("acks=all");
            a.add("enable.idempotence=true");
        } else {
            a.add("acks=1");
        }
        return a;
    }

    /** Kafka's tools log warnings and errors (their log4j default); ours go into the run's log file. */
    static final String PERF_TEST_LOG4J2 = String.join("\n",
        "<Configuration status=\"WARN\">",
        "  <Appenders><Console name=\"out\" target=\"SYSTEM_OUT\">",
        "    <PatternLayout pattern=\"[%d{HH:mm:ss,SSS}] %-5level %c{1}: %msg%n\"/></Console></Appenders>",
        "  <Loggers><Root level=\"WARN\"><AppenderRef ref=\"out\"/></Root></Loggers>",
        "</Configuration>", "");

    /** The perf-test process's own CPU seconds ({@link ProducerPerfMain#CPU_PREFIX}), or -1. */
    private static double clientCpu(List<String> out) {
        double clientCpu = -1;
        for (String l : out) {
            if (l.startsWith(ProducerPerfMain.CPU_PREFIX)) {
                clientCpu = Double.parseDouble(l.substring(ProducerPerfMain.CPU_PREFIX.length()).trim());
            }
        }
        return clientCpu;
    }

    /**
     * What the harness reads of a target at one moment, at both ends of a window: time, the target's CPU and
     * threads, the machine's busy time, the bytes the log's device wrote (-1 on tmpfs).
     */
    private record Sample(long ns, long cpuTicks, long machineTicks, long diskBytes,
                          Map<Long, ProcStat.ThreadTicks> threads) {
        static Sample take(long pid, RunSpec spec) throws IOException {
            final Map<Long, ProcStat.ThreadTicks> threads = ProcStat.threadTicks(pid);
            return new Sample(System.nanoTime(), ProcStat.cpuTicks(pid), ProcStat.machineBusyTicks(),
                spec.fs().mount().deviceBytesWritten(), threads);
        }

        double secondsTo(Sample end) {
            return (end.ns - ns) / 1e9;
        }

        double cpuSecondsTo(Sample end) {
            return (double) (end.cpuTicks - cpuTicks) / ProcStat.clockTicksPerSecond();
        }

        double machineSecondsTo(Sample end) {
            return (double) (end.machineTicks - machineTicks) / ProcStat.clockTicksPerSecond();
        }

        /** Bytes the device wrote in between, or -1 where it is not known (tmpfs). */
        long diskBytesTo(Sample end) {
            return diskBytes < 0 || end.diskBytes < 0 ? -1 : end.diskBytes - diskBytes;
        }
    }

    /** A perf-test window: its two samples and what --perf-steady leaves out, written by the pump thread. */
    private static final class PerfWindow {
        /** The perf-test process, once started. */
        final AtomicLong clientPid = new AtomicLong(-1);
        volatile Sample start;
        volatile Sample end;
        /** Records of the tool's first interval (--perf-steady), left out of the window. */
        volatile long skippedRecords;
        /** The perf-test process's CPU seconds at the window's start; -1 = not sampled. */
        volatile double clientCpu0 = -1;
        volatile String error;
    }

    private List<String> runPerfTest(Path runDir, String name, int port, LoadSpec load, long records)
            throws IOException, InterruptedException {
        return runPerfTest(runDir, name, port, load, records, new AtomicLong(), l -> { });
    }

    /**
     * As above; {@code onLine} sees each output line as it arrives (on the pump thread), and {@code pid} gets the
     * process's pid once it runs.
     */
    private List<String> runPerfTest(Path runDir, String name, int port, LoadSpec load, long records, AtomicLong pid,
                                     Consumer<String> onLine) throws IOException, InterruptedException {
        final List<String> lines = new ArrayList<>();
        final Path log4j = runDir.resolve("perf-test-log4j2.xml");
        Files.writeString(log4j, PERF_TEST_LOG4J2, StandardCharsets.UTF_8);
        final List<String> command = Jvm.command(Jvm.PERF_TEST_OPTS + " -Dlog4j2.configurationFile=" + log4j,
            perfClassPath, ProducerPerfMain.class.getName(), perfTestArgs(port, load, records));
        final ChildProcess p = ChildProcess.startPumped(name, command, runDir, runDir.resolve(name + ".log"), l -> {
            onLine.accept(l);
            synchronized (lines) {
                lines.add(l);
            }
        });
        pid.set(p.pid());
        // Generous: a slow broker makes a long run, a stuck one fails the run rather than the harness.
        final long timeoutMs = (long) (options.seconds * 20_000) + 300_000;
        final int rc = p.waitFor(timeoutMs);
        synchronized (lines) {
            if (rc != 0) {
                lines.add("perf-test exit=" + rc);
            }
            return new ArrayList<>(lines);
        }
    }

    /** First line that looks like a failure (exceptions, errors, non-zero exit), or "". */
    static String firstError(Path log) {
        try {
            for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (l.contains("Exception") || l.contains("ERROR") || l.startsWith("firehose: error")
                        || l.startsWith("openloop: error") || l.contains("exit=")) {
                    return l.length() > 400 ? l.substring(0, 400) + "..." : l;
                }
            }
            return "";
        } catch (IOException e) {
            return "(no log: " + log + ")";
        }
    }

    private static void sync() throws InterruptedException {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (IOException e) {
            System.err.println("warning: sync failed: " + e.getMessage());
        }
    }
}
