package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.group.GroupCoordinator;
import io.zcrx.ingest.broker.group.OffsetManager;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metadata.ProducerIdManager;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.runtime.LogFlusher;
import io.zcrx.ingest.broker.runtime.TimerService;
import io.zcrx.ingest.log.LogManager;
import java.util.function.LongSupplier;

/**
 * What every request handler shares: the configuration, the log manager, the topics, the producer
 * id allocator, this node's identity and advertised endpoint, and the wall clock.
 *
 * <p>Thread-safe (immutable references to thread-safe parts; the advertised port is set once
 * after the listener is bound, before the first connection is accepted).
 */
public final class BrokerContext {
    private final BrokerConfig config;
    private final LogManager logs;
    private final TopicRegistry topics;
    private final ProducerIdManager producerIds;
    private final LongSupplier clockMs;
    private volatile int advertisedPort;
    private final FetchWaiters fetchWaiters = new FetchWaiters();
    private volatile TimerService timer;
    private volatile GroupCoordinator groups;
    private volatile OffsetManager offsets;
    private volatile LogFlusher flusher;
    private volatile MetricsRegistry metrics;

    public BrokerContext(BrokerConfig config, LogManager logs, TopicRegistry topics, ProducerIdManager producerIds,
                         LongSupplier clockMs) {
        this.config = config;
        this.logs = logs;
        this.topics = topics;
        this.producerIds = producerIds;
        this.clockMs = clockMs;
        this.advertisedPort = config.advertisedPort();
    }

    public BrokerConfig config() {
        return config;
    }

    public LogManager logs() {
        return logs;
    }

    public TopicRegistry topics() {
        return topics;
    }

    public ProducerIdManager producerIds() {
        return producerIds;
    }

    public int nodeId() {
        return config.nodeId();
    }

    public String clusterId() {
        return logs.clusterId();
    }

    public String advertisedHost() {
        return config.advertisedHost();
    }

    public int advertisedPort() {
        return advertisedPort;
    }

    /** Listeners with port 0: once bound, clients are told the real port. */
    /** Lifecycle: the port the transport bound, advertised when {@code advertised.listeners} left it 0. */
    public void bindPort(int boundPort) {
        if (config.advertisedPort() == 0) {
            advertisedPort = boundPort;
        }
    }

    /** Fetch long polls by partition; the produce path wakes them after each append. */
    public FetchWaiters fetchWaiters() {
        return fetchWaiters;
    }

    /** The control plane's timer thread (group timeouts, Fetch max.wait.ms). */
    public TimerService timer() {
        return timer;
    }

    public GroupCoordinator groups() {
        return groups;
    }

    public OffsetManager offsets() {
        return offsets;
    }

    /** Set once by the broker's start before the first connection is accepted. */
    /** Lifecycle: the read path's services, attached once they are running. */
    public void attach(TimerService timer, GroupCoordinator groups, OffsetManager offsets) {
        this.timer = timer;
        this.groups = groups;
        this.offsets = offsets;
    }

    /** The flusher thread: every fsync of a partition log, group commit included. */
    public LogFlusher flusher() {
        return flusher;
    }

    /** Set once by the broker's start before the transport starts. */
    /** Lifecycle: the flusher thread, attached once it runs. */
    public void attachFlusher(LogFlusher flusher) {
        this.flusher = flusher;
    }

    /** The broker's metrics, or null where none were attached (handler tests). */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /** Lifecycle: the broker's metrics registry, attached before the transport starts. */
    public void attachMetrics(MetricsRegistry metrics) {
        this.metrics = metrics;
    }

    public long nowMs() {
        return clockMs.getAsLong();
    }
}
