package io.zcrx.ingest.protocol.produce;

import java.util.Arrays;

/**
 * A decoded Produce request (v3..v13), as positions into its frame (docs/kafka-protocol-notes.md#produce):
 * nothing is copied; topic names and record regions are (position, length) pairs of the frame
 * body. Filled by {@link ProduceDecoder}; reused per connection (arrays grow, never shrink).
 *
 * <pre>
 *   topics:      0 .. topicCount-1      name (v3..v12) or id (v13), first partition slot, partition count
 *   partitions:  0 .. partitionCount-1  partition index, records position, records length (-1 = null)
 * </pre>
 *
 * Partition slots are numbered across topics in request order: topic t owns slots
 * {@code [topicFirstPartition(t), topicFirstPartition(t) + topicPartitionCount(t))}. The frame the
 * positions point into must stay open while the view is used.
 *
 * Not thread-safe.
 */
public final class ProduceRequestView {
    private static final int INITIAL_TOPICS = 4;
    private static final int INITIAL_PARTITIONS = 16;

    private short version;
    private int transactionalIdPosition = -1;
    private int transactionalIdLength = -1;
    private short acks;
    private int timeoutMs;

    private int topicCount;
    private int[] topicNamePositions = new int[INITIAL_TOPICS];
    private int[] topicNameLengths = new int[INITIAL_TOPICS];
    private long[] topicIdMsbs = new long[INITIAL_TOPICS];
    private long[] topicIdLsbs = new long[INITIAL_TOPICS];
    private int[] topicFirstPartitions = new int[INITIAL_TOPICS];
    private int[] topicPartitionCounts = new int[INITIAL_TOPICS];

    private int partitionCount;
    private int[] partitionIndexes = new int[INITIAL_PARTITIONS];
    private int[] recordsPositions = new int[INITIAL_PARTITIONS];
    private int[] recordsLengths = new int[INITIAL_PARTITIONS];

    public short version() {
        return version;
    }

    /** True when TransactionalId is non-null. */
    public boolean hasTransactionalId() {
        return transactionalIdLength >= 0;
    }

    /** Frame position of the TransactionalId's UTF-8 bytes, -1 when null. */
    public int transactionalIdPosition() {
        return transactionalIdPosition;
    }

    /** Length of the TransactionalId, -1 when null. */
    public int transactionalIdLength() {
        return transactionalIdLength;
    }

    public short acks() {
        return acks;
    }

    public int timeoutMs() {
        return timeoutMs;
    }

    public int topicCount() {
        return topicCount;
    }

    /** v3..v12: frame position of the topic name's UTF-8 bytes. */
    public int topicNamePosition(int topic) {
        return topicNamePositions[checkTopic(topic)];
    }

    /** v3..v12: length of the topic name; -1 for v13. */
    public int topicNameLength(int topic) {
        return topicNameLengths[checkTopic(topic)];
    }

    /** v13: most significant 64 bits of the topic id. */
    public long topicIdMsb(int topic) {
        return topicIdMsbs[checkTopic(topic)];
    }

    /** v13: least significant 64 bits of the topic id. */
    public long topicIdLsb(int topic) {
        return topicIdLsbs[checkTopic(topic)];
    }

    /** Slot of the topic's first partition in the partition arrays. */
    public int topicFirstPartition(int topic) {
        return topicFirstPartitions[checkTopic(topic)];
    }

    public int topicPartitionCount(int topic) {
        return topicPartitionCounts[checkTopic(topic)];
    }

    /** Total partitions over all topics. */
    public int partitionCount() {
        return partitionCount;
    }

    public int partitionIndex(int slot) {
        return partitionIndexes[checkSlot(slot)];
    }

    /** Frame position of the Records bytes. */
    public int recordsPosition(int slot) {
        return recordsPositions[checkSlot(slot)];
    }

    /** Length of the Records bytes, -1 when null. */
    public int recordsLength(int slot) {
        return recordsLengths[checkSlot(slot)];
    }

