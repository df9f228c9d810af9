package io.zcrx.ingest.protocol.produce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.ByteUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProduceDecoderTest {
    private static final long NOW = 1_700_000_000_000L;

    private final TestChunks chunks = new TestChunks();
    private final SliceCursor cursor = new SliceCursor();
    private final RequestHeaderView header = new RequestHeaderView();
    private final ProduceDecoder decoder = new ProduceDecoder();
    private final ProduceRequestView view = new ProduceRequestView();

    @AfterEach
    void noLeaks() {
        assertEquals(0, chunks.outstanding(), "chunks not given back");
    }

    /** Request shapes every version is tried with (small enough to cut at every byte). */
    private static List<ProduceRequestData> shapes(long seed) {
        final Random random = new Random(seed);
        final List<ProduceRequestData> out = new ArrayList<>();
        // One topic, one partition, one small uncompressed batch: the common case.
        out.add(ProduceRequests.randomRequest(random, 1, 1, 3, CompressionType.NONE, false, NOW));
        // Several topics and partitions, idempotent, a compressed codec, a null Records field.
        final ProduceRequestData many = ProduceRequests.randomRequest(random, 3, 2, 2, CompressionType.LZ4, true, NOW);
        ProduceRequests.addPartition(many.topicData().iterator().next(), 9, null);
        out.add(many);
        // A transactional id, acks 0, an empty topic name and a topic with no partitions.
        final ProduceRequestData txn = ProduceRequests.request("txn-é-1", (short) 0, 1234);
        ProduceRequests.addPartition(ProduceRequests.addTopic(txn, ""), 0,
            ProduceRequests.batch(CompressionType.NONE, new SimpleRecord(NOW, "k".getBytes(), "v".getBytes())));
        ProduceRequests.addTopic(txn, "no-partitions");
        out.add(txn);
        return out;
    }

    /** Decodes a frame (no size prefix) laid over {@code slices}; the caller releases them. */
    private void decode(SliceList slices) {
        cursor.wrap(slices, 0, slices.totalLength());
        assertTrue(header.parse(cursor));
        decoder.decode(cursor, header.apiVersion(), view);
    }

    /** Our view must say exactly what kafka-clients' parse says. */
    private void assertSameAsKafka(ProduceRequestData expected, short version, SliceList slices, String what) {
        assertEquals(version, view.version(), what);
        assertEquals(expected.acks(), view.acks(), what);
        assertEquals(expected.timeoutMs(), view.timeoutMs(), what);
        assertEquals(expected.transactionalId() != null, view.hasTransactionalId(), what);
        if (expected.transactionalId() != null) {
            assertEquals(expected.transactionalId(), utf8(slices, view.transactionalIdPosition(),
                view.transactionalIdLength()), what);
        }
        assertEquals(expected.topicData().size(), view.topicCount(), what);
        int t = 0;
        int slot = 0;
        for (ProduceRequestData.TopicProduceData topic : expected.topicData()) {
            if (version >= 13) {
                assertEquals(topic.topicId().getMostSignificantBits(), view.topicIdMsb(t), what);
                assertEquals(topic.topicId().getLeastSignificantBits(), view.topicIdLsb(t), what);
                assertEquals(-1, view.topicNameLength(t), what);
            } else {
                assertEquals(topic.name(), utf8(slices, view.topicNamePosition(t), view.topicNameLength(t)), what);
            }
            assertEquals(slot, view.topicFirstPartition(t), what);
            assertEquals(topic.partitionData().size(), view.topicPartitionCount(t), what);
            for (ProduceRequestData.PartitionProduceData p : topic.partitionData()) {
                assertEquals(p.index(), view.partitionIndex(slot), what);
                final MemoryRecords records = (MemoryRecords) p.records();
                if (records == null) {
                    assertEquals(-1, view.recordsLength(slot), what);
                } else {
                    assertArrayEquals(ProduceRequests.bytes(records),
                        TestChunks.bytes(slices, view.recordsPosition(slot), view.recordsLength(slot)), what);
                }
                slot++;
            }
            t++;
        }
        assertEquals(slot, view.partitionCount(), what);
    }

    private static String utf8(SliceList slices, int position, int length) {
        return new String(TestChunks.bytes(slices, position, length), StandardCharsets.UTF_8);
    }

    private void decodeAndCompare(ProduceRequestData expected, short version, SliceList slices, String what) {
        try {
            decode(slices);
            assertSameAsKafka(expected, version, slices, what);
        } finally {
            slices.releaseAll();
        }
    }

    // Goal (required by the issue): every Produce version 3..13 built with kafka-clients, split at
    // every byte boundary, at random sets of boundaries and one byte per chunk, decodes to the same
    // result as kafka-clients' own parse. Method: three request shapes per version; the oracle is
    // ProduceRequestData read from the whole frame; records compared byte for byte.
    @Test
    void everyVersionAtEveryBoundaryMatchesKafka() {
        final Random random = new Random(42);
        for (short version : ProduceRequests.versions()) {
            int shape = 0;
            for (ProduceRequestData data : shapes(version)) {
                final byte[] frame = ProduceRequests.frame(data, version);
                final ProduceRequestData expected = ProduceRequests.parse(frame);
                final String what = "v" + version + " shape " + shape++;
                decodeAndCompare(expected, version, chunks.slices(frame), what + " whole");
                for (int cut = 1; cut < frame.length; cut++) {
                    decodeAndCompare(expected, version, chunks.slices(frame, cut), what + " cut=" + cut);
                }
                for (int i = 0; i < 20; i++) {
                    decodeAndCompare(expected, version, chunks.slicesRandom(frame, random, 30), what + " random cuts");
                }
                decodeAndCompare(expected, version, chunks.slicesOnePerByte(frame), what + " one byte per chunk");
            }
        }
    }

    // Goal: larger requests (many partitions, every codec, idempotent or not) agree with Kafka under
    // random slicing. Method: jqwik seed -> request shape, version and cut set.
    @Property(tries = 60)
    void randomRequestsMatchKafka(@ForAll long seed) {
        final Random random = new Random(seed);
        final short version = (short) (ProduceRequests.OLDEST
            + random.nextInt(ProduceRequests.LATEST - ProduceRequests.OLDEST + 1));
        final CompressionType codec = CompressionType.values()[random.nextInt(CompressionType.values().length)];
        final ProduceRequestData data = ProduceRequests.randomRequest(random, 1 + random.nextInt(4),
            1 + random.nextInt(5), 1 + random.nextInt(30), codec, random.nextBoolean(), NOW);
        // Unchecked: zstd below v7 is the validator's business, the decoder must take it as sent.
        final byte[] frame = ProduceRequests.frameUnchecked(data, version, 11, "c", false);
        decodeAndCompare(ProduceRequests.parse(frame), version, chunks.slicesRandom(frame, random, 64),
            "seed=" + seed + " v" + version + " " + codec);
        assertEquals(0, chunks.outstanding(), "seed=" + seed);
    }

    // Goal: a body cut short anywhere is a ProtocolException (never a silent partial decode), and
    // all chunk references come back. Method: every version, limit the cursor at every position
    // between the body start and the end.
    @Test
    void truncatedBodiesThrowAtEveryPosition() {
        for (short version : ProduceRequests.versions()) {
            final byte[] frame = ProduceRequests.frame(shapes(version).get(1), version);
            final SliceList slices = chunks.slices(frame, frame.length / 3, frame.length / 2);
            try {
                cursor.wrap(slices, 0, frame.length);
                assertTrue(header.parse(cursor));
                final int body = header.bodyPosition();
                for (int end = body; end < frame.length; end++) {
                    cursor.wrap(slices, body, end);
                    final int e = end;
                    assertThrows(ProtocolException.class, () -> decoder.decode(cursor, version, view),
                        "v" + version + " truncated at " + e);
                }
            } finally {
                slices.releaseAll();
            }
        }
    }

    // Goal: bytes after the last field are refused: the whole body must be consumed. Method: one
    // extra byte (0) after a valid body, at every version.
    @Test
    void trailingBytesThrow() {
        for (short version : ProduceRequests.versions()) {
            final byte[] frame = ProduceRequests.frame(shapes(version).get(0), version);
            final byte[] longer = Arrays.copyOf(frame, frame.length + 1);
            final SliceList slices = chunks.slices(longer, longer.length - 1);
            try {
                final ProtocolException e = assertThrows(ProtocolException.class, () -> decode(slices), "v" + version);
                assertTrue(e.getMessage().startsWith("trailing bytes"), e.getMessage());
                assertTrue(e.getMessage().contains("remaining=1"), e.getMessage());
            } finally {
                slices.releaseAll();
            }
        }
    }

    /**
     * A one-topic ("t"), one-partition request with a null transactional id, and where its fields
     * sit (frame positions), so tests can overwrite them.
     */
    private static final class Layout {
        final byte[] frame;
        final int topicCountAt;
        final int topicCountLength;
        final int nameLengthAt;
        final int partitionCountAt;
        final int partitionCountLength;
        final int recordsLengthAt;
        final int recordsLengthLength;

        Layout(short version) {
            final ProduceRequestData data = ProduceRequests.request(null, (short) 1, 100);
            ProduceRequests.addPartition(ProduceRequests.addTopic(data, "t"), 0,
                ProduceRequests.batch(CompressionType.NONE, new SimpleRecord(NOW, new byte[10])));
            frame = ProduceRequests.frame(data, version);
            final int body = bodyPosition(frame, version);
            final boolean flexible = version >= 9;
            final int txnLength = flexible ? 1 : 2;
            topicCountAt = body + txnLength + 2 + 4;
            topicCountLength = flexible ? 1 : 4;
            nameLengthAt = topicCountAt + topicCountLength;
            final int topicLength = version >= 13 ? 16 : (flexible ? 1 : 2) + 1;
            partitionCountAt = nameLengthAt + topicLength;
            partitionCountLength = flexible ? 1 : 4;
            recordsLengthAt = partitionCountAt + partitionCountLength + 4;
            recordsLengthLength = flexible ? 1 : 4; // the 80-ish byte batch needs one varint byte
        }

        private static int bodyPosition(byte[] frame, short version) {
            // Header: key, version, correlation id, INT16 client id, [tagged fields from v9].
            final int clientIdLength = ByteBuffer.wrap(frame).getShort(8);
            return 10 + clientIdLength + (version >= 9 ? 1 : 0);
        }
    }

    private static byte[] splice(byte[] frame, int at, int oldLength, byte[] replacement) {
        final byte[] out = new byte[frame.length - oldLength + replacement.length];
        System.arraycopy(frame, 0, out, 0, at);
        System.arraycopy(replacement, 0, out, at, replacement.length);
        System.arraycopy(frame, at + oldLength, out, at + replacement.length, frame.length - at - oldLength);
        return out;
    }

    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] int16(int v) {
        return ByteBuffer.allocate(2).putShort((short) v).array();
    }

    private static byte[] uvarint(int v) {
        final ByteBuffer b = ByteBuffer.allocate(5);
        ByteUtils.writeUnsignedVarint(v, b);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static final byte[] OVERLONG = {(byte) 0x81, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x00};

    private void assertRejected(byte[] frame, String what, String messagePart) {
        for (SliceList slices : new SliceList[] {chunks.slices(frame), chunks.slicesOnePerByte(frame)}) {
            try {
                final ProtocolException e = assertThrows(ProtocolException.class, () -> decode(slices), what);
                assertTrue(e.getMessage().contains(messagePart), what + ": " + e.getMessage());
            } finally {
                slices.releaseAll();
            }
        }
    }

    // Goal: request.max.topics / request.max.partitions (ProduceDecoder.limits) refuse a request
    // naming more topics, or more partitions summed over its topics, with a ProtocolException before
    // the view grows; a request at the limits decodes. Method: the many-topic shape (3 topics x 2
    // partitions + 1) at v9 and v13 under limits just below and at its counts.
    @Test
    void topicAndPartitionLimitsRefuseBeforeTheViewGrows() {
        final ProduceRequestData many = shapes(7).get(1);
        for (short version : new short[] {9, 13}) {
            final byte[] frame = ProduceRequests.frame(many, version);
            decoder.limits(2, 100);
            assertRejected(frame, "v" + version + " 3 topics, limit 2", "request.max.topics");
            decoder.limits(3, 6);
            assertRejected(frame, "v" + version + " 7 partitions, limit 6", "request.max.partitions");
            decoder.limits(3, 7);
            final SliceList slices = chunks.slicesOnePerByte(frame);
            try {
                decode(slices);
                assertEquals(7, view.partitionCount());
            } finally {
                slices.releaseAll();
            }
        }
        assertThrows(IllegalArgumentException.class, () -> decoder.limits(0, 1));
    }

    // Goal: negative, null and huge array counts and lengths, and overlong varints, are refused
    // before anything is trusted; the view never grows for a forged count. Method: overwrite one
    // field of a valid request per case, for a non-flexible (v8), flexible (v12) and id (v13) version.
    @Test
    void forgedCountsAndLengthsThrow() {
        final Layout v8 = new Layout((short) 8);
        assertRejected(splice(v8.frame, v8.topicCountAt, 4, int32(-1)), "v8 null topics", "count=-1");
        assertRejected(splice(v8.frame, v8.topicCountAt, 4, int32(-7)), "v8 negative topics", "count=-7");
        assertRejected(splice(v8.frame, v8.topicCountAt, 4, int32(Integer.MAX_VALUE)), "v8 huge topics",
            "exceeds frame");
        assertRejected(splice(v8.frame, v8.nameLengthAt, 2, int16(-1)), "v8 null topic name", "length=-1");
        assertRejected(splice(v8.frame, v8.nameLengthAt, 2, int16(500)), "v8 long topic name", "length=500");
        assertRejected(splice(v8.frame, v8.partitionCountAt, 4, int32(1 << 30)), "v8 huge partitions", "exceeds frame");
        assertRejected(splice(v8.frame, v8.recordsLengthAt, 4, int32(-2)), "v8 negative records", "length=-2");
        assertRejected(splice(v8.frame, v8.recordsLengthAt, 4, int32(1 << 20)), "v8 huge records", "exceeds frame");

        for (short version : new short[] {12, 13}) {
            final Layout flex = new Layout(version);
            final String v = "v" + version;
            assertRejected(splice(flex.frame, flex.topicCountAt, 1, uvarint(0)), v + " null topics", "count=-1");
            assertRejected(splice(flex.frame, flex.topicCountAt, 1, uvarint(-1)), v + " topics > int", "out of range");
            assertRejected(splice(flex.frame, flex.topicCountAt, 1, uvarint(1 << 24)), v + " huge topics",
                "exceeds frame");
            assertRejected(splice(flex.frame, flex.topicCountAt, 1, OVERLONG), v + " overlong topics",
                "longer than 5 bytes");
            assertRejected(splice(flex.frame, flex.partitionCountAt, 1, OVERLONG), v + " overlong partitions",
                "longer than 5 bytes");
            assertRejected(splice(flex.frame, flex.partitionCountAt, 1, uvarint(100_000)), v + " huge partitions",
                "exceeds frame");
            assertRejected(splice(flex.frame, flex.recordsLengthAt, 1, uvarint(1 << 20)), v + " huge records",
                "exceeds frame");
            assertRejected(splice(flex.frame, flex.recordsLengthAt, 1, OVERLONG), v + " overlong records length",
                "longer than 5 bytes");
            // The top-level tagged-field section is the last byte: claim one field of 50 bytes.
            final byte[] tagged = splice(flex.frame, flex.frame.length - 1, 1, new byte[] {1, 0, 50});
            assertRejected(tagged, v + " tagged field past frame", "skip past limit");
        }
        final Layout v12 = new Layout((short) 12);
        assertRejected(splice(v12.frame, v12.nameLengthAt, 1, uvarint(0)), "v12 null topic name", "length=-1");
    }

    // Goal: unknown tagged fields at every level of a flexible request are skipped, and the records
    // still point at the right bytes. Method: kafka-clients writes raw tagged fields on the request,
    // topic and partition; we decode and compare with Kafka's parse.
    @Test
    void unknownTaggedFieldsAreSkipped() {
        for (short version = 9; version <= 13; version++) {
            final ProduceRequestData data = ProduceRequests.randomRequest(new Random(version), 2, 2, 3,
                CompressionType.NONE, false, NOW);
            data.unknownTaggedFields().add(new RawTaggedField(7, new byte[] {1, 2}));
            final ProduceRequestData.TopicProduceData topic = data.topicData().iterator().next();
            topic.unknownTaggedFields().add(new RawTaggedField(1, new byte[200]));
            topic.partitionData().get(1).unknownTaggedFields()
                .add(new RawTaggedField(0, new byte[] {5}));
            final byte[] frame = ProduceRequests.frame(data, version);
            decodeAndCompare(ProduceRequests.parse(frame), version, chunks.slicesOnePerByte(frame), "v" + version);
        }
    }

    // Goal: one view reused for a big then a small request carries nothing over. Method: decode a
    // 5x6 request, then a 1x1 request, compare the second with Kafka.
    @Test
    void viewIsResetBetweenRequests() {
        final byte[] big = ProduceRequests.frame(ProduceRequests.randomRequest(new Random(1), 5, 6, 2,
            CompressionType.NONE, false, NOW), (short) 13);
        final SliceList bigSlices = chunks.slices(big);
        try {
            decode(bigSlices);
            assertEquals(30, view.partitionCount());
        } finally {
            bigSlices.releaseAll();
        }
        final ProduceRequestData small = ProduceRequests.request(null, (short) -1, 5);
        ProduceRequests.addPartition(ProduceRequests.addTopic(small, "s"), 3, null);
        final byte[] frame = ProduceRequests.frame(small, (short) 5);
        final ProduceRequestData expected = ProduceRequests.parse(frame);
        assertNull(expected.transactionalId());
        decodeAndCompare(expected, (short) 5, chunks.slices(frame), "small after big");
        assertFalse(view.hasTransactionalId());
        assertThrows(IndexOutOfBoundsException.class, () -> view.partitionIndex(1));
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(cursor, (short) 2, view));
    }
}
