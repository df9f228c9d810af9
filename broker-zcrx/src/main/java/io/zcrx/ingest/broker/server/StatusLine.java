package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.metrics.Gauge;
import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.Meter;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metrics.RequestMetrics;
import io.zcrx.ingest.broker.request.BrokerContext;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status line, logged every {@code log.status.interval.ms} on the log scheduler thread (never a
 * reactor), for an operator without a dashboard:
 *
 * <pre>
 * status: in 812.4 MB/s, out 0.0 MB/s, 51,230 req/s, produce p99 1.9 ms, receive memory 12.5 MiB in use,
 *   16 connections, 8 partitions
 * </pre>
 *
 * Rates are exact averages since the previous line (from the meters' counts, not their moving
 * averages; MB = 10^6 bytes): bytes in and out as Kafka's all-topics BytesInPerSec and
 * BytesOutPerSec count them, requests of every type. The Produce p99 is RequestMetrics'
 * TotalTimeMs over its last minute. Receive memory is the sum of every
 * {@code zcrx:type=ReceiveMemory,name=InUseBytes,...} gauge the transport registered (0 if none).
 */
final class StatusLine implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusLine.class);

    private final BrokerContext ctx;
    private final IntSupplier connections;
    private long lastNs;
    private long lastBytesIn;
    private long lastBytesOut;
    private long lastRequests;

    StatusLine(BrokerContext ctx, IntSupplier connections) {
        this.ctx = ctx;
        this.connections = connections;
        this.lastNs = System.nanoTime();
        this.lastBytesIn = ctx.allTopicsMetrics().bytesIn.count();
        this.lastBytesOut = ctx.allTopicsMetrics().bytesOut.count();
        this.lastRequests = requests(ctx.metrics());
    }

    @Override
    public void run() {
        LOG.info(next());
    }

    /** The line for the interval since the previous one (or since start). */
    String next() {
        final long now = System.nanoTime();
        final long in = ctx.allTopicsMetrics().bytesIn.count();
        final long out = ctx.allTopicsMetrics().bytesOut.count();
        final long requests = requests(ctx.metrics());
        final double seconds = Math.max(1e-9, (now - lastNs) / 1e9);
        final String line = format((in - lastBytesIn) / seconds, (out - lastBytesOut) / seconds,
            (requests - lastRequests) / seconds, produceP99Ms(ctx.metrics()), receiveMemoryInUse(ctx.metrics()),
            connections.getAsInt(), ctx.logs().partitions().size());
        lastNs = now;
        lastBytesIn = in;
        lastBytesOut = out;
        lastRequests = requests;
        return line;
    }

    static String format(double bytesInPerSec, double bytesOutPerSec, double requestsPerSec, double produceP99Ms,
                         double receiveMemoryBytes, int connections, int partitions) {
        return String.format(Locale.ROOT, "status: in %.1f MB/s, out %.1f MB/s, %,d req/s, produce p99 %.1f ms, "
                + "receive memory %.1f MiB in use, %,d connections, %,d partitions", bytesInPerSec / 1e6,
            bytesOutPerSec / 1e6, Math.round(requestsPerSec), produceP99Ms, receiveMemoryBytes / (1024.0 * 1024.0),
            connections, partitions);
    }

    /** Requests of every type and version so far. */
    private static long requests(MetricsRegistry metrics) {
        final long[] sum = {0};
        metrics.forEach((name, m) -> {
            if (m instanceof Meter && name.name().equals("RequestsPerSec") && name.type().equals(RequestMetrics.TYPE)
                    && name.group().equals(RequestMetrics.GROUP)) {
                sum[0] += ((Meter) m).count();
            }
        });
        return sum[0];
    }

    private static double produceP99Ms(MetricsRegistry metrics) {
        final Object m = metrics.find(MetricName.of(RequestMetrics.GROUP, RequestMetrics.TYPE, "TotalTimeMs", "request",
            ApiKeys.PRODUCE.name));
        // Percentile 4 of a histogram is its 99thPercentile attribute.
        return m instanceof Histogram ? ((Histogram) m).percentile(4) : 0.0;
    }

    /** The sum of the transport's receive-memory-in-use gauges, by name; 0 when it registered none. */
    static double receiveMemoryInUse(MetricsRegistry metrics) {
        final double[] sum = {0};
        metrics.forEach((name, m) -> {
            if (m instanceof Gauge && name.group().equals("zcrx") && name.type().equals("ReceiveMemory")
                    && name.name().equals("InUseBytes")) {
                sum[0] += ((Gauge) m).value();
            }
        });
        return sum[0];
    }
}
