package io.zcrx.ingest.protocol.produce;

import java.util.Arrays;

/**
 * Per-partition outcome of a Produce request, slot-aligned with {@link ProduceRequestView}'s
 * partition slots: error code, base offset, log append time, log start offset, and (rarely) an
 * error message and the index of the record that failed validation (RecordErrors, v8+), and for a
 * partition not led here the leader to go to instead (KIP-951: CurrentLeader per partition and the
 * leaders' NodeEndpoints, v10+), so the Java producer redirects without a Metadata round trip.
 *
 * <p>An error slot reports BaseOffset, LogAppendTimeMs and LogStartOffset as -1, as the real
 * broker does (docs/kafka-protocol-notes.md#response-rules). Every slot must be set before the
 * response is encoded; the encoder refuses an unset one.
 *
 * Reused per connection. Not thread-safe.
 */
public final class ProduceResults {
    private static final byte UNSET = 0;
    private static final byte SUCCESS = 1;
    private static final byte ERROR = 2;

    private int count;
    private byte[] states = new byte[16];
    private short[] errorCodes = new short[16];
    private long[] baseOffsets = new long[16];
    private long[] logAppendTimesMs = new long[16];
    private long[] logStartOffsets = new long[16];
    private String[] errorMessages = new String[16];
    private int[] recordIndexes = new int[16];
    /** KIP-951 CurrentLeader per slot; -1/-1 (the schema's default: not written) unless set. */
    private int[] leaderIds = new int[16];
    private int[] leaderEpochs = new int[16];
    /** Set when some slot carries a CurrentLeader: the success path never looks further. */
    private boolean anyCurrentLeader;
    private int endpointCount;
    private int[] endpointIds = new int[4];
    private String[] endpointHosts = new String[4];
    private int[] endpointPorts = new int[4];
    private String[] endpointRacks = new String[4];

    /** Prepares {@code partitionCount} slots, all unset. */
    public void reset(int partitionCount) {
        if (partitionCount < 0) {
            throw new IllegalArgumentException("partitionCount must be >= 0: partitionCount=" + partitionCount);
        }
        if (partitionCount > states.length) {
            final int n = Math.max(partitionCount, states.length * 2);
            states = new byte[n];
            errorCodes = new short[n];
            baseOffsets = new long[n];
            logAppendTimesMs = new long[n];
            logStartOffsets = new long[n];
            errorMessages = new String[n];
            recordIndexes = new int[n];
            leaderIds = new int[n];
            leaderEpochs = new int[n];
        } else {
            Arrays.fill(states, 0, count, UNSET);
            // Drop the previous request's messages so they are not kept alive.
            Arrays.fill(errorMessages, 0, count, null);
        }
        if (anyCurrentLeader || endpointCount > 0) {
            Arrays.fill(endpointHosts, 0, endpointCount, null);
            Arrays.fill(endpointRacks, 0, endpointCount, null);
            endpointCount = 0;
            anyCurrentLeader = false;
        }
        count = partitionCount;
    }

    /** Number of slots prepared by {@link #reset}. */
    public int count() {
        return count;
    }

    public void setSuccess(int slot, long baseOffset, long logAppendTimeMs, long logStartOffset) {
        checkSlot(slot);
        states[slot] = SUCCESS;
        errorCodes[slot] = 0;
        baseOffsets[slot] = baseOffset;
        logAppendTimesMs[slot] = logAppendTimeMs;
        logStartOffsets[slot] = logStartOffset;
        errorMessages[slot] = null;
        recordIndexes[slot] = -1;
        leaderIds[slot] = -1;
        leaderEpochs[slot] = -1;
    }

    /**
     * @param errorMessage    null or a message for ErrorMessage (v8+)
     * @param recordIndex     -1, or the index of the record at fault (RecordErrors, v8+)
     */
    public void setError(int slot, short errorCode, String errorMessage, int recordIndex) {
        checkSlot(slot);
        if (errorCode == 0) {
            throw new IllegalArgumentException("setError needs a non-zero error code: slot=" + slot);
        }
        if (recordIndex < -1) {
            throw new IllegalArgumentException("recordIndex must be >= -1: slot=" + slot
                + ", recordIndex=" + recordIndex);
        }
        states[slot] = ERROR;
        errorCodes[slot] = errorCode;
        baseOffsets[slot] = -1L;
        logAppendTimesMs[slot] = -1L;
        logStartOffsets[slot] = -1L;
        errorMessages[slot] = errorMessage;
        recordIndexes[slot] = recordIndex;
        leaderIds[slot] = -1;
        leaderEpochs[slot] = -1;
    }

