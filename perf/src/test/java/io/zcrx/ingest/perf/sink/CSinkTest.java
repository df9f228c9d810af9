package io.zcrx.ingest.perf.sink;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zcrx.ingest.perf.load.Firehose;
import io.zcrx.ingest.perf.load.FirehoseConfig;
import io.zcrx.ingest.perf.proc.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CSinkTest {

    @Test
    void cSinkWritesEveryByteItReceivesAndClosesAfterwards(@TempDir Path dir) throws Exception {
        // Goal: the compiled C sink is a faithful physical limit: every byte sent lands in its file,
        // and the connection closes only after. Method: compile with cc (skip, with the reason, when
        // there is no working compiler), drive it with the raw firehose, parse the files back.
        final CSinkBuilder.Built built = CSinkBuilder.build(dir.resolve("build"));
        assumeTrue(built.ok(), () -> "no C sink: " + built.reason());
        final Path out = Files.createDirectories(dir.resolve("out"));
        final ChildProcess sink = ChildProcess.startToFile("c-sink", List.of(built.executable().toString(), "0",
            out.toString()),
            dir, dir.resolve("sink.log"));
        try {
            assertTrue(sink.awaitLine(JavaTcpSink.STARTED, 10_000), sink.tail(5));
            final String log = Files.readString(sink.logFile());
            final int port = Integer.parseInt(log.substring(log.indexOf(JavaTcpSink.STARTED)
                + JavaTcpSink.STARTED.length()).trim()
                .split("\\s")[0]);
            final FirehoseConfig c = new FirehoseConfig("127.0.0.1", port, "perf", 2, 1024, 16_384, (short) 1, false,
                3, 8, 0.05, 0.2, 1L << 30, true, (short) 9, false);
            final Firehose.Result r = new Firehose(c, line -> { }).run();
            final long fileBytes = SinkFiles.checkAll(out, false);
            assertTrue(fileBytes >= r.wireBytes() && fileBytes % r.frameBytes() == 0, "fileBytes=" + fileBytes + ", "
                + r);
            assertTrue(sink.awaitLine("tcp-sink closed conn=2", 5_000), sink.tail(5));
        } finally {
            sink.stop(5_000);
        }
    }
}
