package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * librdkafka's command-line client ({@code kcat}, formerly {@code kafkacat}; Debian's {@code kcat}
 * package, which {@code .ci/run} installs) as a producer and consumer: a client that shares no code
 * with Kafka's Java clients. Where no binary is on the PATH the test is skipped, with the reason
 * logged.
 */
final class Kcat {
    private static final Logger LOG = LoggerFactory.getLogger(Kcat.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String binary;
    private final Path workDir;
    private final AtomicInteger runs;
    /** {@code -X key=value} arguments of every run (see {@link #with}). */
    private final List<String> extra;

    private Kcat(String binary, Path workDir) {
        this(binary, workDir, new AtomicInteger(), List.of());
    }

    private Kcat(String binary, Path workDir, AtomicInteger runs, List<String> extra) {
        this.binary = binary;
        this.workDir = workDir;
        this.runs = runs;
        this.extra = extra;
    }

    /** The kcat on the PATH; skips the calling test (reason logged) where there is none. */
    static Kcat require(Path workDir) {
        for (String name : List.of("kcat", "kafkacat")) {
            final String found = onPath(name);
            if (found != null) {
                return new Kcat(found, workDir);
            }
        }
        final String reason = "kcat (librdkafka's CLI) is not installed: apt-get install kcat (.ci/run does)";
        LOG.warn("skipping: {}", reason);
        Assumptions.abort(reason);
        return null;
    }

    static String onPath(String name) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            final Path candidate = Paths.get(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /**
     * Produces {@code key:value} lines (one record each) to {@code partition} with acks=all and
     * librdkafka's idempotent producer; fails with kcat's output unless it exits 0.
     */
    KafkaTools.Result produce(String bootstrap, String topic, int partition, List<String> keyColonValue)
            throws IOException, InterruptedException {
        final Path input = workDir.resolve(String.format("kcat-%03d.in", runs.get() + 1));
        Files.write(input, keyColonValue, StandardCharsets.UTF_8);
        return run("-b", bootstrap, "-P", "-t", topic, "-p", String.valueOf(partition), "-K", ":", "-l",
            "-X", "acks=all", "-X", "enable.idempotence=true", input.toString());
    }

    /**
     * Reads {@code topic} from the beginning to the end of every partition; each record prints as
     * {@code partition offset key value}.
     */
    KafkaTools.Result consumeAll(String bootstrap, String topic) throws IOException, InterruptedException {
        return run("-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %k %s\\n");
    }

    /** {@code kcat -L}: the cluster's metadata as librdkafka sees it. */
    KafkaTools.Result metadata(String bootstrap) throws IOException, InterruptedException {
        return run("-b", bootstrap, "-L");
    }

    /**
     * This kcat with librdkafka properties added to every run ({@code -X key=value}), e.g. SASL's
     * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.username}, {@code sasl.password}.
     */
    Kcat with(Map<String, String> properties) {
        final List<String> more = new ArrayList<>(extra);
        properties.forEach((k, v) -> {
            more.add("-X");
            more.add(k + "=" + v);
        });
        return new Kcat(binary, workDir, runs, List.copyOf(more));
    }

    KafkaTools.Result run(String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(binary);
        cmd.addAll(extra);
        cmd.addAll(Arrays.asList(args));
        final Path out = workDir.resolve(String.format("kcat-%03d.out", runs.incrementAndGet()));
        try (ManagedProcess p = ManagedProcess.start("kcat", cmd, workDir, out)) {
            final int rc = p.awaitExit(TIMEOUT);
            return new KafkaTools.Result(rc, p.output());
        }
    }
}
