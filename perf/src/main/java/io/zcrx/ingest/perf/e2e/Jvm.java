package io.zcrx.ingest.perf.e2e;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JDK every child runs on (the harness's own: "the same JDK for both brokers"), and small helpers. */
public final class Jvm {
    /**
     * The JVM flags Apache Kafka's start scripts use (kafka-server-start.sh heap, kafka-run-class.sh
     * KAFKA_JVM_PERFORMANCE_OPTS): the reference broker runs as its users run it.
     */
    public static final String BROKER_OPTS = "-Xmx1G -Xms1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20"
        + " -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15"
        + " -Djava.awt.headless=true";
    /**
     * What bin/zcrx-broker-start.sh runs our broker with by default (ZCRX_HEAP_OPTS, then G1 with
     * a 20 ms pause goal); the logging options are added by {@link ZcrxBrokerTarget}.
     */
    public static final String ZCRX_BROKER_OPTS = "-Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20";
    /** kafka-producer-perf-test.sh's heap with the same performance options. */
    public static final String PERF_TEST_OPTS = "-Xmx512M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20"
        + " -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15"
        + " -Djava.awt.headless=true";
    /** The firehose allocates nothing per request: a small heap and the serial collector keep GC threads away. */
    public static final String FIREHOSE_OPTS = "-Xms64m -Xmx256m -XX:+UseSerialGC";

    private Jvm() {
    }

    /** Path of the java launcher running this harness. */
    public static String java() {
        return ProcessHandle.current().info().command()
            .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** "17.0.15+6-Debian-1deb12u1 (OpenJDK 64-Bit Server VM)". */
    public static String description() {
        return System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")";
    }

    public static List<String> splitOpts(String opts) {
        final List<String> l = new ArrayList<>();
        for (String s : opts.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                l.add(s);
            }
        }
        return l;
    }

    /** A java command line on the harness's JDK: launcher, options, class path, main class, arguments. */
    public static List<String> command(String opts, String classPath, String mainClass, List<String> args) {
        return command(java(), opts, classPath, mainClass, args);
    }

    /** A java command line on the given launcher (perf-compare's --jdk). */
    public static List<String> command(String java, String opts, String classPath, String mainClass,
                                       List<String> args) {
        final List<String> c = new ArrayList<>();
        c.add(java);
        c.addAll(splitOpts(opts));
        c.add("-cp");
        c.add(classPath);
        c.add(mainClass);
        c.addAll(args);
        return c;
    }

    public static List<String> command(String opts, String classPath, String mainClass, String... args) {
        return command(opts, classPath, mainClass, Arrays.asList(args));
    }

    /**
     * The version a java launcher reports ({@code java -version}: {@code openjdk version "25.0.1" ...}), e.g.
     * "25.0.1".
     *
     * @throws IOException when it does not run or says something else
     */
    public static String versionOf(String java) throws IOException {
        final Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        final String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("java -version did not finish in 30 s: java=" + java);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: java -version: java=" + java, e);
        }
        final Matcher m = VERSION.matcher(out);
        if (p.exitValue() != 0 || !m.find()) {
            throw new IOException("not a java launcher (java -version: exit " + p.exitValue() + "): java=" + java
                + ": " + out.strip());
        }
        return m.group(1);
    }

    private static final Pattern VERSION = Pattern.compile("version \"([^\"]+)\"");

    /** The feature release of a version string: 17 for "17.0.15", 25 for "25", 8 for "1.8.0_402". */
    public static int major(String version) {
        final String[] p = version.split("[._+-]");
        return Integer.parseInt(p[0].equals("1") && p.length > 1 ? p[1] : p[0]);
    }

    /** A port free on 127.0.0.1 right now (closed again; another process could take it, rarely). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    /** A free port (as {@link #freePort}) that is none of {@code taken}: ports a process is about to bind. */
    public static int freePortExcept(int... taken) throws IOException {
        while (true) {
            final int p = freePort();
            if (Arrays.stream(taken).noneMatch(t -> t == p)) {
                return p;
            }
        }
    }

    /** Class path "jar:dir/*" for a jar and a directory of its dependencies. */
    public static String classPath(Path jar, Path libDir) {
        return jar.toAbsolutePath() + File.pathSeparator + libDir.toAbsolutePath() + File.separator
            + "*";
    }

    /**
     * The class path for the harness's children (load generators, Java sink): where this class was
     * loaded from (perf/target/perf-*.jar or perf/target/classes) plus the sibling {@code lib/}
     * that the perf build fills with our runtime dependencies; this JVM's own class path when there
     * is no such directory (e.g. started from an IDE).
     */
    public static String perfClassPath() {
        try {
            final Path self = Path.of(Jvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            final Path lib = self.toAbsolutePath().getParent().resolve("lib");
            if (Files.isDirectory(lib)) {
                return self.toAbsolutePath() + File.pathSeparator + lib + File.separator + "*";
            }
        } catch (URISyntaxException | RuntimeException e) {
            // Fall back to the JVM's class path below.
        }
        return ownClassPath();
    }

    /**
     * This JVM's class path with every entry made absolute ("dir/*" wildcards kept), so children
     * started in their run directories find the same classes.
     */
    public static String ownClassPath() {
        final List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isEmpty()) {
                continue;
            }
            if (e.endsWith("*")) {
                final String dir = e.substring(0, e.length() - 1);
                entries.add(Path.of(dir.isEmpty() ? "." : dir).toAbsolutePath().normalize() + File.separator
                    + "*");
            } else {
                entries.add(Path.of(e).toAbsolutePath().normalize().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Deletes a directory tree (a run's log directory); missing is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
