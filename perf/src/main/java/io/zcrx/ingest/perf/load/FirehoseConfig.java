package io.zcrx.ingest.perf.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one firehose run, parsed from {@code --name value} arguments (the harness starts the
 * firehose as its own process so that its CPU is billed apart from the broker's).
 *
 * @param host          broker (or sink) address
 * @param port          broker (or sink) port
 * @param topic         topic to produce to (created through Metadata auto-creation)
 * @param partitions    partitions to expect; 0 = as many as Metadata reports
 * @param recordBytes   record value size (null keys), as kafka-producer-perf-test's --record-size
 * @param batchBytes    largest batch, as the producer's batch.size (16384 by default)
 * @param acks          1 or -1 (all)
 * @param idempotent    InitProducerId per connection, sequences per partition
 * @param connections   connections, each one producer (its own producer id when idempotent)
 * @param inflight      requests in flight per connection
 * @param warmupSeconds load before the measured window opens
 * @param seconds       length of the measured window
 * @param maxBytes      end the measured window early once it has sent this many record bytes, and the
 *                      warm-up once it has sent maxBytes * warmupSeconds / seconds (the log dir must
 *                      hold both)
 * @param raw           physical-limit mode: no handshake, no responses, just the frames (TCP sink)
 * @param rawVersion    Produce version the frames are encoded at in raw mode
 * @param freshTopic    the topic is new: check at the end that every partition's log end offset
 *                      equals the records sent to it
 */
public record FirehoseConfig(String host, int port, String topic, int partitions, int recordBytes, int batchBytes,
                             short acks, boolean idempotent, int connections, int inflight, double warmupSeconds,
                             double seconds, long maxBytes, boolean raw, short rawVersion, boolean freshTopic) {

    public FirehoseConfig {
        if (port <= 0 || port > 65535 || recordBytes < 1 || batchBytes < 100 || connections < 1 || connections > 1024
                || inflight < 1 || inflight > 1024 || warmupSeconds < 0 || seconds <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("invalid firehose config: port=" + port + ", recordBytes=" + recordBytes
                + ", batchBytes=" + batchBytes + ", connections=" + connections + ", inflight=" + inflight
                + ", warmupSeconds=" + warmupSeconds + ", seconds=" + seconds + ", maxBytes=" + maxBytes);
        }
        if (acks != 1 && acks != -1) {
            throw new IllegalArgumentException("firehose acks must be 1 or -1: acks=" + acks);
        }
        if (idempotent && acks != -1) {
            throw new IllegalArgumentException("an idempotent producer needs acks=-1 (all): acks=" + acks);
        }
    }

    /** Parses {@code --name value} pairs; every name is required except those with a default here. */
    public static FirehoseConfig parse(String[] args) {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs: at=" + args[i]);
            }
            m.put(args[i].substring(2), args[++i]);
        }
        final String bootstrap = required(m, "bootstrap");
        final int colon = bootstrap.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("bootstrap must be host:port: bootstrap=" + bootstrap);
        }
        final String acks = m.getOrDefault("acks", "all");
        final FirehoseConfig c = new FirehoseConfig(bootstrap.substring(0, colon),
            Integer.parseInt(bootstrap.substring(colon + 1)), m.getOrDefault("topic", "firehose"),
            intOf(m, "partitions", 0), intOf(m, "record-size", 1024), intOf(m, "batch-size", 16_384),
            acks.equals("all") ? -1 : Short.parseShort(acks), boolOf(m, "idempotent", true),
            intOf(m, "connections", 16), intOf(m, "inflight", 8), doubleOf(m, "warmup-seconds", 2),
            doubleOf(m, "seconds", 10),
            Long.parseLong(m.getOrDefault("max-bytes", Long.toString(8L << 30))), boolOf(m, "raw", false),
            (short) intOf(m, "raw-version", 12), boolOf(m, "fresh-topic", true));
        for (String k : m.keySet()) {
            if (!KNOWN.contains(k)) {
                throw new IllegalArgumentException("unknown firehose option: --" + k + ", known=" + KNOWN);
            }
        }
        return c;
    }

    private static final List<String> KNOWN = List.of("bootstrap", "topic", "partitions", "record-size",
        "batch-size", "acks", "idempotent", "connections", "inflight", "warmup-seconds", "seconds", "max-bytes", "raw",
        "raw-version", "fresh-topic");

    private static int intOf(Map<String, String> m, String k, int dflt) {
        return Integer.parseInt(m.getOrDefault(k, Integer.toString(dflt)));
    }

    private static double doubleOf(Map<String, String> m, String k, double dflt) {
        return Double.parseDouble(m.getOrDefault(k, Double.toString(dflt)));
    }

    private static boolean boolOf(Map<String, String> m, String k, boolean dflt) {
        return Boolean.parseBoolean(m.getOrDefault(k, Boolean.toString(dflt)));
    }

    private static String required(Map<String, String> m, String k) {
        final String v = m.get(k);
        if (v == null) {
            throw new IllegalArgumentException("missing firehose option: --" + k);
        }
        return v;
    }

    /** The arguments that {@link #parse} turns back into this config. */
    public List<String> toArgs() {
        final List<String> a = new ArrayList<>();
        add(a, "bootstrap", host + ":" + port);
        add(a, "topic", topic);
        add(a, "partitions", Integer.toString(partitions));
        add(a, "record-size", Integer.toString(recordBytes));
        add(a, "batch-size", Integer.toString(batchBytes));
        add(a, "acks", acks == -1 ? "all" : Short.toString(acks));
        add(a, "idempotent", Boolean.toString(idempotent));
        add(a, "connections", Integer.toString(connections));
        add(a, "inflight", Integer.toString(inflight));
        add(a, "warmup-seconds", Double.toString(warmupSeconds));
        add(a, "seconds", Double.toString(seconds));
        add(a, "max-bytes", Long.toString(maxBytes));
        add(a, "raw", Boolean.toString(raw));
        add(a, "raw-version", Short.toString(rawVersion));
        add(a, "fresh-topic", Boolean.toString(freshTopic));
        return a;
    }

    private static void add(List<String> a, String k, String v) {
        a.add("--" + k);
        a.add(v);
    }
}
