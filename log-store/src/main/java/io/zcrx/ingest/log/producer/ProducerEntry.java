package io.zcrx.ingest.log.producer;

/**
 * What one partition remembers about one producer id (docs/kafka-protocol-notes.md#idempotence; Kafka's
 * {@code ProducerStateEntry}): the current epoch and the metadata of its last
 * {@value #BATCHES_RETAINED} batches, oldest first, for duplicate detection and sequence checks.
 *
 * <pre>
 *   ring slot i (0 = oldest):  lastSequence | lastOffset | offsetDelta (= lastOffset - firstOffset) | maxTimestamp
 *   firstSequence = lastSequence - offsetDelta (wrapping below 0 to Integer.MAX_VALUE)
 * </pre>
 *
 * <p>Primitive arrays reused in place: adding a batch allocates nothing. Not thread-safe: guarded by
 * the partition's append lock.
 */
public final class ProducerEntry {
    /** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN: the idempotent producer's in-flight maximum. */
    public static final int BATCHES_RETAINED = 5;
    public static final short NO_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;

    private final long producerId;
    private short epoch = NO_EPOCH;
    private int coordinatorEpoch = -1;
    private long lastTimestamp = -1L;
    private long currentTxnFirstOffset = -1L;

    private final int[] lastSequences = new int[BATCHES_RETAINED];
    private final long[] lastOffsets = new long[BATCHES_RETAINED];
    private final int[] offsetDeltas = new int[BATCHES_RETAINED];
    private final long[] timestamps = new long[BATCHES_RETAINED];
    private int head;
    private int count;

    ProducerEntry(long producerId) {
        this.producerId = producerId;
    }

    public long producerId() {
        return producerId;
    }

    public short epoch() {
        return epoch;
    }

    public int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    /** Max timestamp of the last batch (what expiry measures inactivity from, as in Kafka). */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    public long currentTxnFirstOffset() {
        return currentTxnFirstOffset;
    }

    /** Cached batches, at most {@value #BATCHES_RETAINED}. */
    public int batchCount() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Last sequence of the newest batch, or {@link #NO_SEQUENCE}. */
    public int lastSequence() {
        return count == 0 ? NO_SEQUENCE : lastSequences[ring(count - 1)];
    }

    /** Last offset of the newest batch, or -1. */
    public long lastDataOffset() {
        return count == 0 ? -1L : lastOffsets[ring(count - 1)];
    }

    /** offsetDelta of the newest batch, or 0. */
    public int lastOffsetDelta() {
        return count == 0 ? 0 : offsetDeltas[ring(count - 1)];
    }

    /** Batch {@code i} (0 = oldest): its last sequence. */
    public int lastSequence(int i) {
        return lastSequences[ring(checkBatch(i))];
    }

    public int firstSequence(int i) {
        final int r = ring(checkBatch(i));
        return decrementSequence(lastSequences[r], offsetDeltas[r]);
    }

    public long lastOffset(int i) {
        return lastOffsets[ring(checkBatch(i))];
    }

    public long firstOffset(int i) {
        final int r = ring(checkBatch(i));
        return lastOffsets[r] - offsetDeltas[r];
    }

    public int offsetDelta(int i) {
        return offsetDeltas[ring(checkBatch(i))];
    }

    public long timestamp(int i) {
        return timestamps[ring(checkBatch(i))];
    }

    /** The cached batch with exactly this sequence range (0 = oldest), or -1. */
    public int findBatch(int firstSequence, int lastSequence) {
        for (int i = 0; i < count; i++) {
            final int r = ring(i);
            if (lastSequences[r] == lastSequence
                    && decrementSequence(lastSequences[r], offsetDeltas[r]) == firstSequence) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Records an appended batch: a new epoch clears the cached batches first; the oldest cached batch
     * drops out once {@value #BATCHES_RETAINED} are held.
     */
    void addBatch(short batchEpoch, int lastSequence, long lastOffset, int offsetDelta, long maxTimestamp) {
        if (batchEpoch != epoch) {
            epoch = batchEpoch;
            head = 0;
            count = 0;
        }
        if (count == BATCHES_RETAINED) {
            head = (head + 1) % BATCHES_RETAINED;
            count--;
        }
        final int r = ring(count);
        lastSequences[r] = lastSequence;
        lastOffsets[r] = lastOffset;
        offsetDeltas[r] = offsetDelta;
        timestamps[r] = maxTimestamp;
        count++;
        lastTimestamp = maxTimestamp;
    }

    /** Restores a snapshot's producer-wide state (epoch, timestamps); its batches are re-added with addBatch. */
    void restore(short snapshotEpoch, int snapshotCoordinatorEpoch, long snapshotTimestamp,
            long snapshotTxnFirstOffset) {
        epoch = snapshotEpoch;
        coordinatorEpoch = snapshotCoordinatorEpoch;
        lastTimestamp = snapshotTimestamp;
        currentTxnFirstOffset = snapshotTxnFirstOffset;
        head = 0;
        count = 0;
    }

    /** Sets the last timestamp after a snapshot's batches were re-added (they move it to each batch's). */
    void restoreTimestamp(long snapshotTimestamp) {
        lastTimestamp = snapshotTimestamp;
    }

    private int ring(int i) {
        return (head + i) % BATCHES_RETAINED;
    }

    private int checkBatch(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("producer batch out of range: producerId=" + producerId + ", i=" + i
                + ", count=" + count);
        }
        return i;
    }

    /** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from Integer.MAX_VALUE to 0. */
    public static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }

    /** Kafka's DefaultRecordBatch.decrementSequence. */
    public static int decrementSequence(int sequence, int decrement) {
        if (sequence < decrement) {
            return Integer.MAX_VALUE - (decrement - sequence) + 1;
        }
        return sequence - decrement;
    }

    /** Structural invariants; tests call it under {@code assert}. */
    public boolean checkInvariants() {
        if (count < 0 || count > BATCHES_RETAINED || head < 0 || head >= BATCHES_RETAINED) {
            throw new IllegalStateException("producer ring broken: producerId=" + producerId + ", head=" + head
                + ", count=" + count);
        }
        for (int i = 1; i < count; i++) {
            if (lastOffsets[ring(i)] <= lastOffsets[ring(i - 1)]) {
                throw new IllegalStateException("producer batches out of order: producerId=" + producerId
                    + ", lastOffset[" + (i - 1) + "]=" + lastOffsets[ring(i - 1)] + ", lastOffset[" + i + "]="
                    + lastOffsets[ring(i)]);
            }
        }
        for (int i = 0; i < count; i++) {
            if (offsetDeltas[ring(i)] < 0) {
                throw new IllegalStateException("negative offsetDelta: producerId=" + producerId + ", i=" + i);
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ProducerEntry(producerId=" + producerId + ", epoch=" + epoch + ", batches=" + count
            + ", lastSequence=" + lastSequence() + ", lastOffset=" + lastDataOffset() + ", lastTimestamp="
            + lastTimestamp + ")";
    }
}
