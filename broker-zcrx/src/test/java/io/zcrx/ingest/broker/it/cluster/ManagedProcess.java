package io.zcrx.ingest.broker.it.cluster;

import io.zcrx.ingest.broker.testkit.Await;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One child process of a cluster test (a controller, a broker, a tool): its stdout and stderr go to
 * one file, and closing it kills the whole process tree. Every live instance is also known to a
 * JVM shutdown hook, so a test JVM that is stopped or crashes (failsafe's fork timeout) leaves no
 * Kafka JVM holding ports and directories behind.
 */
final class ManagedProcess implements AutoCloseable {
    private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ManagedProcess::killTree),
            "cluster-it-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path output;
    /** Where this run's output starts in {@link #output}: earlier runs of the same node come before. */
    private final long offset;

    private ManagedProcess(String name, Process process, Path output, long offset) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.offset = offset;
    }

    /**
     * Starts {@code command} in {@code workDir}; its output is appended to {@code output}, so one
     * file tells a restarted node's whole story ({@link #output()} reads this run's part).
     */
    static ManagedProcess start(String name, List<String> command, Path workDir, Path output) throws IOException {
        Files.createDirectories(output.getParent());
        final long offset = Files.exists(output) ? Files.size(output) : 0;
        // The command line first, a class path shortened: the file should say what ran, not bury it.
        final String shown = command.stream().map(a -> a.length() <= 300 ? a : a.substring(0, 150) + "...("
            + a.length() + " chars)").collect(Collectors.joining(" "));
        Files.writeString(output, "=== " + shown + System.lineSeparator(), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        final Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .redirectInput(new File("/dev/null")).start();
        final ManagedProcess mp = new ManagedProcess(name, p, output, offset);
        LIVE.add(mp);
        return mp;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path outputFile() {
        return output;
    }

    /** Everything this run printed so far (its command line first). */
    String output() {
        try {
            final byte[] all = Files.readAllBytes(output);
            final int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<cannot read " + output + ": " + e + ">";
        }
    }

    /**
     * Waits until the output matches {@code pattern}; fails with the output's end if the process
     * exits first or {@code timeout} passes.
     */
    void awaitOutput(String what, Pattern pattern, Duration timeout) throws InterruptedException {
        final String out = Await.until(name + ": " + what, timeout, this::output,
            o -> pattern.matcher(o).find() || !process.isAlive());
        if (!pattern.matcher(out).find()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + " before " + what + "; output ("
                + output + "):\n" + tail(output(), 6000));
        }
    }

    /** SIGTERM, then waits up to {@code timeout} for the exit; returns the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            killTree();
            throw new AssertionError(name + " did not exit within " + timeout.toMillis() + " ms of SIGTERM (killed); "
                + "output: " + output);
        }
        LIVE.remove(this);
        return process.exitValue();
    }

    /** SIGKILL to the process and everything it started; waits until it is gone. */
    void kill() throws InterruptedException {
        killTree();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL: pid=" + process.pid());
        }
        LIVE.remove(this);
    }

    /** Waits up to {@code timeout} for the process to exit by itself; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            killTree();
            throw new AssertionError(name + " still running after " + timeout.toMillis() + " ms (killed); output:\n"
                + tail(output(), 6000));
        }
        LIVE.remove(this);
        return process.exitValue();
    }

    private void killTree() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        LIVE.remove(this);
    }

    static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
