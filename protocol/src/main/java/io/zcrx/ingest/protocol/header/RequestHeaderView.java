package io.zcrx.ingest.protocol.header;

import io.zcrx.ingest.protocol.bytes.ProtocolException;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Flyweight over a request header (docs/kafka-protocol-notes.md#request-and-response-headers): v1 = api key, api
 * version, correlation id, client id (INT16-length string, even in v2); v2 adds a tagged-field section. The header
 * version follows from the api key and version (flexible versions use v2). The client id is kept as a
 * position/length in the frame; {@link #clientId} decodes it only when asked.
 *
 * <pre>
 *   0  request_api_key      INT16
 *   2  request_api_version  INT16
 *   4  correlation_id       INT32
 *   8  client_id            INT16 length (-1 = null) + UTF-8 bytes
 *   .. tagged fields        v2 only: UNSIGNED_VARINT count, then (tag, size, bytes) per field; skipped
 * </pre>
 *
 * <p>The header version comes from kafka-clients' generated table
 * ({@code ApiKeys.requestHeaderVersion}), which answers for any version number of a known key, so
 * an ApiVersions request newer than kafka-clients knows still parses with header v2 (its layout is
 * frozen for exactly this reason) and the broker can send the downgrade reply.
 *
 * <p>Reusable; allocates nothing in {@link #parse}. Not thread-safe.
 */
public final class RequestHeaderView {
    /** Api keys by id, for an allocation-free lookup ({@code ApiKeys.forId} boxes its argument). */
    private static final ApiKeys[] KEYS_BY_ID = keysById();

    private short apiKey;
    private short apiVersion;
    private int correlationId;
    private short headerVersion;
    private int clientIdPosition;
    private int clientIdLength;
    private int bodyPosition;

    /**
     * Parses the header at the cursor's position and leaves the cursor at the first body byte.
     *
     * @return true if parsed; false if the api key is unknown to us (the header length cannot be
     *     known; the caller closes the connection). Truncated input is a ProtocolException.
     */
    public boolean parse(SliceCursor cursor) {
        apiKey = cursor.readShort();
        apiVersion = cursor.readShort();
        correlationId = cursor.readInt();
        final ApiKeys key = apiKey >= 0 && apiKey < KEYS_BY_ID.length ? KEYS_BY_ID[apiKey] : null;
        if (key == null) {
            headerVersion = 0;
            clientIdPosition = -1;
            clientIdLength = -1;
            bodyPosition = -1;
            return false;
        }
        headerVersion = key.requestHeaderVersion(apiVersion);
        final int clientIdStart = cursor.position();
        final short length = cursor.readShort();
        if (length == -1) {
            clientIdPosition = -1;
            clientIdLength = -1;
        } else if (length < 0) {
            throw new ProtocolException("client id length is negative: position=" + clientIdStart
                + ", length=" + length);
        } else {
            clientIdPosition = cursor.position();
            clientIdLength = length;
            cursor.skip(length);
        }
        if (headerVersion >= 2) {
            skipTaggedFields(cursor);
        }
        bodyPosition = cursor.position();
        return true;
    }

    /**
     * Skips a TAGGED_FIELDS section (docs/kafka-protocol-notes.md#primitive-types): count, then per field tag, size and
     * bytes. Shared with the Produce decoder.
     */
    public static void skipTaggedFields(SliceCursor cursor) {
        final int start = cursor.position();
        final int count = cursor.readUnsignedVarint();
        if (count < 0 || count > cursor.remaining()) {
            throw new ProtocolException("tagged field count exceeds frame: position=" + start + ", count="
                + Integer.toUnsignedString(count) + ", remaining=" + cursor.remaining());
        }
        for (int i = 0; i < count; i++) {
            cursor.readUnsignedVarint();
            final int sizeAt = cursor.position();
            final int size = cursor.readUnsignedVarint();
            if (size < 0) {
                throw new ProtocolException("tagged field size is negative: position=" + sizeAt + ", size="
                    + Integer.toUnsignedString(size) + ", remaining=" + cursor.remaining());
            }
            cursor.skip(size);
        }
    }

    public short apiKey() {
        return apiKey;
    }

    public short apiVersion() {
        return apiVersion;
    }

    public int correlationId() {
        return correlationId;
    }

    /** 1 or 2. */
    public short headerVersion() {
        return headerVersion;
    }

    /** Frame position of the client id bytes, or -1 when null. */
    public int clientIdPosition() {
        return clientIdPosition;
    }

    /** Length of the client id, or -1 when null. */
    public int clientIdLength() {
        return clientIdLength;
    }

    /** Frame position of the first body byte. */
    public int bodyPosition() {
        return bodyPosition;
    }

    /** Decodes the client id (null becomes ""); allocates, for logs and the control plane. */
    public String clientId(SliceList frameBody) {
        if (clientIdLength <= 0) {
            return "";
        }
        final byte[] bytes = new byte[clientIdLength];
        int s = frameBody.sliceAt(clientIdPosition);
        int offsetInSlice = clientIdPosition - frameBody.start(s);
        int copied = 0;
        while (copied < clientIdLength) {
            final int n = Math.min(clientIdLength - copied, frameBody.length(s) - offsetInSlice);
            frameBody.chunk(s).memory().get(frameBody.index(s) + offsetInSlice, bytes, copied, n);
            copied += n;
            s++;
            offsetInSlice = 0;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The keys whose header version kafka-clients can tell. Ids 4..7 (the ZooKeeper-era
     * LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown) are still in {@code ApiKeys} in
     * 4.3.1 but with no versions, and {@code requestHeaderVersion} throws for them: they count as
     * unknown here.
     */
    private static ApiKeys[] keysById() {
        int max = 0;
        for (ApiKeys k : ApiKeys.values()) {
            max = Math.max(max, k.id);
        }
        final ApiKeys[] byId = new ApiKeys[max + 1];
        for (ApiKeys k : ApiKeys.values()) {
            if (k.latestVersion() >= k.oldestVersion() && headerVersionKnown(k)) {
                byId[k.id] = k;
            }
        }
        return byId;
    }

    private static boolean headerVersionKnown(ApiKeys key) {
        try {
            key.requestHeaderVersion(key.oldestVersion());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "RequestHeaderView(apiKey=" + apiKey + ", apiVersion=" + apiVersion + ", correlationId=" + correlationId
            + ", headerVersion=" + headerVersion + ", clientIdLength=" + clientIdLength
            + ", bodyPosition=" + bodyPosition + ")";
    }
}
