package io.zcrx.ingest.perf.load;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The compaction benchmark's writer ({@code bin/perf-compaction.sh}): a kafka-clients producer (idempotent,
 * acks=all) that writes {@code --bytes} bytes of record values with keys drawn from {@code --keys} distinct keys
 * (uniformly, from a fixed seed, so every broker gets the same data) to one or more topics, partition 0. Keyed
 * records are what a compacted topic accepts (the firehose writes keyless ones); throughput is not the point here,
 * the written log is. Prints {@code keyed-load: result topic=T records=N valueBytes=B seconds=S}; exits 1 on a
 * failed send.
 *
 * <p>{@code --bootstrap host:port --topics a,b [--bytes 1000000000] [--keys 100000] [--record-size 1024]
 * [--compression none] [--seed 1]}
 */
public final class KeyedLoadMain {
    private KeyedLoadMain() {
    }

    public static void main(String[] args) throws Exception {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("expected --name value pairs: at=" + args[i]);
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        for (String k : m.keySet()) {
            if (!List.of("bootstrap", "topics", "bytes", "keys", "record-size", "compression", "seed").contains(k)) {
                usage("unknown option --" + k);
            }
        }
        final String bootstrap = m.get("bootstrap");
        if (bootstrap == null || !m.containsKey("topics")) {
            usage("--bootstrap and --topics are required");
        }
        final long bytes = Long.parseLong(m.getOrDefault("bytes", "1000000000"));
        final int keys = Integer.parseInt(m.getOrDefault("keys", "100000"));
        final int size = Integer.parseInt(m.getOrDefault("record-size", "1024"));
        final long seed = Long.parseLong(m.getOrDefault("seed", "1"));
        if (bytes < 1 || keys < 1 || size < 1) {
            usage("--bytes, --keys and --record-size must be positive: bytes=" + bytes + ", keys=" + keys
                + ", record-size=" + size);
        }
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, m.getOrDefault("compression", "none"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String topic : m.get("topics").split(",")) {
                write(producer, topic, bytes, keys, size, seed);
            }
        }
    }

    private static void write(KafkaProducer<byte[], byte[]> producer, String topic, long bytes, int keys, int size,
            long seed) throws Exception {
        final Random random = new Random(seed);
        final AtomicReference<Exception> failed = new AtomicReference<>();
        final AtomicLong acked = new AtomicLong();
        final long start = System.nanoTime();
        long records = 0;
        long written = 0;
        while (written < bytes && failed.get() == null) {
            final byte[] key = String.format("key-%010d", random.nextInt(keys)).getBytes(StandardCharsets.US_ASCII);
            // Values differ (so that nothing compresses away) but cost nothing to make: random bytes once per record
            // would dominate the writer's CPU; a rotating pattern seeded per record is enough.
            final byte[] value = new byte[size];
            final long v = random.nextLong();
            for (int i = 0; i < size; i += 8) {
                final long w = v * (i + 1);
                for (int b = 0; b < 8 && i + b < size; b++) {
                    value[i + b] = (byte) (w >>> (8 * b));
                }
            }
            producer.send(new ProducerRecord<>(topic, 0, key, value), (md, e) -> {
                if (e != null) {
                    failed.compareAndSet(null, e);
                } else {
                    acked.incrementAndGet();
                }
            });
            records++;
            written += size;
        }
        producer.flush();
        final double secs = (System.nanoTime() - start) / 1e9;
        if (failed.get() != null) {
            System.out.println("keyed-load: error topic=" + topic + " " + failed.get());
            System.out.flush();
            System.exit(1);
        }
        // flush() returns after every callback ran.
        if (acked.get() != records) {
            System.out.println("keyed-load: error topic=" + topic + " acked=" + acked.get() + " of " + records);
            System.exit(1);
        }
        System.out.printf("keyed-load: result topic=%s records=%d valueBytes=%d seconds=%.3f%n", topic, records,
            written, secs);
        System.out.flush();
    }

    private static void usage(String why) {
        System.out.println("keyed-load: error " + why);
        System.out.println("usage: KeyedLoadMain --bootstrap host:port --topics a,b [--bytes N] [--keys K] "
            + "[--record-size B] [--compression none|lz4|...] [--seed S]");
        System.exit(2);
    }
}
