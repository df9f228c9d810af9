package io.zcrx.ingest.protocol.produce;

import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.header.RequestHeaderView;

/**
 * Decodes a Produce request body, versions 3..13 (flexible from 9, topic ids from 13), over slices:
 * the whole body is checked before anything is appended, so a malformed request appends nothing.
 * Unknown tagged fields are skipped. Allocates nothing (the view's arrays grow when needed).
 *
 * <p>Body layout (ProduceRequest.json in kafka-clients 4.3.1; docs/kafka-protocol-notes.md#produce). "str" is
 * STRING (INT16 length) before v9 and COMPACT_STRING (UNSIGNED_VARINT length+1) from v9; arrays
 * and RECORDS likewise switch to their compact forms; "tags" is a TAGGED_FIELDS section, v9+ only:
 *
 * <pre>
 *   TransactionalId   nullable str
 *   Acks              INT16
 *   TimeoutMs         INT32
 *   TopicData         array of
 *     Name            str            v3..v12
 *     TopicId         UUID (16)      v13+
 *     PartitionData   array of
 *       Index         INT32
 *       Records       nullable RECORDS (bytes; kept as position + length)
 *       tags
 *     tags
 *   tags
 * </pre>
 *
 * <p>Checks, each a {@link ProtocolException} naming the position: every length and count fits in
 * the bytes left (so a huge count cannot make the view grow), strings are at most 32767 bytes
 * (Kafka's limit), non-nullable strings and arrays are not null, and no byte is left after the
 * last tagged-field section.
 *
 * <p>Not thread-safe; one per reactor thread (it holds no state between calls).
 */
public final class ProduceDecoder {
    /** First version with compact encodings and tagged fields. */
    public static final short FIRST_FLEXIBLE_VERSION = 9;
    /** First version naming topics by id instead of name. */
    public static final short FIRST_TOPIC_ID_VERSION = 13;
    public static final short OLDEST_VERSION = 3;
    public static final short LATEST_VERSION = 13;

    /** Kafka's generated readers reject strings longer than this (Short.MAX_VALUE). */
    private static final int STRING_LENGTH_MAX = 0x7FFF;

    private int topicsMax = Integer.MAX_VALUE;
    private int partitionsMax = Integer.MAX_VALUE;

    /**
     * Bounds the topics and (summed over topics) partitions one request may name; a request above
     * either is a {@link ProtocolException} before the view grows for it (the broker's
     * {@code request.max.topics} / {@code request.max.partitions}). Unbounded by default.
     */
    public void limits(int topicsMax, int partitionsMax) {
        if (topicsMax < 1 || partitionsMax < 1) {
            throw new IllegalArgumentException("produce limits must be >= 1: topicsMax=" + topicsMax
                + ", partitionsMax=" + partitionsMax);
        }
        this.topicsMax = topicsMax;
        this.partitionsMax = partitionsMax;
    }

