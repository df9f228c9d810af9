package io.zcrx.ingest.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Uuid;

/**
 * The broker's log directories (kafka-protocol.md §5): {@code meta.properties}, {@code .lock},
 * clean-shutdown marker, recovery-point and log-start-offset checkpoints, and every partition log.
 * {@link #open} loads and, after an unclean shutdown, recovers them; {@link #close} is the clean
 * shutdown.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class LogManager implements Closeable {
    // Implementation owned by the log-store work package.

    /**
     * Opens (formatting if new) the log directories, recovers every partition, and returns the
     * manager.
     *
     * @param logDirs   {@code log.dirs}; created if missing; a directory that cannot be used is an
     *                  IOException naming it
     * @param nodeId    {@code node.id}; must match an existing {@code meta.properties}
     * @param defaults  the broker-level log config, used for partitions without their own
     * @param nowMs     wall clock (tests pass a fake)
     */
    public static LogManager open(List<Path> logDirs, int nodeId, LogConfig defaults, long producerIdExpirationMs,
                                  LongSupplier nowMs) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The cluster id from {@code meta.properties} (generated when the directory was formatted). */
    public String clusterId() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public Collection<PartitionLog> partitions() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The partition's log, or null. */
    public PartitionLog partition(String topic, int partition) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Creates the partition directory (in the log dir holding the fewest partitions) with its
     * {@code partition.metadata}, or returns the existing log if it has the same topic id.
     */
    public PartitionLog createPartition(String topic, int partition, Uuid topicId, LogConfig config) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The largest producer id in any partition's producer state, or -1 (ids must never be reused). */
    public long largestProducerId() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Clean shutdown: trim indexes and logs, fsync, producer snapshots, checkpoints, clean-shutdown marker. */
    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
