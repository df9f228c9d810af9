package io.zcrx.ingest.broker.metrics;

/**
 * Kafka's {@code kafka.server:type=BrokerTopicMetrics} meters for one topic ({@code topic=} tag) or
 * for all topics (no tag), with Kafka's names and event types. Kafka counts per partition of a
 * request, and so does this broker:
 * <ul>
 *   <li>{@code BytesInPerSec}: bytes of the record batches appended (the whole batch, its 61-byte
 *       header included), {@code MessagesInPerSec}: their records;</li>
 *   <li>{@code BytesOutPerSec}: record bytes a Fetch response carries;</li>
 *   <li>{@code TotalProduceRequestsPerSec} / {@code TotalFetchRequestsPerSec}: partitions of the
 *       topic named in Produce / Fetch requests; {@code FailedProduceRequestsPerSec} /
 *       {@code FailedFetchRequestsPerSec}: those whose answer is an error.</li>
 * </ul>
 * Created once per topic (held by the topic's metadata) and once for all topics, never per request.
 */
public final class BrokerTopicMetrics {
    public static final String GROUP = "kafka.server";
    public static final String TYPE = "BrokerTopicMetrics";

    public final Meter bytesIn;
    public final Meter bytesOut;
    public final Meter messagesIn;
    public final Meter totalProduceRequests;
    public final Meter totalFetchRequests;
    public final Meter failedProduceRequests;
    public final Meter failedFetchRequests;

    /** @param topic the topic, or null for the all-topics set */
    public BrokerTopicMetrics(MetricsRegistry registry, String topic) {
        this.bytesIn = registry.meter(name("BytesInPerSec", topic), "bytes");
        this.bytesOut = registry.meter(name("BytesOutPerSec", topic), "bytes");
        this.messagesIn = registry.meter(name("MessagesInPerSec", topic), "messages");
        this.totalProduceRequests = registry.meter(name("TotalProduceRequestsPerSec", topic), "requests");
        this.totalFetchRequests = registry.meter(name("TotalFetchRequestsPerSec", topic), "requests");
        this.failedProduceRequests = registry.meter(name("FailedProduceRequestsPerSec", topic), "requests");
        this.failedFetchRequests = registry.meter(name("FailedFetchRequestsPerSec", topic), "requests");
    }

    /** {@code kafka.server:type=BrokerTopicMetrics,name=N[,topic=T]}. */
    public static MetricName name(String metric, String topic) {
        return topic == null ? MetricName.of(GROUP, TYPE, metric) : MetricName.of(GROUP, TYPE, metric, "topic", topic);
    }
}