    // ---- filled by ProduceDecoder ----

    void reset(short version) {
        this.version = version;
        transactionalIdPosition = -1;
        transactionalIdLength = -1;
        acks = 0;
        timeoutMs = 0;
        topicCount = 0;
        partitionCount = 0;
    }

    void transactionalId(int position, int length) {
        transactionalIdPosition = position;
        transactionalIdLength = length;
    }

    void acksAndTimeout(short acks, int timeoutMs) {
        this.acks = acks;
        this.timeoutMs = timeoutMs;
    }

    /** Opens topic {@link #topicCount()}; its partitions are the slots added until the next call. */
    void addTopic(int namePosition, int nameLength, long idMsb, long idLsb) {
        if (topicCount == topicNamePositions.length) {
            final int n = topicCount * 2;
            topicNamePositions = Arrays.copyOf(topicNamePositions, n);
            topicNameLengths = Arrays.copyOf(topicNameLengths, n);
            topicIdMsbs = Arrays.copyOf(topicIdMsbs, n);
            topicIdLsbs = Arrays.copyOf(topicIdLsbs, n);
            topicFirstPartitions = Arrays.copyOf(topicFirstPartitions, n);
            topicPartitionCounts = Arrays.copyOf(topicPartitionCounts, n);
        }
        topicNamePositions[topicCount] = namePosition;
        topicNameLengths[topicCount] = nameLength;
        topicIdMsbs[topicCount] = idMsb;
        topicIdLsbs[topicCount] = idLsb;
        topicFirstPartitions[topicCount] = partitionCount;
        topicPartitionCounts[topicCount] = 0;
        topicCount++;
    }

    /** Adds a partition slot to the last topic. */
    void addPartition(int index, int recordsPosition, int recordsLength) {
        if (partitionCount == partitionIndexes.length) {
            final int n = partitionCount * 2;
            partitionIndexes = Arrays.copyOf(partitionIndexes, n);
            recordsPositions = Arrays.copyOf(recordsPositions, n);
            recordsLengths = Arrays.copyOf(recordsLengths, n);
        }
        partitionIndexes[partitionCount] = index;
        recordsPositions[partitionCount] = recordsPosition;
        recordsLengths[partitionCount] = recordsLength;
        partitionCount++;
        topicPartitionCounts[topicCount - 1]++;
    }

    /**
     * Topic partition ranges tile the slots in order: topic t starts where t-1 ended, and the last
     * one ends at partitionCount. Called through {@code assert} after every decode.
     */
    boolean checkInvariants() {
        int next = 0;
        for (int t = 0; t < topicCount; t++) {
            if (topicFirstPartitions[t] != next || topicPartitionCounts[t] < 0) {
                throw new IllegalStateException("topic partition ranges do not tile the slots: topic=" + t
                    + ", first=" + topicFirstPartitions[t] + ", expected=" + next
                    + ", count=" + topicPartitionCounts[t]);
            }
            next += topicPartitionCounts[t];
        }
        if (next != partitionCount) {
            throw new IllegalStateException("partition slots not covered by topics: covered=" + next
                + ", partitionCount=" + partitionCount);
        }
        return true;
    }

    private int checkTopic(int topic) {
        if (topic < 0 || topic >= topicCount) {
            throw new IndexOutOfBoundsException("topic=" + topic + ", topicCount=" + topicCount);
        }
        return topic;
    }

    private int checkSlot(int slot) {
        if (slot < 0 || slot >= partitionCount) {
            throw new IndexOutOfBoundsException("slot=" + slot + ", partitionCount=" + partitionCount);
        }
        return slot;
    }

    @Override
    public String toString() {
        return "ProduceRequestView(version=" + version + ", acks=" + acks + ", timeoutMs=" + timeoutMs
            + ", transactional=" + hasTransactionalId() + ", topicCount=" + topicCount
            + ", partitionCount=" + partitionCount + ")";
    }
}
