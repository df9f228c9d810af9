package io.zcrx.ingest.perf.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.protocol.Errors;

/**
 * Reads a Produce response (versions 3..13) in place and checks it: one topic, every partition of
 * the request present once, error code 0, a base offset. It allocates nothing, so the firehose can
 * check every response without adding client CPU per request. Error text is built only on failure.
 *
 * <pre>
 *   response header   correlationId INT32 [+ tagged fields, v9+ (response header v1)]
 *   responses         ARRAY (v9+: COMPACT_ARRAY) of
 *     name            STRING (v3..8) / COMPACT_STRING (v9..12) / topicId UUID (v13)
 *     partitions      ARRAY / COMPACT_ARRAY of
 *       index INT32, errorCode INT16, baseOffset INT64, logAppendTimeMs INT64,
 *       logStartOffset INT64 (v5+), recordErrors ARRAY{batchIndex INT32, message NULLABLE_STRING} (v8+),
 *       errorMessage NULLABLE_STRING (v8+), tagged fields (v9+)
 *     tagged fields (v9+)
 *   throttleTimeMs    INT32
 *   tagged fields     (v9+)
 * </pre>
 * (docs/kafka-protocol-notes.md#produce.)
 *
 * <p>One per connection; not thread-safe.
 */
public final class ProduceResponseChecker {
    private final short version;
    private final boolean flexible;
    private final int partitions;
    private final boolean[] seen;
    private ByteBuffer buf;
    private int position;
    private int limit;

    public ProduceResponseChecker(short version, int partitions) {
        if (version < 3 || version > 13) {
            throw new IllegalArgumentException("unsupported Produce version: version=" + version);
        }
        this.version = version;
        this.flexible = version >= 9;
        this.partitions = partitions;
        this.seen = new boolean[partitions];
    }

    /**
     * Checks one response frame: bytes {@code [start, start + length)} of {@code frame}, after the
     * size prefix.
     *
     * @param baseOffsets receives each partition's base offset, by partition index
     * @return the correlation id
     * @throws IllegalStateException naming the partition and error code, or the malformed field
     */
    public int check(ByteBuffer frame, int start, int length, long[] baseOffsets) {
        this.buf = frame;
        this.position = start;
        this.limit = start + length;
        final int correlationId = readInt();
        if (flexible) {
            skipTaggedFields();
        }
        final int topics = readArrayLength();
        if (topics != 1) {
            throw new IllegalStateException("produce response topics: expected=1, actual=" + topics
                + ", correlationId=" + correlationId);
        }
        if (version >= 13) {
            skip(16);
        } else {
            final int nameLength = flexible ? readUnsignedVarint() - 1 : readShort();
            if (nameLength < 0) {
                throw new IllegalStateException("produce response topic name is null: correlationId=" + correlationId);
            }
            skip(nameLength);
        }
        final int count = readArrayLength();
        if (count != partitions) {
            throw new IllegalStateException("produce response partitions: expected=" + partitions + ", actual=" + count
                + ", correlationId=" + correlationId);
        }
        Arrays.fill(seen, false);
        for (int i = 0; i < count; i++) {
            final int index = readInt();
            final short errorCode = readShort();
            final long baseOffset = readLong();
            readLong(); // logAppendTimeMs
            if (version >= 5) {
                readLong(); // logStartOffset
            }
            String recordErrors = null;
            String errorMessage = null;
            if (version >= 8) {
                final int recordErrorCount = readArrayLength();
                for (int e = 0; e < recordErrorCount; e++) {
                    final int batchIndex = readInt();
                    final String message = readNullableString();
                    if (flexible) {
                        skipTaggedFields();
                    }
                    recordErrors = (recordErrors == null ? "" : recordErrors + "; ") + batchIndex + ": " + message;
                }
                errorMessage = readNullableString();
            }
            if (flexible) {
                skipTaggedFields();
            }
            if (index < 0 || index >= partitions || seen[index]) {
                throw new IllegalStateException("produce response partition unexpected or repeated: index=" + index
                    + ", correlationId=" + correlationId);
            }
            seen[index] = true;
            if (errorCode != 0 || baseOffset < 0) {
                throw new IllegalStateException("produce failed: partition=" + index + ", errorCode=" + errorCode
                    + " (" + Errors.forCode(errorCode).name() + "), baseOffset="
                    + baseOffset + ", errorMessage=" + errorMessage + ", recordErrors=" + recordErrors
                    + ", correlationId=" + correlationId);
            }
            baseOffsets[index] = baseOffset;
        }
        if (flexible) {
            skipTaggedFields();
        }
        readInt(); // throttleTimeMs
        if (flexible) {
            skipTaggedFields();
        }
        if (position != limit) {
            throw new IllegalStateException("produce response has trailing bytes: remaining=" + (limit - position)
                + ", correlationId=" + correlationId);
        }
        buf = null;
        return correlationId;
    }

    private void need(int n) {
        if (limit - position < n) {
            throw new IllegalStateException("produce response truncated: needed=" + n + ", remaining="
                + (limit - position) + ", version=" + version);
        }
    }

    private int readInt() {
        need(4);
        final int v = buf.getInt(position);
        position += 4;
        return v;
    }

    private short readShort() {
        need(2);
        final short v = buf.getShort(position);
        position += 2;
        return v;
    }

    private long readLong() {
        need(8);
        final long v = buf.getLong(position);
        position += 8;
        return v;
    }

    private void skip(int n) {
        need(n);
        position += n;
    }

    private int readUnsignedVarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            need(1);
            final int b = buf.get(position++) & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("produce response varint longer than 5 bytes: position=" + position);
    }

    private int readArrayLength() {
        final int n = flexible ? readUnsignedVarint() - 1 : readInt();
        if (n < 0) {
            throw new IllegalStateException("produce response array is null or negative: length=" + n);
        }
        return n;
    }

    /** Reads a NULLABLE_STRING; allocates only when the string is present (an error report). */
    private String readNullableString() {
        final int n = flexible ? readUnsignedVarint() - 1 : readShort();
        if (n < 0) {
            return null;
        }
        need(n);
        final byte[] b = new byte[n];
        buf.get(position, b);
        position += n;
        return new String(b, StandardCharsets.UTF_8);
    }

    private void skipTaggedFields() {
        final int count = readUnsignedVarint();
        for (int i = 0; i < count; i++) {
            readUnsignedVarint(); // tag
            skip(readUnsignedVarint());
        }
    }
}
