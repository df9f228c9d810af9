package io.zcrx.ingest.broker.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class (Kafka's own tools: DumpLogSegments, ProducerPerformance) in a separate JVM
 * with the test class path, as a user would run the tool, and captures its output. A separate
 * process keeps tools that call {@code Exit} or print to stdout away from the test JVM.
 */
public final class ChildJvm {

    /** Exit code and combined stdout/stderr of a finished tool run. */
    public record Result(int exitCode, String output) {
    }

    private ChildJvm() {
    }

    public static Result run(long timeoutSeconds, String mainClass, String... args) throws IOException,
            InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null"))
            .start();
        final byte[][] out = new byte[1][];
        final Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("<output lost: " + e + ">").getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join();
            throw new AssertionError(mainClass + " did not finish within " + timeoutSeconds + " s; output:\n"
                + new String(out[0], StandardCharsets.UTF_8));
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }
}
