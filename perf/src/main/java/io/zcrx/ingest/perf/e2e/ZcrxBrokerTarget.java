package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.ChildProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipFile;

/**
 * Our broker, started exactly as users start it (the start contract of bin/zcrx-broker-start.sh):
 * {@code java -cp broker-zcrx/target/broker-zcrx-0.1.0-SNAPSHOT.jar:broker-zcrx/target/lib/*
 * io.zcrx.ingest.broker.Main config/server.properties --override key=value ...} in the foreground,
 * ready when it prints a line containing {@code started}, stopped with SIGTERM. One instance per
 * transport ({@code transport=nio|uring|zcrx}); a transport the machine cannot run makes the broker
 * refuse to start, and the harness skips it with the broker's own reason.
 *
 * <p>A twin with {@code metrics.enable=false} ({@link #withMetricsOff}, id suffix
 * {@value #NO_METRICS_SUFFIX}) measures what recording the metrics costs. The broker ignores a
 * setting it does not know, with a warning, rather than refusing it; a twin whose broker ignored
 * {@code metrics.enable} would measure metrics on under a "metrics off" label, so the target
 * refuses to start then, quoting that warning.
 */
public final class ZcrxBrokerTarget implements Target {
    public static final String MAIN_CLASS = "io.zcrx.ingest.broker.Main";
    static final String JAR = "broker-zcrx/target/broker-zcrx-0.1.0-SNAPSHOT.jar";
    static final String LIB = "broker-zcrx/target/lib";
    static final String CONFIG = "config/server.properties";
    static final String READY_WORD = "started";
    static final long START_TIMEOUT_MS = 60_000;
    /** The id suffix and the setting of the metrics-off twin. */
    public static final String NO_METRICS_SUFFIX = "-nometrics";
    static final String METRICS_OFF = "metrics.enable=false";
    /** How Main names the settings it ignores: "... does not implement: [a.b, c.d]". */
    static final String IGNORED_MARKER = "ignoring settings this broker does not implement: ";

    private final Path repoRoot;
    private final String transport;
    private final String jvmOpts;
    private final List<String> extraOverrides;
    private final boolean jmx;
    private final boolean metrics;
    /** The java launcher; null = the harness's own ({@link Jvm#java()}). */
    private final String java;
    /** Its version ("25.0.1"), for the id and the report; null with the harness's JDK. */
    private final String javaVersion;
    /** "g1" (the start script's options as given) or "zgc" (generational ZGC instead of G1). */
    private final String gc;

    /** @param extraOverrides key=value settings added after the harness's own (e.g. zcrx.interface=eth0) */
    public ZcrxBrokerTarget(Path repoRoot, String transport, String jvmOpts, List<String> extraOverrides) {
        this(repoRoot, transport, jvmOpts, extraOverrides, false, true);
    }

    /**
     * @param jmx     open remote JMX on a loopback port ({@link BrokerJmx#jvmOptions}), as Kafka is started
     * @param metrics false for the metrics-off twin ({@code metrics.enable=false})
     */
    public ZcrxBrokerTarget(Path repoRoot, String transport, String jvmOpts, List<String> extraOverrides, boolean jmx,
                            boolean metrics) {
        this(repoRoot, transport, jvmOpts, extraOverrides, jmx, metrics, null, null, "g1");
    }

    private ZcrxBrokerTarget(Path repoRoot, String transport, String jvmOpts, List<String> extraOverrides, boolean jmx,
                             boolean metrics, String java, String javaVersion, String gc) {
        this.repoRoot = repoRoot;
        this.transport = transport;
        this.jvmOpts = jvmOpts;
        this.extraOverrides = List.copyOf(extraOverrides);
        this.jmx = jmx;
        this.metrics = metrics;
        this.java = java;
        this.javaVersion = javaVersion;
        this.gc = gc;
    }

    /** The same broker and transport with {@code metrics.enable=false}. */
    public ZcrxBrokerTarget withMetricsOff() {
        return new ZcrxBrokerTarget(repoRoot, transport, jvmOpts, extraOverrides, jmx, false, java, javaVersion, gc);
    }

