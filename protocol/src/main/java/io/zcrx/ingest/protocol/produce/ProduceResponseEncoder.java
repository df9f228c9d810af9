package io.zcrx.ingest.protocol.produce;

import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes a complete Produce response frame (INT32 size, response header v0/v1, body) for versions
 * 3..13 straight into an output buffer, from the request view (topic names are copied from the
 * request frame, so the frame must still be open) and the results. Allocates nothing.
 *
 * <p>Layout (ProduceResponse.json in kafka-clients 4.3.1; docs/kafka-protocol-notes.md#produce). "str",
 * arrays and "tags" switch to compact forms / appear from v9 exactly as in the request:
 *
 * <pre>
 *   size                  INT32   bytes that follow
 *   correlation_id        INT32   response header v0 (v3..v8) / v1 (v9+, adds tags)
 *   tags                          v9+
 *   Responses             array, one per request topic, in request order
 *     Name                str     v3..v12 (copied from the request frame)
 *     TopicId             UUID    v13+
 *     PartitionResponses  array, one per request partition, in request order
 *       Index             INT32
 *       ErrorCode         INT16
 *       BaseOffset        INT64   -1 on error
 *       LogAppendTimeMs   INT64   -1 on error or for CreateTime topics
 *       LogStartOffset    INT64   v5+, -1 on error
 *       RecordErrors      array   v8+: [] or one {BatchIndex INT32, BatchIndexErrorMessage null, tags}
 *       ErrorMessage      nullable str, v8+
 *       tags                      v9+; v10+ tag 0 CurrentLeader {LeaderId INT32, LeaderEpoch INT32, tags}
 *                                 only for a slot given one ({@link ProduceResults#setCurrentLeader})
 *     tags                        v9+
 *   ThrottleTimeMs        INT32   always 0 (no quotas); last field of this response
 *   tags                          v9+; v10+ tag 0 NodeEndpoints [{NodeId INT32, Host str, Port INT32,
 *                                 Rack nullable str, tags}] only when some endpoint was added
 * </pre>
 *
 * <p>The KIP-951 leader hints cost nothing on the success path: the per-slot and top-level tagged
 * fields are an empty tag buffer unless {@link ProduceResults#anyCurrentLeader()} or an endpoint
 * says otherwise.
 *
 * <p>The per-record entry carries a null message: the Java producer then reports the partition's
 * ErrorMessage for that record ({@code Sender.failBatch}), so the text is written once. An
 * ErrorMessage longer than 32767 UTF-8 bytes (Kafka's string limit) is cut at a character boundary.
 *
 * <p>Not thread-safe; one per reactor thread.
 */
public final class ProduceResponseEncoder {
    private static final int STRING_LENGTH_MAX = 0x7FFF;
    private static final int THROTTLE_TIME_MS = 0;
    /** KIP-951: CurrentLeader and NodeEndpoints exist from v10. */
    public static final short FIRST_LEADER_HINT_VERSION = 10;
    /** The tag of CurrentLeader (partition) and NodeEndpoints (top level). */
    private static final int LEADER_HINT_TAG = 0;
    /** CurrentLeader's body: LeaderId, LeaderEpoch, an empty tag buffer. */
    private static final int CURRENT_LEADER_SIZE = 4 + 4 + 1;

    private final SliceCursor nameCursor = new SliceCursor();
    /** Per slot, where {@link #encode} wrote its ErrorCode, relative to the frame start. */
    private int[] errorCodeIndexes = new int[16];

    /** Exact number of bytes {@link #encode} will write, size prefix included. */
    public int encodedLength(ProduceRequestView request, ProduceResults results, SliceList frameBody) {
        checkAligned(request, results);
        final short version = request.version();
        final boolean flexible = version >= ProduceDecoder.FIRST_FLEXIBLE_VERSION;
        final boolean topicIds = version >= ProduceDecoder.FIRST_TOPIC_ID_VERSION;
        int length = 4 + 4 + (flexible ? 1 : 0);
        final int topicCount = request.topicCount();
        length += arrayCountLength(topicCount, flexible);
        for (int t = 0; t < topicCount; t++) {
            if (topicIds) {
                length += 16;
            } else {
                final int nameLength = request.topicNameLength(t);
                length += (flexible ? varintLength(nameLength + 1) : 2) + nameLength;
            }
            final int first = request.topicFirstPartition(t);
            final int end = first + request.topicPartitionCount(t);
            length += arrayCountLength(end - first, flexible);
            for (int slot = first; slot < end; slot++) {
                length += 4 + 2 + 8 + 8;
                if (version >= 5) {
                    length += 8;
                }
                if (version >= 8) {
                    final boolean recordError = results.recordIndex(slot) >= 0;
                    length += arrayCountLength(recordError ? 1 : 0, flexible);
                    if (recordError) {
                        length += 4 + nullStringLength(flexible) + (flexible ? 1 : 0);
                    }
                    length += nullableStringLength(results.errorMessage(slot), flexible);
                }
                if (flexible) {
                    length += hasCurrentLeader(results, slot, version) ? 3 + CURRENT_LEADER_SIZE : 1;
                }
            }
            if (flexible) {
                length += 1;
            }
        }
        length += 4;
        if (flexible) {
            final int endpoints = endpointsSize(results, version);
            length += endpoints == 0 ? 1 : 2 + varintLength(endpoints) + endpoints;
        }
        return length;
    }

    private static boolean hasCurrentLeader(ProduceResults results, int slot, short version) {
        return version >= FIRST_LEADER_HINT_VERSION && results.anyCurrentLeader()
            && (results.currentLeaderId(slot) != -1 || results.currentLeaderEpoch(slot) != -1);
    }

    /** Size of the NodeEndpoints tagged field's value, or 0 when it is not written. */
    private static int endpointsSize(ProduceResults results, short version) {
        final int n = results.nodeEndpointCount();
        if (version < FIRST_LEADER_HINT_VERSION || n == 0) {
            return 0;
        }
        int size = varintLength(n + 1);
        for (int i = 0; i < n; i++) {
            final int host = utf8Length(results.nodeEndpointHost(i));
            size += 4 + varintLength(host + 1) + host + 4 + nullableStringLength(results.nodeEndpointRack(i), true) + 1;
        }
        return size;
    }

    /** Writes the frame at {@code out}'s position and advances it. */
    public void encode(int correlationId, ProduceRequestView request, ProduceResults results, SliceList frameBody,
                       ByteBuffer out) {
        final int total = encodedLength(request, results, frameBody);
        if (out.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("response buffer must be big-endian: order=" + out.order());
        }
        if (out.remaining() < total) {
            throw new IllegalArgumentException("response does not fit: length=" + total
                + ", remaining=" + out.remaining());
        }
        final int start = out.position();
        final short version = request.version();
        final boolean flexible = version >= ProduceDecoder.FIRST_FLEXIBLE_VERSION;
        final boolean topicIds = version >= ProduceDecoder.FIRST_TOPIC_ID_VERSION;
        out.putInt(total - 4);
        out.putInt(correlationId);
        if (flexible) {
            out.put((byte) 0);
        }
        final int topicCount = request.topicCount();
        putArrayCount(out, topicCount, flexible);
        for (int t = 0; t < topicCount; t++) {
            if (topicIds) {
                out.putLong(request.topicIdMsb(t));
                out.putLong(request.topicIdLsb(t));
            } else {
                final int nameLength = request.topicNameLength(t);
                if (flexible) {
                    putUnsignedVarint(out, nameLength + 1);
                } else {
                    out.putShort((short) nameLength);
                }
                final int namePosition = request.topicNamePosition(t);
                nameCursor.wrap(frameBody, namePosition, namePosition + nameLength).copyTo(out, nameLength);
            }
            final int first = request.topicFirstPartition(t);
            final int end = first + request.topicPartitionCount(t);
            putArrayCount(out, end - first, flexible);
            for (int slot = first; slot < end; slot++) {
                out.putInt(request.partitionIndex(slot));
                if (slot >= errorCodeIndexes.length) {
                    errorCodeIndexes = Arrays.copyOf(errorCodeIndexes,
                        Math.max(request.partitionCount(), errorCodeIndexes.length * 2));
                }
                errorCodeIndexes[slot] = out.position() - start;
                out.putShort(results.errorCode(slot));
                out.putLong(results.baseOffset(slot));
                out.putLong(results.logAppendTimeMs(slot));
                if (version >= 5) {
                    out.putLong(results.logStartOffset(slot));
                }
                if (version >= 8) {
                    final int recordIndex = results.recordIndex(slot);
                    putArrayCount(out, recordIndex >= 0 ? 1 : 0, flexible);
                    if (recordIndex >= 0) {
                        out.putInt(recordIndex);
                        putNullString(out, flexible);
                        if (flexible) {
                            out.put((byte) 0);
                        }
                    }
                    putNullableString(out, results.errorMessage(slot), flexible);
                }
                if (flexible) {
                    if (hasCurrentLeader(results, slot, version)) {
                        out.put((byte) 1);
                        putUnsignedVarint(out, LEADER_HINT_TAG);
                        putUnsignedVarint(out, CURRENT_LEADER_SIZE);
                        out.putInt(results.currentLeaderId(slot));
                        out.putInt(results.currentLeaderEpoch(slot));
                        out.put((byte) 0);
                    } else {
                        out.put((byte) 0);
                    }
                }
            }
            if (flexible) {
                out.put((byte) 0);
            }
        }
        out.putInt(THROTTLE_TIME_MS);
        if (flexible) {
            final int endpoints = endpointsSize(results, version);
            if (endpoints == 0) {
                out.put((byte) 0);
            } else {
                out.put((byte) 1);
                putUnsignedVarint(out, LEADER_HINT_TAG);
                putUnsignedVarint(out, endpoints);
                putEndpoints(out, results);
            }
        }
        if (out.position() - start != total) {
            throw new IllegalStateException("produce response length mismatch: written=" + (out.position() - start)
                + ", computed=" + total + ", version=" + version);
        }
    }

    /**
     * Where the last {@link #encode} wrote slot {@code slot}'s ErrorCode, counted from the first
     * byte of the frame (its size prefix). BaseOffset, LogAppendTimeMs and (v5+) LogStartOffset
     * follow it as three INT64s, so a response encoded as a success can later be turned into a
     * failure for that slot in place, without changing its length (a group commit whose fsync
     * failed, {@code ErrorMessage} staying null).
     */
    public int errorCodeIndex(int slot) {
        return errorCodeIndexes[slot];
    }

    private static void putEndpoints(ByteBuffer out, ProduceResults results) {
        final int n = results.nodeEndpointCount();
        putUnsignedVarint(out, n + 1);
        for (int i = 0; i < n; i++) {
            out.putInt(results.nodeEndpointId(i));
            final String host = results.nodeEndpointHost(i);
            final int hostLength = utf8Length(host);
            putUnsignedVarint(out, hostLength + 1);
            putUtf8(out, host, hostLength);
            out.putInt(results.nodeEndpointPort(i));
            putNullableString(out, results.nodeEndpointRack(i), true);
            out.put((byte) 0);
        }
    }

    private static void checkAligned(ProduceRequestView request, ProduceResults results) {
        final int n = request.partitionCount();
        if (results.count() != n) {
            throw new IllegalArgumentException("results not aligned with request: results=" + results.count()
                + ", partitionCount=" + n);
        }
        for (int slot = 0; slot < n; slot++) {
            if (!results.isSet(slot)) {
                throw new IllegalStateException("produce result slot never set: slot=" + slot
                    + ", partitionCount=" + n);
            }
        }
    }

    private static int arrayCountLength(int count, boolean flexible) {
        return flexible ? varintLength(count + 1) : 4;
    }

    private static void putArrayCount(ByteBuffer out, int count, boolean flexible) {
        if (flexible) {
            putUnsignedVarint(out, count + 1);
        } else {
            out.putInt(count);
        }
    }

    private static int nullStringLength(boolean flexible) {
        return flexible ? 1 : 2;
    }

    private static void putNullString(ByteBuffer out, boolean flexible) {
        if (flexible) {
            out.put((byte) 0);
        } else {
            out.putShort((short) -1);
        }
    }

    private static int nullableStringLength(String s, boolean flexible) {
        if (s == null) {
            return nullStringLength(flexible);
        }
        final int n = utf8Length(s);
        return (flexible ? varintLength(n + 1) : 2) + n;
    }

    private static void putNullableString(ByteBuffer out, String s, boolean flexible) {
        if (s == null) {
            putNullString(out, flexible);
            return;
        }
        final int n = utf8Length(s);
        if (flexible) {
            putUnsignedVarint(out, n + 1);
        } else {
            out.putShort((short) n);
        }
        putUtf8(out, s, n);
    }

    static int varintLength(int value) {
        int n = 1;
        while ((value & 0xFFFFFF80) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    static void putUnsignedVarint(ByteBuffer out, int value) {
        while ((value & 0xFFFFFF80) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    /**
     * UTF-8 length of {@code s} as {@code String.getBytes(UTF_8)} would encode it (a lone surrogate
     * becomes '?'), capped at {@link #STRING_LENGTH_MAX} by dropping whole trailing characters.
     */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            final int k;
            if (c < 0x80) {
                k = 1;
            } else if (c < 0x800) {
                k = 2;
            } else if (isSurrogatePair(s, i)) {
                k = 4;
            } else if (Character.isSurrogate(c)) {
                k = 1;
            } else {
                k = 3;
            }
            if (n + k > STRING_LENGTH_MAX) {
                break;
            }
            n += k;
            if (k == 4) {
                i++;
            }
        }
        return n;
    }

    private static boolean isSurrogatePair(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** Writes the first {@code length} bytes of {@code s}'s UTF-8 form ({@code length} from {@link #utf8Length}). */
    static void putUtf8(ByteBuffer out, String s, int length) {
        int written = 0;
        for (int i = 0; written < length; i++) {
            final char c = s.charAt(i);
            if (c < 0x80) {
                out.put((byte) c);
                written += 1;
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | (c >> 6)));
                out.put((byte) (0x80 | (c & 0x3F)));
                written += 2;
            } else if (isSurrogatePair(s, i)) {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                out.put((byte) (0xF0 | (cp >> 18)));
                out.put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                out.put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                out.put((byte) (0x80 | (cp & 0x3F)));
                written += 4;
            } else if (Character.isSurrogate(c)) {
                out.put((byte) '?');
                written += 1;
            } else {
                out.put((byte) (0xE0 | (c >> 12)));
                out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                out.put((byte) (0x80 | (c & 0x3F)));
                written += 3;
            }
        }
    }
}
