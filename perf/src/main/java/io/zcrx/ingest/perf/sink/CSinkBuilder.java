package io.zcrx.ingest.perf.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles {@code tcp_sink.c} (a resource of this package) with the machine's {@code cc} into a
 * work directory, once. The C sink is the cheapest receiver we can write, so it is the physical
 * limit; when no compiler works, the harness falls back to {@link JavaTcpSink} and labels the row.
 */
public final class CSinkBuilder {
    static final String SOURCE = "tcp_sink.c";

    private CSinkBuilder() {
    }

    /** Outcome: the executable, or why there is none. */
    public record Built(Path executable, String reason) {
        public boolean ok() {
            return executable != null;
        }
    }

    public static Built build(Path workDir) throws InterruptedException {
        try {
            Files.createDirectories(workDir);
            final Path source = workDir.resolve(SOURCE);
            try (InputStream in = CSinkBuilder.class.getResourceAsStream(SOURCE)) {
                if (in == null) {
                    return new Built(null, "resource missing: " + SOURCE);
                }
                Files.write(source, in.readAllBytes());
            }
            final Path exe = workDir.resolve("tcp_sink");
            final String cc = System.getenv().getOrDefault("CC", "cc");
            final Process p = new ProcessBuilder(List.of(cc, "-O2", "-pthread", "-o", exe.toString(),
                source.toString()))
                .redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Built(null, cc + " timed out");
            }
            if (p.exitValue() != 0) {
                return new Built(null, cc + " failed: exit=" + p.exitValue() + ", output=" + out);
            }
            return new Built(exe, null);
        } catch (IOException e) {
            return new Built(null, "cannot compile the C sink: " + e.getMessage());
        }
    }
}