    /**
     * The same broker on another JDK and/or collector (perf-compare's {@code --jdk} and {@code --gc}), so JDKs and
     * collectors run side by side in one comparison.
     *
     * @param java        a java launcher, or null for the harness's own
     * @param javaVersion its version ({@link Jvm#versionOf}); null with the harness's JDK
     * @param gc          "g1" or "zgc"
     */
    public ZcrxBrokerTarget withJvm(String java, String javaVersion, String gc) {
        return new ZcrxBrokerTarget(repoRoot, transport, jvmOpts, extraOverrides, jmx, metrics, java, javaVersion, gc);
    }

    /**
     * The JVM options with the collector swapped: for zgc, the G1 flags of {@link Jvm#ZCRX_BROKER_OPTS} are
     * dropped and {@code -XX:+UseZGC} added, with {@code -XX:+ZGenerational} on JDK 21 and 22 (generational ZGC is
     * the only mode from 23 on, where the flag is deprecated; JDK 17 has no generational ZGC and gets plain ZGC).
     */
    static String gcOptions(String opts, String gc, int javaMajor) {
        if (gc.equals("g1")) {
            return opts;
        }
        final String withoutG1 = opts.replace("-XX:+UseG1GC", "").replaceAll("-XX:MaxGCPauseMillis=\\d+", "")
            .replaceAll("\\s+", " ").trim();
        return withoutG1 + " -XX:+UseZGC" + (javaMajor == 21 || javaMajor == 22 ? " -XX:+ZGenerational" : "");
    }

    /** False for the metrics-off twin. */
    public boolean metrics() {
        return metrics;
    }

    /** Null when the broker is built and has its main class, else why it cannot run. */
    public static String unavailableReason(Path repoRoot) {
        final Path jar = repoRoot.resolve(JAR);
        if (!Files.exists(jar)) {
            return "our broker is not built: missing " + jar + " (run mvn -B -q -DskipTests package at the repo root)";
        }
        if (!Files.isDirectory(repoRoot.resolve(LIB))) {
            return "our broker's runtime dependencies are missing: " + repoRoot.resolve(LIB);
        }
        if (!Files.exists(repoRoot.resolve(CONFIG))) {
            return "our broker's configuration is missing: " + repoRoot.resolve(CONFIG);
        }
        try (ZipFile z = new ZipFile(jar.toFile())) {
            if (z.getEntry(MAIN_CLASS.replace('.', '/') + ".class") == null) {
                return "our broker has no main class yet: " + MAIN_CLASS + " not in " + jar;
            }
        } catch (IOException e) {
            return "unreadable broker jar: " + jar + ": " + e.getMessage();
        }
        return null;
    }

    public String transport() {
        return transport;
    }

    @Override
    public String id() {
        return "zcrx-" + transport + (javaVersion == null ? "" : "-jdk" + Jvm.major(javaVersion))
            + (gc.equals("g1") ? "" : "-" + gc) + (metrics ? "" : NO_METRICS_SUFFIX);
    }

    @Override
    public String label() {
        return "zcrx broker (" + transport + (javaVersion == null ? "" : ", JDK " + javaVersion)
            + (gc.equals("g1") ? "" : ", " + gc.toUpperCase(Locale.ROOT)) + (metrics ? "" : ", metrics off") + ")";
    }

    @Override
    public String describe() {
        return "io.zcrx.ingest.broker.Main with " + CONFIG + " and transport=" + transport
            + (extraOverrides.isEmpty() ? "" : ", " + String.join(", ", extraOverrides))
            + (metrics ? "" : ", " + METRICS_OFF) + ", config/log4j2.xml; JVM: "
            + (java == null ? "the harness's (" + Jvm.description() + ")" : java + " (" + javaVersion + ")")
            + " " + opts() + (jmx ? " plus remote JMX on a loopback port" : "");
    }

    /** The JVM options on this target's JDK: the collector's, and native access for JNA from JDK 22 on. */
    private String opts() {
        final int major = javaVersion == null ? Runtime.version().feature() : Jvm.major(javaVersion);
        // As bin/zcrx-broker-start.sh: JDK 22+ warns when JNA loads its library unless native access is granted.
        return gcOptions(jvmOpts, gc, major) + (major >= 22 ? " --enable-native-access=ALL-UNNAMED" : "");
    }

    @Override
    public boolean isBroker() {
        return true;
    }

