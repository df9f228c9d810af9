package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Apache Kafka 4.4.0 lies on disk for the cluster tests: {@code kafka-dist/target/libs}, the
 * jars of Kafka's tarball ({@code kafka_2.13}, {@code kafka-tools}, their runtime dependencies with
 * Kafka's own kafka-clients 4.4.0, a log4j2 binding) that the {@code kafka-dist} module copies
 * there. Kafka runs from these jars in child JVMs only; they never meet the test class path (which
 * pins kafka-clients 4.3.1).
 *
 * <p>A reactor build has copied them before broker-zcrx's tests run. A build of broker-zcrx alone
 * ({@code -pl broker-zcrx -am}) has not, so the first use runs the module's copy itself (offline
 * first: the jars are usually in ~/.m2). Where that fails too, the test is skipped (JUnit
 * assumption) with the reason logged: a machine without Maven Central and without the jars cannot
 * run a Kafka cluster, which says nothing about our broker.
 */
final class KafkaDistribution {
    static final String VERSION = "4.4.0";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDistribution.class);
    private static final List<String> MARKERS = List.of("kafka_2.13-" + VERSION + ".jar",
        "kafka-tools-" + VERSION + ".jar", "kafka-clients-" + VERSION + ".jar");
    private static KafkaDistribution instance;

    private final Path repoRoot;
    private final Path libs;

    private KafkaDistribution(Path repoRoot, Path libs) {
        this.repoRoot = repoRoot;
        this.libs = libs;
    }

    /** The distribution, resolved on first use; skips the calling test (with the reason) if it cannot be had. */
    static synchronized KafkaDistribution require() throws InterruptedException {
        if (instance != null) {
            return instance;
        }
        final Path root = repoRoot();
        final Path libs = root.resolve("kafka-dist/target/libs");
        if (!complete(libs)) {
            final String why = resolve(root, libs);
            if (!complete(libs)) {
                final String reason = "Apache Kafka " + VERSION + " jars missing in " + libs + " and `mvn -f "
                    + root.resolve("kafka-dist/pom.xml") + " generate-resources` could not copy them: " + why;
                LOG.warn("skipping the cluster test: {}", reason);
                Assumptions.abort(reason);
            }
        }
        instance = new KafkaDistribution(root, libs);
        return instance;
    }

    /** The repository's top directory (failsafe runs in broker-zcrx/). */
    static Path repoRoot() {
        final Path here = Paths.get("").toAbsolutePath();
        return Files.exists(here.resolve("kafka-dist/pom.xml")) ? here : here.getParent();
    }

    Path repoRootDir() {
        return repoRoot;
    }

    Path libs() {
        return libs;
    }

    /** The {@code -cp} value for a Kafka JVM: every jar of the distribution (a Java wildcard entry). */
    String classPath() {
        return libs.toString() + "/*";
    }

    /** The java binary of the JVM running the tests (Kafka 4.4 runs on Java 17 like we do). */
    static String javaBinary() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A command line running {@code mainClass} over the distribution: small heap, serial GC (two
     * cores shared by several JVMs), the given log4j2 configuration.
     */
    List<String> javaCommand(String heap, Path log4jConfig, String mainClass, List<String> args) {
        final List<String> cmd = new ArrayList<>(List.of(javaBinary(), heap, "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Djava.awt.headless=true",
            "-Dlog4j2.configurationFile=" + log4jConfig, "-cp", classPath(), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Writes a log4j2 configuration to {@code file}: everything at {@code level} and above to the
     * console, i.e. to the process's output file.
     */
    static Path writeLog4j(Path file, String level) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n",
            "rootLogger.level=" + level,
            "rootLogger.appenderRef.out.ref=OUT",
            "appender.out.type=Console",
            "appender.out.name=OUT",
            "appender.out.target=SYSTEM_ERR",
            "appender.out.layout.type=PatternLayout",
            "appender.out.layout.pattern=[%d] %p %m (%c)%n",
            "logger.state.name=state.change.logger",
            "logger.state.level=WARN",
            ""), StandardCharsets.UTF_8);
        return file;
    }

    private static boolean complete(Path libs) {
        return MARKERS.stream().allMatch(m -> Files.isRegularFile(libs.resolve(m)));
    }

    /** Runs the kafka-dist module's copy (offline, then online); returns what went wrong, or "". */
    private static String resolve(Path root, Path libs) throws InterruptedException {
        final Path pom = root.resolve("kafka-dist/pom.xml");
        if (!Files.isRegularFile(pom)) {
            return "no " + pom;
        }
        String last = "";
        for (boolean offline : new boolean[] {true, false}) {
            final List<String> cmd = new ArrayList<>(List.of(mvn(), "-B", "-q"));
            if (offline) {
                cmd.add("-o");
            }
            cmd.addAll(List.of("-f", pom.toString(), "generate-resources"));
            final Path log = root.resolve("kafka-dist/target/resolve" + (offline ? "-offline" : "") + ".log");
            LOG.info("resolving Apache Kafka {} into {}: {}", VERSION, libs, String.join(" ", cmd));
            try (ManagedProcess p = ManagedProcess.start("mvn-kafka-dist", cmd, root, log)) {
                final int rc = p.awaitExit(Duration.ofMinutes(10));
                if (rc == 0 && complete(libs)) {
                    return "";
                }
                last = "mvn exit " + rc + (offline ? " (offline)" : "") + ": " + ManagedProcess.tail(p.output(), 1500);
            } catch (IOException e) {
                last = "cannot run mvn: " + e;
            }
        }
        return last;
    }

    private static String mvn() {
        final String home = System.getenv("MAVEN_HOME");
        if (home != null && Files.isExecutable(Paths.get(home, "bin", "mvn"))) {
            return Paths.get(home, "bin", "mvn").toString();
        }
        return "mvn";
    }
}
