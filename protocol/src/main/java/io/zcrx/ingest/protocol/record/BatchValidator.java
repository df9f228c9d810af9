package io.zcrx.ingest.protocol.record;

import static io.zcrx.ingest.protocol.record.RecordBatchLayout.ATTRIBUTES_OFFSET;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.CODEC_NONE;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.CODEC_ZSTD;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.COMPRESSION_CODEC_MASK;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.CONTROL_FLAG_MASK;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.CRC_OFFSET;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.DELETE_HORIZON_FLAG_MASK;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.MAGIC_V2;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.MAX_TIMESTAMP_OFFSET;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.NO_TIMESTAMP;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.RECORD_BATCH_OVERHEAD;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.TIMESTAMP_TYPE_MASK;
import static io.zcrx.ingest.protocol.record.RecordBatchLayout.TRANSACTIONAL_FLAG_MASK;

import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.protocol.Errors;

/**
 * Checks, in place over slices, that a Produce partition's Records field is exactly one record
 * batch that Apache Kafka would accept from a client (docs/kafka-protocol-notes.md#order-of-checks,
 * #batch-validation): size, magic 2, baseOffset 0, codec allowed at this Produce version,
 * {@code max.message.bytes}, CRC-32C across slices, record count, no control batch, producer fields, every record's
 * framing, offset deltas and timestamps. Compressed batches are decompressed into scratch for the record checks;
 * the bytes written to the log are always the ones received.
 *
 * <p>On success the 61-byte header has been copied to the caller's direct buffer (indices 0..60),
 * ready for the log to patch baseOffset and partitionLeaderEpoch; if the header's maxTimestamp or
 * timestamp type had to change (LogAppendTime topics, or a maxTimestamp that does not match the
 * records) the copy is patched and its CRC recomputed over the copy plus the payload slices.
 *
 * <h2>Checks, in order (first failure wins)</h2>
 * <ol>
 *   <li>Records null, empty, shorter than 61 bytes, or not exactly one batch
 *       ({@code length != batchLength + 12}): INVALID_RECORD. (Kafka: {@code ProduceRequest.validateRecords}.)</li>
 *   <li>magic != 2: INVALID_RECORD.</li>
 *   <li>zstd below Produce v7: UNSUPPORTED_COMPRESSION_TYPE.</li>
 *   <li>Codec 5..7: INVALID_RECORD. Deliberate deviation: Kafka's {@code CompressionType.forId}
 *       throws IllegalArgumentException, which surfaces as UNKNOWN_SERVER_ERROR (for the whole request
 *       below v7); INVALID_RECORD names the real fault and is equally non-retriable.</li>
 *   <li>baseOffset != 0: INVALID_RECORD; size &gt; max.message.bytes: MESSAGE_TOO_LARGE; CRC-32C of
 *       [21, end) mismatch: CORRUPT_MESSAGE. (Kafka: {@code UnifiedLog.analyzeAndValidateRecords}.)</li>
 *   <li>recordsCount &lt; 1 or lastOffsetDelta + 1 != recordsCount; control batch; transactional batch
 *       (we do not support transactions); delete-horizon bit; producerId &gt;= 0 with baseSequence
 *       &lt; 0: INVALID_RECORD. (Kafka: {@code LogValidator.validateBatch}.) The delete-horizon bit is
 *       our addition: only Kafka's log cleaner sets it (baseTimestamp then holds the horizon, not a
 *       record time), Kafka does not check it on produce, and a client batch carrying it would make
 *       a compacting reader drop tombstones early and mis-time every record; no client sets it.</li>
 *   <li>Every record (after decompression) parsed: length varint within the batch, attributes,
 *       timestampDelta, offsetDelta == index (0..n-1), key/value/header lengths inside the record
 *       (negative key/value/header-value length = null, as in Kafka), header key not null, nothing
 *       left in the record, nothing left after the last record: INVALID_RECORD with
 *       {@link #recordIndex()}. Kafka rebuilds compressed batches whose offset deltas are not 0..n-1
 *       and tolerates them uncompressed; we never rebuild, so we reject (no Kafka client writes them).</li>
 *   <li>Timestamps (Kafka's {@code LogValidator.validateTimestamp}, exactly): a record's timestamp is
 *       baseTimestamp + delta, or the batch maxTimestamp when the batch has the LogAppendTime bit. On
 *       a CreateTime topic a timestamp other than -1 must lie in [now - before, now + after]; a -1
 *       timestamp in a LogAppendTime-bit batch, or any LogAppendTime-bit batch on a LogAppendTime
 *       topic, is INVALID_TIMESTAMP. The first bad record goes to {@link #recordIndex()}; a framing
 *       error later in the batch still wins (Kafka's iterator throws before record errors are
 *       reported).</li>
 * </ol>
 *
 * <h2>Header patch (Kafka's {@code setMaxTimestamp})</h2>
 * LogAppendTime topic: timestamp-type bit set, maxTimestamp = now. CreateTime topic: bit cleared,
 * maxTimestamp = the largest record timestamp (-1 if none). Only when the type or the value changes
 * are attributes and maxTimestamp written into the copy and its CRC recomputed.
 *
 * <h2>Compressed batches</h2>
 * The payload [61, end) is handed to kafka-clients' codec ({@code Compression.wrapForInput}) as one
 * buffer: the chunk memory itself when it lies in one slice, else a copy in reusable scratch. The
 * output goes into a reusable scratch array that grows up to {@code decompressedBytesMax}; more
 * output than that is INVALID_RECORD (a decompression bomb), as is any codec failure. Then the same
 * record walk runs over the scratch. This path allocates (codec streams and their buffers).
 * Decompression is {@link BatchDecompressor}'s, the record walk (steps 7 and 8) {@link RecordWalker}'s;
 * this class keeps the batch-level checks, the header copy and patch, and the order of it all.
 *
 * <p>One per reactor thread. Allocates nothing for uncompressed batches. Not thread-safe.
 */
