package io.zcrx.ingest.broker.produce;

import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.protocol.Errors;

/**
 * A Produce response waiting for fsyncs (group commit, {@code flush.messages}) or for replication (acks=all on a
 * replicated partition: Kafka's {@code DelayedProduce}): the whole response
 * frame, encoded as a success when the request was handled (the request frame, whose topic names it
 * copies, is released right after), plus for each partition that must be durable first its log,
 * the last offset of the batch, and where its ErrorCode sits in the frame.
 *
 * <pre>
 *   frame:  [size | header | ... | Index, ErrorCode, BaseOffset, LogAppendTimeMs, LogStartOffset | ...]
 *                                        ^ errorIndexes[i]: patched in place when slot i's fsync failed
 * </pre>
 *
 * <p>A slot waits for one or both of two things. <em>Flush</em>: it is durable once its partition's recovery point
 * has passed {@code lastOffsets[i]} (the
 * flusher moves it only after an fsync that began after the append); it has failed when the
 * partition went offline (a failed fsync) or was deleted first. Failure turns the slot into
 * KAFKA_STORAGE_ERROR with offsets -1, which keeps the frame's length (ErrorMessage stays null). In cluster mode a
 * slot still waiting when this broker lost its leadership lease, or whose log resigned, becomes
 * NOT_LEADER_OR_FOLLOWER instead, as Kafka's {@code DelayedProduce} answers when the partition's leader changed
 * before the acks were satisfied: nothing is acknowledged that a new leader may not have. <em>Replication</em>: it is
 * committed once the partition's high watermark has passed {@code lastOffsets[i]} (every in-sync replica has the
 * batch); it then answers NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR has meanwhile fallen under
 * {@code min.insync.replicas} (Kafka's {@code Partition.checkEnoughReplicasReachOffset}), and REQUEST_TIMED_OUT if
 * the request's TimeoutMs passes first (Kafka's {@code DelayedProduce.onExpire}). Either way the batch stays in the
 * leader's log: the producer retries, and idempotence turns the retry into a duplicate answer.
 *
 * <p>Pooled per reactor by {@link DurableAcks}: reused once written to the outbound queue, so the
 * deferred path allocates nothing per request but the connection's {@link PendingResponse}. Reactor
 * thread only.
 */
final class DeferredProduce implements ResponseWriter {
    private static final short KAFKA_STORAGE_ERROR = Errors.KAFKA_STORAGE_ERROR.code();
    private static final short NOT_LEADER_OR_FOLLOWER = Errors.NOT_LEADER_OR_FOLLOWER.code();
    private static final short REQUEST_TIMED_OUT = Errors.REQUEST_TIMED_OUT.code();
    private static final short NOT_ENOUGH_REPLICAS_AFTER_APPEND = Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND.code();
    /** Slot waits: for an fsync past the batch, for the high watermark past the batch. */
    static final byte WAIT_FLUSH = 1;
    static final byte WAIT_REPLICATION = 2;
    /** ErrorCode INT16, then BaseOffset, LogAppendTimeMs and (v5+) LogStartOffset, INT64 each. */
    private static final int BASE_OFFSET_DELTA = 2;
    private static final int LOG_APPEND_TIME_DELTA = BASE_OFFSET_DELTA + 8;
    private static final int LOG_START_OFFSET_DELTA = LOG_APPEND_TIME_DELTA + 8;

    private final DurableAcks owner;
    private byte[] frame = new byte[512];
    private ByteBuffer view = ByteBuffer.wrap(frame);
    private int length;
    private short version;
    private PartitionLog[] logs = new PartitionLog[8];
    private long[] lastOffsets = new long[8];
    private int[] errorIndexes = new int[8];
    private byte[] waits = new byte[8];
    private int count;
    /** System.nanoTime() after which slots still waiting for replication time out; meaningful with such slots. */
    private long deadlineNanos;
    PendingResponse pending;

    DeferredProduce(DurableAcks owner) {
        this.owner = owner;
    }

    /** A big-endian view of exactly {@code frameLength} bytes to encode the response into. */
    ByteBuffer begin(int frameLength, short apiVersion) {
        if (frameLength > frame.length) {
            frame = new byte[Math.max(frameLength, frame.length * 2)];
            view = ByteBuffer.wrap(frame);
        }
        length = frameLength;
        version = apiVersion;
        count = 0;
        deadlineNanos = Long.MAX_VALUE;
        pending = null;
        view.clear().limit(frameLength);
        return view;
    }

    /** A slot that waits for an fsync only. */
    void addSlot(PartitionLog log, long lastOffset, int errorIndex) {
        addSlot(log, lastOffset, errorIndex, WAIT_FLUSH);
    }

