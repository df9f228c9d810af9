import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Draws the ingest view of docs/grafana/zcrx-ingest.json as one PNG from a Prometheus server's
 * range queries, for machines without Grafana (JDK only, headless):
 *
 * <pre>
 *   java -Djava.awt.headless=true docs/metrics/IngestChart.java http://127.0.0.1:9090 START END out.png [title]
 * </pre>
 *
 * START and END are Unix seconds. Each panel plots the first series of one query (step 1 s).
 */
public final class IngestChart {
    private static final String[][] PANELS = {
        {"Bytes in (MB/s)", "sum(rate(kafka_server_brokertopicmetrics_bytesin_total{topic=\"\"}[5s])) / 1e6"},
        {"Produce requests/s", "sum(rate(kafka_network_requestmetrics_requests_total{request=\"Produce\"}[5s]))"},
        {"Produce TotalTimeMs p99 (ms)",
            "max(kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.99\"})"},
        {"Receive memory in use (MiB)", "sum(zcrx_receivememory_inusebytes) / 1048576"},
    };
    private static final Pattern POINT = Pattern.compile("\\[([0-9.]+),\"([^\"]+)\"\\]");
    private static final int W = 960;
    private static final int H = 600;

    public static void main(String[] args) throws Exception {
        final String base = args[0];
        final long start = Long.parseLong(args[1]);
        final long end = Long.parseLong(args[2]);
        final String title = args.length > 4 ? args[4] : "zcrx-ingest: kafka-producer-perf-test";
        final HttpClient http = HttpClient.newHttpClient();
        final BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 16, 22);
        final int pw = (W - 48) / 2;
        final int ph = (H - 60) / 2;
        for (int i = 0; i < PANELS.length; i++) {
            final String body = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query_range?query="
                    + URLEncoder.encode(PANELS[i][1], StandardCharsets.UTF_8) + "&start=" + start + "&end=" + end
                    + "&step=1")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            final List<double[]> pts = new ArrayList<>();
            final Matcher m = POINT.matcher(body);
            while (m.find()) {
                final double v = Double.parseDouble(m.group(2).replace("NaN", "0"));
                pts.add(new double[] {Double.parseDouble(m.group(1)) - start, v});
            }
            panel(g, 16 + (i % 2) * (pw + 16), 36 + (i / 2) * (ph + 8), pw, ph, PANELS[i][0], pts, end - start);
        }
        g.dispose();
        ImageIO.write(img, "png", new File(args[3]));
    }

    private static void panel(Graphics2D g, int x, int y, int w, int h, String name, List<double[]> pts,
                              long seconds) {
        final int left = x + 56;
        final int top = y + 24;
        final int pw = w - 68;
        final int ph = h - 52;
        g.setColor(new Color(0xF4F5F7));
        g.fillRect(x, y, w, h);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(name, x + 8, y + 16);
        double max = 0;
        for (double[] p : pts) {
            max = Math.max(max, p[1]);
        }
        final double top10 = niceCeiling(max);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int t = 0; t <= 4; t++) {
            final int yy = top + ph - t * ph / 4;
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(left, yy, left + pw, yy);
            g.setColor(Color.GRAY);
            final String label = format(top10 * t / 4);
            g.drawString(label, left - 6 - g.getFontMetrics().stringWidth(label), yy + 4);
        }
        for (int t = 0; t <= 6; t++) {
            final int xx = left + t * pw / 6;
            final String label = (seconds * t / 6) + " s";
            g.drawString(label, xx - g.getFontMetrics().stringWidth(label) / 2, top + ph + 16);
        }
        if (pts.isEmpty()) {
            g.drawString("no data", left + pw / 2 - 20, top + ph / 2);
            return;
        }
        g.setColor(new Color(0x1F78C1));
        g.setStroke(new BasicStroke(1.6f));
        int px = -1;
        int py = -1;
        for (double[] p : pts) {
            final int xx = left + (int) Math.round(p[0] / seconds * pw);
            final int yy = top + ph - (int) Math.round(top10 == 0 ? 0 : p[1] / top10 * ph);
            if (px >= 0) {
                g.drawLine(px, py, xx, yy);
            }
            px = xx;
            py = yy;
        }
        g.setColor(Color.DARK_GRAY);
        final String peak = "max " + format(max);
        g.drawString(peak, left + pw - g.getFontMetrics().stringWidth(peak), y + 16);
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        final double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double f : new double[] {1, 2, 2.5, 5, 10}) {
            if (f * mag >= v) {
                return f * mag;
            }
        }
        return 10 * mag;
    }

    private static String format(double v) {
        if (v >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }
}
