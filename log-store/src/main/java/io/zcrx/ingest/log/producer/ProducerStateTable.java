package io.zcrx.ingest.log.producer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * One partition's idempotent-producer state (docs/kafka-protocol-notes.md#idempotence; Kafka's
 * {@code ProducerStateManager} without transactions): producer id to {@link ProducerEntry}, the
 * checks a client append must pass, and the {@code .snapshot} file format
 * ({@link ProducerSnapshotLayout}).
 *
 * <p>The order of checks is Kafka's: a batch with the stored epoch and exactly the sequence range of
 * one of the last five batches is a duplicate (answered with the original offset, nothing written);
 * then an older epoch is fenced (INVALID_PRODUCER_EPOCH); then a new epoch must start at sequence 0
 * and the same epoch must continue at last sequence + 1, wrapping after Integer.MAX_VALUE
 * (OUT_OF_ORDER_SEQUENCE_NUMBER otherwise). A producer id without state (new, expired or lost in a
 * restart) is accepted at any sequence.
 *
 * <p>{@link #check} and {@link #update} allocate nothing for known producers; a new producer id
 * allocates its entry once. Not thread-safe: guarded by the partition's append lock.
 */
public final class ProducerStateTable {
    public static final int APPEND = 0;
    public static final int DUPLICATE = 1;
    public static final int INVALID_PRODUCER_EPOCH = 2;
    public static final int OUT_OF_ORDER_SEQUENCE = 3;

    private final LongHashMap<ProducerEntry> producers = new LongHashMap<>();
    private long maxProducerIdSeen = -1L;
    private long duplicateBaseOffset = -1L;
    private long duplicateTimestamp = -1L;

    /**
     * Checks a client batch against the producer's state.
     *
     * @return {@link #APPEND}, {@link #DUPLICATE} (then {@link #duplicateBaseOffset()}),
     *         {@link #INVALID_PRODUCER_EPOCH} or {@link #OUT_OF_ORDER_SEQUENCE}
     */
    public int check(long producerId, short epoch, int baseSequence, int lastSequence) {
        final ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            return APPEND;
        }
        if (epoch == entry.epoch()) {
            final int i = entry.findBatch(baseSequence, lastSequence);
            if (i >= 0) {
                duplicateBaseOffset = entry.firstOffset(i);
                duplicateTimestamp = entry.timestamp(i);
                return DUPLICATE;
            }
        }
        if (epoch < entry.epoch()) {
            return INVALID_PRODUCER_EPOCH;
        }
        if (entry.epoch() == ProducerEntry.NO_EPOCH) {
            return APPEND;
        }
        if (epoch != entry.epoch()) {
            return baseSequence == 0 ? APPEND : OUT_OF_ORDER_SEQUENCE;
        }
        final int currentLast = entry.lastSequence();
        final boolean inSequence = baseSequence == currentLast + 1L
            || (baseSequence == 0 && currentLast == Integer.MAX_VALUE);
        return inSequence ? APPEND : OUT_OF_ORDER_SEQUENCE;
    }

    /** First offset originally assigned to the batch the last {@link #check} found duplicated. */
    public long duplicateBaseOffset() {
        return duplicateBaseOffset;
    }

    /**
     * Max timestamp of that batch (for a batch older than the producer's newest, loaded from a snapshot: at most the
     * newest batch's, see {@link #writeSnapshot}).
     */
    public long duplicateTimestamp() {
        return duplicateTimestamp;
    }

    /**
     * Records a written batch (a client append that passed {@link #check}, or a batch replayed from
     * the log, which is not checked: it was accepted once).
     */
    public void update(long producerId, short epoch, int lastSequence, long lastOffset, int offsetDelta,
            long maxTimestamp) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            entry = new ProducerEntry(producerId);
            producers.put(producerId, entry);
        }
        entry.addBatch(epoch, lastSequence, lastOffset, offsetDelta, maxTimestamp);
        if (producerId > maxProducerIdSeen) {
            maxProducerIdSeen = producerId;
        }
    }

    /** The entry for a producer id, or null. */
    public ProducerEntry entry(long producerId) {
        return producers.get(producerId);
    }

    public int size() {
        return producers.size();
    }

    /** Producer id to the last offset of its newest batch, for every producer holding a batch (the log cleaner). */
    public Map<Long, Long> lastDataOffsets() {
        final Map<Long, Long> out = new HashMap<>();
        for (int i = 0; i < producers.capacity(); i++) {
            final ProducerEntry e = producers.valueAt(i);
            if (e != null && e.lastDataOffset() >= 0) {
                out.put(e.producerId(), e.lastDataOffset());
            }
        }
        return out;
    }

    /** Largest producer id this table has held (snapshot entries, replayed and appended batches, expired or not). */
    public long maxProducerIdSeen() {
        return maxProducerIdSeen;
    }

    public void clear() {
        producers.clear();
    }

    /** A copy of every producer's state, by producer id (DescribeProducers). */
    public List<ActiveProducer> activeProducers() {
        final List<ActiveProducer> out = new ArrayList<>(producers.size());
        for (int i = 0; i < producers.capacity(); i++) {
            final ProducerEntry e = producers.valueAt(i);
            if (e != null) {
                out.add(new ActiveProducer(e.producerId(), e.epoch(), e.lastSequence(), e.lastTimestamp(),
                    e.coordinatorEpoch(), e.currentTxnFirstOffset()));
            }
        }
        out.sort(Comparator.comparingLong(ActiveProducer::producerId));
        return out;
    }

    /**
     * Drops producers idle for {@code expirationMs}: no batch whose max timestamp is within that
     * window of {@code nowMs} (Kafka measures from the batch timestamp, not the wall clock of the
     * append). Returns how many were removed.
     */
    public int removeExpired(long nowMs, long expirationMs) {
        long[] expired = null;
        int n = 0;
        for (int i = 0; i < producers.capacity(); i++) {
            final ProducerEntry e = producers.valueAt(i);
            if (e != null && isExpired(e, nowMs, expirationMs)) {
                if (expired == null) {
                    expired = new long[8];
                } else if (n == expired.length) {
                    expired = Arrays.copyOf(expired, n * 2);
                }
                expired[n++] = producers.keyAt(i);
            }
        }
        for (int i = 0; i < n; i++) {
            producers.remove(expired[i]);
        }
        return n;
    }

    private static boolean isExpired(ProducerEntry e, long nowMs, long expirationMs) {
        return e.currentTxnFirstOffset() < 0 && nowMs - e.lastTimestamp() >= expirationMs;
    }

    /**
     * Writes the table as a version-1 snapshot, in producer-id order. Kafka stores one entry per producer (its newest
     * batch) and so forgets the older batches of the five-batch window: a client retrying one of those after a
     * restart is answered OUT_OF_ORDER_SEQUENCE, bumps its epoch and writes the batch twice. We store one entry per
     * cached batch, oldest first, all with the producer's id: Kafka's reader puts every entry into its producer map
     * in file order, so the last one (the newest batch) wins and a Kafka broker loads exactly the state its own
     * snapshot would give, while {@link #loadSnapshot} rebuilds the whole window. An older batch's entry carries
     * min(its timestamp, the newest batch's), so no older entry outlives the newest in Kafka's expiry check.
     * {@code sync}: fsync before returning.
     */
    public void writeSnapshot(Path file, boolean sync) throws IOException {
        final long[] ids = new long[producers.size()];
        int n = 0;
        int entries = 0;
        for (int i = 0; i < producers.capacity(); i++) {
            final ProducerEntry e = producers.valueAt(i);
            if (e != null) {
                ids[n++] = e.producerId();
                entries += Math.max(1, e.batchCount());
            }
        }
        Arrays.sort(ids);
        final ByteBuffer buf = ByteBuffer.allocate(ProducerSnapshotLayout.ENTRIES_OFFSET
            + entries * ProducerSnapshotLayout.ENTRY_LENGTH)
            .order(ByteOrder.BIG_ENDIAN);
        buf.putShort(ProducerSnapshotLayout.VERSION_OFFSET, ProducerSnapshotLayout.VERSION);
        buf.putInt(ProducerSnapshotLayout.ENTRY_COUNT_OFFSET, entries);
        int at = ProducerSnapshotLayout.ENTRIES_OFFSET;
        for (int k = 0; k < n; k++) {
            final ProducerEntry e = producers.get(ids[k]);
            if (e.isEmpty()) {
                putEntry(buf, at, e, ProducerEntry.NO_SEQUENCE, -1L, 0, e.lastTimestamp());
                at += ProducerSnapshotLayout.ENTRY_LENGTH;
                continue;
            }
            for (int b = 0; b < e.batchCount(); b++) {
                putEntry(buf, at, e, e.lastSequence(b), e.lastOffset(b), e.offsetDelta(b),
                    Math.min(e.timestamp(b), e.lastTimestamp()));
                at += ProducerSnapshotLayout.ENTRY_LENGTH;
            }
        }
        final CRC32C crc = new CRC32C();
        crc.update(buf.array(), ProducerSnapshotLayout.CRC_COVERED_OFFSET,
            buf.capacity() - ProducerSnapshotLayout.CRC_COVERED_OFFSET);
        buf.putInt(ProducerSnapshotLayout.CRC_OFFSET, (int) crc.getValue());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (sync) {
                ch.force(true);
            }
        }
    }

    private static void putEntry(ByteBuffer buf, int at, ProducerEntry e, int lastSequence, long lastOffset,
            int offsetDelta, long timestamp) {
        buf.putLong(at + ProducerSnapshotLayout.PRODUCER_ID_OFFSET, e.producerId());
        buf.putShort(at + ProducerSnapshotLayout.EPOCH_OFFSET, e.epoch());
        buf.putInt(at + ProducerSnapshotLayout.LAST_SEQUENCE_OFFSET, lastSequence);
        buf.putLong(at + ProducerSnapshotLayout.LAST_OFFSET_OFFSET, lastOffset);
        buf.putInt(at + ProducerSnapshotLayout.OFFSET_DELTA_OFFSET, offsetDelta);
        buf.putLong(at + ProducerSnapshotLayout.TIMESTAMP_OFFSET, timestamp);
        buf.putInt(at + ProducerSnapshotLayout.COORDINATOR_EPOCH_OFFSET, e.coordinatorEpoch());
        buf.putLong(at + ProducerSnapshotLayout.CURRENT_TXN_FIRST_OFFSET_OFFSET, e.currentTxnFirstOffset());
    }

    /**
     * Replaces the table with a snapshot's entries, leaving out producers already expired at
     * {@code nowMs}. Consecutive entries with one producer id are that producer's cached batches, oldest first (see
     * {@link #writeSnapshot}; Kafka's own files have one entry per producer); the last of them holds the producer's
     * epoch and decides its expiry. Returns the number of producers loaded.
     *
     * @throws CorruptSnapshotException if the version, length or CRC is wrong (the table is then empty)
     */
    public int loadSnapshot(Path file, long nowMs, long expirationMs) throws IOException {
        producers.clear();
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        if (bytes.length < ProducerSnapshotLayout.ENTRIES_OFFSET) {
            throw new CorruptSnapshotException("snapshot too short: file=" + file + ", length=" + bytes.length);
        }
        final short version = buf.getShort(ProducerSnapshotLayout.VERSION_OFFSET);
        if (version != ProducerSnapshotLayout.VERSION) {
            throw new CorruptSnapshotException("unknown snapshot version: file=" + file + ", version=" + version);
        }
        final int count = buf.getInt(ProducerSnapshotLayout.ENTRY_COUNT_OFFSET);
        if (count < 0 || (long) ProducerSnapshotLayout.ENTRIES_OFFSET
                + (long) count * ProducerSnapshotLayout.ENTRY_LENGTH != bytes.length) {
            throw new CorruptSnapshotException("snapshot length does not match its entry count: file=" + file
                + ", entryCount=" + count + ", length=" + bytes.length);
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, ProducerSnapshotLayout.CRC_COVERED_OFFSET,
            bytes.length - ProducerSnapshotLayout.CRC_COVERED_OFFSET);
        final long stored = buf.getInt(ProducerSnapshotLayout.CRC_OFFSET) & 0xFFFF_FFFFL;
        if (stored != crc.getValue()) {
            throw new CorruptSnapshotException("snapshot CRC mismatch: file=" + file + ", stored=" + stored
                + ", computed=" + crc.getValue());
        }
        int loaded = 0;
        int k = 0;
        while (k < count) {
            final long producerId = buf.getLong(entryAt(k) + ProducerSnapshotLayout.PRODUCER_ID_OFFSET);
            if (producerId < 0) {
                throw new CorruptSnapshotException("negative producer id in snapshot: file=" + file + ", producerId="
                    + producerId);
            }
            int end = k + 1;
            while (end < count && buf.getLong(entryAt(end) + ProducerSnapshotLayout.PRODUCER_ID_OFFSET) == producerId) {
                end++;
            }
            if (producerId > maxProducerIdSeen) {
                maxProducerIdSeen = producerId;
            }
            final int last = entryAt(end - 1);
            final short epoch = buf.getShort(last + ProducerSnapshotLayout.EPOCH_OFFSET);
            final ProducerEntry entry = new ProducerEntry(producerId);
            entry.restore(epoch, buf.getInt(last + ProducerSnapshotLayout.COORDINATOR_EPOCH_OFFSET),
                buf.getLong(last + ProducerSnapshotLayout.TIMESTAMP_OFFSET),
                buf.getLong(last + ProducerSnapshotLayout.CURRENT_TXN_FIRST_OFFSET_OFFSET));
            if (!isExpired(entry, nowMs, expirationMs)) {
                for (int b = k; b < end; b++) {
                    final int at = entryAt(b);
                    final long lastOffset = buf.getLong(at + ProducerSnapshotLayout.LAST_OFFSET_OFFSET);
                    if (lastOffset >= 0) {
                        entry.addBatch(buf.getShort(at + ProducerSnapshotLayout.EPOCH_OFFSET),
                            buf.getInt(at + ProducerSnapshotLayout.LAST_SEQUENCE_OFFSET), lastOffset,
                            buf.getInt(at + ProducerSnapshotLayout.OFFSET_DELTA_OFFSET),
                            buf.getLong(at + ProducerSnapshotLayout.TIMESTAMP_OFFSET));
                    }
                }
                // addBatch moved the timestamp to each batch's; the newest entry's is the producer's.
                entry.restoreTimestamp(buf.getLong(last + ProducerSnapshotLayout.TIMESTAMP_OFFSET));
                producers.put(producerId, entry);
                loaded++;
            }
            k = end;
        }
        return loaded;
    }

    private static int entryAt(int k) {
        return ProducerSnapshotLayout.ENTRIES_OFFSET + k * ProducerSnapshotLayout.ENTRY_LENGTH;
    }

    /** Structural invariants; tests call it under {@code assert}. */
    public boolean checkInvariants() {
        int seen = 0;
        for (int i = 0; i < producers.capacity(); i++) {
            final ProducerEntry e = producers.valueAt(i);
            if (e == null) {
                continue;
            }
            seen++;
            if (e.producerId() != producers.keyAt(i) || e.producerId() > maxProducerIdSeen) {
                throw new IllegalStateException("producer table entry misplaced: key=" + producers.keyAt(i) + ", " + e
                    + ", maxProducerIdSeen=" + maxProducerIdSeen);
            }
            e.checkInvariants();
        }
        if (seen != producers.size()) {
            throw new IllegalStateException("producer table size wrong: counted=" + seen + ", size="
                + producers.size());
        }
        return true;
    }
}
