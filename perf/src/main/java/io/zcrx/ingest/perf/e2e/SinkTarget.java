package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.ChildProcess;
import io.zcrx.ingest.perf.sink.CSinkBuilder;
import io.zcrx.ingest.perf.sink.JavaTcpSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The physical limit: a plain TCP receiver that writes every byte to a file in the run's log
 * directory (same file system as the brokers'), fed the firehose's frames without responses. The
 * C sink when the machine's {@code cc} built it, else the Java one; the id says which. In the
 * bounded-footprint mode the sink rotates its files and deletes old ones ({@code rotate=BYTES keep=N}),
 * as the brokers' retention deletes their segments, so its data on tmpfs stays as bounded as theirs.
 */
public final class SinkTarget implements Target {
    private final CSinkBuilder.Built built;
    private final String perfClassPath;
    private final boolean discard;
    private final long rotateBytes;
    private final int keepFiles;

    /**
     * @param discard receive only and write nothing: not the limit of ingest (which must write), but
     *                it shows how much of the limit is loopback TCP and how much the file write
     */
    public SinkTarget(CSinkBuilder.Built built, String perfClassPath, boolean discard) {
        this(built, perfClassPath, discard, 0, 0);
    }

    /**
     * @param rotateBytes 0: one file per connection; else each connection's file is rotated every
     *                    {@code rotateBytes} (1 MiB to 2^40), the sink's counterpart of the brokers' retention
     * @param keepFiles   with rotation, how many files per connection stay (1 to 1000000), the one
     *                    being written included; ignored without rotation
     * @throws IllegalArgumentException rotation with {@code discard}, or a rotation out of range
     */
    public SinkTarget(CSinkBuilder.Built built, String perfClassPath, boolean discard, long rotateBytes,
                      int keepFiles) {
        if (rotateBytes != 0) {
            if (discard) {
                throw new IllegalArgumentException("a discarding sink writes no file to rotate: discard=true, "
                    + "rotateBytes=" + rotateBytes + ", keepFiles=" + keepFiles);
            }
            try {
                JavaTcpSink.checkRotation(rotateBytes, keepFiles);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sink rotation out of range: rotateBytes=" + rotateBytes
                    + ", keepFiles=" + keepFiles + " (" + e.getMessage() + ")", e);
            }
        }
        this.built = built;
        this.perfClassPath = perfClassPath;
        this.discard = discard;
        this.rotateBytes = rotateBytes;
        this.keepFiles = rotateBytes == 0 ? 0 : keepFiles;
    }

    @Override
    public String id() {
        return (built.ok() ? "tcp-sink-c" : "tcp-sink-java") + (discard ? "-discard" : "");
    }

    @Override
    public String label() {
        return discard ? "TCP receive only (" + (built.ok() ? "C" : "Java") + ")"
            : built.ok() ? "TCP sink (C): limit" : "TCP sink (Java): limit";
    }

    @Override
    public String describe() {
        final String what = discard ? "read() 1 MiB and drop it (no file)"
            : rotateBytes == 0 ? "read() 1 MiB, write() to a file"
            : "read() 1 MiB, write() to a file rotated every " + size(rotateBytes) + ", keeping " + keepFiles
                + " per connection";
        return built.ok()
            ? "tcp_sink.c built with cc -O2: thread per connection, " + what
            : "JavaTcpSink (no C sink: " + built.reason() + "): thread per connection, 1 MiB direct buffer, " + what;
    }

    private static String size(long bytes) {
        return bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB" : bytes + " bytes";
    }

    public boolean discard() {
        return discard;
    }

    /** 0 when the sink does not rotate. */
    public long rotateBytes() {
        return rotateBytes;
    }

    /** 0 when the sink does not rotate. */
    public int keepFiles() {
        return keepFiles;
    }

    @Override
    public boolean isBroker() {
        return false;
    }

    @Override
    public Started start(Path runDir, Path dataDir, int partitions) throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        Files.createDirectories(dataDir);
        final List<String> cmd = new ArrayList<>(built.ok()
            ? List.of(built.executable().toString(), "0", dataDir.toString())
            : Jvm.command(Jvm.FIREHOSE_OPTS, perfClassPath, JavaTcpSink.class.getName(), "0", dataDir.toString()));
        cmd.addAll(sinkArgs());
        final ChildProcess sink = ChildProcess.startToFile(id(), cmd, runDir, runDir.resolve("sink.log"));
        if (!sink.awaitLine(JavaTcpSink.STARTED, 30_000)) {
            sink.stop(2_000);
            throw new TargetUnavailableException("sink did not start: " + sink.tail(10));
        }
        return new Started(sink, parsePort(Files.readString(sink.logFile(), StandardCharsets.UTF_8)));
    }

    /** The arguments after OUT_DIR, the same for the C and the Java sink. */
    List<String> sinkArgs() {
        return discard ? List.of("discard")
            : rotateBytes == 0 ? List.of() : List.of("rotate=" + rotateBytes, "keep=" + keepFiles);
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
