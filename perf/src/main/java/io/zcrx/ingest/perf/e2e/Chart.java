package io.zcrx.ingest.perf.e2e;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.imageio.ImageIO;

/**
 * The run's chart as a PNG, drawn with plain Java2D (no chart library: grouped bars with min-max
 * whiskers are a page of code). Up to three panels, one group of bars per (file system, load),
 * one bar per target, height = median, whisker = min-max over the repetitions:
 * <ol>
 *   <li>throughput (MB/s of record values), unthrottled loads;</li>
 *   <li>broker CPU seconds per GB, unthrottled loads (lower is better);</li>
 *   <li>p99 latency (ms) of the fixed-rate loads, when there are any.</li>
 * </ol>
 */
public final class Chart {
    private static final Color[] PALETTE = {
        new Color(0x4e79a7), new Color(0xf28e2b), new Color(0x59a14f), new Color(0xe15759), new Color(0x76b7b2),
        new Color(0xedc948), new Color(0xb07aa1), new Color(0x9c755f)};
    private static final int LEFT = 90;
    private static final int RIGHT = 20;
    private static final int PANEL_HEIGHT = 300;
    private static final int LABEL_HEIGHT = 58;
    private static final int BAR_WIDTH = 20;

    private Chart() {
    }

    private record Group(String fs, String load, List<Summary.Stat> stats) {
    }

    private record Panel(String title, List<Group> groups) {
    }