    /**
     * KIP-951: after {@link #setError} (NOT_LEADER_OR_FOLLOWER), the partition's current leader and
     * leader epoch as this broker knows them (v10+ CurrentLeader; older versions drop it). Add the
     * leader's endpoint with {@link #addNodeEndpoint} so the client can connect without Metadata.
     */
    public void setCurrentLeader(int slot, int leaderId, int leaderEpoch) {
        checkSlot(slot);
        if (states[slot] != ERROR) {
            throw new IllegalStateException("CurrentLeader only follows an error: slot=" + slot);
        }
        leaderIds[slot] = leaderId;
        leaderEpochs[slot] = leaderEpoch;
        anyCurrentLeader |= leaderId != -1 || leaderEpoch != -1;
    }

    /** -1 unless {@link #setCurrentLeader} named one. */
    public int currentLeaderId(int slot) {
        return leaderIds[checkSlot(slot)];
    }

    public int currentLeaderEpoch(int slot) {
        return leaderEpochs[checkSlot(slot)];
    }

    /** True when some slot carries a CurrentLeader (then the tagged field is written, v10+). */
    public boolean anyCurrentLeader() {
        return anyCurrentLeader;
    }

    /**
     * Adds a leader's endpoint to the response's NodeEndpoints (v10+), once per node id (a second
     * call for the same id is ignored: the response's NodeEndpoints are keyed by node id).
     *
     * @param rack null when the broker has none
     */
    public void addNodeEndpoint(int nodeId, String host, int port, String rack) {
        if (host == null) {
            throw new IllegalArgumentException("host must not be null: nodeId=" + nodeId);
        }
        for (int i = 0; i < endpointCount; i++) {
            if (endpointIds[i] == nodeId) {
                return;
            }
        }
        if (endpointCount == endpointIds.length) {
            final int n = endpointCount * 2;
            endpointIds = Arrays.copyOf(endpointIds, n);
            endpointHosts = Arrays.copyOf(endpointHosts, n);
            endpointPorts = Arrays.copyOf(endpointPorts, n);
            endpointRacks = Arrays.copyOf(endpointRacks, n);
        }
        endpointIds[endpointCount] = nodeId;
        endpointHosts[endpointCount] = host;
        endpointPorts[endpointCount] = port;
        endpointRacks[endpointCount] = rack;
        endpointCount++;
    }

    public int nodeEndpointCount() {
        return endpointCount;
    }

    public int nodeEndpointId(int i) {
        return endpointIds[checkEndpoint(i)];
    }

    public String nodeEndpointHost(int i) {
        return endpointHosts[checkEndpoint(i)];
    }

    public int nodeEndpointPort(int i) {
        return endpointPorts[checkEndpoint(i)];
    }

    public String nodeEndpointRack(int i) {
        return endpointRacks[checkEndpoint(i)];
    }

    private int checkEndpoint(int i) {
        if (i < 0 || i >= endpointCount) {
            throw new IndexOutOfBoundsException("endpoint=" + i + ", count=" + endpointCount);
        }
        return i;
    }

    public boolean isSet(int slot) {
        return states[checkSlot(slot)] != UNSET;
    }

    public short errorCode(int slot) {
        return errorCodes[checkSlot(slot)];
    }

    public long baseOffset(int slot) {
        return baseOffsets[checkSlot(slot)];
    }

    public long logAppendTimeMs(int slot) {
        return logAppendTimesMs[checkSlot(slot)];
    }

    public long logStartOffset(int slot) {
        return logStartOffsets[checkSlot(slot)];
    }

    public String errorMessage(int slot) {
        return errorMessages[checkSlot(slot)];
    }

    public int recordIndex(int slot) {
        return recordIndexes[checkSlot(slot)];
    }

    /** True if any slot has a non-zero error code (acks=0 then closes the connection). */
    public boolean anyError() {
        for (int i = 0; i < count; i++) {
            if (states[i] == ERROR) {
                return true;
            }
        }
        return false;
    }

    private int checkSlot(int slot) {
        if (slot < 0 || slot >= count) {
            throw new IndexOutOfBoundsException("slot=" + slot + ", count=" + count);
        }
        return slot;
    }

    @Override
    public String toString() {
        return "ProduceResults(count=" + count + ")";
    }
}
