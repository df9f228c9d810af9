package io.zcrx.ingest.perf.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.perf.sink.JavaTcpSink;
import io.zcrx.ingest.perf.sink.SinkFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirehoseRawTest {

    @Test
    void rawModeDeliversWholeValidFramesWithAdvancingSequencesToTheSink(@TempDir Path dir) throws Exception {
        // Goal: in physical-limit mode the firehose sends exactly the frames a broker would get
        // (valid batches, re-stamped sequences and CRCs), whole, and ends only when the sink has
        // written everything. Method: Java sink in-process on loopback, 2 connections for ~0.3 s,
        // then parse the sink's files with kafka-clients (SinkFiles) and compare byte counts.
        try (JavaTcpSink sink = JavaTcpSink.start(0, dir)) {
            final FirehoseConfig c = new FirehoseConfig("127.0.0.1", sink.port(), "perf", 3, 100, 16_384, (short) -1,
                true,
                2, 8, 0.1, 0.2, 1L << 30, true, (short) 12, false);
            final List<String> lines = new ArrayList<>();
            final Firehose.Result r = new Firehose(c, lines::add).run();
            assertTrue(lines.contains(Firehose.MEASURE_START) && lines.contains(Firehose.MEASURE_END),
                lines.toString());
            assertTrue(r.requests() > 0 && r.records() == r.requests() * r.recordsPerBatch() * 3, r.toString());
            assertEquals(r, Firehose.Result.parse(r.toLine()));
            final long fileBytes = SinkFiles.checkAll(dir, true);
            // Warm-up bytes are in the files but not in the measured figures.
            assertTrue(fileBytes >= r.wireBytes() && fileBytes % r.frameBytes() == 0,
                "fileBytes=" + fileBytes + ", wireBytes=" + r.wireBytes() + ", frameBytes=" + r.frameBytes());
            assertTrue(r.wireBytes() >= r.requests() * (long) r.frameBytes() - 2L * r.frameBytes(), r.toString());
        }
    }
}
