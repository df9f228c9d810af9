package io.zcrx.ingest.broker.testkit;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.server.Broker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real broker in the test JVM on 127.0.0.1 (a free port), with its log directory under a test
 * temp dir and a chosen transport. {@link #assertNoLeaks()} waits until every receive chunk has
 * gone back to the transport (the gauges are published once per reactor loop) and fails if one
 * stays out.
 */
public final class TestBroker implements AutoCloseable {
    /** The gauges are published once per reactor loop: this is a bound, reached in milliseconds. */
    private static final Duration LEAK_TIMEOUT = Duration.ofSeconds(10);

    private final Path logDir;
    private final Map<String, String> props;
    private Broker broker;

    private TestBroker(Path logDir, Map<String, String> props) {
        this.logDir = logDir;
        this.props = props;
    }

    /**
     * @param transport {@code nio}, {@code uring}, {@code zcrx} or {@code auto}
     * @param overrides more settings, {@code key, value, key, value, ...}
     */
    public static TestBroker start(Path logDir, String transport, String... overrides) throws IOException {
        final Map<String, String> p = new HashMap<>();
        p.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0");
        p.put(BrokerConfig.LOG_DIRS, logDir.toString());
        p.put(BrokerConfig.TRANSPORT, transport);
        p.put(BrokerConfig.NUM_NETWORK_THREADS, "2");
        p.put(BrokerConfig.NIO_BUFFER_COUNT, "256");
        // 256 x 64 KiB of NIO receive memory per reactor holds requests of up to 8 MiB.
        p.put(BrokerConfig.SOCKET_REQUEST_MAX_BYTES, String.valueOf(8 * 1024 * 1024));
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            p.put(overrides[i], overrides[i + 1]);
        }
        final TestBroker b = new TestBroker(logDir, p);
        b.startBroker();
        return b;
    }

    private void startBroker() throws IOException {
        broker = new Broker(new BrokerConfig(props));
        try {
            broker.start();
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** Clean stop, then start again on the same log dir (a new port). */
    public void restart() throws IOException {
        broker.close();
        startBroker();
    }

    public String bootstrap() {
        return "127.0.0.1:" + broker.localAddress().getPort();
    }

    public int port() {
        return broker.localAddress().getPort();
    }

    public Broker broker() {
        return broker;
    }

    public Path logDir() {
        return logDir;
    }

    public String transportName() {
        return broker.transport().name();
    }

    /** Waits (up to 10 s) until no receive chunk is outstanding; fails with the count otherwise. */
    public void assertNoLeaks() throws InterruptedException {
        Await.until("every receive chunk back on transport " + broker.transport().name() + " (else leaked)",
            LEAK_TIMEOUT, () -> new Outstanding(broker.transport().outstandingChunks(),
                broker.transport().outstandingBytes()), out -> out.chunks() == 0);
    }

    /** What {@link #assertNoLeaks} reports when receive memory stays out. */
    private record Outstanding(long chunks, long bytes) {
    }

    /** Waits (up to 10 s) until the broker has no open connection (clients closed). */
    public void awaitNoConnections() throws InterruptedException {
        Await.until("no open connection", LEAK_TIMEOUT, () -> broker.transport().connectionCount(), n -> n == 0);
    }

    /** Removes a test directory tree (log dirs of stopped brokers). */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}
