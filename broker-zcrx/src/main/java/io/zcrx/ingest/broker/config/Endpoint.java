package io.zcrx.ingest.broker.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * One {@code NAME://host:port} entry of {@code listeners} or {@code advertised.listeners}, as Kafka
 * writes them: the name is a listener name (upper-cased, as Kafka normalises it), resolved to a security
 * protocol through {@code listener.security.protocol.map}; the host may be empty (every address) or
 * {@code [v6]}; port 0 picks a free port. Immutable.
 */
final class Endpoint {
    final String name;
    final String host;
    final int port;

    private Endpoint(String name, String host, int port) {
        this.name = name;
        this.host = host;
        this.port = port;
    }

    /** A comma-separated list of entries; names unique. Empty or null: an empty list. */
    static List<Endpoint> parseList(String key, String value) {
        final List<Endpoint> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        final Set<String> names = new HashSet<>();
        for (String entry : value.split(",")) {
            final Endpoint e = parse(key, value, entry.trim());
            if (!names.add(e.name)) {
                throw new ConfigException(key, value, "listener name " + e.name + " appears more than once");
            }
            out.add(e);
        }
        return out;
    }

    private static Endpoint parse(String key, String value, String v) {
        final int sep = v.indexOf("://");
        if (sep <= 0) {
            throw new ConfigException(key, value, "entry '" + v + "' must be NAME://host:port");
        }
        final String name = v.substring(0, sep).trim().toUpperCase(Locale.ROOT);
        if (!name.matches("[A-Z0-9_.-]+")) {
            throw new ConfigException(key, value, "listener name '" + name + "' may only use letters, digits, _ . -");
        }
        final String hp = v.substring(sep + 3);
        final int colon = hp.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, value, "entry '" + v + "' is missing :port");
        }
        String host = hp.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try {
            port = Integer.parseInt(hp.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "port of '" + v + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, value, "port of '" + v + "' must be in [0, 65535]");
        }
        return new Endpoint(name, host.isEmpty() ? "0.0.0.0" : host, port);
    }

    boolean wildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.isEmpty();
    }
}
