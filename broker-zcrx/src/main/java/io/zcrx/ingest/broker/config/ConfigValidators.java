package io.zcrx.ingest.broker.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The validators of {@link BrokerConfig}'s settings that kafka-clients' {@link ConfigDef} does not
 * have. Their {@code toString} is the "Valid values" column of docs/configuration.md, and their
 * messages complete ConfigDef's {@code Invalid value V for configuration K: reason}.
 */
final class ConfigValidators {
    private ConfigValidators() {
    }

    static final class ListenerValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            Endpoint.parseList(name, (String) value);
        }

        @Override
        public String toString() {
            return "NAME://host:port,...";
        }
    }

    /** Empty (off) or {@code host:port}, the host a name or address ({@code [v6]} in brackets). */
    static final class HostPortValidator implements ConfigDef.Validator {
        record HostPort(String host, int port) {
        }

        @Override
        public void ensureValid(String name, Object value) {
            final String v = value == null ? "" : ((String) value).trim();
            if (!v.isEmpty()) {
                parse(name, v);
            }
        }

        static HostPort parse(String name, String v) {
            final int colon = v.lastIndexOf(':');
            if (colon <= 0) {
                throw new ConfigException(name, v, "must be host:port (or empty for none)");
            }
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new ConfigException(name, v, "an IPv6 address must be in brackets: [addr]:port");
            }
            if (host.isEmpty() || host.contains("/")) {
                throw new ConfigException(name, v, "must be host:port without a scheme or path (or empty for none)");
            }
            final int port;
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(name, v, "port is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(name, v, "port must be in [0, 65535]");
            }
            return new HostPort(host, port);
        }

        @Override
        public String toString() {
            return "empty, or host:port";
        }
    }

    /** Accepts null (meaning "not set, use the fallback setting"), else delegates. */
    static final class NullOr implements ConfigDef.Validator {
        private final ConfigDef.Validator inner;

        NullOr(ConfigDef.Validator inner) {
            this.inner = inner;
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value != null) {
                inner.ensureValid(name, value);
            }
        }

        @Override
        public String toString() {
            return "null or " + inner;
        }
    }

    /**
     * A number in [min, max] that {@link #accepts} as well: "must be a KIND in [min, max]". The
     * kind doubles as the documentation's "Valid values".
     */
    abstract static class BoundedNumber implements ConfigDef.Validator {
        private final String kind;
        private final long min;
        private final long max;

        BoundedNumber(String kind, long min, long max) {
            this.kind = kind;
            this.min = min;
            this.max = max;
        }

        abstract boolean accepts(long value);

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                throw new ConfigException(name, null, "must be set");
            }
            final long v = ((Number) value).longValue();
            if (v < min || v > max || !accepts(v)) {
                throw new ConfigException(name, value, "must be a " + this);
            }
        }

        @Override
        public String toString() {
            return kind + " in [" + min + ", " + max + "]";
        }
    }

    static final class PowerOfTwo extends BoundedNumber {
        PowerOfTwo(long min, long max) {
            super("power of two", min, max);
        }

        @Override
        boolean accepts(long value) {
            return Long.bitCount(value) == 1;
        }
    }

    static final class PageMultiple extends BoundedNumber {
        PageMultiple(long min, long max) {
            super("multiple of 4096", min, max);
        }

        @Override
        boolean accepts(long value) {
            return value % 4096 == 0;
        }
    }

    static final class RxQueueListValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            final List<String> list = (List<String>) value;
            final List<Integer> seen = new ArrayList<>();
            for (String s : list) {
                final int q;
                try {
                    q = Integer.parseInt(s.trim());
                } catch (NumberFormatException e) {
                    throw new ConfigException(name, value, "'" + s + "' is not a queue index");
                }
                if (q < 0 || q > 65535) {
                    throw new ConfigException(name, value, "queue index " + q + " outside [0, 65535]");
                }
                if (seen.contains(q)) {
                    throw new ConfigException(name, value, "queue " + q + " listed twice");
                }
                seen.add(q);
            }
        }

        @Override
        public String toString() {
            return "comma-separated rx queue indexes";
        }
    }

    /**
     * {@code process.roles}: empty (standalone) or {@code broker}. The controller role is Apache
     * Kafka's: this broker implements none, and says what to run instead.
     */
    static final class ProcessRolesValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            final List<String> roles = (List<String>) value;
            for (String r : roles) {
                final String role = r.trim();
                if (role.equals("controller")) {
                    throw new ConfigException(name, String.join(",", roles), "this broker cannot be a KRaft "
                        + "controller; run Apache Kafka's controller (bin/zcrx-kraft-controller.sh, or Kafka's "
                        + "kafka-server-start.sh with process.roles=controller) and set process.roles=broker here");
                }
                if (!role.equals("broker")) {
                    throw new ConfigException(name, String.join(",", roles),
                        "must be empty (standalone) or broker (a KRaft broker)");
                }
            }
        }

        @Override
        public String toString() {
            return "empty, or broker";
        }
    }

    /** A comma-separated list of host:port (controller.quorum.bootstrap.servers). */
    static final class HostPortListValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            final List<String> list = (List<String>) value;
            for (String s : list) {
                final HostPortValidator.HostPort hp = HostPortValidator.parse(name, s.trim());
                if (hp.port() == 0) {
                    throw new ConfigException(name, String.join(",", list), "port 0 in " + s + ": name a real port");
                }
            }
        }

        @Override
        public String toString() {
            return "host:port,...";
        }
    }

    /** {@code listener.security.protocol.map}: NAME:PROTOCOL,... with Kafka's protocol names. */
    static final class ProtocolMapValidator implements ConfigDef.Validator {
        static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

        @Override
        public void ensureValid(String name, Object value) {
            parse(name, (String) value);
        }

        /** Listener name (upper case, as Kafka normalises it) to protocol, in the given order. */
        static Map<String, String> parse(String name, String value) {
            final Map<String, String> out = new LinkedHashMap<>();
            if (value == null || value.isBlank()) {
                return out;
            }
            for (String entry : value.split(",")) {
                final String e = entry.trim();
                final int colon = e.indexOf(':');
                if (colon <= 0 || colon == e.length() - 1) {
                    throw new ConfigException(name, value, "entry '" + e + "' is not NAME:PROTOCOL");
                }
                final String listener = e.substring(0, colon).trim().toUpperCase(Locale.ROOT);
                final String protocol = e.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
                if (!PROTOCOLS.contains(protocol)) {
                    throw new ConfigException(name, value, "unknown security protocol " + protocol + " (one of "
                        + PROTOCOLS + ")");
                }
                if (out.put(listener, protocol) != null) {
                    throw new ConfigException(name, value, "listener " + listener + " listed twice");
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return "NAME:PROTOCOL,...";
        }
    }
}
