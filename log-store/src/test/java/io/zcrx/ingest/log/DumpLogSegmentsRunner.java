package io.zcrx.ingest.log;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.DumpLogSegments;

/**
 * Runs Kafka's own {@code DumpLogSegments} (kafka-tools 4.3.1) in this JVM on our files and
 * captures what it prints. Its exit procedure is replaced so a usage error fails the test instead
 * of ending the JVM.
 */
final class DumpLogSegmentsRunner {
    final String out;
    final String err;

    private DumpLogSegmentsRunner(String out, String err) {
        this.out = out;
        this.err = err;
    }

    static synchronized DumpLogSegmentsRunner run(List<Path> files, String... extraArgs) throws Exception {
        final StringBuilder joined = new StringBuilder();
        for (Path f : files) {
            if (joined.length() > 0) {
                joined.append(',');
            }
            joined.append(f.toAbsolutePath());
        }
        final List<String> args = new ArrayList<>();
        args.add("--files");
        args.add(joined.toString());
        args.addAll(List.of(extraArgs));
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("DumpLogSegments exited: code=" + code + ", message=" + message);
        });
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            DumpLogSegments.main(args.toArray(new String[0]));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            Exit.resetExitProcedure();
        }
        return new DumpLogSegmentsRunner(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Lines of stdout starting with {@code prefix}. */
    List<String> lines(String prefix) {
        final List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith(prefix)) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Override
    public String toString() {
        return "stdout:\n" + out + "\nstderr:\n" + err;
    }
}
