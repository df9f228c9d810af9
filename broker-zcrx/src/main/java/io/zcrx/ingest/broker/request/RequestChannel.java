package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.broker.security.authz.TopicGrants;
import io.zcrx.ingest.broker.transport.ReactorIo;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How a request handler answers on its connection: responses leave in request order (the Java
 * client matches them FIFO by correlation id, docs/kafka-protocol-notes.md#ordering-and-correlation). Used only on the
 * connection's reactor thread.
 */
public interface RequestChannel {

    /**
     * A view to encode one whole response frame of exactly {@code length} bytes (size prefix
     * included) into; finish with {@link #commitResponse()}.
     */
    ByteBuffer beginResponse(int length);

    void commitResponse();

    /** Serialises a control-plane response (header version per api and version) and queues it. */
    void sendResponse(int correlationId, short headerVersion, Message body, short version);

    /**
     * Queues a response that writes itself (byte regions and file regions) once every earlier
     * response on the connection has been queued.
     */
    void sendResponse(ResponseWriter writer);

    /**
     * Promises a response that will be completed later; responses to later requests on this
     * connection wait behind it. When {@code connection.max.inflight.requests} are promised the
     * connection stops reading until some complete.
     */
    PendingResponse defer(int correlationId, short headerVersion, short version);

    /**
     * The request cannot be answered in a way the client would notice (acks=0 failure, malformed
     * input): close the connection once the current chunk has been framed, with this reason logged.
     */
    void closeAfterFailure(String reason);

    /** "connection N from host:port", for log lines. */
    String describe();

    /** The connection's reactor (deferred responses are completed on it). */
    ReactorIo reactor();

    /** "/host" of the peer, as Kafka reports ClientHost in DescribeGroups. */
    String clientHost();

    /** The client id of the connection's first request ("" if null). */
    String clientId();

    /** The name of the listener the connection came in on ({@code listeners}); null where there is none (tests). */
    default String listener() {
        return null;
    }

    /**
     * Who the connection is, for the authorizer: the SASL principal ({@code User:<name>}) once authenticated,
     * {@code User:ANONYMOUS} on a PLAINTEXT listener (Kafka's principal there). The one accessor every check reads
     * (a TLS certificate's principal comes through it too).
     */
    default KafkaPrincipal principal() {
        return KafkaPrincipal.ANONYMOUS;
    }

    /** The peer's address (ACL host matching). */
    default InetAddress clientAddress() {
        return InetAddress.getLoopbackAddress();
    }

    /** The security protocol of the connection's listener. */
    default SecurityProtocol securityProtocol() {
        return SecurityProtocol.PLAINTEXT;
    }

    /** The connection's cache of Produce grants (created at first use); null where there is none (tests). */
    default TopicGrants topicGrants() {
        return null;
    }
}
