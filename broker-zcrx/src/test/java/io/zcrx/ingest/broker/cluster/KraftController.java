package io.zcrx.ingest.broker.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A controller-only Apache Kafka 4.4 node in a child process, from the Maven Central jars of
 * {@code perf/kafka-reference/pom.xml} (resolved offline into {@code broker-zcrx/target/kafka-4.4-lib}
 * when missing), formatted standalone with either the features this broker supports or Kafka 4.4's
 * defaults. The shared test fixture for Kafka processes replaces it once it exists.
 */
final class KraftController implements AutoCloseable {
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    final int port;
    final String clusterId;
    final Path dir;
    private final Process process;

    private KraftController(int port, String clusterId, Path dir, Process process) {
        this.port = port;
        this.clusterId = clusterId;
        this.dir = dir;
        this.process = process;
    }

    /** Formats and starts a controller; {@code compatible}: the features this broker supports. */
    static KraftController start(Path dir, boolean compatible) throws IOException, InterruptedException {
        final Path lib = lib();
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        final Path props = dir.resolve("controller.properties");
        Files.writeString(props, String.join("\n",
            "process.roles=controller",
            "node.id=3000",
            "controller.listener.names=" + CONTROLLER_LISTENER,
            "listeners=" + CONTROLLER_LISTENER + "://127.0.0.1:" + port,
            "listener.security.protocol.map=" + CONTROLLER_LISTENER + ":PLAINTEXT",
            "controller.quorum.bootstrap.servers=127.0.0.1:" + port,
            "log.dirs=" + dir.resolve("data"),
            "offsets.topic.replication.factor=1",
            "") + "\n");
        final Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n",
            "appender.out.type=Console",
            "appender.out.name=OUT",
            "appender.out.layout.type=PatternLayout",
            "appender.out.layout.pattern=[%d] %p %m (%c)%n",
            "rootLogger.level=INFO",
            "rootLogger.appenderRef.out.ref=OUT",
            "") + "\n");
        final String clusterId = run(lib, dir, "kafka.tools.StorageTool", "random-uuid").trim();
        final List<String> format = new ArrayList<>(List.of("format", "-t", clusterId, "-c", props.toString(),
            "--standalone"));
        if (compatible) {
            format.addAll(List.of(SupportedFeatures.COMPATIBLE_FORMAT.substring("kafka-storage format ".length())
                .split(" ")));
        }
        run(lib, dir, "kafka.tools.StorageTool", format.toArray(new String[0]));
        final Process p = new ProcessBuilder(java(), "-Xmx256m", "-Dlog4j2.configurationFile=" + log4j, "-cp",
            lib + "/*", "kafka.Kafka", props.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("controller.log").toFile()).start();
        final KraftController c = new KraftController(port, clusterId, dir, p);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("controller exited: " + c.log());
            }
            if (c.log().contains("RegistrationResponseHandler: controller acknowledged")) {
                return c;
            }
            if (System.nanoTime() > deadline) {
                c.close();
                throw new IOException("controller did not start in 60 s: " + c.log());
            }
            Thread.sleep(50);
        }
    }

    /** Formats a broker's storage with Kafka's own tool, as Kafka's brokers are formatted. */
    void formatBrokerWithKafka(Path brokerProperties) throws IOException, InterruptedException {
        run(lib(), dir, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", brokerProperties.toString(),
            "--no-initial-controllers");
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("controller.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    boolean reachable() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static String run(Path lib, Path dir, String main, String... args)
            throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>(List.of(java(), "-cp", lib + "/*", main));
        cmd.addAll(List.of(args));
        final Path out = Files.createTempFile(dir, "tool", ".out");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(main + " " + String.join(" ", args) + " failed: " + Files.readString(out));
        }
        // The tools log through log4j to stdout too; the answer is the last line.
        final List<String> lines = Files.readAllLines(out);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The Kafka 4.4 jars, copied from ~/.m2 (offline first) once per build directory. */
    private static synchronized Path lib() throws IOException, InterruptedException {
        final Path root = Paths.get("").toAbsolutePath().getFileName().toString().equals("broker-zcrx")
            ? Paths.get("..").toAbsolutePath().normalize() : Paths.get("").toAbsolutePath();
        final Path lib = root.resolve("broker-zcrx/target/kafka-4.4-lib");
        if (Files.exists(lib.resolve("kafka_2.13-4.4.0.jar"))) {
            return lib;
        }
        for (boolean offline : new boolean[] {true, false}) {
            final List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q"));
            if (offline) {
                cmd.add("-o");
            }
            cmd.addAll(List.of("-f", root.resolve("perf/kafka-reference/pom.xml").toString(),
                "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=" + lib));
            final Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0
                && Files.exists(lib.resolve("kafka_2.13-4.4.0.jar"))) {
                return lib;
            }
        }
        throw new IOException("cannot resolve kafka_2.13 4.4.0 into " + lib);
    }
}