    /**
     * @param cursor  positioned at the first body byte, limited to the end of the frame
     * @param version the request's api version, already checked to be in 3..13
     * @throws io.zcrx.ingest.protocol.bytes.ProtocolException when the body is malformed or has
     *     trailing bytes
     */
    public void decode(SliceCursor cursor, short version, ProduceRequestView out) {
        if (version < OLDEST_VERSION || version > LATEST_VERSION) {
            throw new IllegalArgumentException("produce version outside 3..13: version=" + version);
        }
        final boolean flexible = version >= FIRST_FLEXIBLE_VERSION;
        final boolean topicIds = version >= FIRST_TOPIC_ID_VERSION;
        out.reset(version);

        final int txnAt = cursor.position();
        final int txnLength = flexible ? readCompactLength(cursor, "transactional id") : cursor.readShort();
        if (txnLength >= 0) {
            checkString(cursor, txnAt, txnLength, "transactional id");
            out.transactionalId(cursor.position(), txnLength);
            cursor.skip(txnLength);
        } else if (txnLength != -1) {
            throw new ProtocolException("transactional id length is negative: position=" + txnAt
                + ", length=" + txnLength + ", remaining=" + cursor.remaining());
        }
        out.acksAndTimeout(cursor.readShort(), cursor.readInt());

        final int topicsAt = cursor.position();
        final int topicCount = readArrayCount(cursor, flexible, "topic data");
        if (topicCount > topicsMax) {
            throw new ProtocolException("produce request names more topics than request.max.topics: position="
                + topicsAt + ", count=" + topicCount + ", limit=" + topicsMax);
        }
        for (int t = 0; t < topicCount; t++) {
            if (topicIds) {
                out.addTopic(-1, -1, cursor.readLong(), cursor.readLong());
            } else {
                final int nameAt = cursor.position();
                final int nameLength = flexible ? readCompactLength(cursor, "topic name") : cursor.readShort();
                if (nameLength < 0) {
                    throw new ProtocolException("topic name is null or negative: position=" + nameAt
                        + ", length=" + nameLength + ", remaining=" + cursor.remaining());
                }
                checkString(cursor, nameAt, nameLength, "topic name");
                out.addTopic(cursor.position(), nameLength, 0L, 0L);
                cursor.skip(nameLength);
            }
            final int partitionsAt = cursor.position();
            final int partitionCount = readArrayCount(cursor, flexible, "partition data");
            if ((long) out.partitionCount() + partitionCount > partitionsMax) {
                throw new ProtocolException("produce request names more partitions than request.max.partitions: "
                    + "position=" + partitionsAt + ", count=" + ((long) out.partitionCount() + partitionCount)
                    + ", limit=" + partitionsMax);
            }
            for (int p = 0; p < partitionCount; p++) {
                final int index = cursor.readInt();
                final int recordsAt = cursor.position();
                final int recordsLength = flexible ? readCompactLength(cursor, "records") : cursor.readInt();
                if (recordsLength >= 0) {
                    if (recordsLength > cursor.remaining()) {
                        throw new ProtocolException("records length exceeds frame: position=" + recordsAt
                            + ", length=" + recordsLength + ", remaining=" + cursor.remaining());
                    }
                    out.addPartition(index, cursor.position(), recordsLength);
                    cursor.skip(recordsLength);
                } else if (recordsLength == -1) {
                    out.addPartition(index, cursor.position(), -1);
                } else {
                    throw new ProtocolException("records length is negative: position=" + recordsAt
                        + ", length=" + recordsLength + ", remaining=" + cursor.remaining());
                }
                if (flexible) {
                    RequestHeaderView.skipTaggedFields(cursor);
                }
            }
            if (flexible) {
                RequestHeaderView.skipTaggedFields(cursor);
            }
        }
        if (flexible) {
            RequestHeaderView.skipTaggedFields(cursor);
        }
        if (cursor.remaining() != 0) {
            throw new ProtocolException("trailing bytes after produce request: position=" + cursor.position()
                + ", remaining=" + cursor.remaining() + ", version=" + version);
        }
        assert out.checkInvariants();
    }

    /**
     * A compact length: UNSIGNED_VARINT holding length + 1, 0 = null (returned as -1). A value that
     * does not fit a non-negative int is a ProtocolException.
     */
    private static int readCompactLength(SliceCursor cursor, String what) {
        final int at = cursor.position();
        final int raw = cursor.readUnsignedVarint();
        if (raw < 0) {
            throw new ProtocolException(what + " compact length out of range: position=" + at
                + ", value=" + Integer.toUnsignedString(raw) + ", remaining=" + cursor.remaining());
        }
        return raw - 1;
    }

    /** ARRAY (INT32 count) or COMPACT_ARRAY (count + 1); null, negative or larger than the bytes left is an error. */
    private static int readArrayCount(SliceCursor cursor, boolean flexible, String what) {
        final int at = cursor.position();
        final int count = flexible ? readCompactLength(cursor, what) : cursor.readInt();
        if (count < 0) {
            throw new ProtocolException(what + " array is null or negative: position=" + at + ", count=" + count
                + ", remaining=" + cursor.remaining());
        }
        // Every element takes at least one byte, so a count above the bytes left cannot be honest;
        // checking it here keeps a forged count from growing the view's arrays.
        if (count > cursor.remaining()) {
            throw new ProtocolException(what + " array count exceeds frame: position=" + at + ", count=" + count
                + ", remaining=" + cursor.remaining());
        }
        return count;
    }

    private static void checkString(SliceCursor cursor, int at, int length, String what) {
        if (length > STRING_LENGTH_MAX) {
            throw new ProtocolException(what + " longer than " + STRING_LENGTH_MAX + " bytes: position=" + at
                + ", length=" + length + ", remaining=" + cursor.remaining());
        }
        if (length > cursor.remaining()) {
            throw new ProtocolException(what + " runs past frame: position=" + at + ", length=" + length
                + ", remaining=" + cursor.remaining());
        }
    }
}
