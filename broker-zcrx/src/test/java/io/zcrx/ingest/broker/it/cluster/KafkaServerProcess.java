package io.zcrx.ingest.broker.it.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code kafka.Kafka server.properties} JVM (what {@code kafka-server-start.sh} runs) over the
 * 4.4.0 distribution, for a controller or a broker: started, stopped with SIGTERM (Kafka's
 * controlled shutdown), killed with SIGKILL, and started again on the same directories and ports.
 * All runs of one node append to one output file, {@code <dir>/server.out}.
 */
final class KafkaServerProcess implements AutoCloseable {
    /** Logged by {@code KafkaRaftServer.startup} once every listener accepts connections. */
    private static final Pattern STARTED = Pattern.compile("Kafka Server started");
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final KafkaDistribution dist;
    private final Path dir;
    private final Path properties;
    private final Path log4j;
    private ManagedProcess process;

    KafkaServerProcess(String name, KafkaDistribution dist, Path dir, Path properties) throws IOException {
        this.name = name;
        this.dist = dist;
        this.dir = dir;
        this.properties = properties;
        this.log4j = KafkaDistribution.writeLog4j(dir.resolve("log4j2.properties"), "INFO");
    }

    /** Starts the JVM and waits until Kafka logs that it has started (fails with the log if it exits first). */
    void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        process = ManagedProcess.start(name, dist.javaCommand("-Xmx256m", log4j, "kafka.Kafka",
            List.of(properties.toString())), dir, dir.resolve("server.out"));
        process.awaitOutput("'Kafka Server started'", STARTED, START_TIMEOUT);
    }

    /** SIGTERM: a broker shuts down in a controlled way (the controller moves its leaderships first). */
    int stop() throws InterruptedException {
        return process.terminate(STOP_TIMEOUT);
    }

    /** SIGKILL: the machine dies. */
    void kill() throws InterruptedException {
        process.kill();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Path dir() {
        return dir;
    }

    /** Everything the current (or last) run of this node logged. */
    String output() {
        return process == null ? "" : process.output();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.close();
        }
    }
}
