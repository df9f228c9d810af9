package io.zcrx.ingest.broker.security.authz;

import java.net.InetAddress;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;

/**
 * Who asks, as the authorizer sees a request (principal and client address decide; the rest goes into the audit
 * line). For callers without a control-plane request context: the Produce path, on a cache miss.
 */
public record Requester(String listenerName, SecurityProtocol securityProtocol, KafkaPrincipal principal,
                        InetAddress clientAddress, int requestType, int requestVersion, String clientId,
                        int correlationId) implements AuthorizableRequestContext {
}