public final class BatchValidator {
    private static final short NONE = Errors.NONE.code();
    private static final short INVALID_RECORD = Errors.INVALID_RECORD.code();
    private static final short CORRUPT_MESSAGE = Errors.CORRUPT_MESSAGE.code();
    private static final short MESSAGE_TOO_LARGE = Errors.MESSAGE_TOO_LARGE.code();
    private static final short UNSUPPORTED_COMPRESSION_TYPE = Errors.UNSUPPORTED_COMPRESSION_TYPE.code();

    /** First Produce version allowed to carry zstd batches; older ones get UNSUPPORTED_COMPRESSION_TYPE. */
    public static final short FIRST_ZSTD_PRODUCE_VERSION = 7;
    /** Attribute bits Kafka's {@code computeAttributes} keeps when it rewrites the timestamp type. */
    private static final int KEPT_ATTRIBUTE_BITS =
        COMPRESSION_CODEC_MASK | TRANSACTIONAL_FLAG_MASK | CONTROL_FLAG_MASK | DELETE_HORIZON_FLAG_MASK;

    private final SliceCursor cursor = new SliceCursor();
    private final CRC32C crc = new CRC32C();
    private final RecordWalker walker = new RecordWalker();
    private final BatchDecompressor decompressor;

    // Outcome of the last call.
    private String errorMessage;
    private int recordIndex = -1;
    private int recordsCount;
    private long maxTimestamp;
    private boolean headerPatched;
    private int decompressedLength;

    /**
     * @param decompressedBytesMax largest decompressed records section accepted from a compressed
     *                             batch (a bound against decompression bombs)
     */
    public BatchValidator(int decompressedBytesMax) {
        if (decompressedBytesMax <= 0) {
            throw new IllegalArgumentException("decompressedBytesMax must be > 0: decompressedBytesMax="
                + decompressedBytesMax);
        }
        this.decompressor = new BatchDecompressor(decompressedBytesMax);
    }

