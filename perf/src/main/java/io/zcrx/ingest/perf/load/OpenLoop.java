package io.zcrx.ingest.perf.load;

import io.zcrx.ingest.perf.proc.ProcStat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The open-loop latency load: records due on a fixed schedule ({@link OpenLoopSchedule}, {@code rate} records/s),
 * sent as soon as they are due whatever the responses do ({@link OpenLoopPacer}: one batch per request, like
 * {@code linger.ms=0}), every record's latency measured from when it was due to when its response arrived
 * ({@link OpenLoopLatency}), so a stall of the target shows up in every record it delayed (no coordinated omission).
 * A warm-up that is not counted, then the measured window; percentiles from an HdrHistogram. Every response is
 * checked (error 0, correlation ids in order, base offsets advancing), and on a fresh topic the highest offset
 * acknowledged must equal the records sent.
 *
 * <p>Threads: the caller's thread is the sender (it sleeps until the next record is due, then writes whole requests
 * with blocking writes); one receiver thread per connection reads responses with blocking reads and timestamps them
 * as they arrive, so a response is never kept waiting for the sender's next wake-up. The sender publishes, per
 * request, which records it carried into a ring before writing it; the receiver reads the ring after the volatile
 * request count. Requests are pre-encoded per batch size ({@link ProduceTemplate}, one batch for partition 0), only
 * correlation id, sequence and CRC re-stamped per send; nothing is allocated per request.
 *
 * <p>Timeline lines: {@link #MEASURE_START} when the first request carrying a measured record is sent,
 * {@link #MEASURE_END} once the last one is answered (the harness bills the target's CPU between them).
 */
public final class OpenLoop {
    public static final String MEASURE_START = "openloop: measure-start";
    public static final String MEASURE_END = "openloop: measure-end";
    public static final String RESULT_PREFIX = "openloop: result ";
    static final String CLIENT_ID = "zcrx-openloop";
    /** No response for this long while requests are unanswered means the target stalled: fail the run. */
    static final long STALL_NS = TimeUnit.SECONDS.toNanos(30);
    /** Requests one connection may have unanswered (a power of two): 2^18 is many seconds at any rate we run. */
    static final int RING = 1 << 18;
    static final int RECEIVE_BUFFER_BYTES = 64 * 1024;
    /** The first record is due this long after the connections are ready. */
    static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final OpenLoopConfig config;
    private final Consumer<String> out;

    /**
     * Figures of the measured window. Latencies in ms; late = requests sent more than
     * {@link OpenLoopLateness#LATE_NS} after their oldest record was due.
     */
    public record Result(long records, long requests, double seconds, double recordsPerSec, int rate,
                         double meanMs, double p50Ms, double p95Ms, double p99Ms, double p999Ms, double maxMs,
                         long lateRequests, double maxLateMs, double clientCpuSeconds, short version) {
        public String toLine() {
            return RESULT_PREFIX + String.format(Locale.ROOT, "records=%d requests=%d seconds=%.6f recordsPerSec=%.3f"
                + " rate=%d meanMs=%.6f p50Ms=%.6f p95Ms=%.6f p99Ms=%.6f p999Ms=%.6f maxMs=%.6f lateRequests=%d"
                + " maxLateMs=%.6f clientCpuSeconds=%.3f version=%d", records, requests, seconds, recordsPerSec, rate,
                meanMs, p50Ms, p95Ms, p99Ms, p999Ms, maxMs, lateRequests, maxLateMs, clientCpuSeconds, version);
        }

        /** Parses {@link #toLine()}. */
        public static Result parse(String line) {
            if (!line.startsWith(RESULT_PREFIX)) {
                throw new IllegalArgumentException("not an open-loop result line: line=" + line);
            }
            final Map<String, String> m = new HashMap<>();
            for (String kv : line.substring(RESULT_PREFIX.length()).trim().split(" ")) {
                final int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return new Result(Long.parseLong(m.get("records")), Long.parseLong(m.get("requests")), d(m, "seconds"),
                d(m, "recordsPerSec"), Integer.parseInt(m.get("rate")), d(m, "meanMs"), d(m, "p50Ms"), d(m, "p95Ms"),
                d(m, "p99Ms"), d(m, "p999Ms"), d(m, "maxMs"), Long.parseLong(m.get("lateRequests")),
                d(m, "maxLateMs"), d(m, "clientCpuSeconds"), Short.parseShort(m.get("version")));
        }

        private static double d(Map<String, String> m, String k) {
            return Double.parseDouble(m.get(k));
        }

        /** "p50 0.41 / p99 1.20 / p99.9 3.10 / max 9.80 ms". */
        public String describe() {
            return String.format(Locale.ROOT, "p50 %.2f / p99 %.2f / p99.9 %.2f / max %.2f ms, %d of %d requests"
                + " sent late (max %.2f ms)", p50Ms, p99Ms, p999Ms, maxMs, lateRequests, requests, maxLateMs);
        }
    }

    /** One connection: a producer, its templates (index = records - 1), its receiver thread. */
    private static final class Lane implements Runnable {
        final int id;
        final SocketChannel channel;
        final ProduceTemplate[] templates;
        final ProduceResponseChecker checker;
        final int firstCorrelationId;
        final long[] ringFirst = new long[RING];
        final int[] ringCount = new int[RING];
        final long[] baseOffsets = new long[1];
        final ByteBuffer rx = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
        // Sender's.
        int nextCorrelationId;
        int nextSequence;
        volatile long sent;
        // Receiver's.
        volatile long answered;
        volatile long lastResponseNs;
        volatile long lastAnsweredNs;
        volatile Throwable failure;
        volatile boolean closing;
        /** Set before the receiver thread starts. */
        OpenLoopLatency latency;
        long lastBaseOffset = -1;
        int lastCount;
        long maxEndOffset;
        Thread thread;

        Lane(int id, SocketChannel channel, ProduceTemplate[] templates, int firstCorrelationId) {
            this.id = id;
            this.channel = channel;
            this.templates = templates;
            this.checker = new ProduceResponseChecker(templates[0].version(), 1);
            this.firstCorrelationId = firstCorrelationId;
            this.nextCorrelationId = firstCorrelationId;
        }

        long unanswered() {
            return sent - answered;
        }

        /** Writes records [first, first + count) as one request (blocking until the socket took it all). */
        void send(long first, int count) throws IOException {
            final long n = sent;
            if (n - answered >= RING) {
                throw new IOException("connection " + id + ": " + RING + " requests unanswered: the target stopped"
                    + " answering");
            }
            final ProduceTemplate t = templates[count - 1];
            t.stamp(nextCorrelationId++, nextSequence);
            nextSequence = ProduceTemplate.nextSequence(nextSequence, count);
            ringFirst[(int) (n & (RING - 1))] = first;
            ringCount[(int) (n & (RING - 1))] = count;
            // Published before the write: the response cannot arrive before it.
            sent = n + 1;
            final ByteBuffer frame = t.rewind();
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    final int n = channel.read(rx);
                    final long now = System.nanoTime();
                    if (n < 0) {
                        throw new IOException("the broker closed the connection: unanswered=" + unanswered());
                    }
                    rx.flip();
                    while (rx.remaining() >= 4) {
                        final int start = rx.position();
                        final int size = rx.getInt(start);
                        if (size < 4 || size > RECEIVE_BUFFER_BYTES - 4) {
                            throw new IOException("response size out of range: size=" + size);
                        }
                        if (rx.remaining() < 4 + size) {
                            break;
                        }
                        onResponse(start + 4, size, now);
                        rx.position(start + 4 + size);
                    }
                    rx.compact();
                }
            } catch (IOException | RuntimeException e) {
                // Closing the channel at the end ends a blocking read with an exception: not a failure.
                if (!closing) {
                    failure = e;
                }
            }
        }

        private void onResponse(int start, int size, long now) throws IOException {
            final long index = answered;
            final int expected = firstCorrelationId + (int) index;
            final int correlationId = checker.check(rx, start, size, baseOffsets);
            if (correlationId != expected) {
                throw new IOException("responses out of order: expected correlationId=" + expected + ", actual="
                    + correlationId);
            }
            // Reading the volatile count first makes the sender's ring entries for it visible.
            if (index >= sent) {
                throw new IOException("a response for a request not sent: correlationId=" + correlationId);
            }
            final long first = ringFirst[(int) (index & (RING - 1))];
            final int count = ringCount[(int) (index & (RING - 1))];
            final long offset = baseOffsets[0];
            if (lastBaseOffset >= 0 && offset < lastBaseOffset + lastCount) {
                throw new IOException("offsets not advancing: previous=" + lastBaseOffset + " (+" + lastCount
                    + "), baseOffset=" + offset + ", correlationId=" + correlationId);
            }
            lastBaseOffset = offset;
            lastCount = count;
            maxEndOffset = Math.max(maxEndOffset, offset + count);
            latency.answered(first, count, now);
            lastResponseNs = now;
            if (latency.measured(first + count - 1)) {
                lastAnsweredNs = now;
            }
            answered = index + 1;
        }
    }

    public OpenLoop(OpenLoopConfig config, Consumer<String> out) {
        this.config = config;
        this.out = out;
    }

    public Result run() throws IOException, InterruptedException {
        final Lane[] lanes = new Lane[config.connections()];
        try {
            // The schedule (and so the window's record indices) is fixed before connecting; only its start moves.
            final long warmupRecords = Math.round(config.warmupSeconds() * config.rate());
            final long measuredRecords = Math.max(1, Math.round(config.seconds() * config.rate()));
            final int maxPerBatch = connect(lanes);
            final OpenLoopSchedule schedule = new OpenLoopSchedule(System.nanoTime() + START_DELAY_NS, config.rate());
            for (int i = 0; i < lanes.length; i++) {
                lanes[i].latency = new OpenLoopLatency(schedule, warmupRecords, warmupRecords + measuredRecords);
                // Stall detection counts from the start for a lane that has not had a response yet.
                lanes[i].lastResponseNs = schedule.startNs();
                lanes[i].thread = new Thread(lanes[i], "openloop-rx-" + i);
                lanes[i].thread.setDaemon(true);
                lanes[i].thread.start();
            }
            final ProduceTemplate t = lanes[0].templates[0];
            out.accept("openloop: connected connections=" + lanes.length + " version=" + t.version()
                + " rate=" + config.rate() + " maxRecordsPerBatch=" + maxPerBatch + " idempotent=" + t.idempotent()
                + " warmupRecords=" + warmupRecords + " measuredRecords=" + measuredRecords);
            return loop(lanes, new OpenLoopPacer(schedule, maxPerBatch, warmupRecords + measuredRecords),
                warmupRecords, measuredRecords);
        } finally {
            for (Lane lane : lanes) {
                if (lane != null) {
                    lane.closing = true;
                    lane.channel.close();
                }
            }
            for (Lane lane : lanes) {
                if (lane != null && lane.thread != null) {
                    lane.thread.join(5_000);
                }
            }
        }
    }

    /** Handshakes every connection and builds its templates; returns the most records one batch holds. */
    private int connect(Lane[] lanes)
            throws IOException, InterruptedException {
        final InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        final long timestampMs = System.currentTimeMillis();
        ControlClient.TopicInfo topic = null;
        int maxPerBatch = 0;
        for (int i = 0; i < lanes.length; i++) {
            final SocketChannel ch = ControlClient.connect(address);
            final ControlClient control = new ControlClient(ch, CLIENT_ID + "-" + i, 0);
            control.apiVersions();
            if (topic == null) {
                topic = control.awaitTopic(config.topic(), 60_000);
            }
            final short cap = Uuid.ZERO_UUID.equals(topic.topicId()) ? (short) 12 : (short) 13;
            final short version = control.version(ApiKeys.PRODUCE, cap);
            long producerId = -1;
            short epoch = -1;
            if (config.idempotent()) {
                final ControlClient.ProducerIdAndEpoch pid = control.initProducerId(60_000);
                producerId = pid.producerId();
                epoch = pid.epoch();
            }
            maxPerBatch = ProduceTemplate.recordsFitting(config.batchBytes(), config.recordBytes(), timestampMs,
                new byte[config.recordBytes()], config.idempotent(), producerId, epoch);
            final ProduceTemplate[] templates = new ProduceTemplate[maxPerBatch];
            for (int k = 1; k <= maxPerBatch; k++) {
                final int bytes = batchBytes(k, config.recordBytes(), timestampMs, producerId, epoch);
                templates[k - 1] = ProduceTemplate.build(version, config.topic(), topic.topicId(), 1, config.acks(),
                    30_000, producerId, epoch, config.recordBytes(), bytes, timestampMs, 42 + i, CLIENT_ID + "-" + i);
                if (templates[k - 1].recordsPerBatch() != k) {
                    throw new IllegalStateException("template of " + k + " records holds "
                        + templates[k - 1].recordsPerBatch());
                }
            }
            ch.configureBlocking(true);
            lanes[i] = new Lane(i, ch, templates, control.nextCorrelationId());
        }
        return maxPerBatch;
    }

    /** Size of a batch of {@code count} records as {@link ProduceTemplate} builds it. */
    static int batchBytes(int count, int recordBytes, long timestampMs, long producerId, short epoch) {
        final SimpleRecord[] records = new SimpleRecord[count];
        final byte[] value = new byte[recordBytes];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(timestampMs, null, value);
        }
        final MemoryRecords batch = producerId >= 0
            ? MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, 0, records)
            : MemoryRecords.withRecords(Compression.NONE, records);
        return batch.sizeInBytes();
    }

    private Result loop(Lane[] lanes, OpenLoopPacer pacer, long warmupRecords, long measuredRecords)
            throws IOException {
        final long pid = ProcessHandle.current().pid();
        final OpenLoopLateness lateness = new OpenLoopLateness();
        final OpenLoopSchedule schedule = pacer.schedule();
        final int maxInflight = config.maxInflight();
        long cpuStartTicks = -1;
        long measureStartNs = 0;
        int next = 0;
        while (!pacer.done()) {
            long now = System.nanoTime();
            checkHealth(lanes, now);
            final int count = pacer.batchAt(now);
            if (count == 0) {
                // Sleep until the next record is due; a short nap at most, to notice a failed receiver.
                LockSupport.parkNanos(Math.min(pacer.nextDueNs() - now, TimeUnit.MILLISECONDS.toNanos(10)));
                continue;
            }
            Lane lane = null;
            for (int i = 0; i < lanes.length && lane == null; i++) {
                final Lane candidate = lanes[(next + i) % lanes.length];
                if (maxInflight == 0 || candidate.unanswered() < maxInflight) {
                    lane = candidate;
                }
            }
            if (lane == null) {
                // Every window is full: the due records wait (and batch up) for a response, as a producer's do.
                LockSupport.parkNanos(20_000);
                continue;
            }
            next = (lane.id + 1) % lanes.length;
            final long first = pacer.nextRecord();
            if (cpuStartTicks < 0 && first + count > warmupRecords) {
                cpuStartTicks = ProcStat.cpuTicks(pid);
                measureStartNs = System.nanoTime();
                out.accept(MEASURE_START);
                now = System.nanoTime();
            }
            if (first >= warmupRecords) {
                lateness.sent(pacer.latenessNs(now));
            }
            lane.send(first, count);
            pacer.sent(count);
        }
        // Drain: every request answered (or a failure, or a stall).
        while (true) {
            final long now = System.nanoTime();
            checkHealth(lanes, now);
            boolean drained = true;
            for (Lane lane : lanes) {
                drained &= lane.unanswered() == 0;
            }
            if (drained) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        final double cpuSeconds = (double) (ProcStat.cpuTicks(pid) - cpuStartTicks) / ProcStat.clockTicksPerSecond();
        out.accept(MEASURE_END);
        final Histogram all = new Histogram(3);
        long lastAnsweredNs = 0;
        long maxEnd = 0;
        for (Lane lane : lanes) {
            all.add(lane.latency.histogram());
            lastAnsweredNs = Math.max(lastAnsweredNs, lane.lastAnsweredNs);
            maxEnd = Math.max(maxEnd, lane.maxEndOffset);
        }
        if (all.getTotalCount() != measuredRecords) {
            throw new IOException("latencies recorded for " + all.getTotalCount() + " records, expected "
                + measuredRecords);
        }
        final long total = warmupRecords + measuredRecords;
        if (config.freshTopic() && maxEnd != total) {
            throw new IOException("log end offset does not match the records acknowledged: endOffset=" + maxEnd
                + ", expected=" + total);
        }
        // Throughput over the window as the schedule opened it and the last response closed it: below the rate
        // when the target fell behind.
        final double seconds = (lastAnsweredNs - schedule.scheduledNs(warmupRecords)) / 1e9;
        final double ms = 1e6;
        return new Result(measuredRecords, lateness.requests(), seconds, measuredRecords / seconds, config.rate(),
            all.getMean() / ms, all.getValueAtPercentile(50) / ms, all.getValueAtPercentile(95) / ms,
            all.getValueAtPercentile(99) / ms, all.getValueAtPercentile(99.9) / ms, all.getMaxValue() / ms,
            lateness.late(), lateness.maxNs() / ms, cpuSeconds, lanes[0].templates[0].version());
    }

    /** Throws the first receiver failure, or a stall: requests unanswered and no response for {@link #STALL_NS}. */
    private static void checkHealth(Lane[] lanes, long now) throws IOException {
        for (Lane lane : lanes) {
            final Throwable f = lane.failure;
            if (f != null) {
                throw new IOException("connection " + lane.id + ": " + f.getMessage(), f);
            }
            if (lane.unanswered() > 0 && now - lane.lastResponseNs > STALL_NS) {
                throw new IOException("connection " + lane.id + ": no response for "
                    + TimeUnit.NANOSECONDS.toSeconds(STALL_NS) + " s with " + lane.unanswered() + " unanswered");
            }
        }
    }
}
