package io.zcrx.ingest.perf.sink;

import static io.zcrx.ingest.perf.sink.SinkFiles.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zcrx.ingest.perf.load.Firehose;
import io.zcrx.ingest.perf.load.FirehoseConfig;
import io.zcrx.ingest.perf.proc.ChildProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CSinkTest {
    @TempDir
    static Path buildDir;
    private static CSinkBuilder.Built built;

    @BeforeAll
    static void build() throws InterruptedException {
        built = CSinkBuilder.build(buildDir);
    }

    /** Skips (with the reason) where no working cc built the sink. */
    private static Path executable() {
        assumeTrue(built.ok(), () -> "no C sink: " + built.reason());
        return built.executable();
    }

    private static ChildProcess start(Path dir, Path out, String... options) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(executable().toString(), "0", out.toString()));
        cmd.addAll(List.of(options));
        final ChildProcess sink = ChildProcess.startToFile("c-sink", cmd, dir, dir.resolve("sink.log"));
        assertTrue(sink.awaitLine(JavaTcpSink.STARTED, 10_000), sink.tail(5));
        return sink;
    }

    private static int port(ChildProcess sink) throws Exception {
        final String log = Files.readString(sink.logFile());
        return Integer.parseInt(log.substring(log.indexOf(JavaTcpSink.STARTED)
            + JavaTcpSink.STARTED.length()).trim()
            .split("\\s")[0]);
    }

    @Test
    void cSinkWritesEveryByteItReceivesAndClosesAfterwards(@TempDir Path dir) throws Exception {
        // Goal: the compiled C sink is a faithful physical limit: every byte sent lands in its file,
        // and the connection closes only after. Method: compile with cc (skip, with the reason, when
        // there is no working compiler), drive it with the raw firehose, parse the files back.
        final Path out = Files.createDirectories(dir.resolve("out"));
        final ChildProcess sink = start(dir, out);
        try {
            final FirehoseConfig c = new FirehoseConfig("127.0.0.1", port(sink), "perf", 2, 1024, 16_384, (short) 1,
                false, 3, 8, 0.05, 0.2, 1L << 30, true, (short) 9, false);
            final Firehose.Result r = new Firehose(c, line -> { }).run();
            final long fileBytes = SinkFiles.checkAll(out, false);
            assertTrue(fileBytes >= r.wireBytes() && fileBytes % r.frameBytes() == 0, "fileBytes=" + fileBytes + ", "
                + r);
            assertTrue(sink.awaitLine("tcp-sink closed conn=2", 5_000), sink.tail(5));
        } finally {
            sink.stop(5_000);
        }
    }

    @Test
    void cSinkRotatesEachConnectionsFileAndKeepsTheNewest(@TempDir Path dir) throws Exception {
        // Goal: with rotate=BYTES keep=N (the sink's counterpart of the brokers' retention) each
        // connection leaves exactly its newest N files, each at most BYTES, together the end of the
        // stream, and the closed line counts every byte received. Method: the C sink with rotate=1 MiB
        // keep=2; one after another, connections of 5.5 MiB (rotation mid-file), exactly 3 MiB (ends
        // on a boundary: no empty file after it) and 0 bytes; then a second sink with an uneven size
        // (1 MiB + 1000, keep=3), so boundaries fall inside reads. Contents checked byte by byte.
        final long[] sizes = {5 * MIB + MIB / 2, 3L * MIB, 0};
        rotate(dir.resolve("even"), MIB, 2, sizes);
        rotate(dir.resolve("uneven"), MIB + 1000, 3, 5 * MIB + MIB / 2);
    }

    private static void rotate(Path dir, long rotateBytes, int keepFiles, long... sizes) throws Exception {
        final Path out = Files.createDirectories(dir.resolve("out"));
        final ChildProcess sink = start(dir, out, "keep=" + keepFiles, "rotate=" + rotateBytes);
        try {
            for (int conn = 0; conn < sizes.length; conn++) {
                SinkFiles.sendPattern(port(sink), sizes[conn]);
                assertTrue(sink.awaitLine("tcp-sink closed conn=" + conn + " bytes=" + sizes[conn] + "\n", 10_000),
                    sink.tail(5));
                SinkFiles.checkRotated(out, conn, sizes[conn], rotateBytes, keepFiles);
            }
        } finally {
            sink.stop(5_000);
        }
    }

    @Test
    void cSinkRejectsBadArgumentsWithExit2NamingTheValue(@TempDir Path dir) throws Exception {
        // Goal: a bad rotation never starts a sink that would measure something else: exit 2 with a
        // message naming the argument and its value (or the usage line for a bad combination).
        // Method: run the C sink with each bad argument list and read its output.
        final String usage = "PORT OUT_DIR [discard | rotate=BYTES keep=N]";
        final String[][] cases = {
            {"rotate=1048575 keep=2", "rotate=1048575: must be a whole number of bytes from 1048576 to 1099511627776"},
            {"rotate=1099511627777 keep=2", "rotate=1099511627777:"},
            {"rotate=64MiB keep=2", "rotate=64MiB:"},
            {"rotate=-1048576 keep=2", "rotate=-1048576:"},
            {"rotate=1048576 keep=0", "keep=0: must be a whole number of files from 1 to 1000000"},
            {"keep=1000001 rotate=1048576", "keep=1000001:"},
            {"rotate=1048576 keep=", "keep=:"},
            {"discard rotate=1048576 keep=2", usage},
            {"rotate=1048576 keep=2 discard", usage},
            {"rotate=1048576", usage},
            {"keep=2", usage},
            {"rotate=1048576 rotate=1048576 keep=2", usage},
            {"bogus", usage},
        };
        for (String[] c : cases) {
            final List<String> cmd = new ArrayList<>(List.of(executable().toString(), "0", dir.toString()));
            cmd.addAll(List.of(c[0].split(" ")));
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            // A sink that started anyway would never exit: stop it, then fail.
            final boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(exited, c[0] + ": still running: " + output);
            assertEquals(2, p.exitValue(), c[0] + ": " + output);
            assertTrue(output.contains(c[1]), c[0] + ": " + output);
        }
    }
}
