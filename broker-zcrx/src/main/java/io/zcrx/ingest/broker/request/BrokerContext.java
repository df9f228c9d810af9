package io.zcrx.ingest.broker.request;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.config.ListenerSpec;
import io.zcrx.ingest.broker.group.GroupCoordinator;
import io.zcrx.ingest.broker.group.OffsetManager;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metadata.ProducerIdManager;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.metrics.BrokerTopicMetrics;
import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metrics.RequestMetrics;
import io.zcrx.ingest.broker.runtime.LogFlusher;
import io.zcrx.ingest.broker.runtime.TimerService;
import io.zcrx.ingest.broker.security.ScramCredentialFile;
import io.zcrx.ingest.broker.security.ScramCredentials;
import io.zcrx.ingest.broker.security.authz.AclStore;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.log.LogManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * What every request handler shares: the configuration, the log manager, the topics, the producer
 * id allocator, this node's identity and advertised endpoint, the wall clock, and the metrics
 * (the registry, Kafka's all-topics BrokerTopicMetrics and RequestMetrics by api key, the append
 * latency histogram).
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
    private final MetricsRegistry metrics;
    private final BrokerTopicMetrics allTopics;
    /** By api key, created at the first request of that key (each type costs a few histograms). */
    private final RequestMetrics[] requestMetrics = new RequestMetrics[128];
    private final Histogram appendLatency;
    private volatile ClusterState cluster;
    private volatile ControllerChannel controller;
    private volatile DynamicBrokerConfig dynamicConfig;
    /** This node as clients of each listener see it (standalone), by listener name; set as listeners bind. */
    private final Map<String, BrokerNode> listenerNodes = new ConcurrentHashMap<>();
    /** The SCRAM credentials SASL listeners authenticate against (kafka-configs / the metadata log). */
    private final ScramCredentials scramCredentials = new ScramCredentials();
    /** Standalone mode: where the credentials are kept; null in cluster mode (the metadata log keeps them). */
    private volatile ScramCredentialFile scramCredentialFile;
    /** {@code authorizer.class.name}: Kafka's StandardAuthorizer, or none (every check passes). */
    private volatile Authorization authorization = Authorization.NONE;
    /** Standalone mode with an authorizer: the ACL set CreateAcls/DeleteAcls change; null otherwise. */
    private volatile AclStore aclStore;

    public BrokerContext(BrokerConfig config, LogManager logs, TopicRegistry topics, ProducerIdManager producerIds,
                         LongSupplier clockMs, MetricsRegistry metrics) {
        this.config = config;
        this.logs = logs;
        this.topics = topics;
        this.producerIds = producerIds;
        this.clockMs = clockMs;
        this.advertisedPort = config.advertisedPort();
        this.metrics = metrics;
        this.allTopics = new BrokerTopicMetrics(metrics, null);
        this.appendLatency = metrics.latencyHistogram(APPEND_LATENCY);
        this.cluster = ClusterState.standalone(new BrokerNode(config.nodeId(), config.advertisedHost(),
            config.advertisedPort(), null));
        this.dynamicConfig = DynamicBrokerConfig.none(config);
    }

    /** The settings changed at run time and the effective configuration ({@code kafka-configs}). */
    public DynamicBrokerConfig dynamicConfig() {
        return dynamicConfig;
    }

    /** Lifecycle: the dynamic settings loaded from the log directory (standalone), before the transport starts. */
    public void attachDynamicConfig(DynamicBrokerConfig dynamic) {
        this.dynamicConfig = dynamic;
    }

    /** The broker's own: how long one append (the gather write of one batch, under the partition lock) takes. */
    public static final MetricName APPEND_LATENCY = MetricName.of("zcrx", "Log", "AppendLatencyMs");

    /** Every metric of this broker. */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /** Kafka's BrokerTopicMetrics without a topic tag (every topic together). */
    public BrokerTopicMetrics allTopicsMetrics() {
        return allTopics;
    }

    /** {@code zcrx:type=Log,name=AppendLatencyMs}. */
    public Histogram appendLatency() {
        return appendLatency;
    }

    /**
     * Kafka's RequestMetrics of this api key (a valid key: 0..127), created at its first request.
     * Fetch is Kafka's {@code FetchConsumer} (this single node has no followers).
     */
    public RequestMetrics requestMetrics(short apiKey) {
        final RequestMetrics m = requestMetrics[apiKey];
        return m != null ? m : createRequestMetrics(apiKey);
    }

    private synchronized RequestMetrics createRequestMetrics(short apiKey) {
        RequestMetrics m = requestMetrics[apiKey];
        if (m == null) {
            m = new RequestMetrics(metrics, requestName(apiKey));
            requestMetrics[apiKey] = m;
        }
        return m;
    }

    /** The {@code request=} tag of Kafka's RequestMetrics for this api key. */
    public static String requestName(short apiKey) {
        if (apiKey == ApiKeys.FETCH.id) {
            return "FetchConsumer";
        }
        return ApiKeys.hasId(apiKey) ? ApiKeys.forId(apiKey).name : "Unknown" + apiKey;
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
            if (controller == null) {
                cluster = ClusterState.standalone(new BrokerNode(config.nodeId(), config.advertisedHost(), boundPort,
                    null));
            }
        }
    }

    /** Lifecycle: {@code listener} is bound on {@code boundPort}; its clients are told its advertised endpoint. */
    public void bindListener(ListenerSpec listener, int boundPort) {
        listenerNodes.put(listener.name(), new BrokerNode(config.nodeId(), listener.advertisedHost(),
            listener.advertisedPort() == 0 ? boundPort : listener.advertisedPort(), null));
    }

    /** This node's advertised endpoint on each bound listener, by listener name (cluster mode registers them). */
    public Map<String, BrokerNode> listenerEndpoints() {
        return Map.copyOf(listenerNodes);
    }

    /**
     * {@code node} as a client of {@code listener} must be told it (Kafka answers each client with the endpoints
     * of the listener it connected on): standalone, this node's endpoint on that listener; otherwise (cluster
     * mode, where the view already holds every broker's endpoints by listener, or no listener) {@code node}.
     */
    public BrokerNode onListener(BrokerNode node, String listener) {
        if (listener == null || controller != null || node.id() != config.nodeId()) {
            return node;
        }
        final BrokerNode own = listenerNodes.get(listener);
        return own == null ? node : own;
    }

    public ScramCredentials scramCredentials() {
        return scramCredentials;
    }

    /** Standalone mode's credential file; null in cluster mode. */
    public ScramCredentialFile scramCredentialFile() {
        return scramCredentialFile;
    }

    /** Lifecycle, standalone: the credential file, loaded into {@link #scramCredentials()} before listeners start. */
    public void attachScramCredentialFile(ScramCredentialFile file) {
        this.scramCredentialFile = file;
    }

    /** The authorizer every check asks ({@link Authorization#NONE} without {@code authorizer.class.name}). */
    public Authorization authorization() {
        return authorization;
    }

    /** Standalone mode's ACL set (null in cluster mode, where the controller owns the ACLs, or without authorizer). */
    public AclStore aclStore() {
        return aclStore;
    }

    /** Lifecycle: the authorizer and (standalone) its loaded ACL store, before the listeners start. */
    public void attachAuthorization(Authorization authorization, AclStore store) {
        this.authorization = authorization;
        this.aclStore = store;
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

    /** This broker's cluster view and leadership lease (standalone: itself, a lease for ever). */
    public ClusterState cluster() {
        return cluster;
    }

    /** The active controller's channel in cluster mode; null in standalone mode. */
    public ControllerChannel controller() {
        return controller;
    }

    /**
     * Lifecycle, cluster mode: the cluster state the metadata publisher and the lifecycle manager
     * keep, and the controller channel; attached before the transport starts.
     */
    public void attachCluster(ClusterState cluster, ControllerChannel controller) {
        this.cluster = cluster;
        this.controller = controller;
    }

    /** True in cluster mode ({@code process.roles=broker}). */
    public boolean clusterMode() {
        return controller != null;
    }

    public long nowMs() {
        return clockMs.getAsLong();
    }
}
