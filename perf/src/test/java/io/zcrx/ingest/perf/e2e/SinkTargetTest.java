package io.zcrx.ingest.perf.e2e;

import static io.zcrx.ingest.perf.sink.SinkFiles.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zcrx.ingest.perf.sink.CSinkBuilder;
import io.zcrx.ingest.perf.sink.SinkFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkTargetTest {
    private static final CSinkBuilder.Built NO_CC = new CSinkBuilder.Built(null, "test: Java sink");

    @Test
    void readsThePortFromTheStartedLine() {
        // Goal: the sink's port is read from its first line, whatever follows. Method: sample logs.
        assertEquals(41553, SinkTarget.parsePort("tcp-sink started port=41553\n"));
        assertEquals(7, SinkTarget.parsePort("noise\ntcp-sink started port=7\ntcp-sink closed conn=0 bytes=1\n"));
    }

    @Test
    void rejectsRotationWithDiscardOrOutOfRange() {
        // Goal: a bad rotation fails when the harness builds its targets, naming the values, not later
        // in a child's log. Method: each bad combination; then the bounds that are allowed.
        final String cp = "unused";
        final String discard = assertThrows(IllegalArgumentException.class,
            () -> new SinkTarget(NO_CC, cp, true, 64L * MIB, 4)).getMessage();
        assertTrue(discard.contains("discard=true") && discard.contains("rotateBytes=67108864")
            && discard.contains("keepFiles=4"), discard);
        final String small = assertThrows(IllegalArgumentException.class,
            () -> new SinkTarget(NO_CC, cp, false, MIB - 1, 4)).getMessage();
        assertTrue(small.contains("rotateBytes=1048575"), small);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SinkTarget(NO_CC, cp, false, -1, 4))
            .getMessage().contains("rotateBytes=-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SinkTarget(NO_CC, cp, false, MIB, 0))
            .getMessage().contains("keepFiles=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SinkTarget(NO_CC, cp, false, MIB, -3))
            .getMessage().contains("keepFiles=-3"));
        // Without rotation keepFiles is ignored, with or without discard.
        assertEquals(List.of("discard"), new SinkTarget(NO_CC, cp, true, 0, 7).sinkArgs());
        assertEquals(List.of(), new SinkTarget(NO_CC, cp, false, 0, 0).sinkArgs());
        assertEquals(List.of(), new SinkTarget(NO_CC, cp, false).sinkArgs());
        assertEquals(List.of("rotate=1048576", "keep=1"), new SinkTarget(NO_CC, cp, false, MIB, 1).sinkArgs());
    }

    @Test
    void describeMentionsTheRotation() {
        // Goal: the report says when the limit rotated its files. Method: describe() with and without.
        final String rotated = new SinkTarget(NO_CC, "cp", false, 64L * MIB, 4).describe();
        assertTrue(rotated.endsWith("write() to a file rotated every 64 MiB, keeping 4 per connection"), rotated);
        final String uneven = new SinkTarget(NO_CC, "cp", false, MIB + 1, 2).describe();
        assertTrue(uneven.endsWith("rotated every 1048577 bytes, keeping 2 per connection"), uneven);
        final String plain = new SinkTarget(NO_CC, "cp", false).describe();
        assertTrue(plain.endsWith("write() to a file") && !plain.contains("rotated"), plain);
    }

    @Test
    void javaSinkStartedByTheTargetRotates(@TempDir Path dir) throws Exception {
        // Goal: the target passes rotate/keep to the Java sink it starts. Method: start the real child
        // (no C build given), send 3.5 MiB of the pattern, check the files left.
        startAndCheck(new SinkTarget(NO_CC, System.getProperty("java.class.path"), false, MIB, 2), dir);
    }

    @Test
    void cSinkStartedByTheTargetRotates(@TempDir Path dir) throws Exception {
        // Goal: the same for the C sink (skipped, with the reason, where no cc builds it).
        final CSinkBuilder.Built built = CSinkBuilder.build(dir.resolve("build"));
        assumeTrue(built.ok(), () -> "no C sink: " + built.reason());
        startAndCheck(new SinkTarget(built, "unused", false, MIB, 2), dir);
    }

    private static void startAndCheck(SinkTarget target, Path dir) throws Exception {
        final Path data = dir.resolve("data");
        final Target.Started started = target.start(dir.resolve("run"), data, 1);
        try {
            final long sent = 3 * MIB + MIB / 2;
            SinkFiles.sendPattern(started.port(), sent);
            assertTrue(started.process().awaitLine("tcp-sink closed conn=0 bytes=" + sent + "\n", 30_000),
                started.process().tail(5));
            SinkFiles.checkRotated(data, 0, sent, MIB, 2);
        } finally {
            started.process().stop(5_000);
        }
    }
}
