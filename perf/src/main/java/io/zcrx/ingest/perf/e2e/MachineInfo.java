package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.ProcFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The machine a run was made on, for the report header and the file name: host, cores, memory,
 * CPU model, kernel, JDK, the repository commit and the load average when the run started (a busy
 * machine makes every number worse; the header says how quiet it was).
 */
public record MachineInfo(String host, int cores, long memoryBytes, String cpuModel, String kernel, String jdk,
                          String commit, String loadAverage) {

    public static MachineInfo probe(Path repoRoot) {
        return new MachineInfo(probeHost(), Runtime.getRuntime().availableProcessors(), probeMemoryBytes(),
            probeCpuModel(), read("/proc/sys/kernel/osrelease", "?"), Jvm.description(), probeCommit(repoRoot),
            read("/proc/loadavg", "?"));
    }

    /**
     * When the kernel starts writing dirty pages back and when it throttles writers, in bytes
     * ({@code vm.dirty_background_ratio} / {@code vm.dirty_ratio} of memory, or the {@code *_bytes}
     * settings when set): a disk run that writes less than the first stays in the page cache.
     */
    public String dirtyThresholds() {
        final long background = dirtyBytes("dirty_background");
        final long throttle = dirtyBytes("dirty");
        return String.format(Locale.ROOT, "writeback starts after %.1f GB dirty, writers are throttled"
            + " after %.1f GB (vm.dirty_background_* / vm.dirty_*)", background / 1e9, throttle / 1e9);
    }

    private long dirtyBytes(String prefix) {
        final String bytes = read("/proc/sys/vm/" + prefix + "_bytes", "0");
        try {
            final long b = Long.parseLong(bytes);
            if (b > 0) {
                return b;
            }
            return memoryBytes * Long.parseLong(read("/proc/sys/vm/" + prefix + "_ratio", "0")) / 100;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** e.g. "vm-2c24g": host name, cores and memory, safe in a file name. */
    public String fileLabel() {
        final String h = host.replaceAll("[^A-Za-z0-9_.-]", "_");
        return h + "-" + cores + "c" + Math.round(memoryBytes / (double) (1L << 30)) + "g";
    }

    public String describe() {
        return String.format("%s: %d cores (%s), %.0f GiB memory, Linux %s, JDK %s", host, cores, cpuModel,
            memoryBytes / (double) (1L << 30), kernel, jdk);
    }

    private static String probeHost() {
        final String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        return read("/proc/sys/kernel/hostname", "unknown-host");
    }

    /** {@code MemAvailable} from /proc/meminfo, in bytes; 0 if it cannot be read. */
    public static long memAvailableBytes() {
        try {
            for (String l : ProcFiles.read(Path.of("/proc/meminfo")).lines().toList()) {
                if (l.startsWith("MemAvailable:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024L;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // 0 below: the caller skips what needs it.
        }
        return 0;
    }

    private static long probeMemoryBytes() {
        try {
            for (String l : ProcFiles.read(Path.of("/proc/meminfo")).lines().toList()) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024L;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through to the JVM's view below.
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static String probeCpuModel() {
        try {
            for (String l : ProcFiles.read(Path.of("/proc/cpuinfo")).lines().toList()) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux on x86, or no procfs: say so.
        }
        return "unknown CPU";
    }

    private static String probeCommit(Path repoRoot) {
        try {
            final Process p = new ProcessBuilder("git", "-C", repoRoot.toString(), "describe", "--always", "--dirty")
                .redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String read(String path, String fallback) {
        try {
            return ProcFiles.read(Path.of(path)).trim();
        } catch (IOException e) {
            return fallback;
        }
    }
}
