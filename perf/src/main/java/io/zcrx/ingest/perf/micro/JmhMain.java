package io.zcrx.ingest.perf.micro;

import io.zcrx.ingest.perf.e2e.MachineInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the hot-path micro-benchmarks of this package with JMH's GC profiler ({@code -prof gc}) and
 * writes {@code docs/perf/DATE-MACHINE-jmh.md}: per benchmark and parameters, the time per op and
 * the bytes allocated per op ({@code gc.alloc.rate.norm}; the hot path should sit at about 0).
 *
 * <p>Usage ({@code bin/perf-jmh.sh}): {@code [--include REGEX] [--quick] [--out DIR] [--name NAME]}.
 * {@code --quick}: 1 warm-up and 2 measured iterations of 1 s (a first look); default: the
 * iterations each benchmark declares (3 + 5 of 1 s, one fork).
 */
public final class JmhMain {
    private JmhMain() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        String include = JmhMain.class.getPackageName() + ".*Benchmark.*";
        boolean quick = false;
        Path out = Path.of("docs/perf");
        String name = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--include" -> include = args[++i];
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--name" -> name = args[++i];
                default -> {
                    System.err.println("usage: bin/perf-jmh.sh [--include REGEX] [--quick] [--out DIR] [--name NAME]; "
                        + "unknown: " + args[i]);
                    System.exit(2);
                }
            }
        }
        final ChainedOptionsBuilder o = new OptionsBuilder().include(include).addProfiler(GCProfiler.class);
        if (quick) {
            o.warmupIterations(1).measurementIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementTime(TimeValue.seconds(1));
        }
        final Collection<RunResult> results = new Runner(o.build()).run();
        final MachineInfo machine = MachineInfo.probe(Path.of("").toAbsolutePath());
        final String file = (name != null ? name : LocalDate.now() + "-" + machine.fileLabel() + "-jmh") + ".md";
        Files.createDirectories(out);
        final StringBuilder command = new StringBuilder("bin/perf-jmh.sh");
        for (String a : args) {
            command.append(' ').append(a);
        }
        Files.writeString(out.resolve(file), markdown(results, machine, command.toString(), quick),
            StandardCharsets.UTF_8);
        System.out.println("perf-jmh: wrote " + out.resolve(file));
    }

    static String markdown(Collection<RunResult> results, MachineInfo machine, String command, boolean quick) {
        final StringBuilder b = new StringBuilder();
        b.append("# Hot-path micro-benchmarks, ").append(LocalDate.now()).append(", ").append(machine.fileLabel())
            .append("\n\n");
        b.append("Command (repository root):\n\n```\n").append(command).append("\n```\n\n");
        b.append("- Machine: ").append(machine.describe()).append("; load average at the end: ")
            .append(machine.loadAverage()).append(".\n");
        b.append("- Commit: `").append(machine.commit()).append("`. JMH 1.37 with `-prof gc`")
            .append(quick ? ", quick mode (1 warm-up + 2 measured iterations of 1 s: indicative only)" : "")
            .append(". Score: average time per op, ± the 99.9% confidence half-width.\n");
        b.append("- Alloc B/op: `gc.alloc.rate.norm`; the hot path should allocate nothing (values well below 1 B/op")
            .append(" are JMH's own noise). It counts every thread of the benchmark JVM and the per-iteration set-up,")
            .append(" so a figure that shrinks as iterations get longer is per-iteration work (e.g. opening a log,")
            .append(" the log-store's background scheduler), not per op.\n\n");
        b.append("| benchmark | parameters | time per op | alloc B/op |\n|---|---|---|---|\n");
        final List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort((x, y) -> key(x).compareTo(key(y)));
        for (RunResult r : sorted) {
            final BenchmarkParams p = r.getParams();
            final Result<?> primary = r.getPrimaryResult();
            final Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            b.append("| ").append(shortName(p.getBenchmark())).append(" | ").append(params(p)).append(" | ")
                .append(Double.isNaN(primary.getScoreError())
                    ? String.format(Locale.ROOT, "%,.1f %s", primary.getScore(), primary.getScoreUnit())
                    : String.format(Locale.ROOT, "%,.1f ± %,.1f %s", primary.getScore(), primary.getScoreError(),
                        primary.getScoreUnit()))
                .append(" | ").append(alloc == null ? "–" : String.format(Locale.ROOT, "%.3f", alloc.getScore()))
                .append(" |\n");
        }
        return b.toString();
    }

    /** Benchmark name, then parameters with numbers zero-padded so that 2 sorts before 16. */
    private static String key(RunResult r) {
        final StringBuilder b = new StringBuilder(r.getParams().getBenchmark());
        for (String k : new TreeSet<>(r.getParams().getParamsKeys())) {
            final String v = r.getParams().getParam(k);
            final String padded = v.matches("\\d{1,10}") ? String.format("%010d", Long.parseLong(v)) : v;
            b.append(' ').append(k).append('=').append(padded);
        }
        return b.toString();
    }

    private static String shortName(String benchmark) {
        final String[] parts = benchmark.split("\\.");
        return parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    private static String params(BenchmarkParams p) {
        final Map<String, String> m = new TreeMap<>();
        for (String k : p.getParamsKeys()) {
            m.put(k, p.getParam(k));
        }
        final StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.length() == 0 ? "–" : b.toString();
    }
}
