package io.zcrx.ingest.protocol.produce;

/**
 * A decoded Produce request (v3..v13), as positions into its frame (kafka-protocol.md §3.1):
 * nothing is copied; topic names and record regions are (position, length) pairs of the frame
 * body. Filled by {@link ProduceDecoder}; reused per connection (arrays grow, never shrink).
 *
 * <pre>
 *   topics:      0 .. topicCount-1      name (v3..v12) or id (v13), first partition slot, partition count
 *   partitions:  0 .. partitionCount-1  partition index, records position, records length (-1 = null)
 * </pre>
 *
 * Not thread-safe.
 */
public final class ProduceRequestView {
    // Implementation owned by the protocol work package. Accessors below are the contract.

    public short version() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** True when TransactionalId is non-null. */
    public boolean hasTransactionalId() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public short acks() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int timeoutMs() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int topicCount() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** v3..v12: frame position of the topic name's UTF-8 bytes. */
    public int topicNamePosition(int topic) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** v3..v12: length of the topic name; -1 for v13. */
    public int topicNameLength(int topic) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** v13: most significant 64 bits of the topic id. */
    public long topicIdMsb(int topic) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** v13: least significant 64 bits of the topic id. */
    public long topicIdLsb(int topic) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Slot of the topic's first partition in the partition arrays. */
    public int topicFirstPartition(int topic) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int topicPartitionCount(int topic) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Total partitions over all topics. */
    public int partitionCount() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int partitionIndex(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Frame position of the Records bytes. */
    public int recordsPosition(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Length of the Records bytes, -1 when null. */
    public int recordsLength(int slot) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
