package io.zcrx.ingest.log;

import org.apache.kafka.common.Uuid;

/**
 * One partition's log in Apache Kafka's format: {@code <dir>/<topic>-<partition>/} with rolled
 * segments ({@code .log}, {@code .index}, {@code .timeindex}), producer-state {@code .snapshot}s,
 * {@code partition.metadata} and {@code leader-epoch-checkpoint}.
 *
 * <p>Thread safety: {@link #append} may be called from any reactor thread; one lock per partition
 * is held only to check producer state, assign offsets and issue the write. Reads of the offsets
 * are safe from any thread.
 */
public final class PartitionLog {
    // Implementation owned by the log-store work package.

    public String topic() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int partition() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public Uuid topicId() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public long logStartOffset() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public long logEndOffset() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Appends one validated batch (kafka-protocol.md §4.4, §4.6): producer-state checks (duplicate
     * of one of the last 5 batches returns the original offsets and writes nothing; stale epoch;
     * sequence gap), offset assignment, roll if needed, one gather write of the patched header plus
     * payload at the segment's end, index entries, producer-state update. Returns when the write has
     * completed (the bytes are in the page cache), so the caller may release the receive memory.
     * An I/O failure leaves no partial batch in the file and reports KAFKA_STORAGE_ERROR.
     */
    public void append(AppendBatch batch, long nowMs, AppendResult result) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