    /**
     * @param frameBody      the request frame
     * @param position       frame position of the Records field's bytes
     * @param length         length of the Records field, -1 if null
     * @param produceVersion the request's version (zstd needs 7+)
     * @param nowMs          broker wall clock, for timestamp checks and LogAppendTime
     * @param header         direct buffer with a limit of at least 61; receives the (possibly patched)
     *                       header at indices 0..60 (its position and limit are left as they were)
     * @return 0 (NONE) or a Kafka error code; see {@link #errorMessage()} and {@link #recordIndex()}
     */
    public short validate(SliceList frameBody, int position, int length, short produceVersion,
                          BatchValidationConfig config, long nowMs, ByteBuffer header) {
        errorMessage = null;
        recordIndex = -1;
        recordsCount = 0;
        maxTimestamp = NO_TIMESTAMP;
        headerPatched = false;
        decompressedLength = 0;
        if (header.limit() < RECORD_BATCH_OVERHEAD) {
            throw new IllegalArgumentException("header buffer smaller than a batch header: limit=" + header.limit());
        }
        if (length < 0) {
            return fail(INVALID_RECORD, "produce records are null: position=" + position);
        }
        if (position < 0 || position > frameBody.totalLength() - length) {
            throw new IllegalArgumentException("records outside frame: position=" + position + ", length=" + length
                + ", totalLength=" + frameBody.totalLength());
        }
        if (length < RECORD_BATCH_OVERHEAD) {
            return fail(INVALID_RECORD, "produce records must hold exactly one record batch: length=" + length
                + ", batchHeaderLength=" + RECORD_BATCH_OVERHEAD);
        }

        // The 61-byte header, read in order (it may straddle slices).
        final SliceCursor c = cursor.wrap(frameBody, position, position + length);
        final long baseOffset = c.readLong();
        final int batchLength = c.readInt();
        c.readInt(); // partitionLeaderEpoch: the log writes its own
        final byte magic = c.readByte();
        final long storedCrc = c.readInt() & 0xFFFFFFFFL;
        final short attributes = c.readShort();
        final int lastOffsetDelta = c.readInt();
        final long baseTimestamp = c.readLong();
        final long headerMaxTimestamp = c.readLong();
        final long producerId = c.readLong();
        c.readShort(); // producerEpoch: the log's producer-state check reads it from the header copy
        final int baseSequence = c.readInt();
        final int count = c.readInt();

        if ((long) batchLength + LOG_OVERHEAD != length) {
            return fail(INVALID_RECORD, "produce records must hold exactly one record batch: length=" + length
                + ", batchLength=" + batchLength);
        }
        if (magic != MAGIC_V2) {
            return fail(INVALID_RECORD, "record batch magic must be 2: magic=" + magic);
        }
        final int codec = attributes & COMPRESSION_CODEC_MASK;
        if (codec == CODEC_ZSTD && produceVersion < FIRST_ZSTD_PRODUCE_VERSION) {
            return fail(UNSUPPORTED_COMPRESSION_TYPE,
                "zstd compression needs produce version 7 or later: produceVersion=" + produceVersion);
        }
        if (codec > CODEC_ZSTD) {
            return fail(INVALID_RECORD, "record batch compression codec unknown: codec=" + codec);
        }
        if (baseOffset != 0) {
            return fail(INVALID_RECORD, "record batch baseOffset must be 0: baseOffset=" + baseOffset);
        }
        if (length > config.maxMessageBytes) {
            return fail(MESSAGE_TOO_LARGE, "record batch larger than max.message.bytes: size=" + length
                + ", maxMessageBytes=" + config.maxMessageBytes);
        }
        final long computedCrc =
            Crc32cOverSlices.compute(crc, frameBody, position + ATTRIBUTES_OFFSET, position + length);
        if (computedCrc != storedCrc) {
            return fail(CORRUPT_MESSAGE, "record batch CRC mismatch: storedCrc=" + storedCrc
                + ", computedCrc=" + computedCrc);
        }
        if (count < 1 || (long) lastOffsetDelta + 1 != count) {
            return fail(INVALID_RECORD, "record batch count does not match its offsets: recordsCount=" + count
                + ", lastOffsetDelta=" + lastOffsetDelta);
        }
        if ((attributes & CONTROL_FLAG_MASK) != 0) {
            return fail(INVALID_RECORD, "clients may not write control batches: attributes=" + attributes);
        }
        if ((attributes & TRANSACTIONAL_FLAG_MASK) != 0) {
            return fail(INVALID_RECORD, "transactions are not supported by this broker: attributes=" + attributes
                + ", producerId=" + producerId);
        }
        if ((attributes & DELETE_HORIZON_FLAG_MASK) != 0) {
            return fail(INVALID_RECORD, "delete horizon attribute is reserved for the log cleaner: attributes="
                + attributes);
        }
        if (producerId >= 0 && baseSequence < 0) {
            return fail(INVALID_RECORD, "idempotent record batch needs a base sequence: producerId=" + producerId
                + ", baseSequence=" + baseSequence);
        }
        recordsCount = count;

        final boolean batchLogAppendTime = (attributes & TIMESTAMP_TYPE_MASK) != 0;
        final short walked;
        if (codec == CODEC_NONE) {
            walked = walkRecords(c, count, baseTimestamp, headerMaxTimestamp, batchLogAppendTime, config, nowMs);
        } else {
            walked = walkCompressed(frameBody, position, length, codec, count, baseTimestamp, headerMaxTimestamp,
                batchLogAppendTime, config, nowMs);
        }
        if (walked != NONE) {
            return walked;
        }

        copyHeader(frameBody, position, header);
        final int newAttributes;
        final long newMaxTimestamp;
        if (config.logAppendTime) {
            newAttributes = (attributes & KEPT_ATTRIBUTE_BITS) | TIMESTAMP_TYPE_MASK;
            newMaxTimestamp = nowMs;
        } else {
            newAttributes = attributes & KEPT_ATTRIBUTE_BITS;
            newMaxTimestamp = walker.maxTimestamp();
        }
        final boolean newLogAppendTime = (newAttributes & TIMESTAMP_TYPE_MASK) != 0;
        if (newLogAppendTime != batchLogAppendTime || newMaxTimestamp != headerMaxTimestamp) {
            patchHeader(frameBody, position, length, header, (short) newAttributes, newMaxTimestamp);
        }
        maxTimestamp = newMaxTimestamp;
        return NONE;
    }