    /**
     * @param waitFor {@link #WAIT_FLUSH}, {@link #WAIT_REPLICATION} or both
     */
    void addSlot(PartitionLog log, long lastOffset, int errorIndex, byte waitFor) {
        if (count == logs.length) {
            logs = Arrays.copyOf(logs, count * 2);
            lastOffsets = Arrays.copyOf(lastOffsets, count * 2);
            errorIndexes = Arrays.copyOf(errorIndexes, count * 2);
            waits = Arrays.copyOf(waits, count * 2);
        }
        if (waitFor == 0 || (waitFor & ~(WAIT_FLUSH | WAIT_REPLICATION)) != 0) {
            throw new IllegalArgumentException("produce slot waits for nothing known: waitFor=" + waitFor);
        }
        if (errorIndex < 4 || errorIndex + LOG_START_OFFSET_DELTA > length) {
            throw new IllegalStateException("produce slot error index outside the frame: errorIndex=" + errorIndex
                + ", length=" + length);
        }
        logs[count] = log;
        lastOffsets[count] = lastOffset;
        errorIndexes[count] = errorIndex;
        waits[count] = waitFor;
        count++;
    }

    /**
     * Replication slots still waiting at {@code deadline} (System.nanoTime(); {@link Long#MAX_VALUE} is reserved
     * for "none") answer REQUEST_TIMED_OUT.
     */
    void deadline(long deadline) {
        deadlineNanos = deadline;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    /** True while a slot waits for a high watermark (the response has a deadline). */
    boolean awaitsReplication() {
        for (int i = 0; i < count; i++) {
            if (logs[i] != null && (waits[i] & WAIT_REPLICATION) != 0) {
                return true;
            }
        }
        return false;
    }

    int slotCount() {
        return count;
    }

    /** {@link #settle(boolean)} for a broker that may lead (standalone). */
    boolean settle() {
        return settle(true);
    }

    /** {@link #settle(boolean, long, LeaderPartitions)} for slots that wait for fsyncs only. */
    boolean settle(boolean mayLead) {
        return settle(mayLead, System.nanoTime(), null);
    }

    /**
     * True once every slot is settled: durable and committed as it needed, or failed (failed slots patched); false
     * while one still waits.
     *
     * @param mayLead  whether this broker still holds its leadership lease ({@code ClusterState.mayLead}); when it
     *                 does not, every slot not yet settled is NOT_LEADER_OR_FOLLOWER
     * @param nowNanos System.nanoTime(): replication slots still waiting past the deadline time out
     * @param replicas the leader side of replication (the ISR check after the high watermark passed), null when no
     *                 slot waits for replication
     */
    boolean settle(boolean mayLead, long nowNanos, LeaderPartitions replicas) {
        final boolean expired = deadlineNanos != Long.MAX_VALUE && nowNanos - deadlineNanos >= 0;
        boolean settled = true;
        for (int i = 0; i < count; i++) {
            final PartitionLog log = logs[i];
            if (log == null) {
                continue;
            }
            // The high watermark is read before the leadership: a resigning leader's log stops leading (a
            // volatile write) before its high watermark is released to the log end, so a high watermark read
            // here that passed the batch only because of that release is always followed by "not leading".
            final long highWatermark = log.highWatermark();
            if (!mayLead || !log.isLeading()) {
                settleAs(i, NOT_LEADER_OR_FOLLOWER);
                continue;
            }
            final long last = lastOffsets[i];
            final boolean flushed = (waits[i] & WAIT_FLUSH) == 0 || log.recoveryPoint() > last;
            if (!flushed && !log.isOnline()) {
                settleAs(i, KAFKA_STORAGE_ERROR);
                continue;
            }
            final boolean replicating = (waits[i] & WAIT_REPLICATION) != 0;
            final boolean committed = !replicating || highWatermark > last;
            if (replicating && !committed && expired) {
                settleAs(i, REQUEST_TIMED_OUT);
                continue;
            }
            if (!flushed || !committed) {
                settled = false;
                continue;
            }
            if (replicating && replicas != null && replicas.minIsrShortfall(log) > 0) {
                settleAs(i, NOT_ENOUGH_REPLICAS_AFTER_APPEND);
                continue;
            }
            logs[i] = null;
        }
        return settled;
    }

    /** The error code of slot {@code i}, 0 while it waits or succeeded (tests). */
    short errorCode(int i) {
        return view.getShort(errorIndexes[i]);
    }

    private void settleAs(int i, short errorCode) {
        fail(errorIndexes[i], errorCode);
        logs[i] = null;
    }

    private void fail(int at, short errorCode) {
        view.putShort(at, errorCode);
        view.putLong(at + BASE_OFFSET_DELTA, -1L);
        view.putLong(at + LOG_APPEND_TIME_DELTA, -1L);
        if (version >= 5) {
            view.putLong(at + LOG_START_OFFSET_DELTA, -1L);
        }
    }

    /** Drops the log references so a pooled instance keeps no partition alive. */
    void clear() {
        Arrays.fill(logs, 0, count, null);
        count = 0;
        pending = null;
    }

    /** The encoded frame as it stands (size prefix included); tests. */
    ByteBuffer frame() {
        return ByteBuffer.wrap(frame, 0, length).slice();
    }

    @Override
    public void writeTo(OutboundQueue out) {
        view.limit(length).position(0);
        out.write(view);
        owner.recycle(this);
    }
}
