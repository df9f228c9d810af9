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

import io.zcrx.ingest.protocol.bytes.ChunkOwner;
import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.BufferSupplier;

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
 *
 * <p>One per reactor thread. Allocates nothing for uncompressed batches. Not thread-safe.
 */
public final class BatchValidator {
    private static final short NONE = Errors.NONE.code();
    private static final short INVALID_RECORD = Errors.INVALID_RECORD.code();
    private static final short INVALID_TIMESTAMP = Errors.INVALID_TIMESTAMP.code();
    private static final short CORRUPT_MESSAGE = Errors.CORRUPT_MESSAGE.code();
    private static final short MESSAGE_TOO_LARGE = Errors.MESSAGE_TOO_LARGE.code();
    private static final short UNSUPPORTED_COMPRESSION_TYPE = Errors.UNSUPPORTED_COMPRESSION_TYPE.code();

    /** First Produce version allowed to carry zstd batches; older ones get UNSUPPORTED_COMPRESSION_TYPE. */
    public static final short FIRST_ZSTD_PRODUCE_VERSION = 7;
    /** Attribute bits Kafka's {@code computeAttributes} keeps when it rewrites the timestamp type. */
    private static final int KEPT_ATTRIBUTE_BITS =
        COMPRESSION_CODEC_MASK | TRANSACTIONAL_FLAG_MASK | CONTROL_FLAG_MASK | DELETE_HORIZON_FLAG_MASK;
    private static final int DECOMPRESSED_SCRATCH_INITIAL = 64 * 1024;
    /** The scratch "chunk" for decompressed records is heap memory nobody needs back. */
    private static final ChunkOwner SCRATCH_OWNER = chunk -> { };

    private final int decompressedBytesMax;
    private final SliceCursor cursor = new SliceCursor();
    private final CRC32C crc = new CRC32C();

    // Compressed path: codecs (immutable, built once), their buffer cache and our scratch.
    private final Compression gzip = Compression.gzip().build();
    private final Compression snappy = Compression.snappy().build();
    private final Compression lz4 = Compression.lz4().build();
    private final Compression zstd = Compression.zstd().build();
    private final BufferSupplier bufferSupplier = BufferSupplier.create();
    private ByteBuffer compressedScratch = ByteBuffer.allocate(0);
    private byte[] decompressed = new byte[0];
    private ByteBuffer decompressedView = ByteBuffer.wrap(decompressed);
    private final RxChunk scratchChunk = new RxChunk();
    private final SliceList scratchSlices = new SliceList();
    private final SliceCursor scratchCursor = new SliceCursor();

    // Position and limit of a chunk memory view lent to a codec, restored afterwards.
    private int borrowedPosition;
    private int borrowedLimit;

    // Outcome of the last call.
    private String errorMessage;
    private int recordIndex = -1;
    private int recordsCount;
    private long maxTimestamp;
    private boolean headerPatched;
    private int decompressedLength;

    // Record walk state (fields so that the walk returns one short).
    private long walkMaxTimestamp;
    private int badTimestampIndex;
    private long badTimestamp;

