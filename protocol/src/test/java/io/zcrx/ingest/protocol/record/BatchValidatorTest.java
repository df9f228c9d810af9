package io.zcrx.ingest.protocol.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.produce.ProduceRequests;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class BatchValidatorTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final int PREFIX = 5;
    private static final int SUFFIX = 3;
    private static final short V13 = 13;
    private static final int BOMB_LIMIT = 64 * 1024;

    private static final short NONE = Errors.NONE.code();
    private static final short INVALID_RECORD = Errors.INVALID_RECORD.code();
    private static final short INVALID_TIMESTAMP = Errors.INVALID_TIMESTAMP.code();
    private static final short CORRUPT_MESSAGE = Errors.CORRUPT_MESSAGE.code();
    private static final short MESSAGE_TOO_LARGE = Errors.MESSAGE_TOO_LARGE.code();
    private static final short UNSUPPORTED_COMPRESSION_TYPE = Errors.UNSUPPORTED_COMPRESSION_TYPE.code();

    private final TestChunks chunks = new TestChunks();
    private final BatchValidator validator = new BatchValidator(BOMB_LIMIT);
    private final ByteBuffer header = ByteBuffer.allocateDirect(64);
    private final BatchValidationConfig createTime = new BatchValidationConfig();

    @AfterEach
    void noLeaks() {
        assertEquals(0, chunks.outstanding(), "chunks not given back");
    }

    /** The batch inside a frame: PREFIX bytes before it and SUFFIX after, as in a request. */
    private static byte[] inFrame(byte[] batch) {
        final byte[] frame = new byte[PREFIX + batch.length + SUFFIX];
        Arrays.fill(frame, (byte) 0x5C);
        System.arraycopy(batch, 0, frame, PREFIX, batch.length);
        return frame;
    }

    /** Validates over the given slicing of the frame; the slices are released before returning. */
    private short validate(byte[] batch, Function<byte[], SliceList> slicing, short version,
                           BatchValidationConfig config, long nowMs) {
        final byte[] frame = inFrame(batch);
        final SliceList slices = slicing.apply(frame);
        try {
            final short code = validator.validate(slices, PREFIX, batch.length, version, config, nowMs, header);
            assertArrayEquals(frame, TestChunks.bytes(slices), "received bytes must never change");
            return code;
        } finally {
            slices.releaseAll();
        }
    }

    /** The same verdict whole, cut at random points, and one byte per slice. */
    private void assertCode(short expected, byte[] batch, short version, BatchValidationConfig config, String what) {
        final Random random = new Random(batch.length);
        assertEquals(expected, validate(batch, chunks::slices, version, config, NOW), what + " (whole): "
            + validator.errorMessage());
        final String message = validator.errorMessage();
        final int index = validator.recordIndex();
        assertEquals(expected, validate(batch, f -> chunks.slicesRandom(f, random, 12), version, config, NOW),
            what + " (random cuts)");
        assertEquals(message, validator.errorMessage(), what);
        assertEquals(expected, validate(batch, chunks::slicesOnePerByte, version, config, NOW), what
            + " (one byte per slice)");
        assertEquals(index, validator.recordIndex(), what);
        if (expected == NONE) {
            assertNull(validator.errorMessage(), what);
        } else {
            assertTrue(validator.errorMessage() != null && !validator.errorMessage().isEmpty(), what);
        }
    }

    private void assertRecordError(short expected, int recordIndex, byte[] batch, BatchValidationConfig config,
                                   String what) {
        assertCode(expected, batch, V13, config, what);
        assertEquals(recordIndex, validator.recordIndex(), what + ": " + validator.errorMessage());
    }

    /** The batch as a reader of our log would see it: header copy + received payload. */
    private MutableRecordBatch asWritten(byte[] batch) {
        final ByteBuffer b = ByteBuffer.allocate(batch.length);
        for (int i = 0; i < RecordBatchLayout.RECORD_BATCH_OVERHEAD; i++) {
            b.put(header.get(i));
        }
        b.put(batch, RecordBatchLayout.RECORD_BATCH_OVERHEAD, batch.length - RecordBatchLayout.RECORD_BATCH_OVERHEAD);
        b.flip();
        return MemoryRecords.readableRecords(b).batches().iterator().next();
    }

    private static byte[] kafkaBatch(CompressionType codec, boolean idempotent, SimpleRecord... records) {
        return ProduceRequests.bytes(idempotent
            ? ProduceRequests.idempotentBatch(codec, 77L, (short) 2, 1000, records)
            : ProduceRequests.batch(codec, records));
    }

    // Goal: what a Java producer sends passes, for every codec, idempotent or not, with keys, nulls
    // and headers, wherever the slices are cut; the header copy is the received header when nothing
    // needs patching. Method: jqwik seed -> records and cut set; batches built by kafka-clients.
    @Property(tries = 60)
    void producerBatchesPass(@ForAll long seed) {
        final Random random = new Random(seed);
        final CompressionType codec = CompressionType.values()[random.nextInt(CompressionType.values().length)];
        final boolean idempotent = random.nextBoolean();
        final SimpleRecord[] records = ProduceRequests.records(random, 1 + random.nextInt(40), NOW);
        final byte[] batch = kafkaBatch(codec, idempotent, records);
        final short code = validate(batch, f -> chunks.slicesRandom(f, random, 16), (short) 7, createTime, NOW + 500);
        assertEquals(NONE, code, "seed=" + seed + " " + codec + ": " + validator.errorMessage());
        assertEquals(records.length, validator.recordsCount());
        assertFalse(validator.headerPatched(), "seed=" + seed);
        for (int i = 0; i < RecordBatchLayout.RECORD_BATCH_OVERHEAD; i++) {
            assertEquals(batch[i], header.get(i), "header byte " + i + ", seed=" + seed);
        }
        assertEquals(codec == CompressionType.NONE, validator.decompressedLength() == 0, "seed=" + seed);
        assertEquals(0, chunks.outstanding(), "seed=" + seed);
    }

    // Goal: the record walk accepts exactly what Kafka's own reader accepts, on damaged records too (the walk
    // reads each record's fields against the batch's end, not narrowed to the record, and must still catch a
    // field that runs past its record). Method: an uncompressed batch from kafka-clients, one byte of its records
    // section replaced, the CRC recomputed so the walk is reached; oracle: kafka-clients iterates every record
    // (its DefaultRecord checks each record's size and header keys, its iterator the bytes left after the last)
    // and each offset delta equals its index (LogValidator's rule). Timestamps are not bounded here, so the
    // verdict is about framing only.
    @Property(tries = 300)
    void damagedRecordsGetKafkasVerdict(@ForAll long seed) {
        final Random random = new Random(seed);
        final byte[] batch = kafkaBatch(CompressionType.NONE, random.nextBoolean(),
            ProduceRequests.records(random, 1 + random.nextInt(12), NOW));
        final int at = RecordBatchLayout.RECORD_BATCH_OVERHEAD
            + random.nextInt(batch.length - RecordBatchLayout.RECORD_BATCH_OVERHEAD);
        batch[at] = (byte) random.nextInt(256);
        final java.util.zip.Checksum crc = new java.util.zip.CRC32C(); // fully qualified: one use, in a test
        crc.update(batch, RecordBatchLayout.ATTRIBUTES_OFFSET, batch.length - RecordBatchLayout.ATTRIBUTES_OFFSET);
        ByteBuffer.wrap(batch).putInt(RecordBatchLayout.CRC_OFFSET, (int) crc.getValue());
        final BatchValidationConfig anyTime = new BatchValidationConfig();
        anyTime.timestampAfterMaxMs = Long.MAX_VALUE;
        final short code = validate(batch, f -> chunks.slicesRandom(f, random, 8), V13, anyTime, NOW);
        final boolean kafka = kafkaReads(batch);
        assertEquals(kafka ? NONE : INVALID_RECORD, code, "seed=" + seed + ", byte " + at + ": "
            + validator.errorMessage());
    }

    /** Whether kafka-clients reads every record of {@code batch} with offset deltas 0, 1, 2, ... */
    private static boolean kafkaReads(byte[] batch) {
        try {
            final MutableRecordBatch b = MemoryRecords.readableRecords(ByteBuffer.wrap(batch)).batches().iterator()
                .next();
            long expected = b.baseOffset();
            for (Record r : b) {
                if (r.offset() != expected++) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            // Any exception of Kafka's reader (InvalidRecordException, BufferUnderflowException, ...) is a refusal.
            return false;
        }
    }

    // Goal: every codec, idempotent or not, passes at every slicing style, and each is exercised
    // deterministically (the property above samples). Method: a fixed record set per combination.
    @Test
    void everyCodecPasses() {
        for (CompressionType codec : CompressionType.values()) {
            for (boolean idempotent : new boolean[] {false, true}) {
                final byte[] batch = kafkaBatch(codec, idempotent, ProduceRequests.records(new Random(3), 25,
                    NOW - 1000));
                assertCode(NONE, batch, V13, createTime, codec + " idempotent=" + idempotent);
                assertEquals(25, validator.recordsCount());
            }
        }
    }

    // Goal: LogAppendTime topics get the timestamp-type bit and maxTimestamp = now in the copy,
    // with a CRC that kafka-clients accepts over copy + received payload. Method: every codec;
    // DefaultRecordBatch.isValid() and its record timestamps read back.
    @Test
    void logAppendTimeStampsTheHeaderCopy() {
        final BatchValidationConfig logAppend = new BatchValidationConfig();
        logAppend.logAppendTime = true;
        for (CompressionType codec : CompressionType.values()) {
            final byte[] batch = kafkaBatch(codec, true, ProduceRequests.records(new Random(5), 7,
                NOW - 5_000_000_000L));
            assertEquals(NONE, validate(batch, f -> chunks.slices(f, 9, 40, 70), V13, logAppend, NOW),
                codec.toString());
            assertTrue(validator.headerPatched());
            assertEquals(NOW, validator.maxTimestamp());
            final MutableRecordBatch written = asWritten(batch);
            assertTrue(written.isValid(), codec + ": CRC of the patched copy");
            written.ensureValid();
            assertEquals(TimestampType.LOG_APPEND_TIME, written.timestampType());
            assertEquals(NOW, written.maxTimestamp());
            assertEquals(codec, written.compressionType());
            for (Record r : written) {
                assertEquals(NOW, r.timestamp());
            }
        }
    }

    // Goal: a CreateTime batch whose maxTimestamp is not the max of its records is fixed in the copy
    // (Kafka's setMaxTimestamp), with a valid CRC. Method: a kafka-built batch with maxTimestamp
    // rewritten, uncompressed and zstd.
    @Test
    void wrongMaxTimestampIsFixedInTheCopy() {
        for (CompressionType codec : new CompressionType[] {CompressionType.NONE, CompressionType.ZSTD}) {
            final SimpleRecord[] records = {new SimpleRecord(NOW - 30, "a".getBytes(), "1".getBytes()),
                new SimpleRecord(NOW - 10, (byte[]) null, "2".getBytes()), new SimpleRecord(NOW - 20, "c".getBytes(),
                    (byte[]) null)};
            final byte[] wrong = BatchBytes.withLong(kafkaBatch(codec, false, records),
                RecordBatchLayout.MAX_TIMESTAMP_OFFSET, NOW - 99);
            assertEquals(NONE, validate(wrong, chunks::slicesOnePerByte, V13, createTime, NOW), codec.toString());
            assertTrue(validator.headerPatched());
            assertEquals(NOW - 10, validator.maxTimestamp());
            final MutableRecordBatch written = asWritten(wrong);
            assertTrue(written.isValid(), codec + ": CRC of the fixed copy");
            assertEquals(NOW - 10, written.maxTimestamp());
            assertEquals(TimestampType.CREATE_TIME, written.timestampType());
        }
    }

    // Goal: Kafka's exact rule for a producer-set LogAppendTime bit (LogValidator.validateTimestamp):
    // on a CreateTime topic with maxTimestamp in range it is accepted and the bit cleared in the copy;
    // with maxTimestamp -1, or on a LogAppendTime topic, it is INVALID_TIMESTAMP at record 0; out of
    // range on a CreateTime topic is INVALID_TIMESTAMP too. Method: the bit set on a kafka batch.
    @Test
    void producerSetLogAppendTimeFollowsKafka() {
        final byte[] base = kafkaBatch(CompressionType.NONE, false, ProduceRequests.records(new Random(9), 4,
            NOW - 100));
        final byte[] lat = BatchBytes.withShort(base, RecordBatchLayout.ATTRIBUTES_OFFSET,
            RecordBatchLayout.TIMESTAMP_TYPE_MASK);
        assertCode(NONE, lat, V13, createTime, "LogAppendTime bit on CreateTime topic, maxTimestamp in range");
        assertTrue(validator.headerPatched());
        final MutableRecordBatch written = asWritten(lat);
        assertTrue(written.isValid());
        assertEquals(TimestampType.CREATE_TIME, written.timestampType());
        assertEquals(ByteBuffer.wrap(base).getLong(RecordBatchLayout.MAX_TIMESTAMP_OFFSET), written.maxTimestamp());

        final byte[] noTimestamp = BatchBytes.withLong(lat, RecordBatchLayout.MAX_TIMESTAMP_OFFSET, -1L);
        assertRecordError(INVALID_TIMESTAMP, 0, noTimestamp, createTime, "LogAppendTime bit, maxTimestamp -1");
        final byte[] future = BatchBytes.withLong(lat, RecordBatchLayout.MAX_TIMESTAMP_OFFSET, NOW + 7_200_000L);
        assertRecordError(INVALID_TIMESTAMP, 0, future, createTime, "LogAppendTime bit, maxTimestamp in the future");
        final BatchValidationConfig logAppend = new BatchValidationConfig();
        logAppend.logAppendTime = true;
        assertRecordError(INVALID_TIMESTAMP, 0, lat, logAppend, "LogAppendTime bit on a LogAppendTime topic");
        assertTrue(validator.errorMessage().contains("LogAppendTime"), validator.errorMessage());
    }

    // Goal: the batch-level negative space returns Kafka's code for each fault, in the documented
    // order. Method: one kafka-built batch, edited one field at a time (CRC fixed unless the CRC is
    // the point), each case checked whole, randomly cut and one byte per slice.
    @Test
    void batchLevelFaultsReturnTheirCodes() {
        final SimpleRecord[] records = ProduceRequests.records(new Random(11), 5, NOW);
        final byte[] good = kafkaBatch(CompressionType.NONE, false, records);

        final byte[] frame = inFrame(good);
        final SliceList slices = chunks.slices(frame);
        try {
            assertEquals(INVALID_RECORD, validator.validate(slices, PREFIX, -1, V13, createTime, NOW, header),
                "null records");
            assertEquals(INVALID_RECORD, validator.validate(slices, PREFIX, 0, V13, createTime, NOW, header),
                "empty records");
            assertEquals(INVALID_RECORD, validator.validate(slices, PREFIX, 60, V13, createTime, NOW, header),
                "60 bytes");
            assertEquals(INVALID_RECORD, validator.validate(slices, PREFIX, good.length - 1, V13, createTime, NOW,
                header),
                "truncated batch");
            assertEquals(INVALID_RECORD, validator.validate(slices, PREFIX, good.length + 1, V13, createTime, NOW,
                header),
                "a byte after the batch");
        } finally {
            slices.releaseAll();
        }
        final byte[] two = new byte[good.length * 2];
        System.arraycopy(good, 0, two, 0, good.length);
        System.arraycopy(good, 0, two, good.length, good.length);
        assertCode(INVALID_RECORD, two, V13, createTime, "two batches");
        assertTrue(validator.errorMessage().contains("exactly one record batch"), validator.errorMessage());

        final byte[] magic1 = good.clone();
        magic1[RecordBatchLayout.MAGIC_OFFSET] = 1;
        assertCode(INVALID_RECORD, magic1, V13, createTime, "magic 1");

        final byte[] zstd = kafkaBatch(CompressionType.ZSTD, false, records);
        assertCode(UNSUPPORTED_COMPRESSION_TYPE, zstd, (short) 6, createTime, "zstd at v6");
        assertCode(NONE, zstd, (short) 7, createTime, "zstd at v7");
        for (int codec = 5; codec <= 7; codec++) {
            assertCode(INVALID_RECORD, BatchBytes.withShort(good, RecordBatchLayout.ATTRIBUTES_OFFSET, codec), V13,
                createTime,
                "codec " + codec);
        }

        assertCode(INVALID_RECORD, BatchBytes.withLong(good, RecordBatchLayout.BASE_OFFSET_OFFSET, 5L), V13, createTime,
            "baseOffset 5");
        final byte[] kafkaBaseOffset = ProduceRequests.bytes(MemoryRecords.withRecords(3L,
            Compression.NONE, records));
        assertCode(INVALID_RECORD, kafkaBaseOffset, V13, createTime, "kafka batch at baseOffset 3");

        final BatchValidationConfig small = new BatchValidationConfig();
        small.maxMessageBytes = good.length - 1;
        assertCode(MESSAGE_TOO_LARGE, good, V13, small, "one byte over max.message.bytes");
        small.maxMessageBytes = good.length;
        assertCode(NONE, good, V13, small, "exactly max.message.bytes");

        for (int bit : new int[] {0, 7, 13}) {
            final byte[] flipped = good.clone();
            final int at = RecordBatchLayout.RECORD_BATCH_OVERHEAD + bit * 3 % (good.length - 61);
            flipped[at] ^= (byte) (1 << (bit % 8));
            assertCode(CORRUPT_MESSAGE, flipped, V13, createTime, "payload bit flipped at " + at);
        }
        final byte[] badCrc = good.clone();
        badCrc[RecordBatchLayout.CRC_OFFSET + 3] ^= 1;
        assertCode(CORRUPT_MESSAGE, badCrc, V13, createTime, "stored CRC off by one bit");
        final byte[] badAttributes = good.clone();
        badAttributes[RecordBatchLayout.ATTRIBUTES_OFFSET + 1] ^= RecordBatchLayout.CONTROL_FLAG_MASK;
        assertCode(CORRUPT_MESSAGE, badAttributes, V13, createTime, "attributes changed, CRC not fixed");

        assertCode(INVALID_RECORD, BatchBytes.withInt(good, RecordBatchLayout.RECORDS_COUNT_OFFSET, 6), V13, createTime,
            "count 6 with lastOffsetDelta 4");
        final byte[] zero = BatchBytes.withInt(BatchBytes.withInt(good, RecordBatchLayout.RECORDS_COUNT_OFFSET, 0),
            RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, -1);
        assertCode(INVALID_RECORD, zero, V13, createTime, "count 0");
        final byte[] fewer = BatchBytes.withInt(BatchBytes.withInt(good, RecordBatchLayout.RECORDS_COUNT_OFFSET, 4),
            RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, 3);
        assertCode(INVALID_RECORD, fewer, V13, createTime, "count 4 but five records");
        assertTrue(validator.errorMessage().contains("bytes left after its last record"), validator.errorMessage());
        final byte[] more = BatchBytes.withInt(BatchBytes.withInt(good, RecordBatchLayout.RECORDS_COUNT_OFFSET, 6),
            RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET, 5);
        assertRecordError(INVALID_RECORD, 5, more, createTime, "count 6 but five records");

        assertCode(INVALID_RECORD, BatchBytes.withShort(good, RecordBatchLayout.ATTRIBUTES_OFFSET,
            RecordBatchLayout.CONTROL_FLAG_MASK), V13, createTime, "control batch");
        final byte[] txn = ProduceRequests.bytes(MemoryRecords.withTransactionalRecords(
            Compression.NONE, 77L, (short) 1, 0, records));
        assertCode(INVALID_RECORD, txn, V13, createTime, "transactional batch");
        assertTrue(validator.errorMessage().contains("transactions are not supported"), validator.errorMessage());
        assertCode(INVALID_RECORD, BatchBytes.withShort(good, RecordBatchLayout.ATTRIBUTES_OFFSET,
            RecordBatchLayout.DELETE_HORIZON_FLAG_MASK), V13, createTime, "delete horizon bit");
        final byte[] noSequence = BatchBytes.withLong(good, RecordBatchLayout.PRODUCER_ID_OFFSET, 12L);
        assertCode(INVALID_RECORD, noSequence, V13, createTime, "producerId without base sequence");
        assertTrue(validator.errorMessage().contains("baseSequence=-1"), validator.errorMessage());
        assertEquals(-1, validator.recordIndex());
    }

    // Goal: the first failing check wins, in the documented order. Method: batches with two faults
    // at once; the earlier check's code must come back.
    @Test
    void checksRunInOrder() {
        final byte[] good = kafkaBatch(CompressionType.ZSTD, false, ProduceRequests.records(new Random(1), 3, NOW));
        final byte[] magicAndZstd = good.clone();
        magicAndZstd[RecordBatchLayout.MAGIC_OFFSET] = 0;
        assertCode(INVALID_RECORD, magicAndZstd, (short) 5, createTime, "magic before zstd");
        final byte[] zstdAndOffset = BatchBytes.withLong(good, RecordBatchLayout.BASE_OFFSET_OFFSET, 1L);
        assertCode(UNSUPPORTED_COMPRESSION_TYPE, zstdAndOffset, (short) 5, createTime, "zstd before baseOffset");
        final BatchValidationConfig small = new BatchValidationConfig();
        small.maxMessageBytes = 61;
        assertCode(INVALID_RECORD, zstdAndOffset, V13, small, "baseOffset before size");
        final byte[] largeAndCorrupt = good.clone();
        largeAndCorrupt[good.length - 1] ^= 1;
        assertCode(MESSAGE_TOO_LARGE, largeAndCorrupt, V13, small, "size before CRC");
        final byte[] corruptAndControl = BatchBytes.withShort(good, RecordBatchLayout.ATTRIBUTES_OFFSET,
            RecordBatchLayout.CONTROL_FLAG_MASK | RecordBatchLayout.CODEC_ZSTD);
        corruptAndControl[good.length - 1] ^= 1;
        assertCode(CORRUPT_MESSAGE, corruptAndControl, V13, createTime, "CRC before control bit");
    }

    // Goal: CreateTime bounds are Kafka's: [now - before, now + after], -1 always accepted, the first
    // bad record reported. Method: records 1h+1ms in the future / far in the past, with before set.
    @Test
    void timestampsOutOfRange() {
        final SimpleRecord[] future = {new SimpleRecord(NOW, "a".getBytes(), null),
            new SimpleRecord(NOW + 3_600_001L, "b".getBytes(), null), new SimpleRecord(NOW + 9_000_000L, (byte[]) null,
                (byte[]) null)};
        for (CompressionType codec : new CompressionType[] {CompressionType.NONE, CompressionType.GZIP}) {
            assertRecordError(INVALID_TIMESTAMP, 1, kafkaBatch(codec, false, future), createTime, codec + " future");
            assertTrue(validator.errorMessage().contains("timestamp=" + (NOW + 3_600_001L)), validator.errorMessage());
        }
        final SimpleRecord[] edge = {new SimpleRecord(NOW + 3_600_000L, "a".getBytes(), null),
            new SimpleRecord(-1L, "b".getBytes(), null)};
        assertCode(NONE, kafkaBatch(CompressionType.NONE, false, edge), V13, createTime, "exactly now + after, and -1");

        final BatchValidationConfig day = new BatchValidationConfig();
        day.timestampBeforeMaxMs = 86_400_000L;
        final SimpleRecord[] past = {new SimpleRecord(NOW - 86_400_000L, "a".getBytes(), null),
            new SimpleRecord(NOW - 86_400_001L, "b".getBytes(), null)};
        assertRecordError(INVALID_TIMESTAMP, 1, kafkaBatch(CompressionType.LZ4, true, past), day, "a day and 1 ms old");
        final BatchValidationConfig logAppend = new BatchValidationConfig();
        logAppend.logAppendTime = true;
        assertCode(NONE, kafkaBatch(CompressionType.NONE, false, future), V13, logAppend,
            "LogAppendTime topics do not check producer timestamps");
    }

    private static BatchBytes.Header header(int count, int attributes) {
        final BatchBytes.Header h = new BatchBytes.Header();
        h.count = count;
        h.lastOffsetDelta = count - 1;
        h.baseTimestamp = NOW;
        h.maxTimestamp = NOW;
        h.attributes = attributes;
        return h;
    }

    private static final byte[] K = "key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] V = "value".getBytes(StandardCharsets.UTF_8);

    // Goal: record framing faults are INVALID_RECORD with the index of the record at fault, for an
    // uncompressed and a compressed batch alike. Method: hand-written records, one fault each.
    @Test
    void recordFramingFaults() {
        for (int codec : new int[] {RecordBatchLayout.CODEC_NONE, RecordBatchLayout.CODEC_SNAPPY}) {
            final String c = " codec=" + codec;
            final byte[] ok = BatchBytes.batch(header(2, codec), new BatchBytes.Records()
                .record(0, 0, K, V, "h".getBytes(), null).record(5, 1, null, null).toBytes());
            assertCode(NONE, ok, V13, createTime, "hand-made batch" + c);

            assertRecordError(INVALID_RECORD, 1, BatchBytes.batch(header(2, codec), new BatchBytes.Records()
                .record(0, 0, K, V).record(0, 2, K, V).toBytes()), createTime, "offset delta gap" + c);
            assertRecordError(INVALID_RECORD, 0, BatchBytes.batch(header(1, codec), new BatchBytes.Records()
                .record(0, 1, K, V).toBytes()), createTime, "first offset delta 1" + c);
            assertRecordError(INVALID_RECORD, 1, BatchBytes.batch(header(2, codec), new BatchBytes.Records()
                .record(0, 0, K, V).record(0, 1, K, V, null, V).toBytes()), createTime, "null header key" + c);
            // Record length 30 but only the 1 + 3 + 5 + ... bytes of a small record follow, then the batch ends.
            assertRecordError(INVALID_RECORD, 0, BatchBytes.batch(header(1, codec), new BatchBytes.Records()
                .varint(30).raw((byte) 0).varlong(0).varint(0).varint(-1).varint(-1).varint(0).toBytes()),
                createTime, "record length past the batch" + c);
            // A key length that runs past its record (but not past the batch).
            final byte[] inner = new BatchBytes.Records().raw((byte) 0).varlong(0).varint(0).varint(20).raw(K)
                .varint(-1).varint(0).toBytes();
            assertRecordError(INVALID_RECORD, 0, BatchBytes.batch(header(1, codec), new BatchBytes.Records()
                .varint(inner.length).raw(inner).raw(new byte[30]).toBytes()), createTime, "key past its record" + c);
            // A record whose length claims two more bytes than its fields use.
            final byte[] fields = new BatchBytes.Records().raw((byte) 0).varlong(0).varint(0).varint(-1).varint(-1)
                .varint(0).raw((byte) 0, (byte) 0).toBytes();
            assertRecordError(INVALID_RECORD, 0, BatchBytes.batch(header(1, codec), new BatchBytes.Records()
                .varint(fields.length).raw(fields).toBytes()), createTime, "bytes left in the record" + c);
            assertRecordError(INVALID_RECORD, 0, BatchBytes.batch(header(1, codec), new BatchBytes.Records()
                .varint(-3).raw(new byte[10]).toBytes()), createTime, "negative record length" + c);
            assertRecordError(INVALID_RECORD, 1, BatchBytes.batch(header(2, codec), new BatchBytes.Records()
                .record(0, 0, K, V).varint(20).raw((byte) 0).raw(continuation(11)).raw(new byte[8]).toBytes()),
                createTime, "overlong timestamp delta varlong" + c);
            assertTrue(validator.errorMessage().contains("longer than 10 bytes"), validator.errorMessage());
            assertRecordError(INVALID_RECORD, 0, BatchBytes.batch(header(1, codec), new BatchBytes.Records()
                .varint(9).raw((byte) 0).varlong(0).varint(0).varint(-1).varint(-1).varint(-2).raw(new byte[3])
                .toBytes()),
                createTime, "negative header count" + c);
            assertRecordError(INVALID_RECORD, -1, BatchBytes.batch(header(1, codec), new BatchBytes.Records()
                .record(0, 0, K, V).raw((byte) 0).toBytes()), createTime, "a byte after the last record" + c);
        }
    }

    // Goal: compressed batches are bounded: output above decompressedBytesMax is refused with a
    // message, and a stream the codec cannot read is INVALID_RECORD, never an exception. Method: gzip
    // of 1 MiB (limit 64 KiB); gzip-flagged garbage with a valid CRC; an empty compressed section.
    @Test
    void decompressionIsBoundedAndFailuresAreInvalidRecord() {
        final byte[] bomb = BatchBytes.batch(header(1, RecordBatchLayout.CODEC_GZIP), new byte[1 << 20]);
        assertCode(INVALID_RECORD, bomb, V13, createTime, "decompression bomb");
        assertTrue(validator.errorMessage().contains("decompressedBytesMax=" + BOMB_LIMIT), validator.errorMessage());
        final byte[] exactly = BatchBytes.batch(header(1, RecordBatchLayout.CODEC_GZIP), new byte[BOMB_LIMIT]);
        assertCode(INVALID_RECORD, exactly, V13, createTime, "exactly the limit, but zeros are not records");
        assertTrue(validator.errorMessage().startsWith("record"), validator.errorMessage());
        assertEquals(BOMB_LIMIT, validator.decompressedLength());

        for (int codec = 1; codec <= 4; codec++) {
            final BatchBytes.Header h = header(1, 0);
            final byte[] garbage = BatchBytes.batch(h, "this is not a compressed stream at all".getBytes());
            final byte[] flagged = BatchBytes.withShort(garbage, RecordBatchLayout.ATTRIBUTES_OFFSET, codec);
            assertCode(INVALID_RECORD, flagged, V13, createTime, "garbage with codec " + codec);
            final byte[] empty = BatchBytes.withShort(BatchBytes.batch(h, new byte[0]),
                RecordBatchLayout.ATTRIBUTES_OFFSET, codec);
            assertCode(INVALID_RECORD, empty, V13, createTime, "empty section with codec " + codec);
        }
    }

    // Goal: a decompressed section larger than the scratch's first size grows it and still passes.
    // Method: 300 records of 1 KiB, lz4, with a 1 MiB limit.
    @Test
    void largeCompressedBatchesGrowTheScratch() {
        final BatchValidator big = new BatchValidator(1 << 20);
        final SimpleRecord[] records = new SimpleRecord[300];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(NOW, (byte[]) null, new byte[1024]);
        }
        final byte[] batch = kafkaBatch(CompressionType.LZ4, false, records);
        final byte[] frame = inFrame(batch);
        final SliceList slices = chunks.slices(frame, 100, 200);
        try {
            assertEquals(NONE, big.validate(slices, PREFIX, batch.length, V13, createTime, NOW, header),
                big.errorMessage());
            assertTrue(big.decompressedLength() > 300 * 1024);
        } finally {
            slices.releaseAll();
        }
    }

    // Goal: refuse a header buffer too small for the copy, and positions outside the frame. Method:
    // a 60-byte buffer; a length running past the slices.
    @Test
    void misuseIsRefused() {
        final byte[] batch = kafkaBatch(CompressionType.NONE, false, new SimpleRecord(NOW, V));
        final SliceList slices = chunks.slices(inFrame(batch));
        try {
            Assertions.assertThrows(IllegalArgumentException.class,
                () -> validator.validate(slices,
                PREFIX, batch.length, V13, createTime, NOW, ByteBuffer.allocateDirect(60)));
            Assertions.assertThrows(IllegalArgumentException.class,
                () -> validator.validate(slices,
                PREFIX, batch.length + SUFFIX + 1, V13, createTime, NOW, header));
            Assertions.assertThrows(IllegalArgumentException.class, () -> new BatchValidator(0));
        } finally {
            slices.releaseAll();
        }
    }

    /** {@code n} varint bytes that all say "more follows". */
    private static byte[] continuation(int n) {
        final byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0x80);
        return b;
    }
}
