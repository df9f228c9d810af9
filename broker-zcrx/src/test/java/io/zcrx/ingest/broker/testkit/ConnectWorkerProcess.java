package io.zcrx.ingest.broker.testkit;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka Connect worker in distributed mode as users run it ({@code connect-distributed.sh}: Kafka's
 * {@code org.apache.kafka.connect.cli.ConnectDistributed} with a worker properties file) in its own
 * JVM with the test class path, its REST API on a loopback port, its console output in a file. A
 * separate process keeps Connect's {@code Exit} calls and shutdown hook away from the test JVM, and a
 * restart is a real one: SIGTERM (Connect's clean shutdown, which commits source and sink offsets),
 * then a new process on the same settings.
 */
public final class ConnectWorkerProcess implements AutoCloseable {
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path output;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    private ConnectWorkerProcess(Process process, Path output, int restPort) {
        this.process = process;
        this.output = output;
        this.restPort = restPort;
    }

    /**
     * Writes {@code settings} (plus {@code listeners} on {@code restPort}) to {@code dir/worker.properties}
     * and a log4j2 configuration, and starts the worker; returns at once (see {@link #awaitRestReady}).
     */
    public static ConnectWorkerProcess start(Path dir, int restPort, Map<String, String> settings, String outputName)
            throws IOException {
        Files.createDirectories(dir);
        final StringBuilder props = new StringBuilder();
        settings.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        props.append("listeners=http://127.0.0.1:").append(restPort).append('\n');
        props.append("rest.advertised.host.name=127.0.0.1\n");
        final Path workerProps = dir.resolve("worker.properties");
        Files.writeString(workerProps, props.toString());
        // Connect's own INFO lines (herder, rebalances, connectors, tasks, offset commits), WARN from
        // the clients: the output explains a failure without drowning it.
        final Path log4j = dir.resolve("connect-log4j2.xml");
        Files.writeString(log4j, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Configuration status="WARN">
              <Appenders>
                <Console name="out" target="SYSTEM_OUT">
                  <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n"/>
                </Console>
              </Appenders>
              <Loggers>
                <Logger name="org.apache.kafka.connect" level="info"/>
                <Logger name="org.reflections" level="error"/>
                <Root level="warn">
                  <AppenderRef ref="out"/>
                </Root>
              </Loggers>
            </Configuration>
            """);
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dlog4j2.configurationFile=" + log4j);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.apache.kafka.connect.cli.ConnectDistributed");
        cmd.add(workerProps.toString());
        final Path output = dir.resolve(outputName);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
            .redirectInput(new File("/dev/null")).start();
        return new ConnectWorkerProcess(p, output, restPort);
    }

    /** Waits until the REST API answers {@code GET /} (the worker has started its herder thread). */
    public void awaitRestReady(Duration timeout) throws Exception {
        Await.until("the Connect worker's REST API to answer GET / (output: " + output + ")", timeout,
            () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("Connect worker exited with " + process.exitValue() + ":\n" + output());
                }
                try {
                    return get("/").statusCode();
                } catch (IOException e) {
                    return -1;
                }
            }, code -> code == 200);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(HTTP_TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(HTTP_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    /** Everything the worker has printed so far. */
    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: Connect's shutdown hook stops connectors and tasks and commits their offsets; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("Connect worker did not stop within 60 s of SIGTERM: pid=" + process.pid());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
