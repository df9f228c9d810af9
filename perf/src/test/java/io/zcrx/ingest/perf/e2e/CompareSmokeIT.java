package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareSmokeIT {

    /** The repository root: failsafe runs in perf/, the harness wants the directory above. */
    static Path repoRoot() {
        final Path here = Path.of("").toAbsolutePath();
        final Path root = Files.exists(here.resolve("perf/kafka-reference/pom.xml")) ? here : here.getParent();
        assertTrue(Files.exists(root.resolve("perf/kafka-reference/pom.xml")), "not inside the repository: " + here);
        return root;
    }

    @Test
    void smokeProfileRunsEveryTargetEndToEndAndWritesTheReport(@TempDir Path out) throws Exception {
        // Goal: the harness works end to end at tiny scale (the CI smoke test of the comparison): the real
        // Apache Kafka 4.4.0 broker, our broker when it is built (every transport that starts), and
        // the TCP sink, each driven by perf-test and the firehose, figures billed from /proc, the
        // brokers' own Produce latency read over JMX, report written. Method: run the "smoke" profile
        // into a temp dir; every run must succeed, every target must have its rows, Kafka's runs its
        // own Produce percentiles, and the Markdown, CSV and PNG must be complete.
        final Path repo = repoRoot();
        final Path tmpfs = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm/zcrx-perf-it")
            : out.resolve("tmpfs");
        final CompareOptions o = CompareOptions.parse(new String[] {"--profile", "smoke", "--repo", repo.toString(),
            "--out", out.toString(), "--work-dir", repo.resolve("perf/target/perf-it-work").toString(),
            "--tmpfs-dir", tmpfs.toString(), "--name", "smoke"});
        final Compare.Output r = new Compare(o, System.out).run();

        assertTrue(r.skipped().keySet().stream().noneMatch(k -> k.startsWith("Apache Kafka")),
            "reference broker unavailable: " + r.skipped());
        if (ZcrxBrokerTarget.unavailableReason(repo) == null) {
            assertTrue(r.results().stream().anyMatch(x -> x.spec().target().id().startsWith("zcrx-")),
                "our broker is built but no transport started: " + r.skipped());
        }
        for (RunResult x : r.results()) {
            assertTrue(x.ok(), x.spec().target().id() + " / " + x.spec().load().label() + ": " + x.error());
            assertTrue(x.records() > 0 && x.brokerCpuSeconds() > 0 && x.peakRssBytes() > 0, x.toString());
        }
        // The reference broker's own Produce histogram, read over remote JMX at the end of each window
        // (ours shows it once it registers Kafka's MBean; before that its cells say n/a).
        for (RunResult x : r.results()) {
            if (x.spec().target().id().startsWith("kafka")) {
                assertTrue(x.brokerLatency() != null && x.brokerLatency().present() && x.brokerLatency().count() > 0,
                    x.spec().load().label() + ": " + x.brokerLatency());
            }
            if (!x.spec().target().isBroker()) {
                assertEquals(null, x.brokerLatency(), x.toString());
            }
        }
        final List<String> ids = r.results().stream().map(x -> x.spec().target().id()).distinct().toList();
        assertTrue(ids.contains("kafka-4.4.0") && ids.stream().anyMatch(i -> i.startsWith("tcp-sink")), ids.toString());

        final String md = Files.readString(r.markdown());
        assertTrue(md.contains("| firehose 1KB acks=all idem | Apache Kafka 4.4.0 | 1/1 |"), md);
        assertTrue(md.contains("| perf-test 1KB acks=all idem | Apache Kafka 4.4.0 | 1/1 |"), md);
        assertTrue(md.contains("bin/perf-compare.sh --profile smoke"), md);
        assertEquals(r.results().size() + 1, Files.readAllLines(r.csv()).size());
        assertNotNull(r.chart());
        assertNotNull(ImageIO.read(r.chart().toFile()));
    }
}
