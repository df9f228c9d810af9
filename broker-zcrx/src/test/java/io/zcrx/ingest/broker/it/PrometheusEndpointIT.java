package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.PrometheusScrape;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint ({@code metrics.prometheus.listener}) of a real broker on loopback: what a
 * scrape shows after a real producer's writes, and that no malformed or hostile request disturbs
 * the broker or stops a normal scrape. The endpoint does not depend on the transport: NIO, which
 * runs everywhere.
 */
class PrometheusEndpointIT {
    private static final String BYTES_IN = "kafka_server_brokertopicmetrics_bytesin_total";
    private static final String IN_USE = "zcrx_receivememory_inusebytes";

    @TempDir
    Path tmp;

    private TestBroker start(String name) throws IOException {
        return TestBroker.start(tmp.resolve(name), "nio", BrokerConfig.METRICS_PROMETHEUS_LISTENER, "127.0.0.1:0",
            BrokerConfig.NUM_PARTITIONS, "3");
    }

    @Test
    void aScrapeAfterProducingShowsTheBytesAppendedAndTheReceiveMemoryInUse() throws Exception {
        // Goal: the byte counter a dashboard graphs counts exactly what was appended, under the
        // JMX exporter's name, and the receive-memory gauge reads 0 once every chunk is back.
        // Method: 2,000 x 300 B records with acks=all to a 3-partition topic; after the producer
        // closes and every receive chunk is back, compare the counter with the bytes of the
        // segment files (BytesInPerSec counts whole batches, as they are written), for the topic
        // and for all topics.
        try (TestBroker b = start("produce")) {
            standInReceiveMemoryGauge(b);
            produce(b.bootstrap(), "scraped", 2000, 300);
            b.assertNoLeaks();
            final long onDisk = PrometheusScrape.logBytes(b.logDir(), "scraped");
            assertTrue(onDisk > 2000 * 300, "records were written: " + onDisk);

            final PrometheusScrape s = PrometheusScrape.of(b.broker().prometheusAddress());
            assertEquals(200, s.status(), s.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", s.contentType());
            assertTrue(s.body().contains("\n# TYPE " + BYTES_IN + " counter\n"), s.body());
            assertEquals((double) onDisk, s.value(BYTES_IN + "{topic=\"scraped\"}"), s.body());
            assertEquals((double) onDisk, s.value(BYTES_IN), "all topics: only this one was written");
            final Map<String, Double> inUse = s.family(IN_USE);
            assertFalse(inUse.isEmpty(), "a receive-memory gauge: " + s.body());
            inUse.forEach((series, v) -> assertEquals(0.0, v, series + " with every chunk back"));
        }
    }

    @Test
    void malformedAndHostileRequestsNeverDisturbTheBrokerOrANormalScrape() throws Exception {
        // Goal: a port anyone may reach cannot be used to hurt the broker: bad paths and methods,
        // malformed request lines, garbage bytes, a 1 MiB header line, half-closed sockets and 200
        // silent connections (slowloris) get an error status or a close, while a producer keeps
        // being served and a normal scrape still answers. Method: a producer thread sends without
        // pause through everything; each attack is checked for its answer; then the 200 silent
        // connections stay open while a normal scrape runs, and all of them must be closed by the
        // endpoint (evicted for newer ones, or at the read deadline).
        try (TestBroker b = start("hostile")) {
            final InetSocketAddress http = b.broker().prometheusAddress();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong acked = new AtomicLong();
            final AtomicReference<Exception> failure = new AtomicReference<>();
            final Thread producer = new Thread(() -> produceUntil(b.bootstrap(), stop, acked, failure));
            producer.start();
            try {
                Await.until("the producer is being served", () -> acked.get() > 0 || failure.get() != null);

                assertEquals(404, status(http, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
                assertEquals(404, status(http, "GET /metrics/x HTTP/1.1\r\n\r\n"));
                assertEquals(405, status(http, "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"));
                assertEquals(405, status(http, "HEAD /metrics HTTP/1.0\r\n\r\n"));
                assertEquals(400, status(http, "GARBAGE\r\n\r\n"));
                assertEquals(400, status(http, "GET /metrics HTTP/2.0\r\n\r\n"));
                assertEquals(400, status(http, "GET  /metrics HTTP/1.1\r\n\r\n"));
                assertEquals(400, status(http, "GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n"));
                assertEquals(400, status(http, "GET /met\u0000rics HTTP/1.1\r\n\r\n"));
                assertEquals(414, status(http, "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\n\r\n"));
                assertEquals(200, status(http, "GET /metrics?name[]=x HTTP/1.1\r\nHost: x\r\n\r\n"));
                final byte[] garbage = new byte[64 * 1024];
                new Random(42).nextBytes(garbage);
                garbage[0] = 0;
                assertEquals(400, status(http, garbage, false));
                final int huge = status(http, ("GET /metrics HTTP/1.1\r\nX-Big: " + "a".repeat(1 << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1), false);
                assertTrue(huge == 431 || huge == -1, "a 1 MiB header line: 431 or closed, got " + huge);
                // Half-closed after a whole request: still answered.
                assertEquals(200, status(http, "GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                    true));
                // Half-closed in the middle of the request line: closed without an answer.
                assertEquals(-1, status(http, "GET /met".getBytes(StandardCharsets.US_ASCII), true));

                final List<SocketChannel> silent = new ArrayList<>();
                try {
                    for (int i = 0; i < 200; i++) {
                        final SocketChannel ch = SocketChannel.open(http);
                        if (i % 2 == 0) {
                            // Half of them start a request and stop.
                            ch.write(ByteBuffer.wrap("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(
                                StandardCharsets.US_ASCII)));
                        }
                        silent.add(ch);
                    }
                    final long ackedBefore = acked.get();
                    final PrometheusScrape s = PrometheusScrape.of(http);
                    assertEquals(200, s.status(), "a normal scrape beside 200 silent connections");
                    assertNotNull(s.value(BYTES_IN), s.body());
                    for (SocketChannel ch : silent) {
                        ch.configureBlocking(false);
                    }
                    Await.until("every silent connection closed by the endpoint", () -> silent.stream()
                        .allMatch(PrometheusEndpointIT::closedByPeer));
                    Await.until("the producer served during the attack", () -> acked.get() > ackedBefore
                        || failure.get() != null);
                } finally {
                    for (SocketChannel ch : silent) {
                        ch.close();
                    }
                }
            } finally {
                stop.set(true);
                producer.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("the producer failed during the attacks", failure.get());
            }
            final PrometheusScrape last = PrometheusScrape.of(http);
            assertEquals(200, last.status());
            assertEquals((double) PrometheusScrape.logBytes(b.logDir(), "steady"),
                last.value(BYTES_IN + "{topic=\"steady\"}"), "every acknowledged byte counted");
            b.assertNoLeaks();
        }
    }

    /**
     * The broker's own receive-memory gauge where the transport registers one; else (a build whose
     * transports do not register it yet) one of the same name over the transport's outstanding
     * bytes, so the endpoint's exposition of such a gauge is still tested.
     */
    private static void standInReceiveMemoryGauge(TestBroker b) {
        final MetricsRegistry r = b.broker().metrics();
        final boolean present = r.names().stream().anyMatch(n -> n.group().equals("zcrx")
            && n.type().equals("ReceiveMemory") && n.name().equals("InUseBytes"));
        if (!present) {
            r.gauge(MetricName.of("zcrx", "ReceiveMemory", "InUseBytes", "transport", b.transportName()),
                () -> b.broker().transport().outstandingBytes());
        }
    }

    private static boolean closedByPeer(SocketChannel ch) {
        try {
            return ch.read(ByteBuffer.allocate(256)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static int status(InetSocketAddress http, String request) throws IOException {
        return status(http, request.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    /**
     * Sends {@code request} (then shuts the write side if {@code halfClose}) and returns the status
     * code of the answer, or -1 if the endpoint closed without one. The endpoint may answer and
     * close before it has read everything (a huge head): a failed write is then not an error.
     */
    private static int status(InetSocketAddress http, byte[] request, boolean halfClose) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(http, 10_000);
            s.setSoTimeout(20_000);
            final OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
                if (halfClose) {
                    s.shutdownOutput();
                }
            } catch (IOException e) {
                // Answered (or closed) before the whole request was taken: read what came.
            }
            final InputStream in = s.getInputStream();
            final byte[] head = new byte[12];
            int n = 0;
            try {
                while (n < head.length) {
                    final int r = in.read(head, n, head.length - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer and no close within 20 s", e);
            } catch (IOException e) {
                // Reset: the same as a close for this test.
            }
            if (n < head.length) {
                return -1;
            }
            final String line = new String(head, StandardCharsets.US_ASCII);
            assertTrue(line.startsWith("HTTP/1.1 "), "status line: " + Arrays.toString(head));
            return Integer.parseInt(line.substring(9, 12));
        }
    }

    private static Properties producerProps(String bootstrap) {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private static void produce(String bootstrap, String topic, int records, int size) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(bootstrap))) {
            final byte[] value = new byte[size];
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, i % 3, null, value));
            }
            p.flush();
        }
    }

    private static void produceUntil(String bootstrap, AtomicBoolean stop, AtomicLong acked,
                                     AtomicReference<Exception> failure) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(bootstrap))) {
            final byte[] value = new byte[200];
            while (!stop.get() && failure.get() == null) {
                // Bursts of 100, each waited for: steady load without filling the machine.
                for (int i = 0; i < 100; i++) {
                    p.send(new ProducerRecord<>("steady", value), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            acked.incrementAndGet();
                        }
                    });
                }
                p.flush();
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }
}
