package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Apache Kafka 4.4.0's own command-line tools, run as {@code bin/kafka-*.sh} runs them: the tool's
 * main class in a JVM of its own over the distribution's jars (Kafka's kafka-clients 4.4.0, not
 * ours). Each run's output goes to a numbered file under the work directory and is returned with
 * the exit code, so a failing assertion can show what the tool said.
 */
final class KafkaTools {
    static final String TOPIC_COMMAND = "org.apache.kafka.tools.TopicCommand";
    static final String METADATA_QUORUM_COMMAND = "org.apache.kafka.tools.MetadataQuorumCommand";
    /** Moved from {@code kafka.admin} (Scala) to kafka-tools in Kafka 3.x; 4.4.0 has only this one. */
    static final String BROKER_API_VERSIONS_COMMAND = "org.apache.kafka.tools.BrokerApiVersionsCommand";
    static final String CONSUMER_GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    /** kafka-tools in 4.4.0 (the Scala {@code kafka.tools.DumpLogSegments} is gone). */
    static final String DUMP_LOG_SEGMENTS = "org.apache.kafka.tools.DumpLogSegments";
    static final String LEADER_ELECTION_COMMAND = "org.apache.kafka.tools.LeaderElectionCommand";
    static final String REASSIGN_PARTITIONS_COMMAND = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    /** Still Scala in 4.4.0 ({@code kafka_2.13}). */
    static final String STORAGE_TOOL = "kafka.tools.StorageTool";

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** Exit code and combined stdout/stderr of one finished tool run. */
    record Result(int exitCode, String output) {
        /** Fails naming the command unless the tool exited with 0; returns its output. */
        String ok() {
            if (exitCode != 0) {
                throw new AssertionError("tool exited with " + exitCode + ":\n" + output);
            }
            return output;
        }
    }

    private final KafkaDistribution dist;
    private final Path workDir;
    private final Path log4j;
    private final AtomicInteger runs = new AtomicInteger();

    KafkaTools(KafkaDistribution dist, Path workDir) throws IOException {
        this.dist = dist;
        this.workDir = workDir;
        // As Kafka's config/tools-log4j2.yaml: warnings only, on stderr.
        this.log4j = KafkaDistribution.writeLog4j(workDir.resolve("tools-log4j2.properties"), "WARN");
    }

    /** {@code kafka-topics.sh --bootstrap-server BOOTSTRAP ARGS}. */
    Result topics(String bootstrap, String... args) throws IOException, InterruptedException {
        return run(TOPIC_COMMAND, withBootstrap(bootstrap, args));
    }

    /** {@code kafka-metadata-quorum.sh --bootstrap-server BOOTSTRAP ARGS} (e.g. {@code describe --status}). */
    Result metadataQuorum(String bootstrap, String... args) throws IOException, InterruptedException {
        return run(METADATA_QUORUM_COMMAND, withBootstrap(bootstrap, args));
    }

    /** {@code kafka-broker-api-versions.sh --bootstrap-server BOOTSTRAP}. */
    Result brokerApiVersions(String bootstrap, String... args) throws IOException, InterruptedException {
        return run(BROKER_API_VERSIONS_COMMAND, withBootstrap(bootstrap, args));
    }

    /** {@code kafka-consumer-groups.sh --bootstrap-server BOOTSTRAP ARGS}. */
    Result consumerGroups(String bootstrap, String... args) throws IOException, InterruptedException {
        return run(CONSUMER_GROUP_COMMAND, withBootstrap(bootstrap, args));
    }

    /** {@code kafka-dump-log.sh --files FILE [ARGS]} (add {@code --deep-iteration} to see records). */
    Result dumpLogSegments(Path segment, String... args) throws IOException, InterruptedException {
        final List<String> all = new ArrayList<>(List.of("--files", segment.toString()));
        all.addAll(Arrays.asList(args));
        return run(DUMP_LOG_SEGMENTS, all);
    }

    /** {@code kafka-dump-log.sh --files F1,F2,... [ARGS]}: one JVM for many segment files. */
    Result dumpLogSegments(List<Path> segments, String... args) throws IOException, InterruptedException {
        final List<String> all = new ArrayList<>(List.of("--files",
            String.join(",", segments.stream().map(Path::toString).toList())));
        all.addAll(Arrays.asList(args));
        return run(DUMP_LOG_SEGMENTS, all);
    }

    /** {@code kafka-leader-election.sh --bootstrap-server BOOTSTRAP ARGS} (e.g. {@code --election-type PREFERRED}). */
    Result leaderElection(String bootstrap, String... args) throws IOException, InterruptedException {
        return run(LEADER_ELECTION_COMMAND, withBootstrap(bootstrap, args));
    }

    /** {@code kafka-reassign-partitions.sh --bootstrap-server BOOTSTRAP ARGS}. */
    Result reassignPartitions(String bootstrap, String... args) throws IOException, InterruptedException {
        return run(REASSIGN_PARTITIONS_COMMAND, withBootstrap(bootstrap, args));
    }

    /** {@code kafka-storage.sh ARGS} (format, info, random-uuid). */
    Result storage(String... args) throws IOException, InterruptedException {
        return run(STORAGE_TOOL, Arrays.asList(args));
    }

    /** Runs {@code mainClass ARGS} in a JVM over the distribution; waits for it to exit. */
    Result run(String mainClass, List<String> args) throws IOException, InterruptedException {
        final int n = runs.incrementAndGet();
        final String simple = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        final Path out = workDir.resolve(String.format("tool-%03d-%s.out", n, simple));
        try (ManagedProcess p = ManagedProcess.start(simple, dist.javaCommand("-Xmx256m", log4j, mainClass, args),
                workDir, out)) {
            final int rc = p.awaitExit(TIMEOUT);
            // The first line is the command line ManagedProcess wrote: keep it, it says what ran.
            return new Result(rc, p.output());
        }
    }

    private static List<String> withBootstrap(String bootstrap, String... args) {
        final List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrap));
        all.addAll(Arrays.asList(args));
        return all;
    }
}
