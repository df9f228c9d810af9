package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.broker.transport.ReactorIo;
import java.net.InetAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;

/**
 * One control-plane request as its handler sees it: which API and version, who sent it, and the
 * two ways to answer: {@link #respond} now, or {@link #defer} and complete the
 * {@link PendingResponse} later (on any thread). It is also the request as Kafka's authorizer sees it
 * ({@link AuthorizableRequestContext}: principal, client address, listener, api): handlers pass it to
 * {@code BrokerContext.authorization()}. Used on the connection's reactor thread.
 */
public final class RequestContext implements AuthorizableRequestContext {
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

    @Override
    public int correlationId() {
        return correlationId;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    /** The connection's principal ({@code User:ANONYMOUS} on PLAINTEXT): see {@link RequestChannel#principal()}. */
    @Override
    public KafkaPrincipal principal() {
        return channel.principal();
    }

    @Override
    public InetAddress clientAddress() {
        return channel.clientAddress();
    }

    @Override
    public String listenerName() {
        final String l = channel.listener();
        return l == null ? "" : l;
    }

    @Override
    public SecurityProtocol securityProtocol() {
        return channel.securityProtocol();
    }

    @Override
    public int requestType() {
        return api.id;
    }

    @Override
    public int requestVersion() {
        return version;
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