    /**
     * @param decompressedBytesMax largest decompressed records section accepted from a compressed
     *                             batch (a bound against decompression bombs)
     */
    public BatchValidator(int decompressedBytesMax) {
        if (decompressedBytesMax <= 0) {
            throw new IllegalArgumentException("decompressedBytesMax must be > 0: decompressedBytesMax="
                + decompressedBytesMax);
        }
        this.decompressedBytesMax = decompressedBytesMax;
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
            newMaxTimestamp = walkMaxTimestamp;
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

    /**
     * Walks {@code count} records from the cursor's position to its limit. Leaves the largest record
     * timestamp in {@link #walkMaxTimestamp}.
     */
    private short walkRecords(SliceCursor c, int count, long baseTimestamp, long batchMaxTimestamp,
                              boolean batchLogAppendTime, BatchValidationConfig config, long nowMs) {
        walkMaxTimestamp = NO_TIMESTAMP;
        badTimestampIndex = -1;
        badTimestamp = NO_TIMESTAMP;
        final int sectionEnd = c.limit();
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
                // Narrow the cursor to this record: a field running past it fails like one past the batch.
                c.limit(recordEnd);
                c.readByte(); // record attributes: unused in magic 2 (Kafka ignores them too)
                timestampDelta = c.readVarlong();
                final int offsetDelta = c.readVarint();
                if (offsetDelta != i) {
                    return failRecord(INVALID_RECORD, "record offsetDelta must equal its index: recordIndex=" + i
                        + ", offsetDelta=" + offsetDelta, i);
                }
                skipBytesField(c); // key
                skipBytesField(c); // value
                final int headerCount = c.readVarint();
                if (headerCount < 0) {
                    return failRecord(INVALID_RECORD, "record header count is negative: recordIndex=" + i
                        + ", headerCount=" + headerCount, i);
                }
                for (int h = 0; h < headerCount; h++) {
                    final int keyLength = c.readVarint();
                    if (keyLength < 0) {
                        return failRecord(INVALID_RECORD, "record header key is null: recordIndex=" + i
                            + ", header=" + h + ", keyLength=" + keyLength, i);
                    }
                    c.skip(keyLength);
                    skipBytesField(c); // header value
                }
                if (c.position() != recordEnd) {
                    return failRecord(INVALID_RECORD, "record has bytes left after its fields: recordIndex=" + i
                        + ", left=" + (recordEnd - c.position()), i);
                }
                c.limit(sectionEnd);
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
            if (timestamp > walkMaxTimestamp) {
                walkMaxTimestamp = timestamp;
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

    /** A record's key, value or header value: VARINT length (negative = null, as Kafka reads it) then bytes. */
    private static void skipBytesField(SliceCursor c) {
        final int length = c.readVarint();
        if (length > 0) {
            c.skip(length);
        }
    }

    private short walkCompressed(SliceList frameBody, int position, int length, int codec, int count,
                                 long baseTimestamp, long batchMaxTimestamp, boolean batchLogAppendTime,
                                 BatchValidationConfig config, long nowMs) {
        final ByteBuffer input = payloadAsOneBuffer(frameBody, position + RECORD_BATCH_OVERHEAD, position + length);
        final int savedPosition = borrowedPosition;
        final int savedLimit = borrowedLimit;
        try {
            return decompressAndWalk(input, codec, count, baseTimestamp, batchMaxTimestamp, batchLogAppendTime, config,
                nowMs);
        } finally {
            if (input != compressedScratch) {
                // The codec read the chunk memory itself: give the view its position and limit back.
                input.limit(savedLimit);
                input.position(savedPosition);
            }
        }
    }

    private short decompressAndWalk(ByteBuffer input, int codec, int count, long baseTimestamp, long batchMaxTimestamp,
                                    boolean batchLogAppendTime, BatchValidationConfig config, long nowMs) {
        final Compression compression = codec(codec);
        int total = 0;
        InputStream in = null;
        try {
            in = compression.wrapForInput(input, MAGIC_V2, bufferSupplier);
            if (decompressed.length == 0) {
                growDecompressed(Math.min(DECOMPRESSED_SCRATCH_INITIAL, decompressedBytesMax));
            }
            while (true) {
                if (total == decompressed.length) {
                    if (total >= decompressedBytesMax) {
                        if (in.read() != -1) {
                            return fail(INVALID_RECORD,
                                "compressed record batch decompresses to more than the limit: codec=" + codec
                                + ", decompressedBytesMax=" + decompressedBytesMax);
                        }
                        break;
                    }
                    growDecompressed((int) Math.min(2L * decompressed.length, decompressedBytesMax));
                }
                final int n = in.read(decompressed, total, decompressed.length - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // Codecs report corrupt streams as IOException or as KafkaException and friends.
            return fail(INVALID_RECORD, "compressed record batch cannot be decompressed: codec=" + codec
                + ", error=" + e);
        } finally {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // Closing only returns buffers to the supplier; a failure there says nothing about the batch.
                    throw new IllegalStateException("closing decompression stream failed: codec=" + codec, e);
                }
            }
        }
        decompressedLength = total;
        if (total == 0) {
            return failRecord(INVALID_RECORD, "compressed record batch decompresses to nothing: codec=" + codec
                + ", recordsCount=" + count, 0);
        }
        scratchChunk.wrap(SCRATCH_OWNER, decompressedView, 0L, 0, total, 0L);
        try {
            scratchSlices.add(scratchChunk, 0, total);
        } finally {
            scratchChunk.release(); // the slice holds the only reference now
        }
        try {
            return walkRecords(scratchCursor.wrap(scratchSlices, 0, total), count, baseTimestamp, batchMaxTimestamp,
                batchLogAppendTime, config, nowMs);
        } finally {
            scratchSlices.releaseAll();
        }
    }

    private void growDecompressed(int capacity) {
        decompressed = Arrays.copyOf(decompressed, capacity);
        decompressedView = ByteBuffer.wrap(decompressed);
    }

    private Compression codec(int codec) {
        switch (codec) {
            case RecordBatchLayout.CODEC_GZIP:
                return gzip;
            case RecordBatchLayout.CODEC_SNAPPY:
                return snappy;
            case RecordBatchLayout.CODEC_LZ4:
                return lz4;
            case RecordBatchLayout.CODEC_ZSTD:
                return zstd;
            default:
                throw new IllegalStateException("no decompressor for codec: codec=" + codec);
        }
    }

    /**
     * The logical range [from, to) as one buffer for a codec: the chunk memory itself (positioned on
     * the range; we may move a view's position and limit, and the caller restores them from
     * {@link #borrowedPosition}/{@link #borrowedLimit}) when the range lies in one slice, else a copy
     * in reusable scratch.
     */
    private ByteBuffer payloadAsOneBuffer(SliceList slices, int from, int to) {
        final int n = to - from;
        if (n > 0) {
            final int s = slices.sliceAt(from);
            final int offset = from - slices.start(s);
            if (offset + n <= slices.length(s)) {
                final ByteBuffer m = slices.chunk(s).memory();
                final int index = slices.index(s) + offset;
                borrowedPosition = m.position();
                borrowedLimit = m.limit();
                m.clear();
                m.limit(index + n);
                m.position(index);
                return m;
            }
        }
        if (compressedScratch.capacity() < n) {
            compressedScratch = ByteBuffer.allocate(Math.max(n, 2 * compressedScratch.capacity()));
        }
        compressedScratch.clear();
        cursor.position(from);
        cursor.copyTo(compressedScratch, n);
        compressedScratch.flip();
        return compressedScratch;
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
