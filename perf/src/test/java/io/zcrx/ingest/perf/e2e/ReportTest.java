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
}
