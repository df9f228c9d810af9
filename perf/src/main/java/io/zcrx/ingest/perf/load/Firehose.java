package io.zcrx.ingest.perf.load;

import io.zcrx.ingest.perf.proc.ProcStat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The firehose load generator: N connections, each an independent producer, sending
 * pre-built Produce requests as fast as the broker takes them, {@code inflight} requests pipelined
 * per connection, every response checked (error code 0, each partition's base offset advancing).
 * The broker, not the client, should be the bottleneck, so the client does as little as possible:
 * one thread, one selector, requests encoded once ({@link ProduceTemplate}) with only the correlation
 * id and, when idempotent, baseSequence + CRC re-stamped per send; responses read in place
 * ({@link ProduceResponseChecker}); no allocation per request.
 *
 * <p>Raw mode (the physical limit): the same frames to a plain TCP sink, no handshake, no responses;
 * at the end the output side is shut down and the run ends when the sink closes the connection,
 * i.e. after it has written every byte to its file.
 *
 * <p>Timeline: warm-up (not measured), measured window (opens with {@link #MEASURE_START}), drain
 * (no new requests; wait for the last responses), then {@link #MEASURE_END}. The harness samples the
 * broker's CPU when it sees those two lines.
 *
 * <p>Runs on the caller's thread; not thread-safe.
 */
public final class Firehose {
    public static final String MEASURE_START = "firehose: measure-start";
    public static final String MEASURE_END = "firehose: measure-end";
    public static final String RESULT_PREFIX = "firehose: result ";
    static final String CLIENT_ID = "zcrx-firehose";
    /** No response (or no write progress) for this long means the broker stalled: fail the run. */
    static final long STALL_NS = TimeUnit.SECONDS.toNanos(30);
    static final int RECEIVE_BUFFER_BYTES = 256 * 1024;

    private enum Phase { WARMUP, MEASURE, DRAIN, DONE }

    private final FirehoseConfig config;
    private final Consumer<String> out;
    private Lane[] lanes;
    private Phase phase = Phase.WARMUP;
    private long measureStartNs;
    private long measuredRequests;
    private long measuredWireBytes;
    private long sentPayloadBytes;
    private long sentAtMeasureStart;
    private long lastProgressNs;
    private long[] endOffsets;

    /** Measured figures of one run. */
    public record Result(long records, long payloadBytes, long wireBytes, long requests, double seconds,
                         double clientCpuSeconds, short version, int recordsPerBatch, int partitions, int frameBytes) {
        public String toLine() {
            return RESULT_PREFIX + "records=" + records + " payloadBytes=" + payloadBytes + " wireBytes=" + wireBytes
                + " requests=" + requests + " seconds=" + seconds + " clientCpuSeconds=" + clientCpuSeconds
                + " version=" + version + " recordsPerBatch=" + recordsPerBatch + " partitions=" + partitions
                + " frameBytes=" + frameBytes;
        }

        /** Parses {@link #toLine()}. */
        public static Result parse(String line) {
            if (!line.startsWith(RESULT_PREFIX)) {
                throw new IllegalArgumentException("not a firehose result line: line=" + line);
            }
            final Map<String, String> m = new HashMap<>();
            for (String kv : line.substring(RESULT_PREFIX.length()).trim().split(" ")) {
                final int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return new Result(Long.parseLong(m.get("records")), Long.parseLong(m.get("payloadBytes")),
                Long.parseLong(m.get("wireBytes")), Long.parseLong(m.get("requests")),
                Double.parseDouble(m.get("seconds")),
                Double.parseDouble(m.get("clientCpuSeconds")), Short.parseShort(m.get("version")),
                Integer.parseInt(m.get("recordsPerBatch")), Integer.parseInt(m.get("partitions")),
                Integer.parseInt(m.get("frameBytes")));
        }
    }

    /** One connection: one producer, its request template and its pipeline state. */
    private static final class Lane {
        final int id;
        final SocketChannel channel;
        final ProduceTemplate template;
        final ProduceResponseChecker checker;
        final long[] lastBaseOffsets;
        final long[] responseOffsets;
        final ByteBuffer rx;
        final int firstCorrelationId;
        SelectionKey key;
        int nextCorrelationId;
        int expectedCorrelationId;
        int nextSequence;
        int inflight;
        boolean partial;
        boolean closed;

        /**
         * In flight = sent and not yet answered, never above the window; answered never ahead of
         * sent. Checked (with -ea) after every response.
         */
        boolean checkInvariants(int window, boolean raw) {
            final int unanswered = nextCorrelationId - expectedCorrelationId;
            if (inflight < 0 || inflight > window || (!raw && unanswered != inflight)
                    || expectedCorrelationId - firstCorrelationId < 0) {
                throw new IllegalStateException("firehose lane state broken: lane=" + id + ", inflight=" + inflight
                    + ", window=" + window + ", next=" + nextCorrelationId + ", expected=" + expectedCorrelationId);
            }
            return true;
        }

        Lane(int id, SocketChannel channel, ProduceTemplate template, int firstCorrelationId) {
            this.id = id;
            this.channel = channel;
            this.template = template;
            this.checker = new ProduceResponseChecker(template.version(), template.partitions());
            this.lastBaseOffsets = new long[template.partitions()];
            Arrays.fill(lastBaseOffsets, -1L);
            this.responseOffsets = new long[template.partitions()];
            this.rx = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
            this.firstCorrelationId = firstCorrelationId;
            this.nextCorrelationId = firstCorrelationId;
            this.expectedCorrelationId = firstCorrelationId;
        }
    }

    public Firehose(FirehoseConfig config, Consumer<String> out) {
        this.config = config;
        this.out = out;
    }

    public Result run() throws IOException, InterruptedException {
        final InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        lanes = new Lane[config.connections()];
        final long timestampMs = System.currentTimeMillis();
        try (Selector selector = Selector.open()) {
            try {
                connect(address, timestampMs);
                for (Lane lane : lanes) {
                    lane.channel.configureBlocking(false);
                    lane.key = lane.channel.register(selector, config.raw() ? 0 : SelectionKey.OP_READ, lane);
                }
                final ProduceTemplate t = lanes[0].template;
                out.accept("firehose: connected connections=" + lanes.length + " version=" + t.version()
                    + " partitions=" + t.partitions() + " recordsPerBatch=" + t.recordsPerBatch() + " frameBytes="
                    + t.frameLength() + " idempotent=" + t.idempotent() + " raw=" + config.raw());
                return loop(selector);
            } finally {
                for (Lane lane : lanes) {
                    if (lane != null) {
                        lane.channel.close();
                    }
                }
            }
        }
    }

    private void connect(InetSocketAddress address, long timestampMs) throws IOException, InterruptedException {
        final short acks = config.acks();
        if (config.raw()) {
            for (int i = 0; i < lanes.length; i++) {
                final SocketChannel ch = ControlClient.connect(address);
                // Stand-in producer ids: the sink never reads them, but the frames stay byte-identical in
                // shape (and in CRC work) to the ones a broker gets.
                final ProduceTemplate t = ProduceTemplate.build(config.rawVersion(), config.topic(), Uuid.ZERO_UUID,
                    Math.max(1, config.partitions()), acks, 30_000, config.idempotent() ? 1000 + i : -1, (short) 0,
                    config.recordBytes(), config.batchBytes(), timestampMs, 42 + i, CLIENT_ID);
                lanes[i] = new Lane(i, ch, t, 1);
            }
            return;
        }
        ControlClient.TopicInfo topic = null;
        for (int i = 0; i < lanes.length; i++) {
            final SocketChannel ch = ControlClient.connect(address);
            final ControlClient control = new ControlClient(ch, CLIENT_ID + "-" + i, 0);
            control.apiVersions();
            if (topic == null) {
                topic = control.awaitTopic(config.topic(), 60_000);
                if (config.partitions() > 0 && topic.partitionCount() != config.partitions()) {
                    throw new IOException("topic has an unexpected partition count: topic=" + config.topic()
                        + ", expected=" + config.partitions() + ", actual=" + topic.partitionCount());
                }
            }
            // v13 names topics by id; use it only when the broker gave us a real one.
            final short cap = Uuid.ZERO_UUID.equals(topic.topicId()) ? (short) 12 : (short) 13;
            final short version = control.version(ApiKeys.PRODUCE, cap);
            long producerId = -1;
            short epoch = -1;
            if (config.idempotent()) {
                final ControlClient.ProducerIdAndEpoch pid = control.initProducerId(60_000);
                producerId = pid.producerId();
                epoch = pid.epoch();
            }
            final ProduceTemplate t = ProduceTemplate.build(version, config.topic(), topic.topicId(),
                topic.partitionCount(), acks, 30_000, producerId, epoch, config.recordBytes(), config.batchBytes(),
                timestampMs, 42 + i, CLIENT_ID + "-" + i);
            lanes[i] = new Lane(i, ch, t, control.nextCorrelationId());
        }
        endOffsets = new long[topic.partitionCount()];
    }

    private Result loop(Selector selector) throws IOException {
        final long pid = ProcessHandle.current().pid();
        final long startNs = System.nanoTime();
        final long warmupEndNs = startNs + (long) (config.warmupSeconds() * 1e9);
        // The warm-up gets the window's byte budget per second, so a run never writes more than
        // maxBytes * (warmupSeconds + seconds) / seconds in all.
        final long warmupMaxBytes = (long) Math.min(Long.MAX_VALUE,
            (double) config.maxBytes() * config.warmupSeconds() / config.seconds());
        long measureEndNs = Long.MAX_VALUE;
        long cpuStartTicks = 0;
        lastProgressNs = startNs;
        final Consumer<SelectionKey> onReady = this::onReady;
        while (phase != Phase.DONE) {
            final long now = System.nanoTime();
            if (phase == Phase.WARMUP && (now >= warmupEndNs || sentPayloadBytes >= warmupMaxBytes)) {
                phase = Phase.MEASURE;
                measureStartNs = now;
                measureEndNs = now + (long) (config.seconds() * 1e9);
                cpuStartTicks = ProcStat.cpuTicks(pid);
                sentAtMeasureStart = sentPayloadBytes;
                out.accept(MEASURE_START);
            }
            final boolean budgetSpent = sentPayloadBytes - sentAtMeasureStart >= config.maxBytes();
            if (phase == Phase.MEASURE && (now >= measureEndNs || budgetSpent)) {
                phase = Phase.DRAIN;
            }
            for (Lane lane : lanes) {
                send(lane);
            }
            if (phase == Phase.DRAIN && drained()) {
                break;
            }
            if (now - lastProgressNs > STALL_NS) {
                throw new IOException("no progress for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NS)
                    + " s: phase=" + phase + ", inflight=" + inflightSummary());
            }
            final long untilBoundaryNs = phase == Phase.WARMUP ? warmupEndNs - now
                : phase == Phase.MEASURE ? measureEndNs - now : TimeUnit.MILLISECONDS.toNanos(100);
            selector.select(onReady, Math.max(1, TimeUnit.NANOSECONDS.toMillis(untilBoundaryNs)));
        }
        final long endNs = System.nanoTime();
        final double cpuSeconds = (double) (ProcStat.cpuTicks(pid) - cpuStartTicks) / ProcStat.clockTicksPerSecond();
        out.accept(MEASURE_END);
        if (!config.raw() && config.freshTopic()) {
            checkEndOffsets();
        }
        final ProduceTemplate t = lanes[0].template;
        final long records = measuredRequests * t.recordsPerRequest();
        return new Result(records, measuredRequests * t.payloadBytesPerRequest(), measuredWireBytes, measuredRequests,
            (endNs - measureStartNs) / 1e9, cpuSeconds, t.version(), t.recordsPerBatch(), t.partitions(),
            t.frameLength());
    }

    private void onReady(SelectionKey key) {
        final Lane lane = (Lane) key.attachment();
        try {
            if (key.isReadable()) {
                if (config.raw()) {
                    readRawEof(lane);
                } else {
                    readResponses(lane);
                }
            }
            if (key.isValid() && key.isWritable()) {
                send(lane);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("connection " + lane.id + ": " + e.getMessage(), e);
        }
    }

    /** Writes requests while the window allows and the socket takes them. */
    private void send(Lane lane) throws IOException {
        if (lane.closed) {
            return;
        }
        final boolean sending = phase == Phase.WARMUP || phase == Phase.MEASURE;
        final ProduceTemplate t = lane.template;
        while (lane.partial || (sending && (config.raw() || lane.inflight < config.inflight()))) {
            ByteBuffer frame = t.frame();
            if (!lane.partial) {
                t.stamp(lane.nextCorrelationId++, lane.nextSequence);
                lane.nextSequence = ProduceTemplate.nextSequence(lane.nextSequence, t.recordsPerBatch());
                frame = t.rewind();
                lane.partial = true;
                lane.inflight++;
                sentPayloadBytes += t.payloadBytesPerRequest();
            }
            final int n = lane.channel.write(frame);
            if (n > 0) {
                lastProgressNs = System.nanoTime();
                if (phase != Phase.WARMUP) {
                    measuredWireBytes += n;
                }
            }
            if (frame.hasRemaining()) {
                interest(lane, SelectionKey.OP_WRITE, true);
                return;
            }
            lane.partial = false;
            if (config.raw()) {
                // Nothing comes back from a sink: a request counts once it is fully written.
                lane.inflight--;
                if (phase != Phase.WARMUP) {
                    measuredRequests++;
                }
            }
        }
        interest(lane, SelectionKey.OP_WRITE, false);
        if (config.raw() && !sending && !lane.partial && !lane.channel.socket().isOutputShutdown()) {
            // Drain in raw mode: tell the sink we are done and wait for it to close after its last write.
            lane.channel.shutdownOutput();
            interest(lane, SelectionKey.OP_READ, true);
        }
    }

    private static void interest(Lane lane, int op, boolean on) {
        final int ops = lane.key.interestOps();
        final int next = on ? ops | op : ops & ~op;
        if (next != ops) {
            lane.key.interestOps(next);
        }
    }

    private boolean drained() {
        for (Lane lane : lanes) {
            if (config.raw() ? !lane.closed : lane.inflight > 0 || lane.partial) {
                return false;
            }
        }
        return true;
    }

    private void readRawEof(Lane lane) throws IOException {
        lane.rx.clear();
        final int n = lane.channel.read(lane.rx);
        if (n < 0) {
            lane.closed = true;
            lane.key.cancel();
            lastProgressNs = System.nanoTime();
        } else if (n > 0) {
            throw new IOException("the sink sent bytes back: count=" + n);
        }
    }

    private void readResponses(Lane lane) throws IOException {
        final ByteBuffer rx = lane.rx;
        final int n = lane.channel.read(rx);
        if (n < 0) {
            throw new IOException("broker closed the connection: inflight=" + lane.inflight + ", expectedCorrelationId="
                + lane.expectedCorrelationId);
        }
        rx.flip();
        while (rx.remaining() >= 4) {
            final int start = rx.position();
            final int size = rx.getInt(start);
            if (size < 4 || size > RECEIVE_BUFFER_BYTES - 4) {
                throw new IOException("response size out of range: size=" + size + ", correlationId expected="
                    + lane.expectedCorrelationId);
            }
            if (rx.remaining() < 4 + size) {
                break;
            }
            onResponse(lane, rx, start + 4, size);
            rx.position(start + 4 + size);
        }
        rx.compact();
    }

    private void onResponse(Lane lane, ByteBuffer rx, int start, int size) throws IOException {
        final int correlationId = lane.checker.check(rx, start, size, lane.responseOffsets);
        if (correlationId != lane.expectedCorrelationId) {
            throw new IOException("responses out of order: expected correlationId=" + lane.expectedCorrelationId
                + ", actual=" + correlationId);
        }
        lane.expectedCorrelationId++;
        final int perBatch = lane.template.recordsPerBatch();
        for (int p = 0; p < lane.responseOffsets.length; p++) {
            final long offset = lane.responseOffsets[p];
            if (lane.lastBaseOffsets[p] >= 0 && offset < lane.lastBaseOffsets[p] + perBatch) {
                throw new IOException("offsets not advancing: partition=" + p + ", previous=" + lane.lastBaseOffsets[p]
                    + ", baseOffset=" + offset + ", recordsPerBatch=" + perBatch + ", correlationId=" + correlationId);
            }
            lane.lastBaseOffsets[p] = offset;
            endOffsets[p] = Math.max(endOffsets[p], offset + perBatch);
        }
        lane.inflight--;
        lastProgressNs = System.nanoTime();
        if (phase != Phase.WARMUP) {
            measuredRequests++;
        }
        assert lane.checkInvariants(config.inflight(), false);
    }

    /** On a fresh topic, the highest offset acknowledged + 1 must equal the records sent to each partition. */
    private void checkEndOffsets() throws IOException {
        long expected = 0;
        for (Lane lane : lanes) {
            // Produce requests on a lane carry consecutive correlation ids from firstCorrelationId on.
            expected += (long) (lane.expectedCorrelationId - lane.firstCorrelationId) * lane.template.recordsPerBatch();
        }
        for (int p = 0; p < endOffsets.length; p++) {
            if (endOffsets[p] != expected) {
                throw new IOException("log end offset does not match the records acknowledged: partition=" + p
                    + ", endOffset=" + endOffsets[p] + ", expected=" + expected);
            }
        }
    }

    private String inflightSummary() {
        final StringBuilder b = new StringBuilder("[");
        for (Lane lane : lanes) {
            b.append(lane.inflight).append(lane.partial ? "+partial" : "").append(' ');
        }
        return b.append(']').toString();
    }
}
