package io.zcrx.ingest.log.epoch;

import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's leader epoch history (Kafka's {@code LeaderEpochFileCache}, same rules, our code): ordered
 * (epoch, start offset) entries, both strictly increasing, where each entry says that leader epoch {@code epoch}
 * wrote the offsets from {@code startOffset} up to the next entry's start (the latest one: up to the log end).
 *
 * <pre>
 *   entries:   (0, 0)  (3, 120)  (5, 410)           log end offset 500
 *   offsets:   [0 .. 120) epoch 0, [120 .. 410) epoch 3, [410 .. 500) epoch 5
 *   endOffsetFor(3) = (3, 410)   endOffsetFor(4) = (3, 410)   endOffsetFor(5) = (5, 500)
 * </pre>
 *
 * <p>Kafka's rules, in short: {@link #assign} adds an entry unless it repeats the latest epoch at the same or a
 * later offset, and first removes, from the newest back, every entry whose epoch or start offset is not below the
 * new one's (so a lower epoch than the latest replaces the entries it conflicts with, as in Kafka); the log
 * truncates the history from the end when it drops offsets ({@link #truncateFromEnd}) and from the start when its
 * log start moves ({@link #truncateFromStart}).
 *
 * <p>Thread safety: the entries are an immutable array published through a volatile field and replaced on every
 * change, so the readers ({@link #endOffsetFor}, {@link #latestEpoch}, {@link #entries}, ...) run on any thread
 * without a lock and see one consistent history. The changes synchronize on this object; the partition log calls
 * them under its append lock anyway. Persistence is the owner's job (the partition log writes
 * {@code leader-epoch-checkpoint} after a change): every change returns whether the entries changed.
 */
public final class LeaderEpochCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);
    private static final EpochEntry[] NONE = new EpochEntry[0];

    private final TopicPartition topicPartition;
    /** Oldest first; never modified once published. */
    private volatile EpochEntry[] entries = NONE;

    public LeaderEpochCache(TopicPartition topicPartition) {
        this.topicPartition = topicPartition;
    }

    // ---------------------------------------------------------------------------------------------
    // Changes

    /**
     * Kafka's {@code assign(epoch, startOffset)}: records that {@code epoch} starts at {@code startOffset}. Nothing
     * changes when {@code epoch} is the latest epoch and {@code startOffset} is not below its start (an epoch, once
     * assigned, keeps its first offset). Otherwise the entries that would break monotonicity are removed from the
     * end (epoch &gt;= {@code epoch} or start &gt;= {@code startOffset}) and the new entry becomes the latest.
     *
     * @return whether the entries changed
     * @throws IllegalArgumentException if the epoch or the offset is negative
     */
    public synchronized boolean assign(int epoch, long startOffset) {
        if (epoch < 0 || startOffset < 0) {
            throw new IllegalArgumentException("invalid leader epoch entry: partition=" + topicPartition + ", epoch="
                + epoch + ", startOffset=" + startOffset);
        }
        final EpochEntry[] current = entries;
        final int n = current.length;
        if (n > 0 && current[n - 1].epoch() == epoch && startOffset >= current[n - 1].startOffset()) {
            return false;
        }
        int keep = n;
        while (keep > 0 && (current[keep - 1].epoch() >= epoch || current[keep - 1].startOffset() >= startOffset)) {
            keep--;
        }
        // A single removed entry that started at the same offset wrote nothing: the expected case (a leader that
        // never appended, replaced by the next one). Anything else drops history and is worth a warning.
        if (keep < n - 1 || (keep == n - 1 && current[n - 1].startOffset() != startOffset)) {
            LOG.warn("New leader epoch entry truncated conflicting entries: partition={}, entry={}, removed={}",
                topicPartition, new EpochEntry(epoch, startOffset),
                Arrays.asList(Arrays.copyOfRange(current, keep, n)));
        }
        final EpochEntry[] next = Arrays.copyOf(current, keep + 1);
        next[keep] = new EpochEntry(epoch, startOffset);
        entries = next;
        return true;
    }

    /**
     * Kafka's rule for a batch met while recovering a segment ({@code LogSegment.recover}): its epoch starts at its
     * base offset if the epoch is defined (&gt;= 0) and newer than every epoch known. Batches of known epochs, and
     * those of older producers' formats without one (-1), change nothing.
     *
     * @return whether the entries changed
     */
    public synchronized boolean assignFromBatch(int batchLeaderEpoch, long baseOffset) {
        if (batchLeaderEpoch < 0 || batchLeaderEpoch <= latestEpoch()) {
            return false;
        }
        return assign(batchLeaderEpoch, baseOffset);
    }

    /**
     * Kafka's {@code truncateFromEnd}: removes every entry starting at or after {@code endOffset} (the log dropped
     * those offsets). A negative offset (undefined) changes nothing.
     *
     * @return whether the entries changed
     */
    public synchronized boolean truncateFromEnd(long endOffset) {
        if (endOffset < 0) {
            return false;
        }
        final EpochEntry[] current = entries;
        int keep = current.length;
        while (keep > 0 && current[keep - 1].startOffset() >= endOffset) {
            keep--;
        }
        if (keep == current.length) {
            return false;
        }
        entries = keep == 0 ? NONE : Arrays.copyOf(current, keep);
        return true;
    }

    /**
     * Kafka's {@code truncateFromStart} (the log start moved: retention, DeleteRecords): removes the entries starting
     * at or before {@code startOffset} and puts the newest of them back starting at {@code startOffset}, so the
     * epoch that wrote the new first offset keeps its entry. Exclusive: an entry starting exactly there stays.
     *
     * @return whether the entries changed (Kafka also rewrites its file when the only change is an entry moved to
     *     where it already was; we do not)
     */
    public synchronized boolean truncateFromStart(long startOffset) {
        final EpochEntry[] current = entries;
        int removed = 0;
        while (removed < current.length && current[removed].startOffset() <= startOffset) {
            removed++;
        }
        if (removed == 0 || (removed == 1 && current[0].startOffset() == startOffset)) {
            return false;
        }
        final EpochEntry[] next = new EpochEntry[current.length - removed + 1];
        next[0] = new EpochEntry(current[removed - 1].epoch(), startOffset);
        System.arraycopy(current, removed, next, 1, current.length - removed);
        entries = next;
        return true;
    }

    /** Forgets every entry (Kafka's {@code clear}); a log that restarts from scratch. */
    public synchronized boolean clear() {
        final boolean changed = entries.length > 0;
        entries = NONE;
        return changed;
    }

    // ---------------------------------------------------------------------------------------------
    // Reads (any thread)

    /** The entries, oldest first (an immutable copy). */
    public List<EpochEntry> entries() {
        return List.of(entries);
    }

    public boolean isEmpty() {
        return entries.length == 0;
    }

    /** The newest entry, or null when there is none. */
    public EpochEntry latestEntry() {
        final EpochEntry[] e = entries;
        return e.length == 0 ? null : e[e.length - 1];
    }

    /** The oldest entry, or null when there is none. */
    public EpochEntry earliestEntry() {
        final EpochEntry[] e = entries;
        return e.length == 0 ? null : e[0];
    }

    /** The latest epoch (the one still being written), or -1 ({@link EpochEndOffset#UNDEFINED_EPOCH}) if none. */
    public int latestEpoch() {
        final EpochEntry[] e = entries;
        return e.length == 0 ? EpochEndOffset.UNDEFINED_EPOCH : e[e.length - 1].epoch();
    }

    /** Kafka's {@code previousEpoch()}: the epoch before the latest one, or -1 if there is none. */
    public int previousEpoch() {
        final EpochEntry[] e = entries;
        return e.length < 2 ? EpochEndOffset.UNDEFINED_EPOCH : e[e.length - 2].epoch();
    }

    /** Kafka's {@code previousEpoch(epoch)}: the largest known epoch below {@code epoch}, or -1 if there is none. */
    public int previousEpoch(int epoch) {
        final EpochEntry[] e = entries;
        for (int i = e.length - 1; i >= 0; i--) {
            if (e[i].epoch() < epoch) {
                return e[i].epoch();
            }
        }
        return EpochEndOffset.UNDEFINED_EPOCH;
    }

    /**
     * Kafka's {@code epochForOffset}: the epoch that wrote {@code offset} (the entry starting at it, else the last
     * one starting before it), or -1 when the offset lies before every entry or there is none.
     */
    public int epochForOffset(long offset) {
        int found = EpochEndOffset.UNDEFINED_EPOCH;
        for (EpochEntry entry : entries) {
            if (entry.startOffset() > offset) {
                break;
            }
            found = entry.epoch();
        }
        return found;
    }

    /**
     * Kafka's {@code endOffsetFor(requestedEpoch, logEndOffset)}, the OffsetForLeaderEpoch answer:
     * <ul>
     *   <li>{@code requestedEpoch} -1: undefined (-1, -1);</li>
     *   <li>the latest epoch: (it, {@code logEndOffset}) - it is still being written;</li>
     *   <li>no known epoch above it (empty history, or above the latest): undefined (-1, -1);</li>
     *   <li>below every known epoch: ({@code requestedEpoch}, the first entry's start) - the history before it is
     *       gone with the log's start, and a follower replicates from there;</li>
     *   <li>otherwise: (the largest known epoch &lt;= {@code requestedEpoch}, the start of the next known epoch).</li>
     * </ul>
     */
    public EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == EpochEndOffset.UNDEFINED_EPOCH) {
            return EpochEndOffset.UNDEFINED;
        }
        final EpochEntry[] e = entries;
        final int n = e.length;
        if (n > 0 && e[n - 1].epoch() == requestedEpoch) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        int higher = 0;
        while (higher < n && e[higher].epoch() <= requestedEpoch) {
            higher++;
        }
        if (higher == n) {
            return EpochEndOffset.UNDEFINED;
        }
        if (higher == 0) {
            return new EpochEndOffset(requestedEpoch, e[0].startOffset());
        }
        return new EpochEndOffset(e[higher - 1].epoch(), e[higher].startOffset());
    }

    @Override
    public String toString() {
        return "LeaderEpochCache(" + topicPartition + ", " + Arrays.toString(entries) + ")";
    }
}
