package io.zcrx.ingest.broker.transport.tls;

import javax.net.ssl.SSLSession;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * What the broker may ask of a TLS connection (its {@code ConnectionIo} on an SSL or SASL_SSL listener) once the
 * handshake is done, which it is before the first request arrives.
 */
public interface TlsPeer {

    /**
     * The principal Kafka's {@code DefaultKafkaPrincipalBuilder} builds from the session: {@code User:} and the
     * client certificate's subject mapped by {@code ssl.principal.mapping.rules} ({@code User:CN=...,OU=...} with
     * the default rules), or {@code User:ANONYMOUS} without a client certificate. On SASL_SSL the SASL principal
     * takes its place, as in Kafka.
     */
    KafkaPrincipal tlsPrincipal();

    /** The negotiated session (protocol, cipher suite, peer certificates). */
    SSLSession tlsSession();
}
