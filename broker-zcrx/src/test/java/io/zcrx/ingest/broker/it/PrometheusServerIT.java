package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.PrometheusScrape;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus} package; .ci/run installs it) scrapes the
 * broker's endpoint every second and answers queries for the broker's metrics: the exposition is
 * accepted by Prometheus's own parser, not only by our reading of the format. Skipped, with the
 * reason, where no {@code prometheus} binary is on the PATH.
 */
class PrometheusServerIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    /** One instant-vector sample's value in Prometheus's JSON answer: {@code "value":[1700000000.1,"42"]}. */
    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesTheEndpointAndAnswersForTheByteCounter() throws Exception {
        // Goal: Prometheus ingests every family of a scrape (a parse error would fail the whole
        // scrape: up == 0) and stores the byte counter with the value the broker counted. Method:
        // broker with the endpoint on loopback, 1,000 x 500 B records produced with acks=all;
        // Prometheus scraping every 1 s; its HTTP API queried until the stored counter equals the
        // bytes of the topic's segment files; the summary of Produce latency is queried too.
        final Path prometheus = findOnPath("prometheus");
        if (prometheus == null) {
            System.out.println("PrometheusServerIT skipped: no prometheus binary on the PATH (.ci/run installs "
                + "Debian's prometheus package; apt-get install prometheus)");
        }
        Assumptions.assumeTrue(prometheus != null, "no prometheus binary on the PATH");
        try (TestBroker b = TestBroker.start(tmp.resolve("broker"), "nio",
                BrokerConfig.METRICS_PROMETHEUS_LISTENER, "127.0.0.1:0")) {
            produce(b.bootstrap(), "graphed", 1000, 500);
            final long onDisk = PrometheusScrape.logBytes(b.logDir(), "graphed");
            final int webPort = freePort();
            final Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, ""
                + "global:\n"
                + "  scrape_interval: 1s\n"
                + "  scrape_timeout: 1s\n"
                + "scrape_configs:\n"
                + "  - job_name: zcrx\n"
                + "    static_configs:\n"
                + "      - targets: ['127.0.0.1:" + b.broker().prometheusAddress().getPort() + "']\n");
            final Path log = tmp.resolve("prometheus.log");
            final Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + webPort,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null")).start();
            try {
                final String base = "http://127.0.0.1:" + webPort;
                Await.until("Prometheus scraped the broker successfully (up == 1)", Duration.ofSeconds(60),
                    () -> query(base, "up{job=\"zcrx\"}", p, log), v -> "1".equals(v));
                final String bytes = Await.until("the byte counter in Prometheus equals the bytes appended ("
                    + onDisk + ")", Duration.ofSeconds(30),
                    () -> query(base, "kafka_server_brokertopicmetrics_bytesin_total{topic=\"graphed\"}", p, log),
                    v -> v != null && Double.parseDouble(v) == onDisk);
                assertEquals(onDisk, Double.parseDouble(bytes));
                final String p99 = Await.until("Produce p99 in Prometheus", Duration.ofSeconds(30),
                    () -> query(base, "kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.99\"}",
                        p, log), v -> v != null);
                assertTrue(Double.parseDouble(p99) >= 0, p99);
                final String count = query(base, "kafka_network_requestmetrics_totaltimems_count{request=\"Produce\"}",
                    p, log);
                assertTrue(count != null && Double.parseDouble(count) >= 0, "summary _count: " + count);
            } finally {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * The value of the first sample of an instant query, or null while there is none; fails with
     * Prometheus's output if the server has exited.
     */
    private static String query(String base, String promql, Process p, Path log) throws IOException,
            InterruptedException {
        if (!p.isAlive()) {
            throw new AssertionError("prometheus exited with " + p.exitValue() + ":\n" + Files.readString(log));
        }
        final HttpResponse<String> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null; // not listening yet
        }
        if (r.statusCode() != 200) {
            return null;
        }
        final Matcher m = VALUE.matcher(r.body());
        return m.find() ? m.group(1) : null;
    }

    private static Path findOnPath(String name) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            final Path p = Paths.get(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void produce(String bootstrap, String topic, int records, int size) throws Exception {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, new byte[size]));
            }
            producer.flush();
        }
    }
}
