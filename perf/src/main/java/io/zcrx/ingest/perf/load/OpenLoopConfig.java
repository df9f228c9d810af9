package io.zcrx.ingest.perf.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one open-loop latency run ({@link OpenLoop}), parsed from {@code --name value} arguments (the harness
 * starts the generator as its own process, as it does the firehose).
 *
 * @param host          broker address
 * @param port          broker port
 * @param topic         topic to produce to (created through Metadata auto-creation); every request carries one batch
 *                      for its partition 0
 * @param recordBytes   record value size (null keys), as kafka-producer-perf-test's --record-size (default 1024)
 * @param batchBytes    largest batch, as the producer's batch.size (16384): a backlog goes out in batches this big
 * @param acks          1 or -1 (all, the default)
 * @param idempotent    InitProducerId per connection, sequences per partition (default true)
 * @param connections   connections, each one producer; requests go to them in turn (default 1)
 * @param rate          records per second, on a fixed schedule whatever the responses do
 * @param warmupSeconds schedule before the measured window, not counted (default 10)
 * @param seconds       length of the measured window (default 60)
 * @param maxInflight   requests unanswered per connection before due records wait (and batch up), as the producer's
 *                      max.in.flight.requests.per.connection; 0 = no limit (pure open loop, the default)
 * @param freshTopic    the topic is new: check at the end that the highest offset acknowledged + 1 equals the
 *                      records sent
 */
public record OpenLoopConfig(String host, int port, String topic, int recordBytes, int batchBytes, short acks,
                             boolean idempotent, int connections, int rate, double warmupSeconds, double seconds,
                             int maxInflight, boolean freshTopic) {

    public OpenLoopConfig {
        if (port <= 0 || port > 65535 || recordBytes < 1 || batchBytes < 100 || connections < 1 || connections > 64
                || rate < 1 || rate > 10_000_000 || warmupSeconds < 0 || seconds <= 0 || maxInflight < 0) {
            throw new IllegalArgumentException("invalid open-loop config: port=" + port + ", recordBytes=" + recordBytes
                + ", batchBytes=" + batchBytes + ", connections=" + connections + ", rate=" + rate
                + ", warmupSeconds=" + warmupSeconds + ", seconds=" + seconds + ", maxInflight=" + maxInflight);
        }
        if (acks != 1 && acks != -1) {
            throw new IllegalArgumentException("open-loop acks must be 1 or -1 (all): acks=" + acks);
        }
        if (idempotent && acks != -1) {
            throw new IllegalArgumentException("an idempotent producer needs acks=-1 (all): acks=" + acks);
        }
    }

    private static final List<String> KNOWN = List.of("bootstrap", "topic", "record-size", "batch-size", "acks",
        "idempotent", "connections", "rate", "warmup-seconds", "seconds", "max-inflight", "fresh-topic");

    /** Parses {@code --name value} pairs; --bootstrap and --rate are required. */
    public static OpenLoopConfig parse(String[] args) {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs: at=" + args[i]);
            }
            final String k = args[i].substring(2);
            if (!KNOWN.contains(k)) {
                throw new IllegalArgumentException("unknown open-loop option: --" + k + ", known=" + KNOWN);
            }
            m.put(k, args[++i]);
        }
        final String bootstrap = required(m, "bootstrap");
        final int colon = bootstrap.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("bootstrap must be host:port: bootstrap=" + bootstrap);
        }
        final String acks = m.getOrDefault("acks", "all");
        return new OpenLoopConfig(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)),
            m.getOrDefault("topic", "openloop"), intOf(m, "record-size", 1024), intOf(m, "batch-size", 16_384),
            acks.equals("all") ? -1 : Short.parseShort(acks),
            Boolean.parseBoolean(m.getOrDefault("idempotent", "true")),
            intOf(m, "connections", 1), Integer.parseInt(required(m, "rate")), doubleOf(m, "warmup-seconds", 10),
            doubleOf(m, "seconds", 60), intOf(m, "max-inflight", 0),
            Boolean.parseBoolean(m.getOrDefault("fresh-topic", "true")));
    }

    private static int intOf(Map<String, String> m, String k, int dflt) {
        return Integer.parseInt(m.getOrDefault(k, Integer.toString(dflt)));
    }

    private static double doubleOf(Map<String, String> m, String k, double dflt) {
        return Double.parseDouble(m.getOrDefault(k, Double.toString(dflt)));
    }

    private static String required(Map<String, String> m, String k) {
        final String v = m.get(k);
        if (v == null) {
            throw new IllegalArgumentException("missing open-loop option: --" + k);
        }
        return v;
    }

    /** The arguments that {@link #parse} turns back into this config. */
    public List<String> toArgs() {
        return new ArrayList<>(List.of("--bootstrap", host + ":" + port, "--topic", topic,
            "--record-size", Integer.toString(recordBytes), "--batch-size", Integer.toString(batchBytes),
            "--acks", acks == -1 ? "all" : Short.toString(acks), "--idempotent", Boolean.toString(idempotent),
            "--connections", Integer.toString(connections), "--rate", Integer.toString(rate),
            "--warmup-seconds", Double.toString(warmupSeconds), "--seconds", Double.toString(seconds),
            "--max-inflight", Integer.toString(maxInflight), "--fresh-topic", Boolean.toString(freshTopic)));
    }
}
