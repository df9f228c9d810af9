package io.zcrx.ingest.broker.config;

import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code PLAINTEXT://host:port}, one listener, the only form this broker serves: the parsed value of
 * {@code listeners} and {@code advertised.listeners}. Immutable.
 */
final class Endpoint {
    final String host;
    final int port;

    private Endpoint(String host, int port) {
        this.host = host;
        this.port = port;
    }

    static Endpoint parse(String key, String value) {
        if (value == null) {
            throw new ConfigException(key, null, "must be PLAINTEXT://host:port");
        }
        final String v = value.trim();
        if (v.contains(",")) {
            throw new ConfigException(key, value, "only one listener is supported");
        }
        final String prefix = "PLAINTEXT://";
        if (!v.toUpperCase(Locale.ROOT).startsWith(prefix)) {
            throw new ConfigException(key, value,
                "must be PLAINTEXT://host:port (no TLS/SASL listener is implemented)");
        }
        final String hp = v.substring(prefix.length());
        final int colon = hp.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, value, "missing :port");
        }
        String host = hp.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try {
            port = Integer.parseInt(hp.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, value, "port must be in [0, 65535]");
        }
        return new Endpoint(host.isEmpty() ? "0.0.0.0" : host, port);
    }
}
