package io.zcrx.ingest.broker.metrics;

/**
 * Kafka's {@code kafka.network:type=RequestMetrics} for one request type ({@code request=} tag,
 * Kafka's name: {@code Produce}, {@code FetchConsumer}, {@code Metadata}...): the rate per API
 * version ({@code RequestsPerSec} with {@code request=} and {@code version=}, created at the first
 * request of that version) and the time histograms, in milliseconds, of each stage of a request:
 *
 * <pre>
 *   frame complete ─RequestQueueTimeMs─► handler starts ─LocalTimeMs─► handler returns
 *     ─RemoteTimeMs─► response ready (deferred: group commit, long poll, JoinGroup; else 0)
 *     ─ResponseQueueTimeMs─► in the outbound queue (waited behind earlier pending responses)
 *     ─ResponseSendTimeMs─► handed to the transport to send
 *   TotalTimeMs: frame complete .. handed to the transport
 * </pre>
 *
 * and {@code RequestBytes} (request sizes). One object per request type, shared by the reactors,
 * each recording in its own stripe.
 */
public final class RequestMetrics {
    public static final String GROUP = "kafka.network";
    public static final String TYPE = "RequestMetrics";

    /** Versions cached in {@link #rates}: every API's versions are far below this. */
    private static final int CACHED_VERSIONS = 64;

    private final MetricsRegistry registry;
    private final String request;
    /**
     * By API version, created at first use; a racing reactor gets the same meter from the registry
     * (and a Meter's fields are final, so a reference read without a lock sees it whole).
     */
    private final Meter[] rates = new Meter[CACHED_VERSIONS];
    public final Histogram totalTimeMs;
    public final Histogram requestQueueTimeMs;
    public final Histogram localTimeMs;
    public final Histogram remoteTimeMs;
    public final Histogram responseQueueTimeMs;
    public final Histogram responseSendTimeMs;
    public final Histogram requestBytes;

    public RequestMetrics(MetricsRegistry registry, String request) {
        this.registry = registry;
        this.request = request;
        this.totalTimeMs = registry.latencyHistogram(name("TotalTimeMs"));
        this.requestQueueTimeMs = registry.latencyHistogram(name("RequestQueueTimeMs"));
        this.localTimeMs = registry.latencyHistogram(name("LocalTimeMs"));
        this.remoteTimeMs = registry.latencyHistogram(name("RemoteTimeMs"));
        this.responseQueueTimeMs = registry.latencyHistogram(name("ResponseQueueTimeMs"));
        this.responseSendTimeMs = registry.latencyHistogram(name("ResponseSendTimeMs"));
        this.requestBytes = registry.histogram(name("RequestBytes"), Integer.MAX_VALUE);
    }

    /** The request type's name in the {@code request=} tag. */
    public String request() {
        return request;
    }

    private MetricName name(String metric) {
        return MetricName.of(GROUP, TYPE, metric, "request", request);
    }

    /** {@code RequestsPerSec} of this version. */
    public Meter requestsPerSec(short version) {
        if (version >= 0 && version < CACHED_VERSIONS) {
            final Meter m = rates[version];
            return m != null ? m : createRate(version);
        }
        return rate(version);
    }

    private Meter createRate(short v) {
        final Meter m = rate(v);
        rates[v] = m;
        return m;
    }

    private Meter rate(short v) {
        return registry.meter(MetricName.of(GROUP, TYPE, "RequestsPerSec", "request", request, "version",
            Short.toString(v)), "requests");
    }

    /**
     * Records one request's stages, in nanoseconds (shown in milliseconds); {@code stripe}: the
     * reactor's id.
     */
    public void record(int stripe, short version, long queueNs, long localNs, long remoteNs, long responseQueueNs,
                       long sendNs, long totalNs) {
        requestsPerSec(version).mark(stripe, 1);
        requestQueueTimeMs.record(stripe, queueNs / 1000);
        localTimeMs.record(stripe, localNs / 1000);
        remoteTimeMs.record(stripe, remoteNs / 1000);
        responseQueueTimeMs.record(stripe, responseQueueNs / 1000);
        responseSendTimeMs.record(stripe, sendNs / 1000);
        totalTimeMs.record(stripe, totalNs / 1000);
    }
}
