package io.zcrx.ingest.perf.sink;

import static io.zcrx.ingest.perf.sink.SinkFiles.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaTcpSinkRotationTest {

    @Test
    void javaSinkRotatesEachConnectionsFileAndKeepsTheNewest(@TempDir Path dir) throws Exception {
        // Goal: the Java sink rotates as the C sink does (tcp_sink.c's twin test in CSinkTest): each
        // connection leaves exactly its newest N files, each at most BYTES, together the end of the
        // stream, and the closed line counts every byte. Method: in-process sink with 1 MiB / keep 2;
        // connections of 5.5 MiB, exactly 3 MiB and 0 bytes, one after another; then 1 MiB + 1000 /
        // keep 3, so boundaries fall inside reads. Contents checked byte by byte.
        rotate(Files.createDirectories(dir.resolve("even")), MIB, 2, 5 * MIB + MIB / 2, 3L * MIB, 0);
        rotate(Files.createDirectories(dir.resolve("uneven")), MIB + 1000, 3, 5 * MIB + MIB / 2);
    }

    private static void rotate(Path out, long rotateBytes, int keepFiles, long... sizes) throws Exception {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        try (JavaTcpSink sink = JavaTcpSink.start(0, out, false, rotateBytes, keepFiles, lines::add)) {
            for (int conn = 0; conn < sizes.length; conn++) {
                SinkFiles.sendPattern(sink.port(), sizes[conn]);
                // A guard against a hung sink, not a timing threshold.
                assertEquals("tcp-sink closed conn=" + conn + " bytes=" + sizes[conn],
                    lines.poll(30, TimeUnit.SECONDS));
                SinkFiles.checkRotated(out, conn, sizes[conn], rotateBytes, keepFiles);
            }
        }
    }

    @Test
    void withoutRotationEachConnectionWritesOneFileAsBefore(@TempDir Path dir) throws Exception {
        // Goal: rotation 0/0 keeps the old behaviour and file name conn-N.bin. Method: send 2.5 MiB of
        // the pattern through start(port, dir, 0, 0), read the one file back.
        try (JavaTcpSink sink = JavaTcpSink.start(0, dir, 0, 0)) {
            SinkFiles.sendPattern(sink.port(), 2 * MIB + MIB / 2);
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("conn-0.bin")), files.toList());
        }
        final byte[] content = Files.readAllBytes(dir.resolve("conn-0.bin"));
        assertEquals(2 * MIB + MIB / 2, content.length);
        for (int i = 0; i < content.length; i++) {
            if (content[i] != SinkFiles.patternByte(i)) {
                assertEquals(SinkFiles.patternByte(i), content[i], "at " + i);
            }
        }
    }

    @Test
    void startRejectsARotationOutOfRange(@TempDir Path dir) {
        // Goal: the in-process start validates as the command line does. Method: each bound and one past.
        assertEquals("tcp-sink: rotate=1048575: must be a whole number of bytes from 1048576 to 1099511627776",
            assertThrows(IllegalArgumentException.class, () -> JavaTcpSink.start(0, dir, MIB - 1, 2)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JavaTcpSink.start(0, dir, (1L << 40) + 1, 2))
            .getMessage().contains("rotate=1099511627777:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JavaTcpSink.start(0, dir, -1, 2))
            .getMessage().contains("rotate=-1:"));
        assertEquals("tcp-sink: keep=0: must be a whole number of files from 1 to 1000000",
            assertThrows(IllegalArgumentException.class, () -> JavaTcpSink.start(0, dir, MIB, 0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JavaTcpSink.start(0, dir, MIB, 1_000_001))
            .getMessage().contains("keep=1000001:"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> JavaTcpSink.start(0, dir, true, MIB, 2, line -> { })).getMessage().contains("discard"));
        JavaTcpSink.checkRotation(MIB, 1);
        JavaTcpSink.checkRotation(1L << 40, 1_000_000);
    }

    @Test
    void commandLineRejectsBadArgumentsNamingTheValue(@TempDir Path dir) throws Exception {
        // Goal: the Java sink's command line takes what the C sink's does and rejects the same, with
        // the same messages. Method: fromArgs (main's parser) on each bad list; then main itself in a
        // child JVM once, for the exit status 2.
        final String d = dir.toString();
        final String[][] cases = {
            {"rotate=1048575 keep=2", "tcp-sink: rotate=1048575: must be a whole number of bytes from 1048576 to "
                + "1099511627776"},
            {"rotate=1099511627777 keep=2", "tcp-sink: rotate=1099511627777:"},
            {"rotate=64MiB keep=2", "tcp-sink: rotate=64MiB:"},
            {"rotate=+1048576 keep=2", "tcp-sink: rotate=+1048576:"},
            {"rotate=99999999999999999999 keep=2", "tcp-sink: rotate=99999999999999999999:"},
            {"rotate=1048576 keep=0", "tcp-sink: keep=0: must be a whole number of files from 1 to 1000000"},
            {"keep=99999999999 rotate=1048576", "tcp-sink: keep=99999999999:"},
            {"discard rotate=1048576 keep=2", JavaTcpSink.USAGE},
            {"rotate=1048576", JavaTcpSink.USAGE},
            {"keep=2", JavaTcpSink.USAGE},
            {"discard discard", JavaTcpSink.USAGE},
            {"bogus", JavaTcpSink.USAGE},
        };
        for (String[] c : cases) {
            final List<String> args = new ArrayList<>(List.of("0", d));
            args.addAll(List.of(c[0].split(" ")));
            final String message = assertThrows(IllegalArgumentException.class,
                () -> JavaTcpSink.fromArgs(args.toArray(String[]::new)).close(), c[0]).getMessage();
            assertTrue(message.startsWith(c[1]), c[0] + ": " + message);
        }
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            JavaTcpSink.class.getName(), "0", d, "rotate=1048576", "keep=0").redirectErrorStream(true).start();
        final boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "still running: " + output);
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("tcp-sink: keep=0:"), output);
    }
}
