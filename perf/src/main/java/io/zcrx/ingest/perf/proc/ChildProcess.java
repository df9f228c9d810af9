package io.zcrx.ingest.perf.proc;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A process the harness started (a broker, the TCP sink, a load generator), with its stdout and
 * stderr going to one log file.
 *
 * <p>Two ways to follow the output, chosen at start: {@link #startToFile} lets the kernel write
 * straight into the file (brokers: their logs cost the harness nothing while they run, and
 * {@link #awaitLine} polls the file); {@link #startPumped} has a daemon thread copy each line into
 * the file and hand it to a listener at once (load generators, whose "measure-start" line must be
 * seen within milliseconds).
 *
 * <p>Every started process is registered for a JVM shutdown hook that kills it, so an interrupted
 * harness leaves no broker behind. Methods may be called from any thread.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, "child-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Thread pump;

    private ChildProcess(String name, Process process, Path logFile, Thread pump) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.pump = pump;
    }

    /** Starts {@code command} in {@code workDir} with stdout and stderr appended to {@code logFile}. */
    public static ChildProcess startToFile(String name, List<String> command, Path workDir, Path logFile)
            throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        final ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        final Process p = pb.start();
        LIVE.add(p);
        return new ChildProcess(name, p, logFile, null);
    }

    /**
     * Starts {@code command} with its output copied line by line into {@code logFile} and, on the
     * pump thread, to {@code onLine}.
     */
    public static ChildProcess startPumped(String name, List<String> command, Path workDir, Path logFile,
                                           Consumer<String> onLine) throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        final Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        LIVE.add(p);
        final BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        final Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
                 log) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.write(line);
                    log.newLine();
                    log.flush();
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // The process went away mid-line; its exit code tells the caller what happened.
            }
        }, "pump-" + name);
        pump.setDaemon(true);
        pump.start();
        return new ChildProcess(name, p, logFile, pump);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /**
     * Waits until a line of the log contains {@code marker}.
     *
     * @return true when seen; false when the process exited or the timeout passed first
     */
    public boolean awaitLine(String marker, long timeoutMs) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long checked = 0;
        while (true) {
            // Read only what is new since the last poll; a marker split across two polls is found
            // because we re-scan from the start of the last, possibly incomplete, line.
            final long size = Files.size(logFile);
            if (size > checked) {
                final byte[] bytes = readRange(logFile, checked, size);
                final String text = new String(bytes, StandardCharsets.UTF_8);
                if (text.contains(marker)) {
                    return true;
                }
                final int lastNewline = text.lastIndexOf('\n');
                checked += lastNewline < 0 ? 0 : text.substring(0, lastNewline
                    + 1).getBytes(StandardCharsets.UTF_8).length;
            }
            if (!process.isAlive()) {
                // One last look: the marker may have been written just before the exit.
                return Files.readString(logFile, StandardCharsets.UTF_8).contains(marker);
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
    }

    private static byte[] readRange(Path file, long from, long to) throws IOException {
        try (var ch = Files.newByteChannel(file)) {
            ch.position(from);
            final var buf = ByteBuffer.allocate((int) Math.min(to - from, 16 << 20));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // keep reading
            }
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }

    /** Waits for the process to exit; returns its exit code, or throws when the timeout passes. */
    public int waitFor(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after timeout: timeoutMs=" + timeoutMs
                + ", pid=" + pid() + ", log=" + logFile);
        }
        if (pump != null) {
            pump.join(TimeUnit.SECONDS.toMillis(5));
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /**
     * SIGTERM, then SIGKILL if it has not exited within {@code graceMs}.
     *
     * @return the exit code, or -1 when it had to be killed
     */
    public int stop(long graceMs) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(graceMs, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                LIVE.remove(process);
                return -1;
            }
        }
        if (pump != null) {
            pump.join(TimeUnit.SECONDS.toMillis(5));
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String tail(int lines) {
        try {
            final Deque<String> last = new ArrayDeque<>();
            for (String l : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                last.addLast(l);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            }
            return String.join("\n", new ArrayList<>(last));
        } catch (IOException e) {
            return "(log unreadable: " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(10_000);
    }
}