    /** Message for the last failure (null after success). */
    public String errorMessage() {
        return errorMessage;
    }

    /** Index of the record at fault in the last failure, or -1. */
    public int recordIndex() {
        return recordIndex;
    }

    /** recordsCount of the last batch that passed the header checks (0 before). */
    public int recordsCount() {
        return recordsCount;
    }

    /** After success: the maxTimestamp now in the header copy (append time for LogAppendTime topics). */
    public long maxTimestamp() {
        return maxTimestamp;
    }

    /** After success: true if attributes/maxTimestamp were rewritten and the copy's CRC recomputed. */
    public boolean headerPatched() {
        return headerPatched;
    }

    /** Bytes the last compressed batch decompressed to (0 for uncompressed batches). */
    public int decompressedLength() {
        return decompressedLength;
    }

    /** The record walk over {@code c}; its failure becomes this validator's. */
    private short walkRecords(SliceCursor c, int count, long baseTimestamp, long batchMaxTimestamp,
                              boolean batchLogAppendTime, BatchValidationConfig config, long nowMs) {
        final short walked = walker.walk(c, count, baseTimestamp, batchMaxTimestamp, batchLogAppendTime, config, nowMs);
        if (walked != NONE) {
            return failRecord(walked, walker.errorMessage(), walker.recordIndex());
        }
        return NONE;
    }

    private short walkCompressed(SliceList frameBody, int position, int length, int codec, int count,
                                 long baseTimestamp, long batchMaxTimestamp, boolean batchLogAppendTime,
                                 BatchValidationConfig config, long nowMs) {
        final short inflated = decompressor.decompress(frameBody, position + RECORD_BATCH_OVERHEAD, position + length,
            codec);
        if (inflated != NONE) {
            return fail(inflated, decompressor.errorMessage());
        }
        decompressedLength = decompressor.length();
        if (decompressedLength == 0) {
            return failRecord(INVALID_RECORD, "compressed record batch decompresses to nothing: codec=" + codec
                + ", recordsCount=" + count, 0);
        }
        final SliceCursor records = decompressor.openRecords();
        try {
            return walkRecords(records, count, baseTimestamp, batchMaxTimestamp, batchLogAppendTime, config, nowMs);
        } finally {
            decompressor.closeRecords();
        }
    }

    /** Copies batch bytes [0, 61) to header indices 0..60, slice by slice. */
    private static void copyHeader(SliceList slices, int position, ByteBuffer header) {
        int s = slices.sliceAt(position);
        int offset = position - slices.start(s);
        int copied = 0;
        while (copied < RECORD_BATCH_OVERHEAD) {
            final int n = Math.min(RECORD_BATCH_OVERHEAD - copied, slices.length(s) - offset);
            header.put(copied, slices.chunk(s).memory(), slices.index(s) + offset, n);
            copied += n;
            s++;
            offset = 0;
        }
    }

    /**
     * Writes attributes and maxTimestamp into the header copy and stores the CRC-32C of the copy's
     * [21, 61) followed by the received payload [61, end). The received bytes are never modified.
     */
    private void patchHeader(SliceList slices, int position, int length, ByteBuffer header, short attributes,
                             long newMaxTimestamp) {
        header.putShort(ATTRIBUTES_OFFSET, attributes);
        header.putLong(MAX_TIMESTAMP_OFFSET, newMaxTimestamp);
        crc.reset();
        final int savedPosition = header.position();
        final int savedLimit = header.limit();
        header.clear();
        header.limit(RECORD_BATCH_OVERHEAD);
        header.position(ATTRIBUTES_OFFSET);
        crc.update(header);
        header.clear();
        header.limit(savedLimit);
        header.position(savedPosition);
        Crc32cOverSlices.update(crc, slices, position + RECORD_BATCH_OVERHEAD, position + length);
        header.putInt(CRC_OFFSET, (int) crc.getValue());
        headerPatched = true;
    }

    private short fail(short code, String message) {
        errorMessage = message;
        recordIndex = -1;
        return code;
    }

    private short failRecord(short code, String message, int index) {
        errorMessage = message;
        recordIndex = index;
        return code;
    }
}