    /** Writes the chart; returns false (and writes nothing) when no row has data to draw. */
    public static boolean write(Summary summary, List<Target> targets, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        final List<Panel> panels = new ArrayList<>();
        addPanel(panels, "Throughput, MB/s of record values (unthrottled; higher is better)", summary, targets,
            l -> !l.fixedRate(), Summary.Row::mbPerSec);
        addPanel(panels, "Broker CPU seconds per GB ingested (unthrottled; lower is better)", summary, targets,
            l -> !l.fixedRate(), Summary.Row::cpuPerGb);
        addPanel(panels, "p99 latency, ms (fixed rate; lower is better)", summary, targets,
            LoadSpec::fixedRate, r -> r.latency(PerfTestSummary::p99Ms));
        if (panels.isEmpty()) {
            return false;
        }
        int groups = 0;
        for (Panel p : panels) {
            groups = Math.max(groups, p.groups().size());
        }
        final int groupWidth = Math.max(112, targets.size() * BAR_WIDTH + 36);
        final int width = Math.max(900, LEFT + RIGHT + groups * groupWidth);
        final int legendHeight = 30;
        final int height = 50 + legendHeight + panels.size() * (PANEL_HEIGHT + LABEL_HEIGHT + 40);
        final BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, 28);
            legend(g, targets, 50);
            int y = 50 + legendHeight;
            for (Panel p : panels) {
                drawPanel(g, p, targets, y, width, groupWidth);
                y += PANEL_HEIGHT + LABEL_HEIGHT + 40;
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK: path=" + png);
        }
        return true;
    }

    private static void addPanel(List<Panel> panels, String title, Summary summary, List<Target> targets,
                                 Predicate<LoadSpec> loads, Function<Summary.Row, Summary.Stat> f) {
        final List<Group> groups = new ArrayList<>();
        final List<String> seen = new ArrayList<>();
        for (Summary.Row row : summary.rows()) {
            final String key = row.fs().name() + "|" + row.load().id();
            if (!loads.test(row.load()) || seen.contains(key)) {
                continue;
            }
            seen.add(key);
            final List<Summary.Stat> stats = new ArrayList<>();
            boolean any = false;
            for (Target t : targets) {
                final Summary.Row r = summary.find(row.fs().name(), row.load(), t.id());
                final Summary.Stat s = r == null ? null : f.apply(r);
                stats.add(s);
                any |= s != null && s.present();
            }
            if (any) {
                groups.add(new Group(row.fs().name(), row.load().label(), stats));
            }
        }
        if (!groups.isEmpty()) {
            panels.add(new Panel(title, groups));
        }
    }

    private static void legend(Graphics2D g, List<Target> targets, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = LEFT;
        for (int i = 0; i < targets.size(); i++) {
            g.setColor(PALETTE[i % PALETTE.length]);
            g.fillRect(x, y, 14, 14);
            g.setColor(Color.BLACK);
            final String label = targets.get(i).label();
            g.drawString(label, x + 20, y + 12);
            x += 20 + g.getFontMetrics().stringWidth(label) + 24;
        }
    }

    private static void drawPanel(Graphics2D g, Panel p, List<Target> targets, int top, int width, int groupWidth) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(p.title(), LEFT, top + 14);
        final int plotTop = top + 28;
        final int plotBottom = top + PANEL_HEIGHT;
        double max = 0;
        for (Group gr : p.groups()) {
            for (Summary.Stat s : gr.stats()) {
                if (s != null && s.present()) {
                    max = Math.max(max, s.max());
                }
            }
        }
        final double step = niceStep(max / 5);
        final double top0 = Math.max(step, Math.ceil(max * 1.12 / step) * step);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        final FontMetrics fm = g.getFontMetrics();
        for (double v = 0; v <= top0 + step / 2; v += step) {
            final int y = plotBottom - (int) Math.round((plotBottom - plotTop) * v / top0);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(LEFT, y, width - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            final String label = formatValue(v, step);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, plotBottom, width - RIGHT, plotBottom);
        int x = LEFT + 18;
        final int barsOffset = Math.max(0, groupWidth - 36 - targets.size() * BAR_WIDTH) / 2;
        for (Group gr : p.groups()) {
            for (int i = 0; i < gr.stats().size(); i++) {
                final Summary.Stat s = gr.stats().get(i);
                final int bx = x + barsOffset + i * BAR_WIDTH;
                if (s == null || !s.present()) {
                    continue;
                }
                final int h = (int) Math.round((plotBottom - plotTop) * s.median() / top0);
                g.setColor(PALETTE[i % PALETTE.length]);
                g.fillRect(bx, plotBottom - h, BAR_WIDTH - 3, h);
                if (s.count() > 1) {
                    final int yMin = plotBottom - (int) Math.round((plotBottom - plotTop) * s.min() / top0);
                    final int yMax = plotBottom - (int) Math.round((plotBottom - plotTop) * s.max() / top0);
                    final int cx = bx + (BAR_WIDTH - 3) / 2;
                    g.setColor(Color.BLACK);
                    g.setStroke(new BasicStroke(1.2f));
                    g.drawLine(cx, yMin, cx, yMax);
                    g.drawLine(cx - 4, yMin, cx + 4, yMin);
                    g.drawLine(cx - 4, yMax, cx + 4, yMax);
                }
                g.setColor(Color.BLACK);
                final String v = barLabel(s.median());
                final AffineTransform saved = g.getTransform();
                g.rotate(-Math.PI / 2, bx + BAR_WIDTH / 2.0 + 3, plotBottom - h - 4);
                g.drawString(v, bx + BAR_WIDTH / 2 + 3, plotBottom - h - 4);
                g.setTransform(saved);
            }
            g.setColor(Color.BLACK);
            final int cx = x + Math.max(targets.size() * BAR_WIDTH, groupWidth - 36) / 2;
            int ly = plotBottom + 14;
            for (String line : labelLines(gr)) {
                g.drawString(line, cx - fm.stringWidth(line) / 2, ly);
                ly += 13;
            }
            x += groupWidth;
        }
    }

    /** "tmpfs" / "firehose 1KB" / "acks=all idem" / "@20000/s": short lines under a group. */
    private static List<String> labelLines(Group gr) {
        final List<String> lines = new ArrayList<>();
        lines.add(gr.fs());
        final String[] words = gr.load().split(" ");
        lines.add(words[0] + " " + words[1]);
        final StringBuilder rest = new StringBuilder();
        for (int i = 2; i < words.length; i++) {
            if (words[i].startsWith("@")) {
                lines.add(rest.toString().trim());
                rest.setLength(0);
            }
            rest.append(words[i]).append(' ');
        }
        lines.add(rest.toString().trim());
        return lines;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (raw <= 0 || Double.isNaN(raw)) {
            return 1;
        }
        final double p = Math.pow(10, Math.floor(Math.log10(raw)));
        final double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    /** Two significant digits for small values (0.76 s/GB must not print as "1"), whole numbers above. */
    static String barLabel(double v) {
        final String format = v < 1 ? "%.2f" : v < 10 ? "%.1f" : "%,.0f";
        return String.format(Locale.ROOT, format, v);
    }

    private static String formatValue(double v, double resolution) {
        return resolution >= 1 ? String.format("%,.0f", v) : resolution >= 0.1 ? String.format("%,.1f", v)
            : String.format("%,.2f", v);
    }
}
