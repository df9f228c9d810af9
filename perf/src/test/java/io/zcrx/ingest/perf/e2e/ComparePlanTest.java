package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.perf.proc.Mount;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparePlanTest {

    @Test
    void targetsAreInterleavedPerRepetitionAndTheSinkOnlyTakesTheFirehose() {
        // Goal: runs go A B A B (every repetition visits each target once before the next
        // repetition), per file system and load; the sink gets firehose loads only. Method: plan
        // 2 file systems x 2 loads x 2 reps over kafka, zcrx-nio and the sink, and read the order.
        final CompareOptions o = CompareOptions.parse(new String[] {"--reps", "2", "--loads", "perf,firehose",
            "--record-sizes", "100", "--acks", "all"});
        final Target kafka = new FakeTarget("kafka-4.4.0", "Kafka", true);
        final Target ours = new FakeTarget("zcrx-nio", "ours", true);
        final Target sink = new FakeTarget("tcp-sink-c", "sink", false);
        final List<LogFs> fs = List.of(new LogFs("tmpfs", Path.of("/t"), new Mount("/t", "tmpfs", "tmpfs", "0:1")),
            new LogFs("disk", Path.of("/d"), new Mount("/", "ext4", "/dev/vda", "254:0")));
        final List<RunSpec> plan = new Compare(o, System.out).plan(fs, List.of(kafka, ours, sink));
        final StringBuilder order = new StringBuilder();
        for (RunSpec s : plan) {
            order.append(s.fs().name()).append(' ').append(s.load().id()).append(" r").append(s.rep()).append(' ')
                .append(s.target().id()).append('\n');
            assertEquals(plan.indexOf(s) + 1, s.index());
        }
        final String block = "%1$s perf-100-all r1 kafka-4.4.0\n%1$s perf-100-all r1 zcrx-nio\n"
            + "%1$s perf-100-all r2 kafka-4.4.0\n%1$s perf-100-all r2 zcrx-nio\n"
            + "%1$s firehose-100-all r1 kafka-4.4.0\n%1$s firehose-100-all r1 zcrx-nio\n%1$s firehose-100-all r1 "
            + "tcp-sink-c\n"
            + "%1$s firehose-100-all r2 kafka-4.4.0\n%1$s firehose-100-all r2 zcrx-nio\n%1$s firehose-100-all r2 "
            + "tcp-sink-c\n";
        assertEquals(String.format(block, "tmpfs") + String.format(block, "disk"), order.toString());
    }
}
