package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.RequestChannel;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * ApiVersions (docs/kafka-protocol-notes.md#apiversions): the first request on every connection. The response header
 * is always v0. A version above ours is answered without parsing the body, with a v0 body carrying
 * UNSUPPORTED_VERSION and our ApiVersions range (KIP-511), so the client retries at our maximum.
 * v3+ requests with an invalid client software name or version get INVALID_REQUEST, as Kafka does.
 */
public final class ApiVersionsHandler {
    private static final short RESPONSE_HEADER_VERSION = 0;
    private final boolean clusterMode;

    /** A standalone broker's ApiVersions. */
    public ApiVersionsHandler() {
        this(false);
    }

    /** @param clusterMode also advertise the APIs forwarded to the controller */
    public ApiVersionsHandler(boolean clusterMode) {
        this.clusterMode = clusterMode;
    }

    public void handle(RequestChannel channel, RequestHeaderView header, SliceCursor cursor, ByteBuffer scratch) {
        final short version = header.apiVersion();
        final short max = ApiVersionTable.advertisedMax(ApiKeys.API_VERSIONS.id);
        if (version > max || version < 0) {
            final ApiVersionCollection keys = new ApiVersionCollection();
            keys.add(new ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id)
                .setMinVersion(ApiVersionTable.advertisedMin(ApiKeys.API_VERSIONS.id)).setMaxVersion(max));
            final ApiVersionsResponseData resp = new ApiVersionsResponseData()
                .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setApiKeys(keys);
            channel.sendResponse(header.correlationId(), RESPONSE_HEADER_VERSION, resp, (short) 0);
            return;
        }
        final int n = cursor.remaining();
        cursor.copyTo(scratch, n);
        scratch.flip();
        final ApiVersionsRequestData req;
        try {
            req = new ApiVersionsRequestData(new ByteBufferAccessor(scratch), version);
        } catch (RuntimeException e) {
            channel.closeAfterFailure("malformed ApiVersions v" + version + " request: " + e);
            return;
        }
        final ApiVersionsResponseData resp = new ApiVersionsResponseData().setThrottleTimeMs(0);
        if (version >= 3 && !new ApiVersionsRequest(req, version).isValid()) {
            resp.setErrorCode(Errors.INVALID_REQUEST.code());
        } else {
            resp.setErrorCode(Errors.NONE.code()).setApiKeys(ApiVersionTable.advertised(clusterMode));
        }
        channel.sendResponse(header.correlationId(), RESPONSE_HEADER_VERSION, resp, version);
    }
}
