package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KafkaJS 2.2.4 (a pure JavaScript client, the Node.js ecosystem's) as a producer: a small script
 * run with {@code node}, against a {@code node_modules} installed once with
 * {@code npm install kafkajs@2.2.4} into {@code broker-zcrx/target/kafkajs} and reused by every
 * later run. Where node or npm is missing, or the install fails (no registry), the test is skipped
 * with the reason logged.
 */
final class KafkaJs {
    static final String VERSION = "2.2.4";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaJs.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String PRODUCE_JS = String.join("\n",
        "// Produces the records of a JSON file [{key, value, partition}] with one idempotent acks=all producer.",
        "const { Kafka, Partitioners, logLevel } = require('kafkajs');",
        "const fs = require('fs');",
        "const [bootstrap, topic, file, sasl, ca] = process.argv.slice(2);",
        "const messages = JSON.parse(fs.readFileSync(file, 'utf8'));",
        "(async () => {",
        "  const kafka = new Kafka({ clientId: 'zcrx-cluster-it', brokers: bootstrap.split(','),",
        "    logLevel: logLevel.WARN, sasl: sasl ? JSON.parse(sasl) : undefined,",
        "    ssl: ca ? { ca: [fs.readFileSync(ca, 'utf8')] } : undefined });",
        "  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1,",
        "    allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });",
        "  await producer.connect();",
        "  const result = await producer.send({ topic, acks: -1, messages });",
        "  await producer.disconnect();",
        "  console.log('produced ' + messages.length + ' ' + JSON.stringify(result));",
        "})().catch((e) => { console.error('kafkajs failed: ' + (e.stack || e)); process.exit(1); });",
        "");

    private static final String CONSUME_JS = String.join("\n",
        "// Reads COUNT records of a topic from the beginning in a new consumer group; prints 'partition offset key "
            + "value' each.",
        "const { Kafka, logLevel } = require('kafkajs');",
        "const fs = require('fs');",
        "const [bootstrap, topic, count, sasl, ca] = process.argv.slice(2);",
        "(async () => {",
        "  const kafka = new Kafka({ clientId: 'zcrx-cluster-it', brokers: bootstrap.split(','),",
        "    logLevel: logLevel.WARN, sasl: sasl ? JSON.parse(sasl) : undefined,",
        "    ssl: ca ? { ca: [fs.readFileSync(ca, 'utf8')] } : undefined });",
        "  const consumer = kafka.consumer({ groupId: 'zcrx-kafkajs-' + Date.now() });",
        "  await consumer.connect();",
        "  await consumer.subscribe({ topic, fromBeginning: true });",
        "  let n = 0;",
        "  await new Promise((resolve) => consumer.run({ eachMessage: async ({ partition, message }) => {",
        "    console.log(partition + ' ' + message.offset + ' ' + message.key + ' ' + message.value);",
        "    if (++n >= parseInt(count, 10)) resolve();",
        "  } }));",
        "  await consumer.disconnect();",
        "})().catch((e) => { console.error('kafkajs failed: ' + (e.stack || e)); process.exit(1); });",
        "");

    private final Path installDir;
    private final Path workDir;
    private final AtomicInteger runs = new AtomicInteger();

    private KafkaJs(Path installDir, Path workDir) {
        this.installDir = installDir;
        this.workDir = workDir;
    }

    /**
     * KafkaJS installed under {@code cacheDir} (installing it there the first time); skips the
     * calling test (reason logged) where that cannot be done.
     */
    static synchronized KafkaJs require(Path cacheDir, Path workDir) throws IOException, InterruptedException {
        final String node = Kcat.onPath("node");
        final String npm = Kcat.onPath("npm");
        if (node == null || npm == null) {
            abort("node and npm are needed for the kafkajs producer; found node=" + node + " npm=" + npm);
        }
        final Path marker = cacheDir.resolve("node_modules/kafkajs/package.json");
        if (!Files.isRegularFile(marker) || !Files.readString(marker).contains("\"version\": \"" + VERSION + "\"")) {
            Files.createDirectories(cacheDir);
            final List<String> cmd = List.of(npm, "install", "--no-audit", "--no-fund", "--no-save",
                "--loglevel=error", "kafkajs@" + VERSION);
            try (ManagedProcess p = ManagedProcess.start("npm-install-kafkajs", cmd, cacheDir,
                    cacheDir.resolve("npm-install.out"))) {
                final int rc = p.awaitExit(Duration.ofMinutes(3));
                if (rc != 0 || !Files.isRegularFile(marker)) {
                    abort("npm install kafkajs@" + VERSION + " failed (exit " + rc + "): "
                        + ManagedProcess.tail(p.output(), 1500));
                }
            }
        }
        Files.writeString(cacheDir.resolve("produce.js"), PRODUCE_JS, StandardCharsets.UTF_8);
        Files.writeString(cacheDir.resolve("consume.js"), CONSUME_JS, StandardCharsets.UTF_8);
        return new KafkaJs(cacheDir, workDir);
    }

    private static void abort(String reason) {
        LOG.warn("skipping: {}", reason);
        Assumptions.abort(reason);
    }

    /**
     * Produces {@code records} (key, value, partition each) in one send with acks=all and KafkaJS's
     * idempotent producer; returns the exit code and output (fails nothing itself).
     */
    KafkaTools.Result produce(String bootstrap, String topic, List<Record> records)
            throws IOException, InterruptedException {
        return produce(bootstrap, topic, records, null);
    }

    /**
     * As {@link #produce(String, String, List)}, authenticated with SASL where {@code sasl} is not null: KafkaJS's
     * {@code sasl} option, {@code {"mechanism":"scram-sha-512","username":"...","password":"..."}}.
     */
    KafkaTools.Result produce(String bootstrap, String topic, List<Record> records, Sasl sasl)
            throws IOException, InterruptedException {
        return produce(bootstrap, topic, records, sasl, null);
    }

    /**
     * As {@link #produce(String, String, List, Sasl)}, over TLS where {@code caPem} is not null (KafkaJS's {@code ssl}
     * option trusting that CA; with {@code sasl}, SASL_SSL).
     */
    KafkaTools.Result produce(String bootstrap, String topic, List<Record> records, Sasl sasl, Path caPem)
            throws IOException, InterruptedException {
        final int n = runs.incrementAndGet();
        final Path input = workDir.resolve("kafkajs-" + n + ".json");
        final List<String> json = new ArrayList<>();
        for (Record r : records) {
            json.add("{\"key\":" + quote(r.key()) + ",\"value\":" + quote(r.value()) + ",\"partition\":"
                + r.partition() + "}");
        }
        Files.writeString(input, "[" + String.join(",\n", json) + "]\n", StandardCharsets.UTF_8);
        final List<String> cmd = new ArrayList<>(List.of(Kcat.onPath("node"),
            installDir.resolve("produce.js").toString(), bootstrap, topic, input.toString()));
        cmd.add(sasl == null ? "" : sasl.json());
        if (caPem != null) {
            cmd.add(caPem.toString());
        }
        return node(cmd, n);
    }

    /**
     * Reads {@code count} records of {@code topic} from the beginning with a KafkaJS consumer in a new group
     * (SASL where {@code sasl} is not null); each prints as {@code partition offset key value}.
     */
    KafkaTools.Result consume(String bootstrap, String topic, int count, Sasl sasl)
            throws IOException, InterruptedException {
        return consume(bootstrap, topic, count, sasl, null);
    }

    /** As {@link #consume(String, String, int, Sasl)}, over TLS trusting {@code caPem} where it is not null. */
    KafkaTools.Result consume(String bootstrap, String topic, int count, Sasl sasl, Path caPem)
            throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>(List.of(Kcat.onPath("node"),
            installDir.resolve("consume.js").toString(), bootstrap, topic, Integer.toString(count)));
        cmd.add(sasl == null ? "" : sasl.json());
        if (caPem != null) {
            cmd.add(caPem.toString());
        }
        return node(cmd, runs.incrementAndGet());
    }

    private KafkaTools.Result node(List<String> cmd, int n) throws IOException, InterruptedException {
        try (ManagedProcess p = ManagedProcess.start("kafkajs", cmd, installDir,
                workDir.resolve(String.format("kafkajs-%03d.out", n)))) {
            final int rc = p.awaitExit(TIMEOUT);
            return new KafkaTools.Result(rc, p.output());
        }
    }

    /** KafkaJS's SASL option: mechanism {@code plain}, {@code scram-sha-256} or {@code scram-sha-512}. */
    record Sasl(String mechanism, String username, String password) {
        String json() {
            return "{\"mechanism\":" + quote(mechanism) + ",\"username\":" + quote(username) + ",\"password\":"
                + quote(password) + "}";
        }
    }

    /** One record for {@link #produce}: ASCII key and value, explicit partition. */
    record Record(String key, String value, int partition) {
    }

    private static String quote(String s) {
        final StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
