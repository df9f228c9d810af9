package io.zcrx.ingest.protocol.produce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProduceResponseEncoderTest {
    private static final int CORRELATION_ID = 0x1234ABCD;
    private static final String NON_ASCII = "bad record: é, 中, \uD83D\uDE00 and a lone \uD800 surrogate";

    private final TestChunks chunks = new TestChunks();
    private final SliceCursor cursor = new SliceCursor();
    private final RequestHeaderView header = new RequestHeaderView();
    private final ProduceDecoder decoder = new ProduceDecoder();
    private final ProduceRequestView view = new ProduceRequestView();
    private final ProduceResults results = new ProduceResults();
    private final ProduceResponseEncoder encoder = new ProduceResponseEncoder();

    @AfterEach
    void noLeaks() {
        assertEquals(0, chunks.outstanding(), "chunks not given back");
    }

    private SliceList decodeRequest(ProduceRequestData data, short version) {
        final byte[] frame = ProduceRequests.frame(data, version);
        final SliceList slices = chunks.slicesRandom(frame, new Random(version), 10);
        cursor.wrap(slices, 0, slices.totalLength());
        assertTrue(header.parse(cursor));
        decoder.decode(cursor, version, view);
        return slices;
    }

    /** A mix of outcomes: success (CreateTime and LogAppendTime), errors with and without message/record index. */
    private void fillResults(Random random) {
        results.reset(view.partitionCount());
        for (int slot = 0; slot < view.partitionCount(); slot++) {
            switch (slot % 6) {
                case 0 -> results.setSuccess(slot, random.nextInt(1_000_000), -1L, random.nextInt(1000));
                case 1 -> results.setSuccess(slot, 1L << 40, 1_700_000_000_123L, 0L);
                case 2 -> results.setError(slot, Errors.CORRUPT_MESSAGE.code(), null, -1);
                case 3 -> results.setError(slot, Errors.INVALID_TIMESTAMP.code(),
                    "timestamp out of range: recordIndex=3", 3);
                case 4 -> results.setError(slot, Errors.INVALID_RECORD.code(), NON_ASCII, -1);
                default -> results.setError(slot, Errors.INVALID_RECORD.code(), null, 0);
            }
        }
    }

    /** What kafka-clients would send for the same outcomes (the per-record message left null, as ours). */
    private ProduceResponseData expectedData(ProduceRequestData request, short version) {
        final ProduceResponseData data = new ProduceResponseData().setThrottleTimeMs(0);
        int slot = 0;
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            final ProduceResponseData.TopicProduceResponse t = new ProduceResponseData.TopicProduceResponse()
                .setName(version >= 13 ? "" : topic.name())
                .setTopicId(version >= 13 ? topic.topicId() : Uuid.ZERO_UUID);
            for (ProduceRequestData.PartitionProduceData p : topic.partitionData()) {
                final ProduceResponseData.PartitionProduceResponse r =
                    new ProduceResponseData.PartitionProduceResponse()
                    .setIndex(p.index())
                    .setErrorCode(results.errorCode(slot))
                    .setBaseOffset(results.baseOffset(slot))
                    .setLogAppendTimeMs(results.logAppendTimeMs(slot))
                    .setLogStartOffset(results.logStartOffset(slot))
                    .setErrorMessage(results.errorMessage(slot));
                if (version >= ProduceResponseEncoder.FIRST_LEADER_HINT_VERSION) {
                    r.currentLeader().setLeaderId(results.currentLeaderId(slot))
                        .setLeaderEpoch(results.currentLeaderEpoch(slot));
                }
                if (results.recordIndex(slot) >= 0) {
                    r.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage()
                        .setBatchIndex(results.recordIndex(slot)).setBatchIndexErrorMessage(null));
                }
                t.partitionResponses().add(r);
                slot++;
            }
            data.responses().add(t);
        }
        if (version >= ProduceResponseEncoder.FIRST_LEADER_HINT_VERSION) {
            for (int i = 0; i < results.nodeEndpointCount(); i++) {
                data.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                    .setNodeId(results.nodeEndpointId(i)).setHost(results.nodeEndpointHost(i))
                    .setPort(results.nodeEndpointPort(i)).setRack(results.nodeEndpointRack(i)));
            }
        }
        return data;
    }

    /** Some partitions not led here: NOT_LEADER_OR_FOLLOWER with the leader to go to (KIP-951). */
    private void fillLeaderHints() {
        for (int slot = 0; slot < view.partitionCount(); slot += 3) {
            final int leader = 1 + slot % 2;
            results.setError(slot, Errors.NOT_LEADER_OR_FOLLOWER.code(), null, -1);
            results.setCurrentLeader(slot, leader, 7 + slot);
            results.addNodeEndpoint(leader, "broker-" + leader + ".example", 9092 + leader,
                leader == 1 ? null : "rack-é");
        }
    }

    /** Encodes, parses with kafka-clients, compares with Kafka's own bytes; returns the parsed response. */
    private ProduceResponseData roundTrip(ProduceRequestData request, SliceList slices, short version) {
        final int length = encoder.encodedLength(view, results, slices);
        final ByteBuffer out = ByteBuffer.allocate(length);
        encoder.encode(CORRELATION_ID, view, results, slices, out);
        assertFalse(out.hasRemaining(), "v" + version + " encodedLength vs written");
        out.flip().position(4);
        final byte[] ours = new byte[out.remaining()];
        out.duplicate().get(ours);
        final ResponseHeader rh = ResponseHeader.parse(out, ApiKeys.PRODUCE.responseHeaderVersion(version));
        final ProduceResponse parsed = ProduceResponse.parse(new ByteBufferAccessor(out), version);
        assertFalse(out.hasRemaining(), "v" + version + " bytes left after Kafka's parse");
        assertParsedEquals(parsed.data(), version);
        final ByteBuffer kafka = RequestUtils.serialize(rh.data(), rh.headerVersion(),
            expectedData(request, version), version);
        final byte[] kafkaBytes = new byte[kafka.remaining()];
        kafka.get(kafkaBytes);
        assertArrayEquals(kafkaBytes, ours, "v" + version + " bytes differ from Kafka's serialisation");
        return parsed.data();
    }

    // Goal: KIP-951 leader hints (CurrentLeader per partition, NodeEndpoints) are written from v10
    // exactly as Kafka writes them, so the Java producer redirects without a Metadata round trip;
    // older versions drop them; the next request on the same results carries none.
    // Method: mixed outcomes plus NOT_LEADER_OR_FOLLOWER slots with leaders; parse with
    // kafka-clients' ProduceResponse, compare with Kafka's own serialisation; reset and encode
    // successes only.
    @Test
    void leaderHintsFromV10ParseWithKafka() {
        for (short version : ProduceRequests.versions()) {
            final Random random = new Random(version);
            final ProduceRequestData request = ProduceRequests.randomRequest(random, 3, 4, 2, CompressionType.NONE,
                false, 0L);
            final SliceList slices = decodeRequest(request, version);
            try {
                fillResults(random);
                fillLeaderHints();
                final ProduceResponseData parsed = roundTrip(request, slices, version);
                final boolean hints = version >= ProduceResponseEncoder.FIRST_LEADER_HINT_VERSION;
                assertEquals(hints ? 2 : 0, parsed.nodeEndpoints().size(), "v" + version);
                final ProduceResponseData.PartitionProduceResponse first =
                    parsed.responses().iterator().next().partitionResponses().get(0);
                assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), first.errorCode());
                assertEquals(hints ? 1 : -1, first.currentLeader().leaderId(), "v" + version);
                assertEquals(hints ? 7 : -1, first.currentLeader().leaderEpoch(), "v" + version);
                if (hints) {
                    final ProduceResponseData.NodeEndpoint two = parsed.nodeEndpoints().find(2);
                    assertEquals("broker-2.example", two.host());
                    assertEquals(9094, two.port());
                    assertEquals("rack-é", two.rack());
                    assertNull(parsed.nodeEndpoints().find(1).rack());
                }

                results.reset(view.partitionCount());
                for (int slot = 0; slot < view.partitionCount(); slot++) {
                    results.setSuccess(slot, slot, -1L, 0L);
                }
                assertFalse(results.anyCurrentLeader());
                assertEquals(0, results.nodeEndpointCount());
                assertTrue(roundTrip(request, slices, version).nodeEndpoints().isEmpty());
            } finally {
                slices.releaseAll();
            }
        }
    }

    // Goal: for every version 3..13 our bytes parse with kafka-clients to exactly the outcomes we
    // set, equal Kafka's own serialisation byte for byte, and encodedLength equals what was written.
    // Method: decode a kafka-built multi-topic request, fill mixed results, encode into heap and
    // direct buffers at a non-zero position, parse with ResponseHeader + ProduceResponse.parse.
    @Test
    void everyVersionParsesWithKafka() {
        for (short version : ProduceRequests.versions()) {
            final Random random = new Random(version);
            final ProduceRequestData request = ProduceRequests.randomRequest(random, 3, 4, 2, CompressionType.NONE,
                false, 0L);
            ProduceRequests.addTopic(request, "empty-topic");
            final SliceList slices = decodeRequest(request, version);
            try {
                fillResults(random);
                final int length = encoder.encodedLength(view, results, slices);
                for (ByteBuffer out : new ByteBuffer[] {ByteBuffer.allocate(length + 10),
                    ByteBuffer.allocateDirect(length + 10)}) {
                    out.position(3);
                    encoder.encode(CORRELATION_ID, view, results, slices, out);
                    assertEquals(3 + length, out.position(), "v" + version + " encodedLength vs written");
                    out.flip().position(3);
                    final ByteBuffer frame = out.slice();
                    assertEquals(length - 4, frame.getInt(), "v" + version + " size prefix");
                    final byte[] ours = new byte[frame.remaining()];
                    frame.duplicate().get(ours);

                    final ResponseHeader rh = ResponseHeader.parse(frame,
                        ApiKeys.PRODUCE.responseHeaderVersion(version));
                    assertEquals(CORRELATION_ID, rh.correlationId());
                    final ProduceResponse parsed = ProduceResponse.parse(new ByteBufferAccessor(frame), version);
                    assertFalse(frame.hasRemaining(), "v" + version + " bytes left after Kafka's parse");
                    assertParsedEquals(parsed.data(), version);

                    final ProduceResponseData expected = expectedData(request, version);
                    final ByteBuffer kafka = RequestUtils.serialize(rh.data(), rh.headerVersion(), expected, version);
                    final byte[] kafkaBytes = new byte[kafka.remaining()];
                    kafka.get(kafkaBytes);
                    assertArrayEquals(kafkaBytes, ours, "v" + version + " bytes differ from Kafka's serialisation");
                }
            } finally {
                slices.releaseAll();
            }
        }
    }

    private void assertParsedEquals(ProduceResponseData data, short version) {
        assertEquals(0, data.throttleTimeMs());
        assertEquals(view.topicCount(), data.responses().size());
        final Iterator<ProduceResponseData.TopicProduceResponse> topics = data.responses().iterator();
        for (int t = 0; t < view.topicCount(); t++) {
            final ProduceResponseData.TopicProduceResponse topic = topics.next();
            if (version >= 13) {
                assertEquals(view.topicIdMsb(t), topic.topicId().getMostSignificantBits());
                assertEquals(view.topicIdLsb(t), topic.topicId().getLeastSignificantBits());
            }
            assertEquals(view.topicPartitionCount(t), topic.partitionResponses().size());
            int slot = view.topicFirstPartition(t);
            for (ProduceResponseData.PartitionProduceResponse p : topic.partitionResponses()) {
                final String what = "v" + version + " slot " + slot;
                assertEquals(view.partitionIndex(slot), p.index(), what);
                assertEquals(results.errorCode(slot), p.errorCode(), what);
                assertEquals(results.baseOffset(slot), p.baseOffset(), what);
                assertEquals(results.logAppendTimeMs(slot), p.logAppendTimeMs(), what);
                final boolean hint = version >= ProduceResponseEncoder.FIRST_LEADER_HINT_VERSION;
                assertEquals(hint ? results.currentLeaderId(slot) : -1, p.currentLeader().leaderId(), what);
                assertEquals(hint ? results.currentLeaderEpoch(slot) : -1, p.currentLeader().leaderEpoch(), what);
                if (results.errorCode(slot) != 0) {
                    assertEquals(-1L, p.baseOffset(), what);
                    assertEquals(-1L, p.logAppendTimeMs(), what);
                    assertEquals(-1L, p.logStartOffset(), what);
                }
                assertEquals(version >= 5 ? results.logStartOffset(slot) : -1L, p.logStartOffset(), what);
                if (version >= 8) {
                    assertEquals(results.errorMessage(slot) == null ? null
                        : new String(results.errorMessage(slot).getBytes(StandardCharsets.UTF_8),
                            StandardCharsets.UTF_8), p.errorMessage(), what);
                    if (results.recordIndex(slot) >= 0) {
                        assertEquals(1, p.recordErrors().size(), what);
                        assertEquals(results.recordIndex(slot), p.recordErrors().get(0).batchIndex(), what);
                        assertNull(p.recordErrors().get(0).batchIndexErrorMessage(), what);
                    } else {
                        assertTrue(p.recordErrors().isEmpty(), what);
                    }
                } else {
                    assertNull(p.errorMessage(), what);
                    assertTrue(p.recordErrors().isEmpty(), what);
                }
                slot++;
            }
        }
        // Topic names (v3..v12) come from the request frame.
        if (version < 13) {
            final Iterator<ProduceResponseData.TopicProduceResponse> again = data.responses().iterator();
            for (int t = 0; t < view.topicCount(); t++) {
                assertEquals(view.topicNameLength(t),
                    again.next().name().getBytes(StandardCharsets.UTF_8).length);
            }
        }
    }

    // Goal: an error message above Kafka's 32767-byte string limit is cut at a character boundary,
    // and the length still matches. Method: 20000 two-byte characters at v8 and v9; Kafka parses it.
    @Test
    void longErrorMessagesAreCut() {
        final String huge = "é".repeat(20_000);
        for (short version : new short[] {8, 9}) {
            final ProduceRequestData request = ProduceRequests.request(null, (short) 1, 1);
            ProduceRequests.addPartition(ProduceRequests.addTopic(request, "t"), 0, null);
            final SliceList slices = decodeRequest(request, version);
            try {
                results.reset(1);
                results.setError(0, Errors.INVALID_RECORD.code(), huge, -1);
                final int length = encoder.encodedLength(view, results, slices);
                final ByteBuffer out = ByteBuffer.allocate(length);
                encoder.encode(1, view, results, slices, out);
                assertFalse(out.hasRemaining());
                out.flip().position(4);
                ResponseHeader.parse(out, ApiKeys.PRODUCE.responseHeaderVersion(version));
                final ProduceResponse parsed = ProduceResponse.parse(new ByteBufferAccessor(out), version);
                final String message =
                    parsed.data().responses().iterator().next().partitionResponses().get(0).errorMessage();
                assertEquals(16_383, message.length(), "32767 bytes hold 16383 two-byte characters");
                assertEquals(huge.substring(0, 16_383), message);
            } finally {
                slices.releaseAll();
            }
        }
    }

    // Goal: misuse is refused loudly: unset slots, results not aligned with the request, a buffer
    // too small, a little-endian buffer. Method: one of each.
    @Test
    void misuseIsRefused() {
        final ProduceRequestData request = ProduceRequests.request(null, (short) 1, 1);
        final ProduceRequestData.TopicProduceData topic = ProduceRequests.addTopic(request, "t");
        ProduceRequests.addPartition(topic, 0, null);
        ProduceRequests.addPartition(topic, 1, null);
        final SliceList slices = decodeRequest(request, (short) 9);
        try {
            results.reset(2);
            results.setSuccess(0, 0, -1, 0);
            assertThrows(IllegalStateException.class, () -> encoder.encodedLength(view, results, slices));
            results.setSuccess(1, 1, -1, 0);
            assertFalse(results.anyError());
            final int length = encoder.encodedLength(view, results, slices);
            assertThrows(IllegalArgumentException.class,
                () -> encoder.encode(1, view, results, slices, ByteBuffer.allocate(length - 1)));
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(1, view, results, slices,
                ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN)));
            results.setError(1, Errors.CORRUPT_MESSAGE.code(), null, -1);
            assertTrue(results.anyError());
            results.reset(3);
            assertThrows(IllegalArgumentException.class, () -> encoder.encodedLength(view, results, slices));
            assertThrows(IllegalArgumentException.class, () -> results.setError(0, (short) 0, null, -1));
            results.reset(2);
            assertFalse(results.isSet(0), "reset clears every slot");
            assertNull(results.errorMessage(1));
        } finally {
            slices.releaseAll();
        }
    }
}
