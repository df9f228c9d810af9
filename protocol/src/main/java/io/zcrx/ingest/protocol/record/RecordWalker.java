package io.zcrx.ingest.protocol.record;

import static io.zcrx.ingest.protocol.record.RecordBatchLayout.NO_TIMESTAMP;

import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import org.apache.kafka.common.protocol.Errors;

/**
 * The record walk of {@link BatchValidator}: every record of a batch's records section parsed in
 * place over slices (the received bytes, or the decompressed scratch), its framing, offset delta
 * and timestamp checked, in Kafka's order and with Kafka's codes; the batch's check list is in
 * BatchValidator's Javadoc (steps 7 and 8).
 *
 * <p>Allocates nothing unless a record fails (the message). One per {@link BatchValidator}; not
 * thread-safe.
 */
final class RecordWalker {
    private static final short NONE = Errors.NONE.code();
    private static final short INVALID_RECORD = Errors.INVALID_RECORD.code();
    private static final short INVALID_TIMESTAMP = Errors.INVALID_TIMESTAMP.code();

    // Outcome of the last walk (fields so that the walk returns one short).
    private String errorMessage;
    private int recordIndex = -1;
    private long maxTimestamp;
    private int badTimestampIndex;
    private long badTimestamp;

    /** Message of the last failure. */
    String errorMessage() {
        return errorMessage;
    }

    /** Index of the record at fault in the last failure, or -1 (bytes left after the last record). */
    int recordIndex() {
        return recordIndex;
    }

    /** After a successful walk: the largest record timestamp (-1 if none). */
    long maxTimestamp() {
        return maxTimestamp;
    }

    /**
     * Walks {@code count} records from the cursor's position to its limit. Leaves the largest record
     * timestamp in {@link #maxTimestamp()}; on failure, {@link #errorMessage()} and
     * {@link #recordIndex()}.
     */
    short walk(SliceCursor c, int count, long baseTimestamp, long batchMaxTimestamp,
               boolean batchLogAppendTime, BatchValidationConfig config, long nowMs) {
        maxTimestamp = NO_TIMESTAMP;
        badTimestampIndex = -1;
        badTimestamp = NO_TIMESTAMP;
        final boolean createTimeTopic = !config.logAppendTime;
        final long beforeMaxMs = config.timestampBeforeMaxMs;
        final long afterMaxMs = config.timestampAfterMaxMs;
        for (int i = 0; i < count; i++) {
            if (c.remaining() == 0) {
                return failRecord(INVALID_RECORD, "record batch holds fewer records than recordsCount: recordsCount="
                    + count + ", records=" + i, i);
            }
            final long timestampDelta;
            try {
                final int lengthAt = c.position();
                final int recordLength = c.readVarint();
                if (recordLength < 0 || recordLength > c.remaining()) {
                    return failRecord(INVALID_RECORD, "record length outside batch: recordIndex=" + i + ", position="
                        + lengthAt + ", length=" + recordLength + ", remaining=" + c.remaining(), i);
                }
                final int recordEnd = c.position() + recordLength;
                // The fields are read against the section's end, not narrowed to this record: narrowing would send
                // the record's last varints down the cursor's bounds-checked path (its fast path needs the longest
                // varint's room before the limit) on every record. A field that runs past the record still fails,
                // below: the position only moves forward, so it ends past recordEnd.
                c.readByte(); // record attributes: unused in magic 2 (Kafka ignores them too)
                timestampDelta = c.readVarlong();
                final int offsetDelta = c.readVarint();
                if (offsetDelta != i) {
                    return failRecord(INVALID_RECORD, "record offsetDelta must equal its index: recordIndex=" + i
                        + ", offsetDelta=" + offsetDelta, i);
                }
                final int recordKeyLength = skipBytesField(c);
                if (recordKeyLength < 0 && config.compacted) {
                    // Kafka's LogValidator.validateKey: a keyless record could never be compacted away.
                    return failRecord(INVALID_RECORD, "Compacted topic cannot accept message without key: "
                        + "recordIndex=" + i, i);
                }
                skipBytesField(c); // value
                final int headerCount = c.readVarint();
                if (headerCount < 0) {
                    return failRecord(INVALID_RECORD, "record header count is negative: recordIndex=" + i
                        + ", headerCount=" + headerCount, i);
                }
                for (int h = 0; h < headerCount && c.position() <= recordEnd; h++) {
                    final int keyLength = c.readVarint();
                    if (keyLength < 0) {
                        return failRecord(INVALID_RECORD, "record header key is null: recordIndex=" + i
                            + ", header=" + h + ", keyLength=" + keyLength, i);
                    }
                    c.skip(keyLength);
                    skipBytesField(c); // header value
                }
                if (c.position() != recordEnd) {
                    return failRecord(INVALID_RECORD, c.position() > recordEnd
                        ? "record fields run past its length: recordIndex=" + i + ", length=" + recordLength
                            + ", over=" + (c.position() - recordEnd)
                        : "record has bytes left after its fields: recordIndex=" + i + ", left="
                            + (recordEnd - c.position()), i);
                }
            } catch (ProtocolException e) {
                return failRecord(INVALID_RECORD, "record malformed: recordIndex=" + i + ", " + e.getMessage(), i);
            }
            final long timestamp = batchLogAppendTime ? batchMaxTimestamp : baseTimestamp + timestampDelta;
            if (createTimeTopic && timestamp != NO_TIMESTAMP) {
                // Kafka's recordHasInvalidTimestamp, with its arithmetic (overflow included) kept as is.
                final long diff = nowMs - timestamp;
                if ((diff > beforeMaxMs || -diff > afterMaxMs) && badTimestampIndex < 0) {
                    badTimestampIndex = i;
                    badTimestamp = timestamp;
                }
            } else if (batchLogAppendTime && badTimestampIndex < 0) {
                badTimestampIndex = i;
                badTimestamp = timestamp;
            }
            if (timestamp > maxTimestamp) {
                maxTimestamp = timestamp;
            }
        }
        if (c.remaining() != 0) {
            return failRecord(INVALID_RECORD, "record batch has bytes left after its last record: recordsCount=" + count
                + ", left=" + c.remaining(), -1);
        }
        if (badTimestampIndex >= 0) {
            if (batchLogAppendTime && (!createTimeTopic || badTimestamp == NO_TIMESTAMP)) {
                return failRecord(INVALID_TIMESTAMP, "producer may not set timestamp type LogAppendTime: recordIndex="
                    + badTimestampIndex, badTimestampIndex);
            }
            return failRecord(INVALID_TIMESTAMP, "record timestamp out of range: recordIndex=" + badTimestampIndex
                + ", timestamp=" + badTimestamp + ", lowest=" + (nowMs - beforeMaxMs)
                + ", highest=" + (nowMs + afterMaxMs), badTimestampIndex);
        }
        return NONE;
    }

    /**
     * A record's key, value or header value: VARINT length (negative = null, as Kafka reads it) then bytes.
     * Returns the length read (negative for null).
     */
    private static int skipBytesField(SliceCursor c) {
        final int length = c.readVarint();
        if (length > 0) {
            c.skip(length);
        }
        return length;
    }

    private short failRecord(short code, String message, int index) {
        errorMessage = message;
        recordIndex = index;
        return code;
    }
}
