package io.zcrx.ingest.broker.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One scrape of a broker's Prometheus endpoint, as Prometheus does it (HTTP/1.1 GET /metrics),
 * with the samples parsed into {@code series -> value}, the series written exactly as in the text
 * ({@code name{label="v",...}}).
 */
public record PrometheusScrape(int status, String contentType, String body, Map<String, Double> samples) {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();

    /** GET http://address/metrics. */
    public static PrometheusScrape of(InetSocketAddress address) throws IOException, InterruptedException {
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + "/metrics"))
            .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        final Map<String, Double> samples = new LinkedHashMap<>();
        if (r.statusCode() == 200) {
            for (String line : r.body().split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                final int sp = line.lastIndexOf(' ');
                samples.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1).replace("+Inf",
                    "Infinity").replace("-Inf", "-Infinity")));
            }
        }
        return new PrometheusScrape(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
            samples);
    }

    /** The value of one series, or null if the scrape has none such. */
    public Double value(String series) {
        return samples.get(series);
    }

    /** The samples whose metric name is {@code family} (any labels). */
    public Map<String, Double> family(String family) {
        final Map<String, Double> out = new LinkedHashMap<>();
        samples.forEach((k, v) -> {
            if (k.equals(family) || k.startsWith(family + "{")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The bytes of every segment file of a topic's partitions: what BytesInPerSec counted for it. */
    public static long logBytes(Path logDir, String topic) throws IOException {
        long sum = 0;
        try (Stream<Path> s = Files.walk(logDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                final String dir = p.getParent() == null ? "" : p.getParent().getFileName().toString();
                if (p.toString().endsWith(".log") && dir.startsWith(topic + "-")
                        && dir.substring(topic.length() + 1).chars().allMatch(Character::isDigit)) {
                    sum += Files.size(p);
                }
            }
        }
        return sum;
    }
}
