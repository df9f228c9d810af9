package io.zcrx.ingest.protocol.header;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestHeaderViewTest {
    private static final byte[] BODY = {1, 2, 3};

    private final TestChunks chunks = new TestChunks();
    private final SliceCursor cursor = new SliceCursor();
    private final RequestHeaderView view = new RequestHeaderView();

    @AfterEach
    void noLeaks() {
        assertEquals(0, chunks.outstanding(), "chunks not given back");
    }

    /** Header bytes as kafka-clients writes them, followed by {@link #BODY}. */
    private static byte[] headerBytes(RequestHeaderData data, short headerVersion) {
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int size = data.size(cache, headerVersion);
        final ByteBuffer buf = ByteBuffer.allocate(size + BODY.length);
        data.write(new ByteBufferAccessor(buf), cache, headerVersion);
        buf.put(BODY);
        return buf.array();
    }

    private void assertParsesLike(RequestHeader expected, byte[] bytes, SliceList slices, String what) {
        try {
            cursor.wrap(slices, 0, slices.totalLength());
            assertTrue(view.parse(cursor), what);
            assertEquals(expected.apiKey().id, view.apiKey(), what);
            assertEquals(expected.apiVersion(), view.apiVersion(), what);
            assertEquals(expected.correlationId(), view.correlationId(), what);
            assertEquals(expected.headerVersion(), view.headerVersion(), what);
            assertEquals(expected.clientId(), view.clientId(slices), what);
            assertEquals(bytes.length - BODY.length, view.bodyPosition(), what);
            assertEquals(view.bodyPosition(), cursor.position(), what);
            assertEquals(BODY[0], cursor.readByte(), what);
        } finally {
            slices.releaseAll();
        }
    }

    // Goal: every api key at every version kafka-clients knows parses to what RequestHeader.parse
    // reads, at header v1 or v2 as the generated table says. Method: kafka-clients writes the header
    // (client id with a multi-byte character), we parse it whole and cut at every byte.
    @Test
    void everyKnownApiAndVersionParsesLikeKafka() {
        int checked = 0;
        for (ApiKeys key : ApiKeys.values()) {
            for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
                final short headerVersion = key.requestHeaderVersion(v);
                final RequestHeaderData data = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(v)
                    .setCorrelationId(1000 + v).setClientId("client-é-" + key.id);
                final byte[] bytes = headerBytes(data, headerVersion);
                final RequestHeader expected = RequestHeader.parse(ByteBuffer.wrap(bytes));
                assertParsesLike(expected, bytes, chunks.slices(bytes), key + " v" + v);
                for (int cut = 1; cut < bytes.length; cut++) {
                    assertParsesLike(expected, bytes, chunks.slices(bytes, cut), key + " v" + v + " cut=" + cut);
                }
                checked++;
            }
        }
        assertTrue(checked > 300, "checked=" + checked);
    }

    // Goal: null client id, and unknown tagged fields in a v2 header, are handled as Kafka does.
    // Method: kafka-clients writes a v2 header with a null client id and two raw tagged fields;
    // parsed one byte per slice.
    @Test
    void nullClientIdAndTaggedFields() {
        final RequestHeaderData data = new RequestHeaderData().setRequestApiKey(ApiKeys.PRODUCE.id)
            .setRequestApiVersion((short) 11).setCorrelationId(-7).setClientId(null);
        data.unknownTaggedFields().add(new RawTaggedField(3, new byte[] {9, 9}));
        data.unknownTaggedFields().add(new RawTaggedField(200, new byte[300]));
        final byte[] bytes = headerBytes(data, (short) 2);
        final RequestHeader expected = RequestHeader.parse(ByteBuffer.wrap(bytes));
        assertParsesLike(expected, bytes, chunks.slicesOnePerByte(bytes), "tagged fields");
        final SliceList s = chunks.slices(bytes);
        try {
            cursor.wrap(s, 0, s.totalLength());
            view.parse(cursor);
            assertEquals(-1, view.clientIdPosition());
            assertEquals(-1, view.clientIdLength());
            assertEquals("", view.clientId(s));
        } finally {
            s.releaseAll();
        }
    }

    // Goal: an ApiVersions request newer than kafka-clients knows still parses (header v2 from v3),
    // so the broker can answer with the downgrade response (docs/kafka-protocol-notes.md#downgrade-reply-kip-511).
    // Method: hand-made header bytes for ApiVersions v99 and v2.
    @Test
    void apiVersionsAboveKnownVersionsParses() {
        final byte[] v99 = handMade(ApiKeys.API_VERSIONS.id, (short) 99, 5, "newer-client", true);
        SliceList s = chunks.slices(v99, 3, 9);
        try {
            cursor.wrap(s, 0, s.totalLength());
            assertTrue(view.parse(cursor));
            assertEquals(18, view.apiKey());
            assertEquals(99, view.apiVersion());
            assertEquals(2, view.headerVersion());
            assertEquals("newer-client", view.clientId(s));
            assertEquals(v99.length - BODY.length, view.bodyPosition());
        } finally {
            s.releaseAll();
        }
        final byte[] v2 = handMade(ApiKeys.API_VERSIONS.id, (short) 2, 5, "old", false);
        s = chunks.slices(v2);
        try {
            cursor.wrap(s, 0, s.totalLength());
            assertTrue(view.parse(cursor));
            assertEquals(1, view.headerVersion());
            assertEquals(v2.length - BODY.length, view.bodyPosition());
        } finally {
            s.releaseAll();
        }
    }

    // Goal: unknown api keys are refused (false), not guessed, and never crash. Method: ids
    // kafka-clients 4.3.1 keeps without any version (4..7: requestHeaderVersion throws for them),
    // ids it does not have at all (far above, negative).
    @Test
    void unknownApiKeysReturnFalse() {
        for (short key : new short[] {4, 5, 6, 7, 999, Short.MAX_VALUE, -1}) {
            final byte[] bytes = handMade(key, (short) 0, 1, "x", false);
            final SliceList s = chunks.slices(bytes);
            try {
                cursor.wrap(s, 0, s.totalLength());
                assertFalse(view.parse(cursor), "key=" + key);
                assertEquals(key, view.apiKey());
            } finally {
                s.releaseAll();
            }
        }
    }

    // Goal: truncated headers and bad lengths are stream errors. Method: a v2 header truncated at
    // every position; a client id length of -2; a tagged-field count larger than the frame.
    @Test
    void malformedHeadersThrow() {
        final byte[] full = handMade(ApiKeys.PRODUCE.id, (short) 9, 3, "abc", true);
        final int headerLength = full.length - BODY.length;
        for (int cut = 0; cut < headerLength; cut++) {
            final SliceList s = chunks.slices(full, Math.max(1, cut / 2));
            try {
                cursor.wrap(s, 0, cut);
                assertThrows(ProtocolException.class, () -> view.parse(cursor), "truncated at " + cut);
            } finally {
                s.releaseAll();
            }
        }
        final byte[] negative = handMade(ApiKeys.PRODUCE.id, (short) 3, 3, "abc", false);
        ByteBuffer.wrap(negative).putShort(8, (short) -2);
        final SliceList s = chunks.slices(negative);
        try {
            cursor.wrap(s, 0, s.totalLength());
            final ProtocolException e = assertThrows(ProtocolException.class, () -> view.parse(cursor));
            assertTrue(e.getMessage().contains("length=-2"), e.getMessage());
        } finally {
            s.releaseAll();
        }
        final byte[] tags = handMade(ApiKeys.PRODUCE.id, (short) 9, 3, "abc", true);
        tags[headerLength - 1] = 100; // tagged-field count 100 with 3 bytes left
        final SliceList t = chunks.slices(tags);
        try {
            cursor.wrap(t, 0, t.totalLength());
            assertThrows(ProtocolException.class, () -> view.parse(cursor));
        } finally {
            t.releaseAll();
        }
    }

    /** key, version, correlation id, INT16 client id, [empty tagged fields], BODY. */
    private static byte[] handMade(short key, short version, int correlationId, String clientId, boolean v2) {
        final byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer b = ByteBuffer.allocate(10 + id.length + (v2 ? 1 : 0) + BODY.length);
        b.putShort(key).putShort(version).putInt(correlationId).putShort((short) id.length).put(id);
        if (v2) {
            b.put((byte) 0);
        }
        b.put(BODY);
        return b.array();
    }
}
