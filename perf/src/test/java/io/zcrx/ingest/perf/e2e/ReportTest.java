package io.zcrx.ingest.perf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @Test
    void markdownCsvAndChartCarryEveryRow(@TempDir Path dir) throws Exception {
        // Goal: the report files say what was run and hold every row. Method: synthetic results for
        // two loads and three targets on two file systems; check the Markdown's command, headline,
        // table rows, failure list, the CSV line count and that the PNG decodes.
        final LoadSpec fh = new LoadSpec(LoadSpec.Kind.FIREHOSE, 100, true, 0);
        final LoadSpec rate = new LoadSpec(LoadSpec.Kind.PERF_TEST_RATE, 100, false, 50_000);
        final List<RunResult> rs = new ArrayList<>();
        for (LogFs fs : List.of(SummaryTest.TMPFS, SummaryTest.DISK)) {
            for (int rep = 1; rep <= 3; rep++) {
                rs.add(SummaryTest.run(fs, fh, SummaryTest.KAFKA, rep, 150 + rep, 1.7, 0.2, fs == SummaryTest.DISK
                    ? 1 << 30 : -1));
                rs.add(SummaryTest.run(fs, fh, SummaryTest.OURS, rep, 600 + rep, 1.2, 0.6, fs == SummaryTest.DISK
                    ? 1 << 30 : -1));
                rs.add(SummaryTest.run(fs, fh, SummaryTest.SINK, rep, 1500 + rep, 1.0, 0.3, -1));
                rs.add(SummaryTest.run(fs, rate, SummaryTest.KAFKA, rep, 5, 0.1, 0.3, -1));
            }
        }
        rs.add(RunResult.failed(new RunSpec(99, SummaryTest.TMPFS, rate, SummaryTest.OURS, 1),
            "broker exited\nwith 1"));
        final Summary s = Summary.of(rs);
        final List<Target> targets = List.of(SummaryTest.KAFKA, SummaryTest.OURS, SummaryTest.SINK);
        final Path png = dir.resolve("r.png");
        assertTrue(Chart.write(s, targets, "title", png));
        final BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() >= 900 && img.getHeight() > 600, img.getWidth() + "x" + img.getHeight());

        final Map<String, String> skipped = new LinkedHashMap<>();
        skipped.put("zcrx broker (zcrx)", "no NIC with header split");
        final CompareOptions o = CompareOptions.parse(new String[] {"--profile", "quick"});
        final Path md = dir.resolve("r.md");
        Report.writeMarkdown(md, new Report.Context("A title", "bin/perf-compare.sh --profile quick",
            new MachineInfo("h", 2, 24L << 30, "cpu", "6.1", "17", "abc", "0.1 0.1 0.1"), o, targets, skipped, "r.png",
                "r.csv",
            "today", "1m", "page-cache fill probe (tmpfs): the first 6.0 GB at 2500 MB/s, then 300 MB/s"), s);
        final String text = Files.readString(md);
        assertTrue(text.contains("```\nbin/perf-compare.sh --profile quick\n```"));
        assertTrue(text.contains("| tmpfs | firehose 100B acks=all idem | 152 | 602 (nio) | 1,502 | "), text);
        assertTrue(text.contains("## Log directories on tmpfs")
            && text.contains("## Log directories on disk (ext4 on /dev/vda)"));
        assertTrue(text.contains("| perf-test 100B acks=1 @50000/s | Apache Kafka 4.4.0 | 3/3 | "), text);
        assertTrue(text.contains("- Skipped zcrx broker (zcrx): no NIC with header split"));
        assertTrue(text.contains("- Memory: page-cache fill probe (tmpfs): the first 6.0 GB at 2500 MB/s"), text);
        assertTrue(text.contains("broker exited with 1"));
        assertTrue(text.contains("![chart](r.png)"));
        final long tableRows = text.lines().filter(l -> l.startsWith("| firehose")
            || l.startsWith("| perf-test")).count();
        assertEquals(2 * 4 + 1, tableRows); // 4 rows per file system, plus the failed zcrx rate row on tmpfs

        final List<String> csv = new ArrayList<>(List.of(Report.CSV_HEADER));
        for (RunResult r : rs) {
            csv.add(Report.csvLine(r));
        }
        final int columns = Report.CSV_HEADER.split(",").length;
        for (String line : csv) {
            assertEquals(columns, line.replaceAll("\"[^\"]*\"", "q").split(",", -1).length, line);
        }
    }

    @Test
    void brokerLatencyColumnsShowTheBrokersOwnPercentilesOrWhyNot(@TempDir Path dir) throws Exception {
        // Goal: the table and the CSV carry each broker's own Produce p50/p99/p99.9 next to the
        // client's; a broker that did not give them shows "n/a" (empty CSV cells), the sink "–".
        // Method: Kafka with figures in three repetitions, our broker with the MBean absent, the
        // sink without JMX; read the rows back.
        final LoadSpec perf = new LoadSpec(LoadSpec.Kind.PERF_TEST, 1024, true, 0);
        final LoadSpec fh = new LoadSpec(LoadSpec.Kind.FIREHOSE, 1024, true, 0);
        final List<RunResult> rs = new ArrayList<>();
        for (int rep = 1; rep <= 3; rep++) {
            rs.add(SummaryTest.run(SummaryTest.TMPFS, perf, SummaryTest.KAFKA, rep, 50, 1, 0.5, -1));
            rs.add(withBrokerLatency(SummaryTest.run(SummaryTest.TMPFS, perf, SummaryTest.OURS, rep, 80, 1, 0.5, -1),
                BrokerJmx.ProduceLatency.absent("the broker has no MBean " + BrokerJmx.PRODUCE_TOTAL_TIME)));
            rs.add(SummaryTest.run(SummaryTest.TMPFS, fh, SummaryTest.KAFKA, rep, 150, 1.7, 0.2, -1));
            rs.add(SummaryTest.run(SummaryTest.TMPFS, fh, SummaryTest.SINK, rep, 1500, 1.0, 0.3, -1));
        }
        final String text = markdown(dir, rs, List.of(SummaryTest.KAFKA, SummaryTest.OURS, SummaryTest.SINK));
        assertTrue(text.contains("| broker Produce ms p50 / p99 / p99.9 |"), text);
        assertTrue(text.contains("| perf-test 1KB acks=all idem | Apache Kafka 4.4.0 | 3/3 | ")
            && text.contains(" | 0.70 (0.60–0.80) / 2.00 / 4.00 | "), text);
        assertTrue(text.contains("| firehose 1KB acks=all idem | Apache Kafka 4.4.0 | 3/3 | "), text);
        assertEquals(2, text.lines().filter(l -> l.contains("| Apache Kafka 4.4.0 | 3/3 |")
            && l.contains(" | 0.70 (0.60–0.80) / 2.00 / 4.00 | ")).count(), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("| perf-test 1KB acks=all idem | zcrx broker (nio) |")
            && l.contains(" | n/a | ")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("| firehose 1KB acks=all idem | TCP sink (C): limit |")
            && l.contains(" | – | – | ")), text);
        assertTrue(text.contains("exponentially decaying sample") && text.contains("microsecond resolution"), text);

        final List<String> header = List.of(Report.CSV_HEADER.split(","));
        final int p50 = header.indexOf("broker_p50_ms");
        final int count = header.indexOf("broker_produce_count");
        assertTrue(p50 > 0 && count == p50 + 3, Report.CSV_HEADER);
        final String[] kafka = Report.csvLine(rs.get(0)).replaceAll("\"[^\"]*\"", "q").split(",", -1);
        assertEquals(header.size(), kafka.length);
        assertEquals("0.6000", kafka[p50]);
        assertEquals("2.0000", kafka[p50 + 1]);
        assertEquals("4.0000", kafka[p50 + 2]);
        assertEquals("100000", kafka[count]);
        final String[] ours = Report.csvLine(rs.get(1)).replaceAll("\"[^\"]*\"", "q").split(",", -1);
        assertEquals(header.size(), ours.length);
        assertEquals("", ours[p50]);
        assertEquals("", ours[count]);
    }

    @Test
    void metricsOnOffSectionSetsEachTwinBesideItsSibling(@TempDir Path dir) throws Exception {
        // Goal: with --metrics-ab the report shows, per load, our broker's CPU per GB with metrics on
        // and off and the difference; the headline's "ours" is the broker as shipped, never the
        // metrics-off twin. Method: synthetic firehose and perf-test rows for both, the twin faster.
        final Target off = new FakeTarget("zcrx-nio" + ZcrxBrokerTarget.NO_METRICS_SUFFIX,
            "zcrx broker (nio, metrics off)", true);
        final LoadSpec fh = new LoadSpec(LoadSpec.Kind.FIREHOSE, 1024, true, 0);
        final LoadSpec perf = new LoadSpec(LoadSpec.Kind.PERF_TEST, 1024, true, 0);
        final List<RunResult> rs = new ArrayList<>();
        for (LoadSpec load : List.of(perf, fh)) {
            rs.add(SummaryTest.run(SummaryTest.TMPFS, load, SummaryTest.KAFKA, 1, 200, 1.8, 0.2, -1));
            // 500 MB/s at 1.0 core = 2.00 s/GB; off: 520 MB/s at 0.98 cores = 1.88 s/GB.
            rs.add(SummaryTest.run(SummaryTest.TMPFS, load, SummaryTest.OURS, 1, 500, 1.0, 0.2, -1));
            rs.add(SummaryTest.run(SummaryTest.TMPFS, load, off, 1, 520, 0.98, 0.2, -1));
        }
        final String text = markdown(dir, rs, List.of(SummaryTest.KAFKA, SummaryTest.OURS, off));
        assertTrue(text.contains("## Metrics on and off"), text);
        assertTrue(text.contains("| tmpfs | firehose 1KB acks=all idem | nio | 500.0 | 520.0 | 2.00 | 1.88 | +6.1 % |"),
            text);
        assertTrue(text.contains("| tmpfs | perf-test 1KB acks=all idem | nio | 500.0 | 520.0 | 2.00 | 1.88 |"), text);
        assertTrue(text.contains("| tmpfs | firehose 1KB acks=all idem | 200 | 500 (nio) | – |"), text);
        assertTrue(text.lines().anyMatch(
            l -> l.startsWith("| firehose 1KB acks=all idem | zcrx broker (nio, metrics off) |")), text);

        // Without twins there is no such section.
        final String plain = markdown(dir, rs.stream().filter(r -> r.spec().target() != off).toList(),
            List.of(SummaryTest.KAFKA, SummaryTest.OURS));
        assertTrue(!plain.contains("## Metrics on and off"), plain);
    }

    static RunResult withBrokerLatency(RunResult r, BrokerJmx.ProduceLatency l) {
        return new RunResult(r.spec(), r.error(), r.records(), r.payloadBytes(), r.loadSeconds(), r.latency(),
            r.brokerCpuSeconds(), r.windowSeconds(), r.peakRssBytes(), r.clientCpuSeconds(), r.diskWriteBytes(),
            r.busiestThreads(), r.busiestThreadCores(), r.machineBusySeconds(), l);
    }

    private static String markdown(Path dir, List<RunResult> rs, List<Target> targets) throws Exception {
        final CompareOptions o = CompareOptions.parse(new String[] {"--profile", "quick"});
        final Path md = dir.resolve("t.md");
        Report.writeMarkdown(md, new Report.Context("T", "bin/perf-compare.sh", new MachineInfo("h", 2, 24L << 30,
            "cpu", "6.1", "17", "abc", "0.1 0.1 0.1"), o, targets, new LinkedHashMap<>(), null, "t.csv", "today", "1m",
            null), Summary.of(rs));
        return Files.readString(md);
    }
}
