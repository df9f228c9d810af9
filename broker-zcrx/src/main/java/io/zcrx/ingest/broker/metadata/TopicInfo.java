package io.zcrx.ingest.broker.metadata;

import io.zcrx.ingest.broker.metrics.BrokerTopicMetrics;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.protocol.record.BatchValidationConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;

/**
 * A topic as the request handlers see it: its name (and UTF-8 bytes, compared against request
 * bytes without decoding), its persistent id, its partition logs in index order, and its effective
 * settings, and its Kafka BrokerTopicMetrics (created at first use, as Kafka creates a topic's).
 * Published once complete; the partition array and settings are replaced, never mutated.
 *
 * <p>Thread-safe (immutable fields plus volatile replacements).
 */
public final class TopicInfo {
    private final String name;
    private final byte[] nameBytes;
    private final Uuid id;
    /**
     * Kafka's {@code Topic.isInternal} ({@code __consumer_offsets}, {@code __transaction_state}), decided once: Produce
     * reads this field per topic and compares the client id only for internal topics.
     */
    private final boolean internal;
    private volatile PartitionLog[] partitions;
    /** Same length as {@link #partitions}: each partition's leadership (standalone: this node, epoch 0). */
    private volatile PartitionState[] states;
    private volatile Map<String, String> overrides;
    private volatile LogConfig logConfig;
    private volatile BatchValidationConfig validation;
    private volatile boolean deleted;
    private final MetricsRegistry metricsRegistry;
    private volatile BrokerTopicMetrics metrics;

    TopicInfo(String name, Uuid id, PartitionLog[] partitions, PartitionState[] states, Map<String, String> overrides,
              LogConfig logConfig, BatchValidationConfig validation, MetricsRegistry metricsRegistry) {
        if (states.length != partitions.length) {
            throw new IllegalArgumentException("topic " + name + ": " + partitions.length + " partition logs but "
                + states.length + " partition states");
        }
        this.metricsRegistry = metricsRegistry;
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.id = id;
        this.internal = Topic.isInternal(name);
        this.partitions = partitions;
        this.states = states;
        this.overrides = Map.copyOf(overrides);
        this.logConfig = logConfig;
        this.validation = validation;
    }

    public String name() {
        return name;
    }

    public byte[] nameBytes() {
        return nameBytes;
    }

    public Uuid id() {
        return id;
    }

    /** True for Kafka's internal topics, which only the group coordinator (or {@code __admin_client}) appends to. */
    public boolean isInternal() {
        return internal;
    }

    public int partitionCount() {
        return partitions.length;
    }

    /**
     * The partition's log when this broker leads it, else null (out of range, or in cluster mode led
     * by another broker: see {@link #state}).
     */
    public PartitionLog partition(int partition) {
        final PartitionLog[] p = partitions;
        return partition >= 0 && partition < p.length ? p[partition] : null;
    }

    /** The partition's leadership and replicas, or null when {@code partition} is out of range. */
    public PartitionState state(int partition) {
        final PartitionState[] s = states;
        return partition >= 0 && partition < s.length ? s[partition] : null;
    }

    public Map<String, String> overrides() {
        return overrides;
    }

    public LogConfig logConfig() {
        return logConfig;
    }

    public BatchValidationConfig validation() {
        return validation;
    }

    /**
     * Kafka's {@code kafka.server:type=BrokerTopicMetrics,...,topic=<name>} meters; the first call
     * creates them (a one-off that registers MBeans), later calls read a field.
     */
    public BrokerTopicMetrics metrics() {
        final BrokerTopicMetrics m = metrics;
        return m != null ? m : createMetrics();
    }

    private synchronized BrokerTopicMetrics createMetrics() {
        if (metrics == null) {
            metrics = new BrokerTopicMetrics(metricsRegistry, name);
        }
        return metrics;
    }

    public boolean isDeleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
    }

    /**
     * Replaces the partitions: states first, then logs, so that a reader that finds a log also finds
     * the state it was opened for (a partition becoming local); lengths must match.
     */
    void replacePartitions(PartitionLog[] p, PartitionState[] s) {
        if (p.length != s.length) {
            throw new IllegalArgumentException("topic " + name + ": " + p.length + " partition logs but "
                + s.length + " partition states");
        }
        states = s;
        partitions = p;
    }

    /** Cluster mode: the topic's settings changed in the controller's metadata. */
    void replaceSettings(Map<String, String> overrides, LogConfig logConfig, BatchValidationConfig validation) {
        this.overrides = Map.copyOf(overrides);
        this.logConfig = logConfig;
        this.validation = validation;
    }

    PartitionState[] states() {
        return states;
    }

    PartitionLog[] partitions() {
        return partitions;
    }

    @Override
    public String toString() {
        return "topic " + name + " (id " + id + ", " + partitions.length + " partitions)";
    }
}
