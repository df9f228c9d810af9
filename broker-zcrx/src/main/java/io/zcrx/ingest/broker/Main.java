package io.zcrx.ingest.broker;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.server.Broker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the broker in the foreground, the way Kafka's {@code kafka-server-start.sh} does:
 * {@code Main [server.properties] [--override key=value ...]}. Without a file the embedded
 * defaults apply (log dir {@code data/kafka-logs} under the working directory, PLAINTEXT on
 * 127.0.0.1:9092, transport auto). Exits 2 on a configuration error, naming the key and value, and
 * 1 if the broker cannot start. SIGTERM/SIGINT shut it down cleanly.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        final Map<String, String> props;
        try {
            props = parseArgs(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: zcrx-broker-start.sh [-daemon] [server.properties] [--override key=value]...");
            System.exit(2);
            return;
        }
        final BrokerConfig config;
        try {
            config = new BrokerConfig(props);
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            LOG.error("configuration error: {}", e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("effective configuration:");
        config.effectiveValues().forEach((k, v) -> LOG.info("  {} = {}", k, v));
        if (!config.unknownKeys().isEmpty()) {
            LOG.warn("ignoring settings this broker does not implement: {}", config.unknownKeys());
        }
        final Broker broker = new Broker(config);
        // Cluster mode: a broker that cannot stay in the cluster exits, as Kafka's do (the hook closes it).
        broker.onFatal(() -> new Thread(() -> System.exit(1), "zcrx-fatal-exit").start());
        final CountDownLatch stopped = new CountDownLatch(1);
        try {
            broker.start();
        } catch (IOException | RuntimeException e) {
            LOG.error("broker failed to start: {}", e.getMessage(), e);
            System.err.println("broker failed to start: " + e.getMessage());
            broker.close();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
            shutdownLoggingBackend();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Flushes and stops the logging backend after the broker's close has logged its last lines.
     * config/log4j2.xml disables Log4j's own shutdown hook for exactly that reason (a JVM hook
     * runs concurrently with ours and could stop logging mid-shutdown). SLF4J, the facade our code
     * logs through, has no shutdown call, so the backend is found by name: absent (another SLF4J
     * binding on the class path), there is nothing to flush here.
     */
    private static void shutdownLoggingBackend() {
        try {
            Class.forName("org.apache.logging.log4j.LogManager").getMethod("shutdown").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            // not Log4j 2: that binding flushes on its own terms
        }
    }

    static Map<String, String> parseArgs(String[] args) throws IOException {
        final Map<String, String> props = new HashMap<>();
        final Map<String, String> overrides = new HashMap<>();
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (a.equals("--override")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--override needs key=value");
                }
                final String kv = args[++i];
                final int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--override needs key=value, got '" + kv + "'");
                }
                overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            } else if (a.startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + a);
            } else if (file == null) {
                file = Paths.get(a);
            } else {
                throw new IllegalArgumentException("more than one properties file: " + file + " and " + a);
            }
        }
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IOException("properties file not found: " + file.toAbsolutePath());
            }
            final Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            for (String k : p.stringPropertyNames()) {
                props.put(k, p.getProperty(k).trim());
            }
        }
        props.putAll(overrides);
        return props;
    }
}
