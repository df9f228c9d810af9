package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.ChildProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;

/**
 * Our broker, started exactly as users start it (the start contract of bin/zcrx-broker-start.sh):
 * {@code java -cp broker-zcrx/target/broker-zcrx-0.1.0-SNAPSHOT.jar:broker-zcrx/target/lib/*
 * io.zcrx.ingest.broker.Main config/server.properties --override key=value ...} in the foreground,
 * ready when it prints a line containing {@code started}, stopped with SIGTERM. One instance per
 * transport ({@code transport=nio|uring|zcrx}); a transport the machine cannot run makes the broker
 * refuse to start, and the harness skips it with the broker's own reason.
 */
public final class ZcrxBrokerTarget implements Target {
    public static final String MAIN_CLASS = "io.zcrx.ingest.broker.Main";
    static final String JAR = "broker-zcrx/target/broker-zcrx-0.1.0-SNAPSHOT.jar";
    static final String LIB = "broker-zcrx/target/lib";
    static final String CONFIG = "config/server.properties";
    static final String READY_WORD = "started";
    static final long START_TIMEOUT_MS = 60_000;

    private final Path repoRoot;
    private final String transport;
    private final String jvmOpts;

    public ZcrxBrokerTarget(Path repoRoot, String transport, String jvmOpts) {
        this.repoRoot = repoRoot;
        this.transport = transport;
        this.jvmOpts = jvmOpts;
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
        return "zcrx-" + transport;
    }

    @Override
    public String label() {
        return "zcrx broker (" + transport + ")";
    }

    @Override
    public String describe() {
        return "io.zcrx.ingest.broker.Main with " + CONFIG + " and transport=" + transport + "; JVM: " + jvmOpts;
    }

    @Override
    public boolean isBroker() {
        return true;
    }

    static List<String> overrides(int port, Path dataDir, int partitions, String transport) {
        final List<String> a = new ArrayList<>();
        for (String kv : List.of("listeners=PLAINTEXT://127.0.0.1:" + port, "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "log.dirs=" + dataDir.toAbsolutePath(), "num.partitions=" + partitions, "transport=" + transport)) {
            a.add("--override");
            a.add(kv);
        }
        return a;
    }

    @Override
    public Started start(Path runDir, Path dataDir, int partitions) throws IOException, InterruptedException {
        final String reason = unavailableReason(repoRoot);
        if (reason != null) {
            throw new TargetUnavailableException(reason);
        }
        Files.createDirectories(runDir);
        final int port = Jvm.freePort();
        final List<String> args = new ArrayList<>();
        args.add(repoRoot.resolve(CONFIG).toString());
        args.addAll(overrides(port, dataDir, partitions, transport));
        final ChildProcess broker = ChildProcess.startToFile(id(),
            Jvm.command(jvmOpts, Jvm.classPath(repoRoot.resolve(JAR), repoRoot.resolve(LIB)), MAIN_CLASS, args),
            repoRoot, runDir.resolve("broker.log"));
        if (!broker.awaitLine(READY_WORD, START_TIMEOUT_MS) || !broker.isAlive()) {
            final boolean exited = !broker.isAlive();
            broker.stop(5_000);
            throw new TargetUnavailableException("our broker refused transport=" + transport
                + (exited ? " (it exited)" : " (no 'started' line)") + ": " + broker.tail(12));
        }
        // "started" may come a moment before the listener answers; give it a few tries.
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                KafkaReferenceTarget.probe(port);
                return new Started(broker, port);
            } catch (ConnectException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        broker.stop(5_000);
        throw new TargetUnavailableException("our broker printed 'started' but does not answer: port=" + port + ": " + last);
    }
}
