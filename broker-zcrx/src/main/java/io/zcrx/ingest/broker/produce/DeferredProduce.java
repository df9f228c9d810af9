package io.zcrx.ingest.broker.produce;

import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.transport.outbound.OutboundQueue;
import io.zcrx.ingest.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.protocol.Errors;

/**
 * A Produce response waiting for fsyncs (group commit, {@code flush.messages}): the whole response
 * frame, encoded as a success when the request was handled (the request frame, whose topic names it
 * copies, is released right after), plus for each partition that must be durable first its log,
 * the last offset of the batch, and where its ErrorCode sits in the frame.
 *
 * <pre>
 *   frame:  [size | header | ... | Index, ErrorCode, BaseOffset, LogAppendTimeMs, LogStartOffset | ...]
 *                                        ^ errorIndexes[i]: patched in place when slot i's fsync failed
 * </pre>
 *
 * <p>A slot is durable once its partition's recovery point has passed {@code lastOffsets[i]} (the
 * flusher moves it only after an fsync that began after the append); it has failed when the
 * partition went offline (a failed fsync) or was deleted first. Failure turns the slot into
 * KAFKA_STORAGE_ERROR with offsets -1, which keeps the frame's length (ErrorMessage stays null). In cluster mode a
 * slot still waiting when this broker lost its leadership lease, or whose log resigned, becomes
 * NOT_LEADER_OR_FOLLOWER instead, as Kafka's {@code DelayedProduce} answers when the partition's leader changed
 * before the acks were satisfied: nothing is acknowledged that a new leader may not have.
 *
 * <p>Pooled per reactor by {@link DurableAcks}: reused once written to the outbound queue, so the
 * deferred path allocates nothing per request but the connection's {@link PendingResponse}. Reactor
 * thread only.
 */
final class DeferredProduce implements ResponseWriter {
    private static final short KAFKA_STORAGE_ERROR = Errors.KAFKA_STORAGE_ERROR.code();
    private static final short NOT_LEADER_OR_FOLLOWER = Errors.NOT_LEADER_OR_FOLLOWER.code();
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
    private int count;
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
        pending = null;
        view.clear().limit(frameLength);
        return view;
    }

    void addSlot(PartitionLog log, long lastOffset, int errorIndex) {
        if (count == logs.length) {
            logs = Arrays.copyOf(logs, count * 2);
            lastOffsets = Arrays.copyOf(lastOffsets, count * 2);
            errorIndexes = Arrays.copyOf(errorIndexes, count * 2);
        }
        if (errorIndex < 4 || errorIndex + LOG_START_OFFSET_DELTA > length) {
            throw new IllegalStateException("produce slot error index outside the frame: errorIndex=" + errorIndex
                + ", length=" + length);
        }
        logs[count] = log;
        lastOffsets[count] = lastOffset;
        errorIndexes[count] = errorIndex;
        count++;
    }

    int slotCount() {
        return count;
    }

    /** {@link #settle(boolean)} for a broker that may lead (standalone). */
    boolean settle() {
        return settle(true);
    }

    /**
     * True once every slot is durable or has failed (failed slots patched); false while one still
     * waits for a flush.
     *
     * @param mayLead whether this broker still holds its leadership lease ({@code ClusterState.mayLead}); when it
     *                does not, every slot not yet settled is NOT_LEADER_OR_FOLLOWER
     */
    boolean settle(boolean mayLead) {
        for (int i = 0; i < count; i++) {
            final PartitionLog log = logs[i];
            if (log == null) {
                continue;
            }
            if (!mayLead || !log.isLeading()) {
                fail(errorIndexes[i], NOT_LEADER_OR_FOLLOWER);
                logs[i] = null;
                continue;
            }
            if (log.recoveryPoint() > lastOffsets[i]) {
                logs[i] = null;
                continue;
            }
            if (!log.isOnline()) {
                fail(errorIndexes[i], KAFKA_STORAGE_ERROR);
                logs[i] = null;
                continue;
            }
            return false;
        }
        return true;
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
