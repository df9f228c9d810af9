package io.zcrx.ingest.broker.testkit;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker as users run it: {@code java ... io.zcrx.ingest.broker.Main --override k=v ...} in its
 * own process (the test class path, the repository's {@code config/log4j2.xml}), its console
 * output in a file. It can be killed with SIGKILL ({@link #kill9}) like a crashed machine's process,
 * stopped with SIGTERM, and its resident memory read from {@code /proc}.
 */
public final class BrokerProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("started: listening on \\S*:(\\d+)");
    private static final Pattern OPENED = Pattern.compile(
        "Opened \\d+ log director\\w+ with (\\d+) partition\\(s\\) in (\\d+) ms \\((\\d+) recovered after an unclean "
            + "shutdown, (\\d+) bytes truncated, (\\d+) segments deleted\\)");

    private final Process process;
    private final Path output;
    private final long spawnedNs = System.nanoTime();

    private BrokerProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Spawns the broker; returns at once (see {@link #awaitStarted}).
     *
     * @param output    where its stdout and stderr go
     * @param heap      e.g. {@code -Xmx384m}
     * @param overrides settings, {@code key, value, key, value, ...}
     */
    public static BrokerProcess spawn(Path output, String heap, String... overrides) throws IOException {
        return spawn(output, List.of(heap), overrides);
    }

    /**
     * As {@link #spawn(Path, String, String...)} with JVM options of its own: the heap and e.g. the
     * {@code com.sun.management.jmxremote} settings an operator adds for remote JMX.
     */
    public static BrokerProcess spawn(Path output, List<String> jvmOptions, String... overrides) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-XX:+UseSerialGC");
        // As bin/zcrx-broker-start.sh: the epoll selector boxes socket descriptors above 127.
        cmd.add("-XX:AutoBoxCacheMax=65536");
        final Path log4j = Paths.get("..", "config", "log4j2.xml").toAbsolutePath().normalize();
        if (Files.isRegularFile(log4j)) {
            cmd.add("-Dlog4j2.configurationFile=" + log4j);
        }
        cmd.add("-Dzcrx.logs.dir=" + output.getParent().resolve("server-logs"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.zcrx.ingest.broker.Main");
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            cmd.add("--override");
            cmd.add(overrides[i] + "=" + overrides[i + 1]);
        }
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
            .redirectInput(new File("/dev/null")).start();
        return new BrokerProcess(p, output);
    }

    /** A TCP port that was free a moment ago (the broker binds it with SO_REUSEADDR). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits until the broker logs that it is listening; returns its port. Fails with the output if
     * the process exits first or the timeout passes.
     */
    public int awaitStarted(long timeoutMs) throws IOException, InterruptedException {
        // Times out with the output so far as the last value seen.
        final String out = Await.until("the broker to log that it is listening (or to exit)",
            Duration.ofMillis(timeoutMs), this::output, o -> STARTED.matcher(o).find() || !process.isAlive());
        final Matcher m = STARTED.matcher(out);
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        throw new AssertionError("broker exited with " + process.exitValue() + " before it started:\n" + output());
    }

    /** True once the start-up line has been logged. */
    public boolean started() throws IOException {
        return STARTED.matcher(output()).find();
    }

    /**
     * The log manager's start-up summary: {partitions, ms, recovered partitions, truncated bytes,
     * deleted segments}, or null if it was not logged (yet).
     */
    public long[] openedSummary() throws IOException {
        final Matcher m = OPENED.matcher(output());
        if (!m.find()) {
            return null;
        }
        final long[] out = new long[5];
        for (int i = 0; i < 5; i++) {
            out[i] = Long.parseLong(m.group(i + 1));
        }
        return out;
    }

    /** SIGKILL (what {@code Process.destroyForcibly} sends on Linux), then waits for the process to go. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("broker survived SIGKILL: pid=" + process.pid());
        }
    }

    /** SIGTERM (clean shutdown through the shutdown hook); returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("broker did not stop within 60 s of SIGTERM: pid=" + process.pid());
        }
        return process.exitValue();
    }

    /** Waits for the process to exit by itself; returns the exit code. */
    public int awaitExit(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("broker still running after " + timeoutMs + " ms");
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Milliseconds since the process was spawned. */
    public long ageMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawnedNs);
    }

    /** VmRSS (resident now) and VmHWM (peak resident) in KiB from /proc/PID/status; {-1, -1} if gone. */
    public long[] residentKb() {
        try {
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return new long[] {rss, hwm};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** Everything the process has printed so far. */
    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
