package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFootprintTest {

    @Test
    void segmentsShareTheFootprintWithinKafkasLimits() {
        // Goal: each partition (or sink connection) keeps SEGMENTS_KEPT segments plus the active one inside its
        // share; segments never below Kafka's 1 MiB minimum nor above 64 MiB.
        final LogFootprint f = new LogFootprint(1L << 30);
        assertTrue(f.on());
        assertEquals((1L << 30) / 4 / 5, f.segmentBytes(4));
        assertEquals(LogFootprint.MAX_SEGMENT_BYTES, f.segmentBytes(1));
        assertEquals(LogFootprint.MIN_SEGMENT_BYTES, f.segmentBytes(10_000));
        assertEquals(List.of("log.segment.bytes=53687091", "log.retention.bytes=214748364",
            "log.retention.check.interval.ms=1000", "log.segment.delete.delay.ms=0"), f.brokerSettings(4));
        assertEquals(5, f.sinkKeepFiles());
        assertEquals(f.segmentBytes(16), f.sinkRotateBytes(16));
        // Kafka's first retention pass waits log.initial.task.delay.ms (30 s by default): longer than a warm-up.
        assertEquals("log.initial.task.delay.ms=0", f.kafkaSettings(4).get(4));
        assertEquals(f.brokerSettings(4), f.kafkaSettings(4).subList(0, 4));
        // 1 MiB segments bound a small footprint over many streams: the description gives the real bound.
        assertEquals(16L * 5 << 20, new LogFootprint(64L << 20).boundBytes(4, 16));
        assertTrue(new LogFootprint(64L << 20).describe(4, 16).contains("about 0.08 GB"));
        assertTrue(f.describe(4, 16).contains("every 12 MiB and keeps 5"), f.describe(4, 16));
    }

    @Test
    void offMeansNoSettingsAndTooSmallIsRefused() {
        assertFalse(LogFootprint.NONE.on());
        assertEquals(List.of(), LogFootprint.NONE.brokerSettings(4));
        assertEquals(List.of(), LogFootprint.NONE.kafkaSettings(4));
        assertEquals(0, LogFootprint.NONE.sinkRotateBytes(16));
        assertThrows(IllegalArgumentException.class, () -> LogFootprint.NONE.segmentBytes(4));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LogFootprint(1 << 20)).getMessage()
            .contains("logFootprint=1048576"));
    }

    @Test
    void kafkasPropertiesEndWithTheFootprintSettings() {
        // Goal: the reference broker gets the same retention settings as ours, after its own lines (the later
        // line of a key wins in a properties file).
        final String props = KafkaReferenceTarget.serverProperties(9092, 9093, Path.of("/tmp/k"), 4,
            new LogFootprint(1L << 30).kafkaSettings(4));
        assertTrue(props.contains("\nlog.initial.task.delay.ms=0\n"), props);
        assertTrue(props.contains("\nlog.retention.bytes=214748364\n"), props);
        assertTrue(props.indexOf("log.segment.delete.delay.ms=0") > props.indexOf("num.partitions=4"), props);
        assertFalse(KafkaReferenceTarget.serverProperties(9092, 9093, Path.of("/tmp/k"), 4).contains("retention"));
    }
}
