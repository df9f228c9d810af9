package io.zcrx.ingest.perf.e2e;

import io.zcrx.ingest.perf.proc.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Something the loads are pointed at, started fresh for every run (fresh log directory, fresh
 * JVM, so every run pays the same warm-up and no run inherits another's files): Apache Kafka,
 * our broker with one transport, or the TCP sink.
 */
public interface Target {

    /** Short stable id, e.g. "kafka-4.4.0", "zcrx-nio", "tcp-sink-c". */
    String id();

    /** How tables and the chart name it. */
    String label();

    /** Version, settings and JVM options, for the report. */
    String describe();

    /** True for a Kafka broker; false for the sink, which only takes the firehose's raw frames. */
    boolean isBroker();

    /**
     * Starts it with its data under {@code dataDir}, its own files (config, log) under
     * {@code runDir}, and {@code partitions} partitions per auto-created topic.
     *
     * @throws TargetUnavailableException when it refuses to start (e.g. a transport the kernel lacks)
     */
    Started start(Path runDir, Path dataDir, int partitions) throws IOException, InterruptedException;

    /**
     * A started target: its process (whose CPU and RSS are billed), its port on 127.0.0.1, and the
     * port of its remote JMX agent on 127.0.0.1 ({@link BrokerJmx}; 0 for none).
     */
    record Started(ChildProcess process, int port, int jmxPort) {
        public Started(ChildProcess process, int port) {
            this(process, port, 0);
        }
    }

    /** The target did not start; the message says why (it goes into the report as the skip reason). */
    final class TargetUnavailableException extends IOException {
        public TargetUnavailableException(String message) {
            super(message);
        }
    }
}
