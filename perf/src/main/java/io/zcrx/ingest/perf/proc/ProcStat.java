package io.zcrx.ingest.perf.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's CPU time and peak memory from Linux procfs, the way the harness bills a broker
 * (utime+stime of the broker process from /proc, sampled before and after a run).
 *
 * <pre>
 *   /proc/PID/stat     pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17) ...
 *                      comm may hold spaces and parentheses, so fields are counted after the last ')'
 *   /proc/PID/status   "VmHWM:   378888 kB"   peak resident set size since the process started
 * </pre>
 *
 * <p>utime and stime are in clock ticks ({@code getconf CLK_TCK}, 100 on every Linux we know of);
 * {@link #clockTicksPerSecond()} asks {@code getconf} once and falls back to 100. Times cover all
 * threads of the process (the kernel sums them into the thread group).
 *
 * <p>Stateless apart from the cached tick rate; safe from any thread.
 */
public final class ProcStat {
    /** 0-based index of utime among the fields that follow the closing ')' of comm (field 14 overall). */
    static final int UTIME_INDEX_AFTER_COMM = 14 - 3;
    /** stime is field 15 overall. */
    static final int STIME_INDEX_AFTER_COMM = 15 - 3;

    private static volatile long clockTicksPerSecond;

    private ProcStat() {
    }

    /** utime + stime of {@code pid}, in clock ticks. */
    public static long cpuTicks(long pid) throws IOException {
        return parseCpuTicks(ProcFiles.read(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** utime + stime of {@code pid}, in seconds. */
    public static double cpuSeconds(long pid) throws IOException {
        return (double) cpuTicks(pid) / clockTicksPerSecond();
    }

    /**
     * utime + stime of every thread of {@code pid} ({@code /proc/PID/task/TID/stat}), by thread id,
     * with the thread's name (comm: the JVM names native threads after their Java threads, cut to 15
     * characters). Threads that exit while we read are skipped.
     */
    public static Map<Long, ThreadTicks> threadTicks(long pid) throws IOException {
        final Map<Long, ThreadTicks> m = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    final String stat = ProcFiles.read(task.resolve("stat"));
                    final String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    m.put(Long.parseLong(task.getFileName().toString()), new ThreadTicks(name, parseCpuTicks(stat)));
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read: it did no more work in the window.
                }
            }
        }
        return m;
    }

    /** One thread's name and CPU ticks. */
    public record ThreadTicks(String name, long ticks) {
    }

    /**
     * The threads that used the most CPU between two {@link #threadTicks} samples, busiest first, as
     * (name, cores) over {@code seconds} of wall time; threads born in between count from zero.
     */
    public static List<Map.Entry<String, Double>> busiest(Map<Long, ThreadTicks> before,
            Map<Long, ThreadTicks> after, double seconds, int count) {
        final List<Map.Entry<String, Double>> l = new ArrayList<>();
        for (Map.Entry<Long, ThreadTicks> e : after.entrySet()) {
            final ThreadTicks b = before.get(e.getKey());
            final long delta = e.getValue().ticks() - (b == null ? 0 : b.ticks());
            if (delta > 0) {
                l.add(Map.entry(e.getValue().name(), delta / (double) clockTicksPerSecond() / seconds));
            }
        }
        l.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
        return l.subList(0, Math.min(count, l.size()));
    }

    /**
     * Busy CPU ticks of the whole machine so far, summed over all CPUs: the first line of
     * {@code /proc/stat} ({@code cpu user nice system idle iowait irq softirq steal ...}) minus idle
     * and iowait. Kernel work billed to no process (softirqs, ksoftirqd, writeback threads) and
     * other tenants' processes are in it, which per-process figures miss.
     */
    public static long machineBusyTicks() throws IOException {
        return parseMachineBusyTicks(ProcFiles.read(Path.of("/proc/stat")));
    }

    static long parseMachineBusyTicks(String procStat) {
        final String first = procStat.lines().findFirst().orElse("");
        if (!first.startsWith("cpu ")) {
            throw new IllegalArgumentException("no cpu line in /proc/stat: line=" + first);
        }
        final String[] f = first.substring(4).trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal: guest and guest_nice are already in user/nice.
        for (int i = 0; i < Math.min(8, f.length); i++) {
            total += Long.parseLong(f[i]);
        }
        final long idle = Long.parseLong(f[3]) + (f.length > 4 ? Long.parseLong(f[4]) : 0);
        return total - idle;
    }

    /** Parses utime + stime out of the text of a {@code /proc/PID/stat} file. */
    static long parseCpuTicks(String stat) {
        final int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("no ')' after comm in /proc stat: stat=" + abbreviate(stat));
        }
        final String[] fields = stat.substring(close + 1).trim().split(" +");
        if (fields.length <= STIME_INDEX_AFTER_COMM) {
            throw new IllegalArgumentException("too few fields in /proc stat: count=" + fields.length
                + ", stat=" + abbreviate(stat));
        }
        return Long.parseLong(fields[UTIME_INDEX_AFTER_COMM]) + Long.parseLong(fields[STIME_INDEX_AFTER_COMM]);
    }

    /** Peak resident set size (VmHWM) of {@code pid}, in bytes. */
    public static long peakRssBytes(long pid) throws IOException {
        return parseStatusKb(ProcFiles.read(Path.of("/proc", Long.toString(pid), "status")), "VmHWM:") * 1024L;
    }

    /** The value in kB of the {@code key} line (e.g. "VmHWM:") of a {@code /proc/PID/status} text. */
    static long parseStatusKb(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                final String[] parts = line.substring(key.length()).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("unexpected /proc status line: line=" + line);
                }
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalArgumentException("no line in /proc status: key=" + key);
    }

    /** {@code getconf CLK_TCK}, asked once; 100 when getconf is missing or says something odd. */
    public static long clockTicksPerSecond() {
        long t = clockTicksPerSecond;
        if (t == 0) {
            t = askGetconf();
            clockTicksPerSecond = t;
        }
        return t;
    }

    private static long askGetconf() {
        try {
            final Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                final long v = Long.parseLong(out);
                if (v > 0 && v <= 100_000) {
                    return v;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through: 100 is USER_HZ on every architecture Linux exposes to user space today.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