    static List<String> overrides(int port, Path dataDir, int partitions, String transport, List<String> extra) {
        final List<String> a = new ArrayList<>();
        final List<String> all = new ArrayList<>(List.of("listeners=PLAINTEXT://127.0.0.1:" + port,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port, "log.dirs=" + dataDir.toAbsolutePath(),
            "num.partitions=" + partitions, "transport=" + transport));
        all.addAll(extra);
        for (String kv : all) {
            a.add("--override");
            a.add(kv);
        }
        return a;
    }

    /** The settings the broker's log says it ignored ({@link #IGNORED_MARKER}); empty when none. */
    static List<String> ignoredSettings(String log) {
        final List<String> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            final int i = line.indexOf(IGNORED_MARKER);
            if (i < 0) {
                continue;
            }
            String list = line.substring(i + IGNORED_MARKER.length()).trim();
            if (list.startsWith("[") && list.endsWith("]")) {
                list = list.substring(1, list.length() - 1);
            }
            for (String k : list.split(",")) {
                if (!k.isBlank()) {
                    out.add(k.trim());
                }
            }
        }
        return out;
    }

    /** The line of a failed start that says why: the first naming an error, else the last. */
    static String reason(String tail) {
        final String[] lines = tail.split("\n");
        for (String l : lines) {
            final String lower = l.toLowerCase(Locale.ROOT);
            if (lower.contains("error") || lower.contains("failed") || lower.contains("refus")) {
                return l.trim();
            }
        }
        return lines.length == 0 ? "(no output)" : lines[lines.length - 1].trim();
    }

    @Override
    public Started start(Path runDir, Path dataDir, int partitions) throws IOException, InterruptedException {
        final String reason = unavailableReason(repoRoot);
        if (reason != null) {
            throw new TargetUnavailableException(reason);
        }
        Files.createDirectories(runDir);
        final int port = Jvm.freePort();
        final int jmxPort = jmx ? Jvm.freePortExcept(port) : 0;
        final List<String> args = new ArrayList<>();
        args.add(repoRoot.resolve(CONFIG).toString());
        final List<String> extra = new ArrayList<>(extraOverrides);
        if (!metrics) {
            extra.add(METRICS_OFF);
        }
        args.addAll(overrides(port, dataDir, partitions, transport, extra));
        // As bin/zcrx-broker-start.sh: the shipped log4j2 config, its server.log in this run's directory.
        final String logging = " -Dlog4j2.configurationFile=" + repoRoot.resolve("config/log4j2.xml")
            + " -Dzcrx.logs.dir=" + runDir.resolve("logs").toAbsolutePath();
        final String classPath = Jvm.classPath(repoRoot.resolve(JAR), repoRoot.resolve(LIB));
        final List<String> command = Jvm.command(java == null ? Jvm.java() : java,
            opts() + (jmx ? " " + BrokerJmx.jvmOptions(jmxPort) : "") + logging, classPath, MAIN_CLASS, args);
        final ChildProcess broker = ChildProcess.startToFile(id(), command, repoRoot, runDir.resolve("broker.log"));
        if (!broker.awaitLine(READY_WORD, START_TIMEOUT_MS) || !broker.isAlive()) {
            final boolean exited = !broker.isAlive();
            broker.stop(5_000);
            throw new TargetUnavailableException("our broker refused transport=" + transport
                + (exited ? " (it exited)" : " (no 'started' line)") + ": " + reason(broker.tail(40)) + " (log: "
                + broker.logFile() + ")");
        }
        if (!metrics) {
            final String key = METRICS_OFF.substring(0, METRICS_OFF.indexOf('='));
            if (ignoredSettings(Files.readString(broker.logFile())).contains(key)) {
                broker.stop(5_000);
                throw new TargetUnavailableException("our broker does not implement " + key
                    + " yet (it started but logged '" + IGNORED_MARKER + "[..." + key
                    + "...]'), so a metrics-off run would measure metrics on (log: " + broker.logFile() + ")");
            }
        }
        // "started" may come a moment before the listener answers; give it a few tries.
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                KafkaReferenceTarget.probe(port);
                return new Started(broker, port, jmxPort);
            } catch (ConnectException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        broker.stop(5_000);
        throw new TargetUnavailableException("our broker printed 'started' but does not answer: port=" + port + ": "
            + last);
    }
}
