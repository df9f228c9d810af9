package io.zcrx.ingest.perf.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's CPU time and peak memory from Linux procfs, the way the harness bills a broker
 * (issue 4: "utime+stime of the broker process from /proc, before and after").
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
