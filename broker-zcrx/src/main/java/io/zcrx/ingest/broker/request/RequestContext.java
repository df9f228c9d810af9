package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.broker.transport.ReactorIo;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Message;

/**
 * One control-plane request as its handler sees it: which API and version, who sent it, and the
 * two ways to answer: {@link #respond} now, or {@link #defer} and complete the
 * {@link PendingResponse} later (on any thread). Used on the connection's reactor thread.
 */
public final class RequestContext {
    private final RequestChannel channel;
    private final ApiKeys api;
    private final short version;
    private final int correlationId;
    private final String clientId;
    private final int stripe;

    /** @param stripe the id of the reactor the request arrived on: its stripe in the metrics */
    public RequestContext(RequestChannel channel, ApiKeys api, short version, int correlationId, String clientId,
                          int stripe) {
        this.channel = channel;
        this.stripe = stripe;
        this.api = api;
        this.version = version;
        this.correlationId = correlationId;
        this.clientId = clientId;
    }

    public ApiKeys api() {
        return api;
    }

    public short version() {
        return version;
    }

    public int correlationId() {
        return correlationId;
    }

    public String clientId() {
        return clientId;
    }

    /** The connection's reactor id: the stripe to record metrics in (on that reactor's thread). */
    public int stripe() {
        return stripe;
    }

    /** "connection N from host:port", for log lines. */
    public String connection() {
        return channel.describe();
    }

    public void respond(Message body) {
        channel.sendResponse(correlationId, api.responseHeaderVersion(version), body, version);
    }

    /** Answers now with a response that writes itself (a Fetch with file regions). */
    public void respond(ResponseWriter writer) {
        channel.sendResponse(writer);
    }

    /** The connection's reactor: where a deferred response must be completed with {@code completeWith}. */
    public ReactorIo reactor() {
        return channel.reactor();
    }

    /** Host of the client, for DescribeGroups' ClientHost ("/127.0.0.1" style, as Kafka prints it). */
    public String clientHost() {
        return channel.clientHost();
    }

    /** The listener the request came in on (Metadata answers with that listener's endpoints); may be null. */
    public String listener() {
        return channel.listener();
    }

    public PendingResponse defer() {
        return channel.defer(correlationId, api.responseHeaderVersion(version), version);
    }

    /** The request cannot be answered: close the connection (reason logged). */
    public void close(String reason) {
        channel.closeAfterFailure(reason);
    }
}
