package io.zcrx.ingest.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.BrokerProcess;
import io.zcrx.ingest.broker.testkit.ConnectWorkerProcess;
import io.zcrx.ingest.broker.testkit.TestBroker;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Connect in distributed mode, unchanged (Kafka's {@code connect-runtime} and {@code connect-file}
 * jars at kafka-clients' version), against the standalone broker: the worker creates its config,
 * offset and status topics itself, compacted; a FileStreamSource connector copies an input file to a
 * topic and a FileStreamSink connector copies the topic to an output file, both created through the
 * REST API; after a restart of the worker (its connectors come back from the config topic) lines
 * appended meanwhile arrive too, each exactly once: the source resumes from its offset in the offset
 * topic, the sink from its group's committed offset.
 */
class ConnectDistributedIT {
    private static final String TOPIC = "connect-lines";
    private static final String SINK_GROUP = "connect-file-sink";
    private static final List<String> INTERNAL_TOPICS = List.of("connect-configs", "connect-offsets", "connect-status");
    /** Generous bounds for a loaded 2-core CI machine; reached in seconds when things work. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FLOW_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern RUNNING = Pattern.compile("\"state\":\"RUNNING\"");

    @TempDir
    Path tmp;
    private TestBroker broker;
    /** target/connect-it/ConnectDistributedIT-time: the workers' properties and outputs. */
    private Path workerDir;
    private final List<ConnectWorkerProcess> workers = new ArrayList<>();

    @BeforeEach
    void startBroker() throws IOException {
        workerDir = Paths.get("target", "connect-it", getClass().getSimpleName() + "-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"))).toAbsolutePath();
        broker = TestBroker.start(tmp.resolve("logs"), "nio", "group.initial.rebalance.delay.ms", "0");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (ConnectWorkerProcess w : workers) {
            w.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** What a user puts in connect-distributed.properties for a single-node cluster. */
    private Map<String, String> workerSettings() {
        final Map<String, String> s = new TreeMap<>();
        s.put("bootstrap.servers", broker.bootstrap());
        s.put("group.id", "connect-it");
        s.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        s.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        s.put("config.storage.topic", INTERNAL_TOPICS.get(0));
        s.put("offset.storage.topic", INTERNAL_TOPICS.get(1));
        s.put("status.storage.topic", INTERNAL_TOPICS.get(2));
        // One broker: the internal topics' replication factors must be 1 (Connect's default is 3).
        s.put("config.storage.replication.factor", "1");
        s.put("offset.storage.replication.factor", "1");
        s.put("status.storage.replication.factor", "1");
        // Commit source offsets and sink consumer offsets every second (default: every minute).
        s.put("offset.flush.interval.ms", "1000");
        // The FileStream connectors declare themselves in META-INF/services: no class path scan.
        s.put("plugin.discovery", "service_load");
        return s;
    }

    private ConnectWorkerProcess startWorker(String name) throws Exception {
        // The workers' settings and outputs stay after the test, for reading.
        final ConnectWorkerProcess w = ConnectWorkerProcess.start(workerDir, BrokerProcess.freePort(),
            workerSettings(), name + ".out");
        workers.add(w);
        w.awaitRestReady(START_TIMEOUT);
        return w;
    }

    /** POST /connectors, retried while the worker has not yet joined its group (409: rebalance in progress). */
    private static void createConnector(ConnectWorkerProcess w, String json) throws Exception {
        final HttpResponse<String> r = Await.until("POST /connectors " + json, START_TIMEOUT,
            () -> w.post("/connectors", json), resp -> resp.statusCode() != 409);
        assertEquals(201, r.statusCode(), () -> r.body() + "\nworker output:\n" + outputOf(w));
    }

    private static void awaitRunning(ConnectWorkerProcess w, String connector) throws Exception {
        try {
            // The connector and its one task.
            Await.until(connector + " and its task RUNNING", START_TIMEOUT,
                () -> w.get("/connectors/" + connector + "/status").body(), body -> count(RUNNING.matcher(body)) == 2);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nworker output:\n" + outputOf(w), e);
        }
    }

    private static int count(Matcher m) {
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String outputOf(ConnectWorkerProcess w) {
        try {
            return w.output();
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    private static List<String> lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> String.format("line-%05d the quick brown fox", i))
            .collect(Collectors.toList());
    }

    /** The complete lines of a file the sink may be writing (a line without its newline yet is left out). */
    private static List<String> readLines(Path p) throws IOException {
        if (!Files.exists(p)) {
            return List.of();
        }
        final String s = Files.readString(p);
        final int end = s.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(s.substring(0, end).split("\n", -1));
    }

    /** Waits until the output file has at least {@code n} lines, and returns them. */
    private static List<String> awaitLines(Path out, int n, ConnectWorkerProcess w) throws Exception {
        try {
            return Await.until(n + " lines in " + out, FLOW_TIMEOUT, () -> readLines(out), l -> l.size() >= n);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nworker output:\n" + outputOf(w), e);
        }
    }

    @Test
    void fileSourceToTopicToFileSinkAndResumeAfterWorkerRestart() throws Exception {
        final Path in = tmp.resolve("in.txt");
        final Path out = tmp.resolve("out.txt");
        final List<String> first = lines(0, 400);
        Files.write(in, first);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            // One partition: the sink writes the lines in the order the source read them.
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            copyAndResume(admin, in, out, first);
        }
    }

    private void copyAndResume(Admin admin, Path in, Path out, List<String> first) throws Exception {
        ConnectWorkerProcess w = startWorker("worker-1");
        createConnector(w, "{\"name\":\"file-source\",\"config\":{"
            + "\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSourceConnector\","
            + "\"tasks.max\":\"1\",\"file\":\"" + in + "\",\"topic\":\"" + TOPIC + "\"}}");
        createConnector(w, "{\"name\":\"file-sink\",\"config\":{"
            + "\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\","
            + "\"tasks.max\":\"1\",\"file\":\"" + out + "\",\"topics\":\"" + TOPIC + "\"}}");
        awaitRunning(w, "file-source");
        awaitRunning(w, "file-sink");
        assertEquals(first, awaitLines(out, first.size(), w), "every input line once, in order");

        // Connect created its internal topics itself, compacted (it refuses to run on others).
        final List<ConfigResource> resources = INTERNAL_TOPICS.stream()
            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        final Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
            .get(30, TimeUnit.SECONDS);
        for (ConfigResource r : resources) {
            assertEquals("compact", configs.get(r).get("cleanup.policy").value(), r.name());
        }

        // A clean stop commits the sink's consumer offsets (and the source's file position).
        w.stop();
        final TopicPartition tp = new TopicPartition(TOPIC, 0);
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(SINK_GROUP)
            .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        assertEquals(first.size(), committed.get(tp).offset(), "sink offsets committed on stop");

        final List<String> second = lines(400, 700);
        Files.write(in, second, StandardOpenOption.APPEND);
        w = startWorker("worker-2");
        // No connector is created again: they come back from the config topic.
        final List<String> expected = new ArrayList<>(first);
        expected.addAll(second);
        // A source starting over from the file's beginning, or a sink from the topic's, would put
        // repeated lines before the new ones: the first 700 lines are the whole check.
        final List<String> got = awaitLines(out, expected.size(), w);
        assertEquals(expected, got, "after the restart: the appended lines, nothing twice");
        assertEquals(expected.size(), admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all()
            .get(30, TimeUnit.SECONDS).get(tp).offset(), "the source sent each line to the topic once");
        awaitRunning(w, "file-source");
        awaitRunning(w, "file-sink");
    }
}
