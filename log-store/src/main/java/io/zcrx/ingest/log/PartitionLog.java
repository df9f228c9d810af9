package io.zcrx.ingest.log;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.zcrx.ingest.log.checkpoint.AtomicFiles;
import io.zcrx.ingest.log.checkpoint.LeaderEpochCheckpointFile;
import io.zcrx.ingest.log.checkpoint.PartitionMetadataFile;
import io.zcrx.ingest.log.epoch.EpochEndOffset;
import io.zcrx.ingest.log.epoch.EpochEntry;
import io.zcrx.ingest.log.epoch.LeaderEpochCache;
import io.zcrx.ingest.log.producer.ActiveProducer;
import io.zcrx.ingest.log.producer.ProducerEntry;
import io.zcrx.ingest.log.producer.ProducerStateTable;
import io.zcrx.ingest.nativeio.Errno;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's log in Apache Kafka's format: {@code <dir>/<topic>-<partition>/} with rolled
 * segments ({@code .log}, {@code .index}, {@code .timeindex}), producer-state {@code .snapshot}s,
 * {@code partition.metadata} and {@code leader-epoch-checkpoint}.
 *
 * <pre>
 *   segments:  [ seg 0 | seg 1 | ... | active ]     each starts at the previous one's next offset
 *   offsets:   logStartOffset &lt;= recoveryPoint &lt;= logEndOffset
 *              |&lt;-- fsynced --&gt;|&lt;-- in the page cache (append returned) --&gt;|
 * </pre>
 *
 * <p>This class holds the partition's state (segments, offsets, producer state, leader epoch,
 * online/offline/closed) and everything that changes it under the append lock: appends, rolls,
 * retention's removal of segments, truncation ({@link LogTruncation}), close and delete; that is why
 * it stays longer than the project's 500 lines. Reads are {@link LogReader} (Fetch) and {@link TimestampLookup}
 * (ListOffsets); retention is {@link LogRetention} with {@link DelayedSegmentDeletes}; the flush
 * policy and fsync are {@link PartitionFlush}; producer snapshot files are {@link ProducerSnapshots}.
 * The public methods here delegate to them.
 *
 * <p>Thread safety: {@link #append} may be called from any reactor thread; one lock per partition
 * is held only to check producer state, assign offsets and issue the write (the write completes
 * into the page cache under it; fsync never runs under it). Reads ({@link #read},
 * {@link #offsetForTimestamp}, the offset getters) are safe from any thread and never block
 * appends: an append publishes the log end offset only after its bytes are written, so a reader
 * never sees a partial batch. {@link #flush}, retention and expiry belong to the broker's single
 * flusher/maintenance thread.
 *
 * <p>Leader epochs: each appended batch is stamped with {@link #leaderEpoch()} (0 for a standalone log;
 * {@link #becomeLeader} sets it in cluster mode), and the partition keeps Kafka's leader epoch history
 * ({@link LeaderEpochCache}, file {@code leader-epoch-checkpoint}) for OffsetForLeaderEpoch
 * ({@link #endOffsetForEpoch}). becomeLeader writes the file before it returns; the changes made under the append
 * lock (the first batch of an epoch, retention's truncation from the start) are written by the next flush or
 * checkpoint, never under the lock, and the loader repairs what a crash left unwritten.
 *
 * <p>Durability: an append that returned is in the page cache (survives a process crash, not a
 * power loss). {@link #flush} makes everything appended before it started durable and advances the
 * recovery point. After a crash, recovery re-validates from the last <em>checkpointed</em> recovery
 * point ({@link LogManager#checkpoint}), so a lagging checkpoint costs recovery time, never data.
 */
public final class PartitionLog {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    static final int STATE_OPEN = 0;
    static final int STATE_OFFLINE = 1;
    static final int STATE_CLOSED = 2;

    private static final short NONE = Errors.NONE.code();
    private static final short INVALID_RECORD = Errors.INVALID_RECORD.code();
    private static final short RECORD_LIST_TOO_LARGE = Errors.RECORD_LIST_TOO_LARGE.code();
    private static final short KAFKA_STORAGE_ERROR = Errors.KAFKA_STORAGE_ERROR.code();
    private static final short INVALID_PRODUCER_EPOCH = Errors.INVALID_PRODUCER_EPOCH.code();
    private static final short OUT_OF_ORDER_SEQUENCE_NUMBER = Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code();
    private static final short NOT_LEADER_OR_FOLLOWER = Errors.NOT_LEADER_OR_FOLLOWER.code();

    /** The partition lock (see the class comment); the read and retention helpers take it too. */
    final Object appendLock = new Object();
    private final Path dir;
    private final String topic;
    private final int partition;
    private final TopicPartition topicPartition;
    private final long producerIdExpirationMs;
    private final OpenSegmentCache cache;
    private final LogReader reader;
    private final TimestampLookup timestampLookup;
    private final LogRetention retention;
    private final LogTruncation truncation;
    private final PartitionFlush flusher;
    private final DelayedSegmentDeletes delayedDeletes = new DelayedSegmentDeletes();
    private volatile Uuid topicId;
    private volatile LogConfig config;

    private volatile Segment[] segments;
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile long recoveryPoint;
    private volatile int state = STATE_OPEN;

    /** Guarded by appendLock. */
    private final ProducerStateTable producers;
    private final ProducerSnapshots snapshots;

    /**
     * The leader epoch history; changed under appendLock, read on any thread. A change sets
     * {@link #epochCheckpointDirty}; {@link #writeLeaderEpochCheckpointIfDirty} writes the file.
     */
    private final LeaderEpochCache epochCache;
    /** The epoch stamped into appended batches: 0 until {@link #becomeLeader}; written under appendLock. */
    private volatile int leaderEpoch;
    /**
     * Whether this node may append to the log as its leader (Kafka's {@code Partition.leaderReplicaIdOpt} checked
     * under {@code leaderIsrUpdateLock} in {@code appendRecordsToLeader}): written under appendLock by
     * {@link #becomeLeader} and {@link #resign}, read by {@link #append} under the same lock, so no append that
     * started after {@code resign} returned can be acknowledged. True from creation, so a standalone log (never
     * told about leadership) appends as it always did; cluster mode calls {@link #resign} on a log it does not
     * lead (yet) and {@link #becomeLeader} when it does. Volatile only for {@link #isLeading} readers.
     */
    private volatile boolean leading = true;
    private volatile boolean epochCheckpointDirty;
    /** Follower only: the leader's high watermark capped at the log end; -1 before a first fetch. */
    private volatile long followerHighWatermark = -1L;
    /** Serialises writers of {@code leader-epoch-checkpoint} (flusher, maintenance, becomeLeader, close). */
    private final Object epochFileLock = new Object();

    PartitionLog(Path dir, String topic, int partition, Uuid topicId, LogConfig config, long producerIdExpirationMs,
                 OpenSegmentCache cache, Segment[] segments, long logStartOffset, long recoveryPoint,
                 ProducerStateTable producers, NavigableSet<Long> snapshotOffsets, LeaderEpochCache epochCache) {
        this.dir = dir;
        this.topic = topic;
        this.partition = partition;
        this.topicPartition = new TopicPartition(topic, partition);
        this.topicId = topicId;
        this.config = config;
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.cache = cache;
        this.segments = segments;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = segments[segments.length - 1].nextOffset();
        this.recoveryPoint = recoveryPoint;
        this.producers = producers;
        this.snapshots = new ProducerSnapshots(dir, topicPartition, producers, snapshotOffsets);
        this.epochCache = epochCache;
        // A log that already holds epochs keeps stamping the newest one until told otherwise, so the history
        // never goes backwards; a standalone log (no becomeLeader ever) stamps 0 as it always did.
        this.leaderEpoch = Math.max(0, epochCache.latestEpoch());
        this.reader = new LogReader(this);
        this.timestampLookup = new TimestampLookup(this);
        this.retention = new LogRetention(this);
        this.truncation = new LogTruncation(this);
        this.flusher = new PartitionFlush(this);
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    /** The partition directory. */
    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /**
     * Applies new topic settings: segment.bytes, segment.ms, retention and the flush policy from the
     * next call on; index.interval.bytes, segment.index.bytes and preallocate from the next segment.
     */
    public void updateConfig(LogConfig newConfig) {
        config = newConfig;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    /**
     * The high watermark: the offset below which every record is committed (consumer Fetch and ListOffsets LATEST
     * read up to it). A standalone or single-replica partition commits every append, so it is the log end offset,
     * exactly as before replication; a replicated partition's leader holds it explicitly
     * ({@link #holdHighWatermark}) and advances it as the in-sync followers catch up
     * ({@link #maybeIncrementHighWatermark}). Any thread; never above the log end offset.
     */
    public long highWatermark() {
        final long hw = heldHighWatermark;
        // Read the held value first: the log end only grows, except when a truncation cuts below it.
        return hw == HW_FOLLOWS_LOG_END ? logEndOffset : Math.min(hw, logEndOffset);
    }

    // ---------------------------------------------------------------------------------------------
    // High watermark of a replicated partition (leader side; Kafka's UnifiedLog.maybeIncrementHighWatermark)

    /** {@link #heldHighWatermark} value meaning "the log end offset": every append is committed at once. */
    private static final long HW_FOLLOWS_LOG_END = -1L;
    /**
     * The held high watermark, or {@link #HW_FOLLOWS_LOG_END}. Switched between the two modes under appendLock (no
     * append can move the log end meanwhile, so readers never see it go back); advanced under {@link #hwLock}.
     */
    private volatile long heldHighWatermark = HW_FOLLOWS_LOG_END;
    private final Object hwLock = new Object();

    /**
     * Stops committing every append at once: from now on the high watermark stays where it is until
     * {@link #maybeIncrementHighWatermark} moves it (the leader of a partition whose ISR has followers). The first
     * hold after start-up may pass the checkpointed value ({@code replication-offset-checkpoint}, Kafka keeps it in
     * the log); it is kept within [log start, log end] and, once the log has served reads, never below what they
     * saw. Already held: nothing changes.
     *
     * @param initial where to hold it, or a negative value for "where it is now" (the log end offset)
     */
    public void holdHighWatermark(long initial) {
        synchronized (appendLock) {
            synchronized (hwLock) {
                if (heldHighWatermark != HW_FOLLOWS_LOG_END) {
                    return;
                }
                final long end = logEndOffset;
                heldHighWatermark = initial < 0 ? end : Math.max(logStartOffset, Math.min(initial, end));
            }
        }
    }

    /**
     * Goes back to committing every append at once (the ISR is the leader alone and the leader waits for nobody):
     * the high watermark jumps to the log end offset, never backwards.
     */
    public void releaseHighWatermark() {
        synchronized (appendLock) {
            synchronized (hwLock) {
                heldHighWatermark = HW_FOLLOWS_LOG_END;
            }
        }
    }

    /** True while the high watermark is held (a replicated partition's leader), false while it is the log end. */
    public boolean highWatermarkHeld() {
        return heldHighWatermark != HW_FOLLOWS_LOG_END;
    }

    /**
     * Moves a held high watermark up to {@code candidate} (capped at the log end offset); it never goes back.
     *
     * @return true if it moved (the caller wakes the consumer long polls and acks=all waiters)
     */
    public boolean maybeIncrementHighWatermark(long candidate) {
        synchronized (hwLock) {
            final long hw = heldHighWatermark;
            if (hw == HW_FOLLOWS_LOG_END) {
                return false;
            }
            final long next = Math.min(candidate, logEndOffset);
            if (next <= hw) {
                return false;
            }
            heldHighWatermark = next;
            return true;
        }
    }

    /** Offsets below this are on stable storage (fsynced). */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    // ---------------------------------------------------------------------------------------------
    // Leader epochs (cluster mode; a standalone log never calls becomeLeader and stamps epoch 0)

    /**
     * This node leads the partition in {@code newLeaderEpoch} (the controller's partition leader epoch), as Kafka's
     * {@code Partition.makeLeader}: every batch appended from now on carries this epoch in its header, and the epoch
     * history gets (newLeaderEpoch, log end offset) at once, before any append, so OffsetForLeaderEpoch answers the
     * previous epoch's end correctly even while the new leader has written nothing. {@code leader-epoch-checkpoint}
     * is written (fsynced) before this returns, as Kafka flushes every assign; not a hot path. Calling it again with
     * the current epoch changes nothing.
     *
     * @throws IllegalArgumentException if {@code newLeaderEpoch} is negative or older than {@link #leaderEpoch()}
     * @throws IllegalStateException if the log is closed, deleted or offline
     * @throws UncheckedIOException if the checkpoint could not be written; the partition is then offline, as after
     *     any failed fsync
     */
    public void becomeLeader(int newLeaderEpoch) {
        if (newLeaderEpoch < 0) {
            throw new IllegalArgumentException("negative leader epoch: partition=" + topicPartition
                + ", leaderEpoch=" + newLeaderEpoch);
        }
        synchronized (appendLock) {
            if (state != STATE_OPEN) {
                throw new IllegalStateException("partition not open: partition=" + topicPartition + ", state="
                    + (state == STATE_OFFLINE ? "offline" : "closed"));
            }
            if (newLeaderEpoch < leaderEpoch) {
                throw new IllegalArgumentException("leader epoch older than the current one: partition="
                    + topicPartition + ", leaderEpoch=" + newLeaderEpoch + ", currentLeaderEpoch=" + leaderEpoch);
            }
            leaderEpoch = newLeaderEpoch;
            leading = true;
            if (epochCache.assign(newLeaderEpoch, logEndOffset)) {
                epochCheckpointDirty = true;
                LOG.info("Leader epoch assigned: partition={}, leaderEpoch={}, startOffset={}", topicPartition,
                    newLeaderEpoch, logEndOffset);
            }
        }
        try {
            writeLeaderEpochCheckpointIfDirty();
        } catch (IOException e) {
            markOffline("leader epoch checkpoint failed", e);
            throw new UncheckedIOException("writing leader-epoch-checkpoint failed: partition=" + topicPartition
                + ", dir=" + dir + ", leaderEpoch=" + newLeaderEpoch, e);
        }
    }

    /**
     * This node no longer leads the partition (Kafka's {@code Partition.makeFollower}, or the partition moved away):
     * every append from now on fails with NOT_LEADER_OR_FOLLOWER and writes nothing. Taken under the append lock,
     * so an append that holds it finishes first and one that a reactor started with a stale view of the partition
     * (it found this log before the metadata thread replaced the topic's partitions) is refused. Reads stay
     * possible; {@link #becomeLeader} leads again. Idempotent; any thread; not a hot path.
     */
    public void resign() {
        synchronized (appendLock) {
            if (leading) {
                leading = false;
                LOG.info("Resigned leadership: partition={}, leaderEpoch={}, logEndOffset={}", topicPartition,
                    leaderEpoch, logEndOffset);
            }
        }
    }

    /** False after {@link #resign} until the next {@link #becomeLeader}; true for a standalone log. */
    public boolean isLeading() {
        return leading;
    }

    /**
     * The leader epoch stamped into appended batches: the last {@link #becomeLeader} epoch, else the newest epoch
     * of the history loaded at start-up, else 0.
     */
    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** The newest epoch of the history, or -1 when the log holds none (empty and never led). */
    public int latestEpoch() {
        return epochCache.latestEpoch();
    }

    /**
     * OffsetForLeaderEpoch for this log (Kafka's {@code UnifiedLog.endOffsetForEpoch}): the largest epoch at or
     * below {@code requestedEpoch} and where it ended; the latest epoch ends at the log end offset; (-1, -1) when
     * unknown. See {@link LeaderEpochCache#endOffsetFor}. Any thread; allocates the small result.
     */
    public EpochEndOffset endOffsetForEpoch(int requestedEpoch) {
        return epochCache.endOffsetFor(requestedEpoch, logEndOffset);
    }

    /** The leader epoch history, oldest first (an immutable copy). */
    public List<EpochEntry> epochEntries() {
        return epochCache.entries();
    }

    /** The epoch that wrote {@code offset} per the history, or -1 if it lies before every entry. */
    public int epochForOffset(long offset) {
        return epochCache.epochForOffset(offset);
    }

    /** Offsets appended but not yet fsynced (Kafka's unflushedMessages). */
    public long unflushedMessages() {
        return logEndOffset - recoveryPoint;
    }

    /** False once the log is closed, deleted or taken offline by a failed fsync. */
    public boolean isOnline() {
        return state == STATE_OPEN;
    }

    /** True once the log is closed or deleted (reads answer NOT_LEADER_OR_FOLLOWER). */
    boolean isClosed() {
        return state == STATE_CLOSED;
    }

    /** The segments, oldest first (a snapshot: the array is replaced, never changed). */
    Segment[] segments() {
        return segments;
    }

    public int segmentCount() {
        return segments.length;
    }

    /** Base offsets of the segments, oldest first (tests, tools). */
    public long[] segmentBaseOffsets() {
        final Segment[] segs = segments;
        final long[] bases = new long[segs.length];
        for (int i = 0; i < segs.length; i++) {
            bases[i] = segs[i].baseOffset();
        }
        return bases;
    }

    /** Total bytes of the segments (what retention.bytes limits). */
    public long sizeInBytes() {
        long total = 0;
        for (Segment s : segments) {
            total += s.size();
        }
        return total;
    }

    /** Largest producer id this partition holds or held state for (the broker must not hand it out again). */
    public long largestProducerId() {
        synchronized (appendLock) {
            return producers.maxProducerIdSeen();
        }
    }

    /** Producer ids with state. */
    public int producerCount() {
        synchronized (appendLock) {
            return producers.size();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Append (reactor threads)

    /**
     * Appends one validated batch (docs/kafka-protocol-notes.md#idempotence): producer-state checks (duplicate
     * of one of the last 5 batches returns the original offsets and writes nothing; stale epoch;
     * sequence gap), offset assignment, roll if needed, one gather write of the patched header plus
     * payload at the segment's end, index entries, producer-state update. Returns when the write has
     * completed (the bytes are in the page cache), so the caller may release the receive memory.
     * An I/O failure leaves no partial batch in the file and reports KAFKA_STORAGE_ERROR.
     *
     * <p>Allocates nothing on success (the error paths build their message).
     */
    public void append(AppendBatch batch, long nowMs, AppendResult result) {
        result.reset();
        final ByteBuffer header = batch.header();
        final int batchSize = batch.sizeInBytes();
        final byte magic = header.get(RecordBatchLayout.MAGIC_OFFSET);
        final int lastOffsetDelta = header.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
        final int attributes = header.getShort(RecordBatchLayout.ATTRIBUTES_OFFSET);
        if (magic != RecordBatchLayout.MAGIC_V2 || batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD
                || batchSize - RecordBatchLayout.RECORD_BATCH_OVERHEAD != batch.payload().totalLength()
                || lastOffsetDelta < 0) {
            result.fail(INVALID_RECORD, "batch header does not match its payload: partition=" + topicPartition
                + ", magic=" + magic
                + ", batchSize=" + batchSize + ", payloadLength=" + batch.payload().totalLength()
                + ", lastOffsetDelta=" + lastOffsetDelta);
            return;
        }
        if ((attributes & (RecordBatchLayout.CONTROL_FLAG_MASK | RecordBatchLayout.TRANSACTIONAL_FLAG_MASK)) != 0) {
            // The log keeps no transaction state (no markers, no LSO); accepting such batches would
            // leave transactions open forever for read_committed consumers of these files.
            result.fail(INVALID_RECORD, "transactional and control batches are not supported: partition="
                + topicPartition + ", attributes=" + attributes);
            return;
        }
        final LogConfig cfg = config;
        if (batchSize > cfg.segmentBytes) {
            result.fail(RECORD_LIST_TOO_LARGE, "batch larger than segment.bytes: partition=" + topicPartition
                + ", batchSize=" + batchSize + ", segment.bytes=" + cfg.segmentBytes);
            return;
        }
        final long producerId = header.getLong(RecordBatchLayout.PRODUCER_ID_OFFSET);
        final short producerEpoch = header.getShort(RecordBatchLayout.PRODUCER_EPOCH_OFFSET);
        final int baseSequence = header.getInt(RecordBatchLayout.BASE_SEQUENCE_OFFSET);
        if (producerId >= 0 && baseSequence < 0) {
            result.fail(INVALID_RECORD, "idempotent batch without a sequence: partition=" + topicPartition
                + ", producerId=" + producerId + ", baseSequence=" + baseSequence);
            return;
        }
        final int lastSequence = baseSequence < 0 ? ProducerEntry.NO_SEQUENCE
            : ProducerEntry.incrementSequence(baseSequence, lastOffsetDelta);
        final long maxTimestamp = header.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);

        synchronized (appendLock) {
            if (state != STATE_OPEN) {
                failClosed(result);
                return;
            }
            if (!leading) {
                result.fail(NOT_LEADER_OR_FOLLOWER, "this broker is not the leader of partition " + topicPartition
                    + " (it resigned at leader epoch " + leaderEpoch + ")");
                return;
            }
            if (producerId >= 0) {
                final int verdict = producers.check(producerId, producerEpoch, baseSequence, lastSequence);
                if (verdict == ProducerStateTable.DUPLICATE) {
                    result.baseOffset = producers.duplicateBaseOffset();
                    result.duplicate = true;
                    result.logStartOffset = logStartOffset;
                    return;
                }
                if (verdict != ProducerStateTable.APPEND) {
                    failProducerState(verdict, producerId, producerEpoch, baseSequence, result);
                    return;
                }
            }
            final long firstOffset = logEndOffset;
            final long lastOffset = firstOffset + lastOffsetDelta;
            Segment segment = segments[segments.length - 1];
            try {
                // An empty segment is never rolled (nothing to seal; with a tiny segment.index.bytes the
                // time index counts as full from the start, and Kafka would recreate the same segment).
                if (segment.size() > 0 && segment.shouldRoll(batchSize, maxTimestamp, lastOffset, nowMs, cfg)) {
                    segment = roll(nowMs);
                }
            } catch (IOException e) {
                final String message = "segment roll failed: partition=" + topicPartition + ", dir=" + dir
                    + ", newBaseOffset=" + firstOffset + ": " + e;
                LOG.error(message);
                result.fail(KAFKA_STORAGE_ERROR, message);
                return;
            }
            try {
                // Index blocks for this batch's entries before anything is written: on a full disk
                // this is the ENOSPC (a store into an unbacked mapped page would be SIGBUS).
                segment.reserveIndexSpace();
            } catch (IOException e) {
                final String message = "index reservation failed: partition=" + topicPartition + ", dir=" + dir
                    + ", offset=" + firstOffset + ": " + e;
                LOG.error(message);
                result.fail(KAFKA_STORAGE_ERROR, message);
                return;
            }
            header.putLong(RecordBatchLayout.BASE_OFFSET_OFFSET, firstOffset);
            final int epoch = leaderEpoch;
            header.putInt(RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET, epoch);
            final int position = segment.size();
            final int errno = segment.append(batch, lastOffset, maxTimestamp, batchSize);
            if (errno != 0) {
                failWrite(segment, position, batchSize, errno, result);
                return;
            }
            if (producerId >= 0) {
                producers.update(producerId, producerEpoch, lastSequence, lastOffset, lastOffsetDelta, maxTimestamp);
            }
            // Kafka's UnifiedLog.append assigns (batch epoch, base offset); only the first batch of an epoch
            // changes the history (after becomeLeader the entry is there already), so this allocates once per
            // epoch. The file follows with the next flush, before the recovery point passes this offset
            // (no fsync under this lock), and recovery re-derives the entry from the batch otherwise.
            if (epochCache.latestEpoch() != epoch && epochCache.assign(epoch, firstOffset)) {
                epochCheckpointDirty = true;
            }
            flusher.onAppend(nowMs);
            logEndOffset = lastOffset + 1;
            result.errorCode = NONE;
            result.baseOffset = firstOffset;
            result.logStartOffset = logStartOffset;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Follower append (replica fetcher threads, cluster mode)

    /** Per fetcher thread: the header copy and payload ranges of the batch being written, and a direct copy area. */
    private static final ThreadLocal<AppendBatch> FOLLOWER_BATCH = ThreadLocal.withInitial(AppendBatch::new);
    private static final ThreadLocal<ByteBuffer[]> FOLLOWER_SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[1]);
    private static final short CORRUPT_MESSAGE = Errors.CORRUPT_MESSAGE.code();
    private static final short OFFSET_OUT_OF_RANGE = Errors.OFFSET_OUT_OF_RANGE.code();

    /**
     * Kafka's {@code UnifiedLog.appendAsFollower}: appends the leader's batches of one fetch response <em>as they
     * are</em> (base offsets, partition leader epochs, producer ids and sequences untouched: this log must end up
     * byte-identical to the leader's). {@code records} holds whole batches from its position to its limit; a
     * trailing partial batch (a fetch cut at its byte limit) is left for the next fetch. Each batch is checked as
     * Kafka's {@code analyzeAndValidateRecords} does for a follower (magic 2, length, CRC-32C, offsets increasing)
     * before anything is written; the first must start at or after this log's end offset and each next one after the
     * previous one (gaps are a compacted leader's, as in Kafka). Written with the same gather write as
     * {@link #append}, one batch at a time (rolls, indexes, producer state and the epoch history follow each batch;
     * producer sequences are recorded unchecked, as Kafka's replication origin does, so idempotence works once this
     * replica leads).
     *
     * <p>Result: NONE with {@code baseOffset} the first offset appended (-1 when nothing was whole);
     * CORRUPT_MESSAGE for a bad batch (nothing written); OFFSET_OUT_OF_RANGE when the first batch starts below
     * the log end (the fetcher's state is stale: it refetches from the log end); KAFKA_STORAGE_ERROR or
     * NOT_LEADER_OR_FOLLOWER (closed) as for {@link #append}. {@code records}' position is not changed. A heap buffer
     * is copied once into a per-thread direct buffer (the gather write needs native addresses).
     */
    public void appendAsFollower(ByteBuffer records, long nowMs, AppendResult result) {
        result.reset();
        final ByteBuffer buf = direct(records);
        final int start = buf.position();
        final int limit = buf.limit();
        // Validation pass: find the whole batches and check them before any byte is written.
        int end = start;
        long expectedBase = -1L;
        while (limit - end >= RecordBatchLayout.LOG_OVERHEAD) {
            final int batchSize = buf.getInt(end + RecordBatchLayout.BATCH_LENGTH_OFFSET)
                + RecordBatchLayout.LOG_OVERHEAD;
            if (batchSize < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
                result.fail(CORRUPT_MESSAGE, "record batch shorter than its header: partition=" + topicPartition
                    + ", position=" + (end - start) + ", batchSize=" + batchSize);
                return;
            }
            if (batchSize > limit - end) {
                break;
            }
            final String bad = checkFollowerBatch(buf, end, batchSize, expectedBase);
            if (bad != null) {
                result.fail(CORRUPT_MESSAGE, bad);
                return;
            }
            expectedBase = buf.getLong(end) + buf.getInt(end + RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET) + 1;
            end += batchSize;
        }
        if (end == start) {
            return;
        }
        final long address = Pointer.nativeValue(Native.getDirectBufferPointer(buf));
        final AppendBatch batch = FOLLOWER_BATCH.get();
        final ByteBuffer header = batch.header();
        synchronized (appendLock) {
            if (state != STATE_OPEN) {
                failClosed(result);
                return;
            }
            final long firstOffset = buf.getLong(start);
            if (firstOffset < logEndOffset) {
                // Kafka's UnexpectedAppendOffsetException rule: a batch may start past the log end (a compacted
                // leader's gap), never below it.
                result.fail(OFFSET_OUT_OF_RANGE, "leader's batch starts below the log end: partition="
                    + topicPartition + ", baseOffset=" + firstOffset + ", logEndOffset=" + logEndOffset);
                return;
            }
            for (int pos = start; pos < end; ) {
                final int batchSize = buf.getInt(pos + RecordBatchLayout.BATCH_LENGTH_OFFSET)
                    + RecordBatchLayout.LOG_OVERHEAD;
                for (int i = 0; i < AppendBatch.HEADER_LENGTH; i++) {
                    header.put(i, buf.get(pos + i));
                }
                batch.payload().clear();
                if (batchSize > AppendBatch.HEADER_LENGTH) {
                    batch.payload().add(address + pos + AppendBatch.HEADER_LENGTH,
                        batchSize - AppendBatch.HEADER_LENGTH);
                }
                if (!appendFollowerBatch(batch, batchSize, nowMs, result)) {
                    return;
                }
                pos += batchSize;
            }
            flusher.onAppend(nowMs);
            result.errorCode = NONE;
            result.baseOffset = firstOffset;
            result.logStartOffset = logStartOffset;
        }
    }

    /** One checked batch at the log end (append lock held); false, {@code result} failed, when not written. */
    private boolean appendFollowerBatch(AppendBatch batch, int batchSize, long nowMs, AppendResult result) {
        final ByteBuffer header = batch.header();
        final long base = header.getLong(RecordBatchLayout.BASE_OFFSET_OFFSET);
        final int lastOffsetDelta = header.getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
        final long lastOffset = base + lastOffsetDelta;
        final long maxTimestamp = header.getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET);
        final LogConfig cfg = config;
        Segment segment = segments[segments.length - 1];
        try {
            if (segment.size() > 0 && segment.shouldRoll(batchSize, maxTimestamp, lastOffset, nowMs, cfg)) {
                segment = roll(nowMs);
            }
            segment.reserveIndexSpace();
        } catch (IOException e) {
            final String message = "segment roll or index reservation failed: partition=" + topicPartition + ", dir="
                + dir + ", offset=" + base + ": " + e;
            LOG.error(message);
            result.fail(KAFKA_STORAGE_ERROR, message);
            return false;
        }
        final int position = segment.size();
        final int errno = segment.append(batch, lastOffset, maxTimestamp, batchSize);
        if (errno != 0) {
            failWrite(segment, position, batchSize, errno, result);
            return false;
        }
        final long producerId = header.getLong(RecordBatchLayout.PRODUCER_ID_OFFSET);
        if (producerId >= 0) {
            final int baseSequence = header.getInt(RecordBatchLayout.BASE_SEQUENCE_OFFSET);
            final int lastSequence = baseSequence < 0 ? ProducerEntry.NO_SEQUENCE
                : ProducerEntry.incrementSequence(baseSequence, lastOffsetDelta);
            producers.update(producerId, header.getShort(RecordBatchLayout.PRODUCER_EPOCH_OFFSET), lastSequence,
                lastOffset, lastOffsetDelta, maxTimestamp);
        }
        // The leader's epoch for these offsets (Kafka's assign on the follower): a new epoch starts at this batch.
        final int epoch = header.getInt(RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET);
        if (epochCache.assignFromBatch(epoch, base)) {
            epochCheckpointDirty = true;
        }
        if (epoch > leaderEpoch) {
            // Keeps "the stamped epoch is never older than the history" true; becomeLeader sets the next one.
            leaderEpoch = epoch;
        }
        logEndOffset = lastOffset + 1;
        return true;
    }

    /** Kafka's follower checks of one whole batch at {@code pos}; null when it is fine, else why not. */
    private String checkFollowerBatch(ByteBuffer buf, int pos, int batchSize, long expectedBase) {
        final byte magic = buf.get(pos + RecordBatchLayout.MAGIC_OFFSET);
        final long base = buf.getLong(pos + RecordBatchLayout.BASE_OFFSET_OFFSET);
        final int lastOffsetDelta = buf.getInt(pos + RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
        final int attributes = buf.getShort(pos + RecordBatchLayout.ATTRIBUTES_OFFSET);
        if (magic != RecordBatchLayout.MAGIC_V2 || lastOffsetDelta < 0 || base < 0) {
            return "invalid record batch from the leader: partition=" + topicPartition + ", baseOffset=" + base
                + ", magic=" + magic + ", lastOffsetDelta=" + lastOffsetDelta;
        }
        if (expectedBase >= 0 && base < expectedBase) {
            // Gaps are normal (the leader's log is compacted); going back is not (Kafka's follower rule).
            return "leader's batches overlap: partition=" + topicPartition + ", baseOffset=" + base
                + ", expected at least " + expectedBase;
        }
        if ((attributes & (RecordBatchLayout.CONTROL_FLAG_MASK | RecordBatchLayout.TRANSACTIONAL_FLAG_MASK)) != 0) {
            // As append: the log keeps no transaction state, so it cannot serve such batches once it leads.
            return "transactional and control batches are not supported: partition=" + topicPartition
                + ", baseOffset=" + base + ", attributes=" + attributes;
        }
        if (batchSize > config.segmentBytes) {
            return "batch larger than segment.bytes: partition=" + topicPartition + ", baseOffset=" + base
                + ", batchSize=" + batchSize + ", segment.bytes=" + config.segmentBytes;
        }
        final long stored = buf.getInt(pos + RecordBatchLayout.CRC_OFFSET) & 0xFFFFFFFFL;
        final CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(pos + batchSize).position(pos + RecordBatchLayout.ATTRIBUTES_OFFSET));
        if (crc.getValue() != stored) {
            return "record batch CRC mismatch: partition=" + topicPartition + ", baseOffset=" + base + ", stored="
                + stored + ", computed=" + crc.getValue();
        }
        return null;
    }

    /** {@code records} itself when direct, else a copy in the calling thread's direct scratch buffer. */
    private static ByteBuffer direct(ByteBuffer records) {
        if (records.isDirect()) {
            return records.duplicate().order(ByteOrder.BIG_ENDIAN);
        }
        final ByteBuffer[] holder = FOLLOWER_SCRATCH.get();
        ByteBuffer scratch = holder[0];
        if (scratch == null || scratch.capacity() < records.remaining()) {
            scratch = ByteBuffer.allocateDirect(Math.max(records.remaining(), 64 * 1024));
            holder[0] = scratch;
        }
        scratch.clear();
        scratch.put(records.duplicate());
        scratch.flip();
        return scratch.duplicate().order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * The follower's high watermark (Kafka's {@code Partition.updateFollowerFetchState} on the fetcher side): the
     * leader's high watermark from a fetch response, capped at this log's end offset (so a truncation that follows
     * is reflected by the next response). -1 until a first fetch answered. Called by the partition's one fetcher.
     */
    public void updateFollowerHighWatermark(long leaderHighWatermark) {
        followerHighWatermark = Math.min(leaderHighWatermark, logEndOffset);
    }

    /** See {@link #updateFollowerHighWatermark}. */
    public long followerHighWatermark() {
        return followerHighWatermark;
    }

    private void failClosed(AppendResult result) {
        if (state == STATE_OFFLINE) {
            result.fail(KAFKA_STORAGE_ERROR, "partition offline after a storage failure: partition=" + topicPartition
                + ", dir=" + dir);
        } else {
            result.fail(NOT_LEADER_OR_FOLLOWER, "partition closed or deleted: partition=" + topicPartition);
        }
    }

    private void failProducerState(int verdict, long producerId, short epoch, int baseSequence, AppendResult result) {
        final ProducerEntry entry = producers.entry(producerId);
        if (verdict == ProducerStateTable.INVALID_PRODUCER_EPOCH) {
            result.fail(INVALID_PRODUCER_EPOCH, "producer epoch is older than the last seen: partition="
                + topicPartition + ", producerId=" + producerId + ", epoch=" + epoch + ", lastEpoch=" + entry.epoch());
        } else {
            result.fail(OUT_OF_ORDER_SEQUENCE_NUMBER, "out of order sequence: partition=" + topicPartition
                + ", producerId=" + producerId + ", epoch=" + epoch + ", baseSequence=" + baseSequence
                + ", lastEpoch=" + entry.epoch() + ", lastSequence=" + entry.lastSequence());
        }
    }

    private void failWrite(Segment segment, int position, int batchSize, int errno, AppendResult result) {
        final String message = "segment write failed: file=" + segment.logFile() + ", position=" + position
            + ", batchSize=" + batchSize + ", written=" + Segment.lastWriteProgress() + ", errno=" + errno
            + " (" + Errno.name(errno) + ")";
        if (Errno.isBug(errno)) {
            // EFAULT/EINVAL: our addresses or descriptor were wrong, not the disk; never carry on.
            throw new IllegalStateException(message);
        }
        LOG.warn(message);
        result.fail(KAFKA_STORAGE_ERROR, message);
    }

    /**
     * Rolls to a new active segment starting at the log end offset (append lock held): create the
     * new files first (a failure changes nothing), then seal the old segment (final time-index
     * entry, trimmed indexes and log), publish, and take a producer snapshot named after the new
     * base offset (synced later by {@link #flush}).
     */
    private Segment roll(long nowMs) throws IOException {
        final Segment old = segments[segments.length - 1];
        final long newBase = logEndOffset;
        if (old.baseOffset() == newBase) {
            throw new IllegalStateException("roll of an empty segment: partition=" + topicPartition + ", baseOffset="
                + newBase);
        }
        final Segment next = Segment.create(dir, newBase, config, nowMs, cache);
        try {
            old.onBecomeInactive();
        } catch (IOException e) {
            LOG.warn("Sealing segment failed (its files stay untrimmed until recovery): partition={}, file={}: {}",
                topicPartition, old.logFile(), e.toString());
        }
        final Segment[] segs = Arrays.copyOf(segments, segments.length + 1);
        segs[segs.length - 1] = next;
        segments = segs;
        flusher.onRoll();
        snapshots.take(newBase, false);
        if (LOG.isInfoEnabled()) {
            LOG.info("Rolled segment: partition={}, newBaseOffset={}, previousSize={}", topicPartition, newBase,
                old.size());
        }
        return next;
    }

    // ---------------------------------------------------------------------------------------------
    // Reads (any thread): LogReader and TimestampLookup

    /**
     * Finds whole batches from the one holding {@code fetchOffset}, at most {@code maxBytes} of
     * them, as a region of one segment file (the rest of the data comes with the next fetch). With
     * {@code minOneBatch} the first batch is returned even if it is larger than {@code maxBytes}
     * (KIP-74). OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset]; an empty region at the
     * log end. The region's channel stays open until {@code out}'s next read or reset; to send from
     * it later, acquire {@link FetchRegion#segment}. A consumer's read: nothing at or past the
     * {@link #highWatermark} (an empty region between it and the log end, as Kafka's HIGH_WATERMARK isolation).
     */
    public void read(long fetchOffset, int maxBytes, boolean minOneBatch, FetchRegion out) {
        reader.read(fetchOffset, maxBytes, minOneBatch, false, out);
    }

    /**
     * A follower's read (Kafka's LOG_END isolation): as {@link #read}, but up to the log end offset, past the
     * high watermark; {@link FetchRegion#logEndOffset} is the log end the read was bounded by.
     */
    public void readForFollower(long fetchOffset, int maxBytes, boolean minOneBatch, FetchRegion out) {
        reader.read(fetchOffset, maxBytes, minOneBatch, true, out);
    }

    /**
     * ListOffsets for one partition (docs/kafka-protocol-notes.md#listoffsets): LATEST (-1) the log end offset,
     * EARLIEST (-2) the log start offset, MAX_TIMESTAMP (-3) the first record carrying the largest
     * timestamp, and for a timestamp &gt;= 0 the first record at or after the log start whose
     * timestamp is &gt;= it, found through the time index and a scan of that batch's records (as
     * Kafka's {@code LogSegment.findOffsetByTimestamp}). No match: offset and timestamp -1.
     * Allocates (reads one batch into the heap to walk its records); not a hot path.
     */
    public void offsetForTimestamp(long targetTimestamp, OffsetLookup out) {
        timestampLookup.offsetForTimestamp(targetTimestamp, out);
    }

    // ---------------------------------------------------------------------------------------------
    // Flush policy (flusher thread)

    /**
     * Whether an fsync is due now: a segment was rolled since the last flush (Kafka flushes every
     * rolled segment right after the roll, which keeps the recovery point moving with the default
     * flush settings), or the flush policy asks for one: at least {@code flush.messages} unflushed
     * offsets, or unflushed data older than {@code flush.ms}.
     */
    public boolean flushDue(long nowMs) {
        return flusher.flushDue(nowMs);
    }

    /**
     * Makes everything appended before this call durable: fdatasync of every segment holding
     * offsets at or above the recovery point (full fsync for segments sealed since the last flush),
     * msync of their indexes, fsync of producer snapshots written at rolls and of the directory when
     * segments were created; then advances the recovery point. Runs without the append lock, so
     * appends continue meanwhile. A failure takes the partition offline (a failed fsync may have
     * dropped dirty pages, so later writes cannot be trusted to be durable either).
     *
     * @return the new recovery point
     */
    public long flush() throws IOException {
        return flusher.flush();
    }

    /** Moves the recovery point up to {@code target} (after a flush); returns the recovery point. */
    long advanceRecoveryPoint(long target) {
        synchronized (appendLock) {
            if (target > recoveryPoint && target <= logEndOffset) {
                recoveryPoint = target;
            }
            return recoveryPoint;
        }
    }

    void markOffline(String what, Exception e) {
        synchronized (appendLock) {
            if (state == STATE_OPEN) {
                state = STATE_OFFLINE;
            }
        }
        LOG.error("Partition offline ({}): partition={}, dir={}: {}", what, topicPartition, dir, e.toString());
    }

    ProducerSnapshots snapshots() {
        return snapshots;
    }

    /**
     * Writes {@code leader-epoch-checkpoint} if the epoch history changed since it was last written. Writers are
     * serialised and each writes the history as it is when it starts (the cache's immutable snapshot, read after
     * clearing the flag), so a later change is never overwritten by an older one: it set the flag again and is
     * written by this or the next call. Never holds the append lock (the write fsyncs).
     */
    void writeLeaderEpochCheckpointIfDirty() throws IOException {
        synchronized (epochFileLock) {
            if (!epochCheckpointDirty) {
                return;
            }
            epochCheckpointDirty = false;
            final List<EpochEntry> entries = epochCache.entries();
            try {
                LeaderEpochCheckpointFile.write(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME), entries);
            } catch (IOException e) {
                epochCheckpointDirty = true;
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Retention and producer expiry (maintenance thread)

    /**
     * Kafka's retention (UnifiedLog.deleteOldSegments): whole segments, oldest first, while
     * {@code retention.bytes} is exceeded, then while a segment's largest timestamp is more than
     * {@code retention.ms} old. If every segment must go, the active one is rolled first so the log
     * keeps an (empty) active segment. The log start offset moves to the first remaining segment;
     * removed segments are renamed {@code .deleted} and their files deleted
     * {@code file.delete.delay.ms} later (readers may still be sending from them); their producer
     * snapshots go at once. Also deletes the files whose delay has passed. See {@link LogRetention}.
     *
     * @return the number of segments removed from the log now
     */
    public int deleteOldSegments(long nowMs) {
        return retention.deleteOldSegments(nowMs);
    }

    /**
     * Kafka's {@code UnifiedLog.maybeIncrementLogStartOffset}: moves the log start offset up to {@code newLogStart}
     * (DeleteRecords on a leader, or a follower taking its leader's log start). Offsets below it are gone for readers
     * at once (Fetch answers OFFSET_OUT_OF_RANGE, ListOffsets EARLIEST returns it); the epoch history is truncated
     * from the start, and the segments wholly below it are removed now (renamed {@code .deleted}, deleted
     * {@code file.delete.delay.ms} later), as retention would remove them at its next run. A value at or below
     * the current log start changes nothing. The new value reaches {@code log-start-offset-checkpoint} with the
     * next {@link LogManager#checkpoint} (the caller may run one at once); a log start inside the first segment is
     * what that file exists for.
     *
     * @param limit the highest allowed value: the high watermark for a leader (Kafka refuses more with
     *              OFFSET_OUT_OF_RANGE), the log end for a follower
     * @return true if the log start moved
     * @throws IllegalArgumentException if {@code newLogStart} is above {@code limit} or above the log end
     * @throws IllegalStateException if the log is closed, deleted or offline
     */
    public boolean maybeIncrementLogStartOffset(long newLogStart, long limit, long nowMs) {
        final boolean moved;
        synchronized (appendLock) {
            if (state != STATE_OPEN) {
                throw new IllegalStateException("partition not open: partition=" + topicPartition + ", state="
                    + (state == STATE_OFFLINE ? "offline" : "closed"));
            }
            if (newLogStart > limit || newLogStart > logEndOffset) {
                throw new IllegalArgumentException("Cannot increment the log start offset to " + newLogStart
                    + " of partition " + topicPartition + " since it is larger than the high watermark "
                    + Math.min(limit, logEndOffset));
            }
            moved = newLogStart > logStartOffset;
            if (moved) {
                logStartOffset = newLogStart;
                truncateEpochsToLogStart();
                try {
                    retention.deleteLogStartBreached(nowMs);
                } catch (IOException e) {
                    // The log start has moved (readers see it); the segments stay until retention's next run.
                    LOG.warn("Removing segments below the new log start failed: partition={}, logStartOffset={}: {}",
                        topicPartition, newLogStart, e.toString());
                }
            }
        }
        if (moved) {
            LOG.info("Incremented log start offset to {}: partition={}", newLogStart, topicPartition);
            delayedDeletes.deleteDue(nowMs, false);
        }
        return moved;
    }

    /**
     * Retention's change to the log (append lock held): removes the {@code count} oldest segments,
     * rolling first when every segment must go (Kafka keeps at least one), and moves the log start
     * offset to the first segment kept. Returns the removed segments, still open.
     */
    Segment[] removeOldestSegments(int count, long nowMs) throws IOException {
        Segment[] segs = segments;
        if (count == segs.length) {
            roll(nowMs);
            segs = segments;
        }
        final Segment[] doomed = Arrays.copyOfRange(segs, 0, count);
        final Segment[] kept = Arrays.copyOfRange(segs, count, segs.length);
        logStartOffset = Math.max(logStartOffset, kept[0].baseOffset());
        segments = kept;
        return doomed;
    }

    /**
     * Kafka's {@code truncateFromStart} of the epoch history after the log start moved (append lock held): the
     * epoch that wrote the new first offset starts there. The file follows with the next flush or checkpoint
     * (Kafka flushes this change asynchronously too); a crash before that is repaired by the loader, which
     * truncates the history to the log start again.
     */
    void truncateEpochsToLogStart() {
        if (epochCache.truncateFromStart(logStartOffset)) {
            epochCheckpointDirty = true;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Truncation (a follower whose log diverged)

    /**
     * Kafka's {@code UnifiedLog.truncateTo}: drops every batch holding offsets at or after {@code targetOffset} (a
     * batch that straddles it goes whole, so the log end may end up below it), with the segments above it (renamed
     * {@code .deleted}, deleted {@code file.delete.delay.ms} after {@code nowMs}), the producer snapshots above the
     * new log end (the producer state is rebuilt from the newest remaining one plus a replay) and the leader epoch
     * entries from there on. Below the first segment the log restarts empty at {@code targetOffset}. At or past the
     * log end nothing is dropped but epoch entries past the log end. See {@link LogTruncation}.
     *
     * @return true if batches were removed
     * @throws IllegalArgumentException if {@code targetOffset} is negative
     * @throws IllegalStateException if the log is closed, deleted or offline
     * @throws UncheckedIOException if a file operation failed; the partition is then offline
     */
    public boolean truncateTo(long targetOffset, long nowMs) {
        if (targetOffset < 0) {
            throw new IllegalArgumentException("negative truncation offset: partition=" + topicPartition
                + ", targetOffset=" + targetOffset);
        }
        synchronized (appendLock) {
            if (state != STATE_OPEN) {
                throw new IllegalStateException("partition not open: partition=" + topicPartition + ", state="
                    + (state == STATE_OFFLINE ? "offline" : "closed"));
            }
            try {
                return truncation.truncateTo(targetOffset, nowMs);
            } catch (IOException | RuntimeException e) {
                state = STATE_OFFLINE;
                LOG.error("Partition offline (truncation failed): partition={}, dir={}, targetOffset={}: {}",
                    topicPartition, dir, targetOffset, e.toString());
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new UncheckedIOException("truncation failed: partition=" + topicPartition + ", dir=" + dir
                    + ", targetOffset=" + targetOffset, (IOException) e);
            }
        }
    }

    /**
     * Kafka's {@code UnifiedLog.truncateFullyAndStartAt}: a follower whose log end lies below its leader's log start
     * drops everything and restarts empty at {@code newOffset} (see {@link LogTruncation#truncateFullyAndStartAt}).
     *
     * @throws IllegalArgumentException if {@code newOffset} is negative
     * @throws IllegalStateException if the log is closed, deleted or offline
     * @throws UncheckedIOException if a file operation failed; the partition is then offline
     */
    public void truncateFullyAndStartAt(long newOffset, long nowMs) {
        if (newOffset < 0) {
            throw new IllegalArgumentException("negative start offset: partition=" + topicPartition + ", newOffset="
                + newOffset);
        }
        synchronized (appendLock) {
            if (state != STATE_OPEN) {
                throw new IllegalStateException("partition not open: partition=" + topicPartition);
            }
            try {
                truncation.truncateFullyAndStartAt(newOffset, nowMs);
            } catch (IOException | RuntimeException e) {
                state = STATE_OFFLINE;
                LOG.error("Partition offline (truncation failed): partition={}, dir={}, newOffset={}: {}",
                    topicPartition, dir, newOffset, e.toString());
                throw new UncheckedIOException("full truncation failed: partition=" + topicPartition,
                    e instanceof IOException io ? io : new IOException(e));
            }
        }
    }

    /** Drops the whole epoch history (append lock held; a full truncation). */
    void clearEpochs() {
        if (epochCache.truncateFromEnd(0L)) {
            epochCheckpointDirty = true;
        }
    }

    /**
     * The truncation's change to the log (append lock held): the remaining segments (the last one active again),
     * the log end they end at, the recovery point and log start kept within it, the epoch history truncated from
     * the new end.
     */
    void replaceSegmentsAfterTruncation(Segment[] kept, long newLogStart) {
        segments = kept;
        final long end = kept[kept.length - 1].nextOffset();
        logStartOffset = newLogStart;
        recoveryPoint = Math.min(recoveryPoint, end);
        // Readers check offsets against the log end: publish it after the segments.
        logEndOffset = end;
        if (epochCache.truncateFromEnd(end)) {
            epochCheckpointDirty = true;
        }
        flusher.onTruncate();
    }

    /** Kafka's truncateFromEnd(log end) of the epoch history, when a truncation finds nothing to cut (lock held). */
    void truncateEpochsToLogEnd() {
        if (epochCache.truncateFromEnd(logEndOffset)) {
            epochCheckpointDirty = true;
        }
    }

    ProducerStateTable producers() {
        return producers;
    }

    long producerIdExpirationMs() {
        return producerIdExpirationMs;
    }

    OpenSegmentCache openSegmentCache() {
        return cache;
    }

    /** Deletes the producer snapshot at {@code offset} if there is one (append lock held). */
    void deleteSnapshot(long offset) {
        snapshots.delete(offset);
    }

    DelayedSegmentDeletes delayedDeletes() {
        return delayedDeletes;
    }

    /** Drops producers idle for producer.id.expiration.ms; returns how many. */
    public int removeExpiredProducers(long nowMs) {
        synchronized (appendLock) {
            return producers.removeExpired(nowMs, producerIdExpirationMs);
        }
    }

    /** A copy of every producer's state (DescribeProducers), by producer id. */
    public List<ActiveProducer> activeProducers() {
        synchronized (appendLock) {
            return producers.activeProducers();
        }
    }

    /** The live state of one producer (tests; read it on the test thread only); null if none. */
    ProducerEntry producerEntry(long producerId) {
        synchronized (appendLock) {
            return producers.entry(producerId);
        }
    }

    /** Offsets of the producer snapshots on disk (tests). */
    long[] snapshotOffsets() {
        synchronized (appendLock) {
            return snapshots.offsets();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Log cleaner support (the cleaner threads of io.zcrx.ingest.log.cleaner; see SegmentSwap)

    /** The inactive segments, oldest first, as they are now (the active segment is never cleaned). */
    public List<CleanableSegment> cleanableSegments() {
        final Segment[] segs = segments;
        final List<CleanableSegment> out = new ArrayList<>(segs.length - 1);
        for (int i = 0; i < segs.length - 1; i++) {
            out.add(new CleanableSegment(segs[i]));
        }
        return out;
    }

    /** Base offset of the active segment: the first offset the cleaner may never touch. */
    public long activeSegmentBaseOffset() {
        final Segment[] segs = segments;
        return segs[segs.length - 1].baseOffset();
    }

    /**
     * Producer id to the last offset of its newest batch, for every producer with state (Kafka's
     * {@code lastRecordsOfActiveProducers}): the cleaner keeps those batches (empty if need be), so the sequence
     * checks and a reload from the log still find each producer's last sequence.
     */
    public Map<Long, Long> lastDataOffsetsOfActiveProducers() {
        synchronized (appendLock) {
            return producers.lastDataOffsets();
        }
    }

    /** A new, empty {@code <baseOffset>.log.cleaned} (with indexes) in this partition's directory. */
    public CleanedSegment createCleanedSegment(long baseOffset) throws IOException {
        return CleanedSegment.create(dir, baseOffset, config);
    }

    /**
     * Swaps {@code cleaned} (sealed) in for {@code old}, a contiguous group of inactive segments starting at its base
     * offset, crash-safely ({@link SegmentSwap}). False, and the cleaned files deleted, when the log no longer holds
     * exactly those segments (retention, truncation or a close came first).
     *
     * @throws IOException a rename failed; the partition is then offline and the loader repairs the files
     */
    public boolean replaceSegments(CleanedSegment cleaned, List<CleanableSegment> old, long nowMs)
            throws IOException {
        return SegmentSwap.replace(this, cleaned, old, nowMs);
    }

    /** The swap's new segment array (append lock held). */
    void replaceSegmentArray(Segment[] next) {
        segments = next;
    }

    // ---------------------------------------------------------------------------------------------
    // Topic id, close, delete

    /** Records the topic id of a directory that had none (written atomically). */
    void recordTopicId(Uuid id) throws IOException {
        PartitionMetadataFile.write(dir.resolve(PartitionMetadataFile.FILE_NAME), id);
        topicId = id;
    }

    /**
     * Clean shutdown of this partition (docs/kafka-protocol-notes.md#recovery-and-clean-shutdown): final time-index
     * entry, trimmed indexes and log, fsync of every segment holding unflushed data, producer snapshot at the log
     * end offset, leader-epoch checkpoint, handles released, removed segments' files deleted.
     *
     * @return true if everything reached the disk (the caller may then mark the shutdown clean)
     */
    boolean close() {
        boolean clean = true;
        synchronized (appendLock) {
            if (state == STATE_CLOSED) {
                return true;
            }
            clean = state == STATE_OPEN;
            state = STATE_CLOSED;
            final long end = logEndOffset;
            for (Segment s : segments) {
                try {
                    if (s.isActive() || s.nextOffset() > recoveryPoint || s.sealedUnsynced()) {
                        s.closeClean();
                    } else {
                        s.close();
                    }
                } catch (IOException e) {
                    clean = false;
                    LOG.error("Closing segment failed: partition={}, file={}: {}", topicPartition, s.logFile(),
                        e.toString());
                    s.close();
                }
            }
            if (clean) {
                recoveryPoint = end;
                // Kafka's takeSnapshot: only when the state moved past the newest snapshot.
                if (end > snapshots.newest(logStartOffset)) {
                    snapshots.take(end, true);
                }
                clean &= snapshots.syncUnsynced();
                try {
                    AtomicFiles.fsyncDirectory(dir);
                } catch (IOException e) {
                    clean = false;
                    LOG.error("Syncing partition directory failed: dir={}: {}", dir, e.toString());
                }
            }
        }
        try {
            writeLeaderEpochCheckpointIfDirty();
        } catch (IOException e) {
            clean = false;
            LOG.error("Writing leader epoch checkpoint failed: partition={}: {}", topicPartition, e.toString());
        }
        delayedDeletes.deleteDue(0, true);
        return clean;
    }

    /**
     * Releases every handle without trimming, syncing or snapshotting: the files stay as a killed
     * process would leave them (tests use it to simulate a crash).
     */
    void abandon() {
        synchronized (appendLock) {
            state = STATE_CLOSED;
            for (Segment s : segments) {
                s.close();
            }
            delayedDeletes.closeAll();
        }
    }

    /**
     * Deletes the partition (DeleteTopics): closes it, renames the directory to
     * {@code <topic>-<partition>.<uuid>-delete} (an atomic step that survives a crash; the loader
     * finishes the deletion), then removes it.
     */
    void delete() throws IOException {
        synchronized (appendLock) {
            state = STATE_CLOSED;
            for (Segment s : segments) {
                s.close();
            }
        }
        delayedDeletes.deleteDue(0, true);
        final Path parent = dir.toAbsolutePath().getParent();
        final Path doomed = parent.resolve(dir.getFileName() + "." + Uuid.randomUuid().toString().replace("-", "")
            .replace("_", "") + LogFiles.DELETE_DIR_SUFFIX);
        Files.move(dir, doomed);
        AtomicFiles.fsyncDirectory(parent);
        LogFiles.deleteRecursively(doomed);
        LOG.info("Deleted partition: partition={}, dir={}", topicPartition, dir);
    }

    /** Test seam: swaps the active segment's append descriptor (see {@link Segment#reopenWriteFdForTest}). */
    void reopenActiveWriteFdForTest(boolean readOnly) throws IOException {
        synchronized (appendLock) {
            segments[segments.length - 1].reopenWriteFdForTest(readOnly);
        }
    }

    Segment[] segmentsForTest() {
        return segments;
    }

    /** Invariants of the whole log; tests call it under {@code assert} after every mutation. */
    public boolean checkInvariants() {
        synchronized (appendLock) {
            final Segment[] segs = segments;
            if (segs.length == 0) {
                throw new IllegalStateException("log without segments: partition=" + topicPartition);
            }
            final long start = logStartOffset;
            final long end = logEndOffset;
            final long rp = recoveryPoint;
            if (start < segs[0].baseOffset() || start > end || rp > end || rp < 0) {
                throw new IllegalStateException("log offsets out of order: partition=" + topicPartition + ", firstBase="
                    + segs[0].baseOffset() + ", logStartOffset=" + start + ", recoveryPoint=" + rp + ", logEndOffset="
                    + end);
            }
            if (segs[segs.length - 1].nextOffset() != end) {
                throw new IllegalStateException("log end offset differs from the active segment: partition="
                    + topicPartition
                    + ", logEndOffset=" + end + ", activeNextOffset=" + segs[segs.length - 1].nextOffset());
            }
            for (int i = 0; i < segs.length; i++) {
                final Segment s = segs[i];
                if (i + 1 < segs.length && s.nextOffset() > segs[i + 1].baseOffset()) {
                    throw new IllegalStateException("segments overlap: partition=" + topicPartition + ", segment=" + s
                        + ", next=" + segs[i + 1]);
                }
                if (state == STATE_OPEN && s.isActive() != (i == segs.length - 1)) {
                    throw new IllegalStateException("only the last segment may be active: partition=" + topicPartition
                        + ", segment=" + s + ", index=" + i + ", count=" + segs.length);
                }
                try {
                    s.checkInvariants();
                } catch (IOException e) {
                    throw new IllegalStateException("segment check failed: " + s + ": " + e, e);
                }
            }
            final List<EpochEntry> epochs = epochCache.entries();
            for (int i = 0; i < epochs.size(); i++) {
                final EpochEntry e = epochs.get(i);
                if (e.startOffset() < start || e.startOffset() > end || (i > 0 && (e.epoch()
                        <= epochs.get(i - 1).epoch() || e.startOffset() <= epochs.get(i - 1).startOffset()))) {
                    throw new IllegalStateException("leader epoch history out of order or outside the log: partition="
                        + topicPartition + ", entries=" + epochs + ", logStartOffset=" + start + ", logEndOffset="
                        + end);
                }
            }
            if (leaderEpoch < epochCache.latestEpoch()) {
                throw new IllegalStateException("stamping an epoch older than the history's latest: partition="
                    + topicPartition + ", leaderEpoch=" + leaderEpoch + ", latestEpoch=" + epochCache.latestEpoch());
            }
            snapshots.checkNotBeyond(end);
            return producers.checkInvariants();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", logStartOffset=" + logStartOffset + ", logEndOffset="
            + logEndOffset + ", recoveryPoint=" + recoveryPoint + ", segments=" + segments.length + ")";
    }
}
