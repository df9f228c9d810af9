package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.security.SaslListener;
import io.zcrx.ingest.broker.security.SaslSession;
import io.zcrx.ingest.broker.testkit.DrainingConnectionIo;
import io.zcrx.ingest.broker.testkit.TestBroker;
import io.zcrx.ingest.broker.transport.ConnectionHandler;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.OutboundBlockPool;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * The in-process target for fuzzing the broker's real dispatch: one real {@link Broker} (real log
 * directory, topics, flusher, group coordinator, timers) whose {@link BrokerContext} drives a
 * {@link BrokerReactorHandler} of our own, fed from the fuzzing thread. Each input becomes the byte
 * stream of a fresh {@link Connection} cut into receive chunks with real native addresses
 * ({@link TestChunks}, so appends gather-write straight from them); its responses are drained and
 * dropped. A socket per input would cost a thousand times more.
 *
 * <p>Invariants checked per input ({@link #feed}): no exception escapes the connection (a transport
 * would close it as an internal error: a bug), every receive chunk is released once the connection
 * is closed, and another connection is still answered (ApiVersions). At the end
 * ({@link #verifyLogs}): every byte of every segment file is a valid record batch (CRC, sizes,
 * kafka-clients' own checks), i.e. no invalid batch was ever written.
 *
 * <p>{@link #sasl()} is the same over a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; user
 * {@value #SASL_USER} with a random 32-byte password per run that no input can know): there a further invariant
 * holds after every receive chunk, that the connection never authenticated ({@link #feed} checks its
 * {@link SaslSession} has no principal), proved able to fail by a login with the real password at start.
 *
 * <p>One of each per JVM (a broker start costs a second); used from the fuzzing thread only, except the
 * reactor's task queue, which the flusher and timer threads feed.
 */
final class FuzzHarness {
    /** The SASL user of {@link #sasl()}: the seeds log in as this user with wrong passwords. */
    static final String SASL_USER = "fuzz";
    private static FuzzHarness shared;
    private static FuzzHarness sasl;

    private final Path dir;
    private final Broker broker;
    private final BrokerContext ctx;
    private final HarnessReactor reactor = new HarnessReactor();
    private final BrokerReactorHandler handler;
    private final OutboundBlockPool blocks = new OutboundBlockPool(16 * 1024, 64);
    private final TestChunks chunks = new TestChunks();
    private long connectionIds;
    private long inputs;
    private int canaryCorrelationId;
    /** The SASL listener's set-up ({@link #sasl()}), else null. */
    private final SaslListener saslListener;

    private FuzzHarness(Path dir, String saslPassword) throws IOException {
        this.dir = dir;
        final Map<String, String> p = new HashMap<>();
        if (saslPassword == null) {
            p.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0");
        } else {
            p.put(BrokerConfig.LISTENERS, "SASL_PLAINTEXT://127.0.0.1:0");
            p.put("listener.name.sasl_plaintext." + BrokerConfig.SASL_ENABLED_MECHANISMS,
                "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
            p.put("listener.name.sasl_plaintext.plain." + BrokerConfig.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + SASL_USER + "=\""
                    + saslPassword + "\";");
        }
        p.put(BrokerConfig.LOG_DIRS, dir.resolve("logs").toString());
        p.put(BrokerConfig.TRANSPORT, "nio");
        p.put(BrokerConfig.NUM_NETWORK_THREADS, "1");
        p.put(BrokerConfig.NIO_BUFFER_COUNT, "32");
        // Fuzzed CreateTopics must not fill the disk: small preallocated indexes and segments,
        // aggressive retention, few partitions per request.
        p.put(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE, "false");
        p.put(BrokerConfig.LOG_INDEX_SIZE_MAX_BYTES, "4096");
        p.put(BrokerConfig.LOG_SEGMENT_BYTES, String.valueOf(1 << 20));
        p.put(BrokerConfig.LOG_RETENTION_BYTES, String.valueOf(4 << 20));
        p.put(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS, "1000");
        p.put(BrokerConfig.LOG_SEGMENT_DELETE_DELAY_MS, "0");
        p.put(BrokerConfig.REQUEST_MAX_TOPICS, "32");
        p.put(BrokerConfig.REQUEST_MAX_PARTITIONS, "64");
        p.put(BrokerConfig.SOCKET_REQUEST_MAX_BYTES, String.valueOf(1 << 20));
        p.put(BrokerConfig.MESSAGE_MAX_BYTES, String.valueOf(1 << 20));
        p.put(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0");
        p.put(BrokerConfig.CONNECTION_MAX_INFLIGHT_REQUESTS, "8");
        // This broker lives as long as the test JVM: its MBeans would shadow the ones other test
        // classes register under the same Kafka names.
        p.put(BrokerConfig.METRICS_JMX_ENABLE, "false");
        broker = new Broker(new BrokerConfig(p));
        broker.start();
        ctx = broker.context();
        if (ctx.topics().get(FuzzSeeds.TOPIC) == null) {
            ctx.topics().create(FuzzSeeds.TOPIC, 2, Map.of(), false);
        }
        if (saslPassword == null) {
            saslListener = null;
            handler = new BrokerReactorHandler(ctx, new ControlPlane(ctx), 99, reactor);
        } else {
            for (ScramMechanism m : ScramMechanism.values()) {
                try {
                    ctx.scramCredentials().put(SASL_USER, m,
                        new ScramFormatter(m).generateCredential(saslPassword, m.minIterations()));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            saslListener = SaslListener.create(ctx.config(), ctx.config().listeners().get(0), ctx.scramCredentials());
            handler = new BrokerReactorHandler(ctx, new ControlPlane(ctx), 99, reactor,
                ctx.config().listeners().get(0).name(), saslListener, false);
        }
    }

    static synchronized FuzzHarness shared() {
        if (shared == null) {
            shared = start(null);
        }
        return shared;
    }

    /** The harness over a SASL_PLAINTEXT listener; its self-test (a real login authenticates) has passed. */
    static synchronized FuzzHarness sasl() {
        if (sasl == null) {
            final byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            final String password = HexFormat.of().formatHex(secret);
            final FuzzHarness h = start(password);
            h.selfTest(password);
            sasl = h;
        }
        return sasl;
    }

    private static FuzzHarness start(String saslPassword) {
        try {
            final Path dir = Files.createTempDirectory("zcrx-fuzz");
            final FuzzHarness h = new FuzzHarness(dir, saslPassword);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                h.broker.close();
                try {
                    TestBroker.deleteRecursively(dir);
                } catch (IOException ignored) {
                    // A temp dir left behind.
                }
            }));
            return h;
        } catch (IOException e) {
            throw new IllegalStateException("fuzz harness broker did not start: " + e, e);
        }
    }

    /** The SASL listener's set-up ({@link #sasl()} only). */
    SaslListener saslListener() {
        return saslListener;
    }

    /**
     * The no-authentication invariant can fail: a PLAIN login with the real password, fed like any input,
     * authenticates (and would trip {@link #feed}'s check).
     */
    private void selfTest(String password) {
        final byte[] login = SaslFuzzSeeds.plainLogin(SASL_USER, password);
        final DrainingConnectionIo io = new DrainingConnectionIo(++connectionIds, blocks, reactor);
        final Connection c = (Connection) handler.onAccept(io);
        io.handler = c;
        for (RxChunk chunk : chunks.chunks(login)) {
            c.onReceive(chunk);
            chunk.release();
        }
        final boolean authenticated = c.sasl.principal() != null && !io.closed;
        io.close("self-test done", false);
        if (!authenticated || saslListener.successfulAuthentications() != 1) {
            throw new IllegalStateException("SASL fuzz harness self-test: the real password did not authenticate");
        }
    }

    /** The id of the topic every seed produces to (it exists from the start). */
    Uuid topicId() {
        return ctx.topics().get(FuzzSeeds.TOPIC).id();
    }

    long inputs() {
        return inputs;
    }

    /**
     * Feeds {@code stream} to a new connection in chunks of {@code chunkLength} bytes (the last one
     * shorter), completes what the broker deferred, closes the connection, and checks the per-input
     * invariants.
     */
    void feed(byte[] stream, int chunkLength) {
        inputs++;
        reactor.owner = Thread.currentThread();
        if (ctx.topics().get(FuzzSeeds.TOPIC) == null) {
            // A fuzzed DeleteTopics removed it: the seeds need it back.
            ctx.topics().create(FuzzSeeds.TOPIC, 2, Map.of(), false);
        }
        handler.onTick(System.nanoTime());
        final DrainingConnectionIo io = new DrainingConnectionIo(++connectionIds, blocks, reactor);
        final ConnectionHandler c = handler.onAccept(io);
        io.handler = c;
        final List<RxChunk> list = chunks.chunks(stream, cuts(stream.length, chunkLength));
        try {
            for (RxChunk chunk : list) {
                awaitResumed(io);
                if (!io.closed && !io.paused) {
                    c.onReceive(chunk);
                }
                chunk.release();
                checkNotAuthenticated(c);
            }
        } catch (RuntimeException e) {
            throw new AssertionError("exception escaped the connection (a transport closes it as an internal "
                + "error): " + e, e);
        } finally {
            runTasks();
            io.close("end of fuzz input", false);
        }
        if (chunks.outstanding() != 0) {
            throw new AssertionError("receive chunks leaked after the connection closed: outstanding="
                + chunks.outstanding());
        }
        canary();
        if (inputs % 2000 == 0) {
            trimTopics();
        }
    }

    /** SASL harness: no input may authenticate (the password is not in any input). */
    private void checkNotAuthenticated(ConnectionHandler c) {
        if (saslListener == null) {
            return;
        }
        final SaslSession s = ((Connection) c).sasl;
        if (s.principal() != null || s.authenticated() || saslListener.successfulAuthentications() != 1) {
            throw new AssertionError("a fuzz input authenticated without the password: principal=" + s.principal()
                + ", mechanism=" + s.mechanism() + ", successful authentications=" + saslListener
                .successfulAuthentications() + " (1 is the self-test's)");
        }
    }

    /** A paused connection (in-flight limit) resumes when deferred responses complete (flusher, timers). */
    private void awaitResumed(DrainingConnectionIo io) {
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (io.paused && !io.closed && System.nanoTime() < deadline) {
            runTasks();
            if (io.paused) {
                Thread.onSpinWait();
            }
        }
    }

    private void runTasks() {
        Runnable r;
        while ((r = reactor.tasks.poll()) != null) {
            r.run();
        }
    }

    /** Another connection must still be served: ApiVersions v3 answered with its correlation id. */
    private void canary() {
        final DrainingConnectionIo io = new DrainingConnectionIo(++connectionIds, blocks, reactor);
        io.capture = true;
        final ConnectionHandler c = handler.onAccept(io);
        io.handler = c;
        final int correlationId = ++canaryCorrelationId;
        final ByteBuffer req = new ApiVersionsRequest.Builder((short) 3).build((short) 3)
            .serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "canary", correlationId));
        final byte[] frame = new byte[4 + req.remaining()];
        ByteBuffer.wrap(frame).putInt(req.remaining()).put(req);
        for (RxChunk chunk : chunks.chunks(frame)) {
            c.onReceive(chunk);
            chunk.release();
        }
        final ByteBuffer out = ByteBuffer.wrap(io.captured.toByteArray());
        io.close("canary done", false);
        if (out.remaining() < 8 || out.getInt(0) != out.remaining() - 4 || out.getInt(4) != correlationId) {
            throw new AssertionError("another connection was not served after the input: response bytes="
                + out.remaining());
        }
        if (chunks.outstanding() != 0) {
            throw new AssertionError("canary leaked receive chunks: outstanding=" + chunks.outstanding());
        }
    }

    /** Fuzzed CreateTopics accumulate: drop every topic but the seeds' now and then. */
    private void trimTopics() {
        for (TopicInfo t : new ArrayList<>(ctx.topics().all())) {
            if (!t.name().equals(FuzzSeeds.TOPIC)) {
                ctx.topics().delete(t);
            }
        }
    }

    /**
     * Every segment of every partition holds nothing but valid batches, back to back to its end:
     * magic 2, sizes consistent, CRC-32C right (kafka-clients' {@code ensureValid}), offsets rising.
     * Returns the number of batches checked.
     */
    long verifyLogs() throws IOException {
        long batches = 0;
        for (PartitionLog log : ctx.logs().partitions()) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(log.dir(), "*.log")) {
                for (Path segment : files) {
                    batches += verifySegment(segment);
                }
            } catch (NoSuchFileException e) {
                // Deleted by retention or DeleteTopics meanwhile.
            }
        }
        return batches;
    }

    private static long verifySegment(Path segment) throws IOException {
        final ByteBuffer bytes;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            bytes = ByteBuffer.allocate((int) ch.size()).order(ByteOrder.BIG_ENDIAN);
            while (bytes.hasRemaining() && ch.read(bytes) >= 0) {
                // Read it all.
            }
        }
        bytes.flip();
        long n = 0;
        long covered = 0;
        long lastOffset = -1;
        for (MutableRecordBatch b : MemoryRecords.readableRecords(bytes).batches()) {
            b.ensureValid();
            if (b.magic() != RecordBatch.MAGIC_VALUE_V2 || b.baseOffset() <= lastOffset) {
                throw new AssertionError("bad batch in " + segment + ": magic=" + b.magic() + ", baseOffset="
                    + b.baseOffset() + " after lastOffset=" + lastOffset);
            }
            lastOffset = b.lastOffset();
            covered += b.sizeInBytes();
            n++;
        }
        if (covered != bytes.limit()) {
            throw new AssertionError("bytes after the last valid batch in " + segment + ": size=" + bytes.limit()
                + ", validBytes=" + covered);
        }
        return n;
    }

    private static int[] cuts(int length, int chunkLength) {
        if (chunkLength <= 0 || chunkLength >= length) {
            return new int[0];
        }
        final int[] cuts = new int[(length - 1) / chunkLength];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1) * chunkLength;
        }
        return cuts;
    }

    /** Runs tasks only on the fuzzing thread, between and after inputs (as a reactor's loop would). */
    private static final class HarnessReactor implements ReactorIo {
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        volatile Thread owner;

        @Override
        public boolean execute(Runnable task) {
            tasks.add(task);
            return true;
        }

        @Override
        public boolean inReactorThread() {
            return Thread.currentThread() == owner;
        }

        @Override
        public int receiveMemoryFreePermille() {
            // Inputs come from the fuzzer's own memory: no receive pool to run low.
            return 1000;
        }
    }
}
