package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.ChildProcess;
import io.zcrx.ingest.perf.sink.CSinkBuilder;
import io.zcrx.ingest.perf.sink.JavaTcpSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The physical limit: a plain TCP receiver that writes every byte to a file in the run's log
 * directory (same file system as the brokers'), fed the firehose's frames without responses. The
 * C sink when the machine's {@code cc} built it, else the Java one; the id says which.
 */
public final class SinkTarget implements Target {
    private final CSinkBuilder.Built built;
    private final String perfClassPath;

    public SinkTarget(CSinkBuilder.Built built, String perfClassPath) {
        this.built = built;
        this.perfClassPath = perfClassPath;
    }

    @Override
    public String id() {
        return built.ok() ? "tcp-sink-c" : "tcp-sink-java";
    }

    @Override
    public String label() {
        return built.ok() ? "TCP sink (C): limit" : "TCP sink (Java): limit";
    }

    @Override
    public String describe() {
        return built.ok()
            ? "tcp_sink.c built with cc -O2: thread per connection, read() 1 MiB, write() to a file"
            : "JavaTcpSink (no C sink: " + built.reason() + "): thread per connection, 1 MiB direct buffer, FileChannel.write";
    }

    @Override
    public boolean isBroker() {
        return false;
    }

    @Override
    public Started start(Path runDir, Path dataDir, int partitions) throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        Files.createDirectories(dataDir);
        final List<String> cmd = built.ok()
            ? List.of(built.executable().toString(), "0", dataDir.toString())
            : Jvm.command(Jvm.FIREHOSE_OPTS, perfClassPath, JavaTcpSink.class.getName(), "0", dataDir.toString());
        final ChildProcess sink = ChildProcess.startToFile(id(), cmd, runDir, runDir.resolve("sink.log"));
        if (!sink.awaitLine(JavaTcpSink.STARTED, 30_000)) {
            sink.stop(2_000);
            throw new TargetUnavailableException("sink did not start: " + sink.tail(10));
        }
        return new Started(sink, parsePort(Files.readString(sink.logFile(), StandardCharsets.UTF_8)));
    }

    static int parsePort(String log) {
        final int i = log.indexOf(JavaTcpSink.STARTED);
        final String rest = log.substring(i + JavaTcpSink.STARTED.length());
        int end = 0;
        while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
            end++;
        }
        return Integer.parseInt(rest.substring(0, end));
    }
}
