package io.zcrx.ingest.broker.config;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * One listener of {@code listeners}, resolved: its name (upper case, Kafka's normalisation), its security
 * protocol ({@code listener.security.protocol.map}), the address it binds, and the endpoint clients are told
 * ({@code advertised.listeners} entry of the same name, else the bound one; port 0 = the port actually bound).
 * Immutable.
 *
 * @param name             listener name, e.g. {@code PLAINTEXT}, {@code SASL_PLAINTEXT}, {@code CLIENT}
 * @param securityProtocol {@code PLAINTEXT} or {@code SASL_PLAINTEXT} (TLS protocols are refused at start)
 * @param bind             the address to listen on
 * @param advertisedHost   the host clients connect to
 * @param advertisedPort   the port clients connect to; 0 = the bound port
 */
public record ListenerSpec(String name, String securityProtocol, InetSocketAddress bind, String advertisedHost,
                           int advertisedPort) {

    /** Kafka's per-listener settings prefix: {@code listener.name.<name in lower case>.}. */
    public String configPrefix() {
        return "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
    }

    /** True for SASL_PLAINTEXT (and, later, SASL_SSL): clients authenticate before any other request. */
    public boolean sasl() {
        return securityProtocol.startsWith("SASL_");
    }
}
