package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Apache Kafka reference broker's class path: {@code kafka_2.13:4.4.0} and its runtime
 * dependencies (with its own kafka-clients 4.4.0), copied into {@code perf/target/kafka-reference/lib}
 * by Maven from {@code perf/kafka-reference/pom.xml}, a POM outside our reactor, so the reference
 * broker never shares a class path with our modules (which pin kafka-clients 4.3.1).
 *
 * <p>Resolution runs {@code mvn} offline first (everything is usually in ~/.m2 already) and online
 * only if that fails.
 */
public final class KafkaReference {
    public static final String VERSION = "4.4.0";
    static final String MARKER_JAR = "kafka_2.13-" + VERSION + ".jar";

    private KafkaReference() {
    }

    /** {@code perf/target/kafka-reference/lib} under the repository root, resolved if missing. */
    public static Path ensureLib(Path repoRoot, Path workDir) throws IOException, InterruptedException {
        final Path lib = repoRoot.resolve("perf/target/kafka-reference/lib");
        if (Files.exists(lib.resolve(MARKER_JAR))) {
            return lib;
        }
        final Path pom = repoRoot.resolve("perf/kafka-reference/pom.xml");
        if (!Files.exists(pom)) {
            throw new IOException("reference broker POM missing: path=" + pom);
        }
        String last = "";
        for (boolean offline : new boolean[] {true, false}) {
            final List<String> cmd = new ArrayList<>(List.of(mvn(), "-B", "-q"));
            if (offline) {
                cmd.add("-o");
            }
            cmd.addAll(List.of("-f", pom.toString(), "dependency:copy-dependencies", "-DincludeScope=runtime",
                "-DoutputDirectory=" + lib));
            final ChildProcess p = ChildProcess.startToFile("mvn-kafka-reference", cmd, repoRoot,
                workDir.resolve("mvn-kafka-reference.log"));
            final int rc = p.waitFor(600_000);
            if (rc == 0 && Files.exists(lib.resolve(MARKER_JAR))) {
                return lib;
            }
            last = "mvn exit=" + rc + (offline ? " (offline)" : "") + ": " + p.tail(15);
        }
        throw new IOException("cannot resolve the Apache Kafka " + VERSION + " reference broker: " + last);
    }

    private static String mvn() {
        final String home = System.getenv("MAVEN_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }
}
