package io.zcrx.ingest.broker.server;

import io.zcrx.ingest.broker.cluster.ClusterMember;
import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.config.ListenerSpec;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.group.GroupCoordinator;
import io.zcrx.ingest.broker.group.GroupLoader;
import io.zcrx.ingest.broker.group.GroupStore;
import io.zcrx.ingest.broker.group.OffsetManager;
import io.zcrx.ingest.broker.group.OffsetStore;
import io.zcrx.ingest.broker.group.OffsetsTopicStore;
import io.zcrx.ingest.broker.metadata.ProducerIdManager;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.metrics.prometheus.PrometheusEndpoint;
import io.zcrx.ingest.broker.replica.ReplicaFetcherManager;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.runtime.LogFlusher;
import io.zcrx.ingest.broker.replica.HighWatermarkCheckpoints;
import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.runtime.LogScheduler;
import io.zcrx.ingest.broker.runtime.ScheduledTimerService;
import io.zcrx.ingest.broker.security.SaslListener;
import io.zcrx.ingest.broker.security.ScramCredentialFile;
import io.zcrx.ingest.broker.security.authz.AclFile;
import io.zcrx.ingest.broker.security.authz.AclStore;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.broker.transport.ReactorHandlerFactory;
import io.zcrx.ingest.broker.transport.Transport;
import io.zcrx.ingest.broker.transport.tls.TlsListener;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.cleaner.CleanerConfig;
import io.zcrx.ingest.log.cleaner.LogCleaner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker process: opens (and recovers) the log directories, loads the topics, starts the
 * chosen transport, and on {@link #close()} shuts down in order: transport first (no new appends;
 * every receive chunk back), then the logs (clean shutdown: trimmed indexes, snapshots, checkpoints,
 * clean-shutdown marker).
 *
 * <p>It owns the {@link MetricsRegistry} (created first in {@link #start()}, closed last in
 * {@link #close()}, which unregisters the MBeans) and registers the broker-wide gauges: Kafka's
 * {@code kafka.server:type=KafkaServer,name=BrokerState} and {@code kafka.server:type=ReplicaManager}
 * gauges; it schedules the status line ({@code log.status.interval.ms}).
 *
 * <p>Thread safety: start and close are called by one thread (main or a test).
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private LogManager logs;
    private BrokerContext ctx;
    private Transport transport;
    private TransportSelector.Selection selection;
    /** The listeners after the first (copy-mode io_uring or NIO), in {@code listeners} order. */
    private final List<Transport> otherListeners = new ArrayList<>();
    /** The TLS set-up of each SSL and SASL_SSL listener, by listener name. */
    private final Map<String, TlsListener> tlsListeners = new LinkedHashMap<>();
    private ScheduledTimerService timer;
    private LogScheduler logScheduler;
    private OffsetStore offsetStore;
    /** Cluster mode: loads and unloads groups with the __consumer_offsets leaderships. */
    private GroupLoader groupLoader;
    /** Cluster mode: the leader side of replication (follower fetches, ISR, high watermarks). */
    /** Set once at start (cluster mode); volatile for the metrics thread. */
    private volatile LeaderPartitions leaders;
    private LogFlusher flusher;
    /** The log cleaner's threads (cleanup.policy=compact); stopped before the logs close. */
    private LogCleaner cleaner;
    private MetricsRegistry metrics;
    private PrometheusEndpoint prometheus;
    private boolean closed;
    /** Kafka's BrokerState value (its enum's): read by the BrokerState gauge. */
    private volatile int state = NOT_RUNNING;
    /** Cluster mode: the replica fetchers of the partitions this broker follows (null standalone). */
    private ReplicaFetcherManager replicaFetchers;
    /** Cluster mode: the KRaft membership (null standalone). */
    private volatile ClusterMember member;
    /** True while the membership's lifecycle manager owns the BrokerState (joining to controlled shutdown). */
    private volatile boolean memberOwnsState;
    /** What a fatal cluster condition after start does (default: shut the broker down). */
    private volatile Runnable onFatal;

    /** Kafka's BrokerState values. */
    static final int NOT_RUNNING = 0;
    static final int STARTING = 1;
    static final int RECOVERY = 2;
    static final int RUNNING = 3;
    static final int SHUTTING_DOWN = 7;

    public Broker(BrokerConfig config) {
        this.config = config;
        this.onFatal = () -> new Thread(this::close, "zcrx-fatal-shutdown").start();
    }

    /**
     * Cluster mode: what to do when the broker cannot stay in the cluster after it started (the
     * cluster finalized a feature level this broker does not implement, a metadata fault). The
     * default closes the broker on a new thread; {@code Main} exits the process (its shutdown hook
     * closes the broker), as Kafka's brokers do.
     */
    public void onFatal(Runnable action) {
        this.onFatal = action;
    }

    public synchronized void start() throws IOException {
        final long t0 = System.nanoTime();
        // One stripe per reactor: zcrx runs one per rx queue, the others num.network.threads.
        metrics = new MetricsRegistry(Math.max(config.numNetworkThreads(), config.zcrxRxQueues().size()),
            config.getBoolean(BrokerConfig.METRICS_JMX_ENABLE), config.getBoolean(BrokerConfig.METRICS_ENABLE));
        state = STARTING;
        metrics.gauge(BROKER_STATE, () -> {
            final ClusterMember m = member;
            return m != null && memberOwnsState ? m.brokerState() : state;
        });
        try {
            if (config.clusterMode()) {
                // Before the log manager: an unformatted directory is reported with what to run.
                ClusterMember.verifyStorage(config);
            }
            state = RECOVERY;
            logs = LogManager.open(config.logDirs(), config.nodeId(),
                TopicConfigs.logConfig(config, Collections.emptyMap()),
                config.getInt(BrokerConfig.PRODUCER_ID_EXPIRATION_MS),
                config.getInt(BrokerConfig.LOG_OPEN_SEGMENTS_MAX), System::currentTimeMillis, config.clusterMode());
            state = STARTING;
        } catch (IOException | RuntimeException e) {
            metrics.close();
            throw e;
        }
        try {
            // Standalone: the settings kafka-configs changed at run time apply from the first topic loaded; cluster
            // mode: from the metadata log (ClusterMember.applyBrokerConfigsTo).
            final DynamicBrokerConfig dynamic =
                config.clusterMode() ? DynamicBrokerConfig.none(config) : DynamicBrokerConfig.load(config);
            final TopicRegistry topics = new TopicRegistry(dynamic.current(), logs, metrics);
            dynamic.addListener(topics::applyBrokerConfig);
            final ProducerIdManager producerIds =
                new ProducerIdManager(config.logDirs().get(0), logs.largestProducerId());
            ctx = new BrokerContext(config, logs, topics, producerIds, System::currentTimeMillis, metrics);
            ctx.attachDynamicConfig(dynamic);
            if (config.clusterMode()) {
                member = new ClusterMember(config, topics, logDirIds(), ctx.scramCredentials(), metrics);
                member.applyBrokerConfigsTo(dynamic);
                ctx.attachCluster(member.cluster(), member.controller());
                // Before the first metadata image: it tells the fetchers which partitions this broker follows.
                replicaFetchers = new ReplicaFetcherManager(config, member.cluster(), metrics,
                    member.interBrokerChannels());
                topics.addLeadershipListener(replicaFetchers);
            }
            registerReplicaManagerGauges();
            startPrometheus();
            startFlusher();
            startReadPath(topics);
            startCleaner();
            attachAuthorization();
            final ControlPlane controlPlane = new ControlPlane(ctx, leaders);
            final Map<String, SaslListener> sasl = saslListeners();
            final List<ListenerSpec> listeners = config.listeners();
            final ListenerSpec first = listeners.get(0);
            final SaslListener firstSasl = sasl.get(first.name());
            createTlsListeners();
            selection = TransportSelector.select(config, tlsWrapped(first, (reactorId, reactorIo) ->
                new BrokerReactorHandler(ctx, controlPlane, reactorId, reactorIo, first.name(), firstSasl, true)),
                metrics);
            transport = selection.transport();
            ctx.bindPort(transport.localAddress().getPort());
            ctx.bindListener(first, transport.localAddress().getPort());
            for (ListenerSpec l : listeners.subList(1, listeners.size())) {
                final SaslListener s = sasl.get(l.name());
                final TransportSelector.Selection other = TransportSelector.selectOther(config, l,
                    tlsWrapped(l, (reactorId, reactorIo) -> new BrokerReactorHandler(ctx, controlPlane, reactorId,
                        reactorIo, l.name(), s, false)));
                otherListeners.add(other.transport());
                ctx.bindListener(l, other.transport().localAddress().getPort());
                LOG.info("listener {} ({}) on {}: transport {} ({}); {}", l.name(), l.securityProtocol(),
                    other.transport().localAddress(), other.transport().name(), other.transport().describe(),
                    other.reasons());
            }
            scheduleStatusLine();
            if (member != null) {
                // Registration advertises every listener (bound ports); until unfenced, the lease refuses produce.
                memberOwnsState = true;
                member.onFatalAfterStart(() -> onFatal.run());
                member.start(ctx.listenerEndpoints(), logs.previousBrokerEpoch());
            }
        } catch (IOException | RuntimeException e) {
            memberOwnsState = false;
            closeOtherListeners();
            if (transport != null) {
                transport.close();
                transport = null;
            }
            closeTlsListeners();
            if (replicaFetchers != null) {
                replicaFetchers.close();
            }
            if (member != null) {
                member.close();
                member = null;
            }
            if (prometheus != null) {
                // Before the registry is closed: no scrape reads a registry being taken apart.
                prometheus.close();
            }
            stopReadPath();
            stopCleaner();
            if (flusher != null) {
                flusher.close();
            }
            try {
                logs.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            metrics.close();
            throw e;
        }
        state = RUNNING;
        LOG.info("transport {} running ({}; {}); {}", transport.name(), transport.describe(),
            "zcrx".equals(transport.name()) ? "one reactor per zcrx.rx.queues entry" : config.numNetworkThreadsReason(),
            selection.reasons());
        LOG.info("started: listening on {}, advertised as {}:{}, node.id={}, cluster.id={}, log.dirs={}, in {} ms",
            transport.localAddress(), ctx.advertisedHost(), ctx.advertisedPort(), config.nodeId(), ctx.clusterId(),
            config.logDirs(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * {@code authorizer.class.name}: Kafka's StandardAuthorizer configured with the broker's settings (as Kafka hands
     * its authorizer the whole configuration); standalone, the ACLs of the first log dir loaded into it before any
     * listener starts (cluster mode: from the metadata log).
     */
    private void attachAuthorization() throws IOException {
        final Map<String, Object> settings = new LinkedHashMap<>(config.originals());
        settings.putAll(config.values());
        final Authorization authorization =
            Authorization.create(config.getString(BrokerConfig.AUTHORIZER_CLASS_NAME), settings);
        if (!authorization.enabled()) {
            return;
        }
        AclStore store = null;
        if (!config.clusterMode()) {
            store = new AclStore(authorization, new AclFile(config.logDirs().get(0)));
            store.load();
        } else {
            member.attachAuthorization(authorization);
        }
        ctx.attachAuthorization(authorization, store);
        LOG.info("authorizer {}: super.users={}, allow.everyone.if.no.acl.found={}",
            BrokerConfig.STANDARD_AUTHORIZER, config.getString(BrokerConfig.SUPER_USERS),
            config.getBoolean(BrokerConfig.ALLOW_EVERYONE_IF_NO_ACL_FOUND));
    }

    /**
     * The SASL set-up of every SASL listener (by name), and standalone mode's SCRAM credentials loaded from the
     * first log dir (cluster mode takes them from the metadata log).
     */
    private Map<String, SaslListener> saslListeners() throws IOException {
        if (!config.clusterMode()) {
            final ScramCredentialFile file = new ScramCredentialFile(config.logDirs().get(0));
            file.load(ctx.scramCredentials());
            ctx.attachScramCredentialFile(file);
        }
        final Map<String, SaslListener> out = new LinkedHashMap<>();
        for (ListenerSpec l : config.listeners()) {
            if (l.sasl()) {
                final SaslListener s = SaslListener.create(config, l, ctx.scramCredentials());
                s.registerMetrics(metrics);
                out.put(l.name(), s);
                LOG.info("listener {}: {} with SASL mechanisms {}, connections.max.reauth.ms={}", l.name(),
                    l.securityProtocol(), s.mechanisms(), s.reauthMs());
            }
        }
        return out;
    }

    /**
     * The TLS set-up of every SSL and SASL_SSL listener: kafka-clients' SslFactory over the listener's
     * {@code ssl.*} settings (stores are loaded and checked now, so a bad keystore stops the start naming the
     * setting); its decrypt memory has the NIO transport's size, and a handshake the request deadline.
     */
    private void createTlsListeners() {
        for (ListenerSpec l : config.listeners()) {
            if (l.tls()) {
                final TlsListener t = new TlsListener(l.name(), config.listenerSslConfigs(l),
                    config.getLong(BrokerConfig.CONNECTION_REQUEST_RECEIVE_TIMEOUT_MS),
                    config.getInt(BrokerConfig.NIO_BUFFER_BYTES), config.getInt(BrokerConfig.NIO_BUFFER_COUNT));
                tlsListeners.put(l.name(), t);
                LOG.info("listener {}: {} with {}", l.name(), l.securityProtocol(), t.describe());
            }
        }
    }

    /** {@code factory} behind the listener's TLS layer on a TLS listener, else as it is. */
    private ReactorHandlerFactory tlsWrapped(ListenerSpec l, ReactorHandlerFactory factory) {
        final TlsListener t = tlsListeners.get(l.name());
        return t == null ? factory : t.wrap(factory);
    }

    /** The TLS set-up of a TLS listener (its decrypt memory, its handshake counts); null on the others. */
    public TlsListener tlsListener(String listenerName) {
        return tlsListeners.get(listenerName);
    }

    /** After the transports stopped: every decrypted chunk must be back. */
    private void closeTlsListeners() {
        for (TlsListener t : tlsListeners.values()) {
            if (t.outstandingChunks() != 0) {
                LOG.error("listener {}: {} TLS plaintext chunks still outstanding after the transport stopped",
                    t.name(), t.outstandingChunks());
            }
            t.close();
        }
    }

    private void closeOtherListeners() {
        for (Transport t : otherListeners) {
            t.close();
            if (t.outstandingChunks() != 0) {
                LOG.error("listener on {}: {} receive chunks still outstanding after the transport stopped",
                    t.localAddress(), t.outstandingChunks());
            }
        }
        otherListeners.clear();
    }

    /** The transports of the listeners after the first, in {@code listeners} order. */
    public List<Transport> otherListeners() {
        return List.copyOf(otherListeners);
    }

    /** Log dir path to its directory id, as the controller learns them at registration. */
    private Map<String, Uuid> logDirIds() {
        final Map<String, Uuid> ids = new LinkedHashMap<>();
        for (Path d : logs.logDirs()) {
            ids.put(d.toString(), logs.directoryId(d));
        }
        return ids;
    }

    /** {@code kafka.server:type=KafkaServer,name=BrokerState}: Kafka's BrokerState enum value. */
    public static final MetricName BROKER_STATE = MetricName.of("kafka.server", "KafkaServer", "BrokerState");

    /**
     * Kafka's ReplicaManager gauges. Standalone, a single node leads every partition and has no followers: every
     * partition is counted, led (unless offline after a failed fsync) and fully replicated. Cluster mode: the
     * replication counts come from the leader side ({@link LeaderPartitions}).
     */
    private void registerReplicaManagerGauges() {
        final LogManager l = logs;
        metrics.gauge(replicaManager("PartitionCount"), () -> l.partitions().size());
        final TopicRegistry topics = ctx.topics();
        // Cluster mode: a partition log on disk may be a replica this node does not lead (after a
        // controlled shutdown, or led elsewhere); the topics know which ones it leads.
        metrics.gauge(replicaManager("LeaderCount"), () -> config.clusterMode() ? ledHere(topics)
            : l.partitions().size() - offline(l));
        metrics.gauge(replicaManager("OfflineReplicaCount"), () -> offline(l));
        // Standalone: one replica, always in sync. Cluster mode: the leader side of replication counts.
        metrics.gauge(replicaManager("UnderReplicatedPartitions"),
            () -> leaders == null ? 0 : leaders.underReplicatedCount());
        metrics.gauge(replicaManager("UnderMinIsrPartitionCount"),
            () -> leaders == null ? 0 : leaders.underMinIsrCount());
        metrics.gauge(replicaManager("AtMinIsrPartitionCount"), () -> leaders == null ? 0 : leaders.atMinIsrCount());
    }

    static MetricName replicaManager(String name) {
        return MetricName.of("kafka.server", "ReplicaManager", name);
    }

    private static int ledHere(TopicRegistry topics) {
        int n = 0;
        for (TopicInfo t : topics.all()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                final PartitionLog log = t.partition(p);
                if (log != null && log.isOnline()) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int offline(LogManager l) {
        int n = 0;
        for (PartitionLog p : l.partitions()) {
            if (!p.isOnline()) {
                n++;
            }
        }
        return n;
    }

    /** log.status.interval.ms: the status line on the log scheduler thread (0 = none). */
    private void scheduleStatusLine() {
        final long intervalMs = config.getLong(BrokerConfig.LOG_STATUS_INTERVAL_MS);
        if (intervalMs > 0) {
            final Transport t = transport;
            logScheduler.schedule("status-line", intervalMs, intervalMs, new StatusLine(ctx, t::connectionCount));
        }
    }

    /**
     * The Prometheus endpoint, when metrics.prometheus.listener names one: started once the
     * registry exists, before the transport, so a port that cannot be bound stops the start before
     * clients connect (as a listener that cannot be bound does).
     */
    private void startPrometheus() throws IOException {
        final InetSocketAddress bind = config.prometheusListener();
        if (bind == null) {
            return;
        }
        prometheus = PrometheusEndpoint.start(metrics, bind);
        final InetSocketAddress a = prometheus.localAddress();
        LOG.info("Prometheus endpoint: http://{}:{}/metrics", a.getHostString(), a.getPort());
    }

    /**
     * The flusher thread: the flush policy (log.flush.interval.messages / .ms, and segments sealed by
     * a roll), checked at least once a second and more often for a shorter log.flush.interval.ms, and
     * the fsyncs that acknowledgements wait for (group commit, flush.messages reached).
     */
    private void startFlusher() {
        final long checkMs = Math.max(1L, Math.min(Math.min(1000L,
            config.getLong(BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS)), config.logFlushIntervalMs()));
        flusher = new LogFlusher(logs, checkMs, metrics);
        ctx.attachFlusher(flusher);
        flusher.start();
        LOG.info("log flusher running: check every {} ms, group commit {}", checkMs,
            config.getBoolean(BrokerConfig.LOG_FLUSH_GROUP_COMMIT_ENABLE) ? "on (acks=all answers wait for fsync)"
                : "off (acks answer once the batch is in the page cache)");
    }

    /**
     * The consumer side: the timer thread (group and long-poll timeouts), the committed-offsets
     * journal, the group coordinator and the committed offsets, and the background tasks
     * (retention, offset expiry, journal fsync) on the log scheduler.
     */
    private void startReadPath(TopicRegistry topics) throws IOException {
        timer = new ScheduledTimerService("zcrx-timer");
        final GroupStore groupStore;
        OffsetsTopicStore offsetsTopic = null;
        final boolean cluster = config.clusterMode();
        if (cluster) {
            // Groups live in the __consumer_offsets partitions led here, in Kafka's record format.
            final int defaultPartitions = config.getInt(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS);
            offsetsTopic = new OffsetsTopicStore(() -> {
                final TopicInfo t = topics.get(Topic.GROUP_METADATA_TOPIC_NAME);
                return t != null && t.partitionCount() > 0 ? t.partitionCount() : defaultPartitions;
            }, System::currentTimeMillis, () -> ctx.cluster().mayLead(System.nanoTime()));
            groupStore = offsetsTopic;
        } else {
            offsetStore = OffsetStore.open(config.logDirs().get(0));
            groupStore = offsetStore;
        }
        final GroupCoordinator groups = new GroupCoordinator(new GroupCoordinator.Settings(
            config.getInt(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS),
            config.getInt(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS),
            config.getInt(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS),
            config.getInt(BrokerConfig.GROUP_MAX_SIZE)), groupStore, timer);
        final OffsetManager offsets = new OffsetManager(new OffsetManager.Settings(
            config.getInt(BrokerConfig.OFFSETS_RETENTION_MINUTES) * 60_000L,
            config.getInt(BrokerConfig.OFFSET_METADATA_MAX_BYTES)), groupStore, timer, (topic, partition) -> {
                final TopicInfo t = topics.get(topic);
                // Cluster mode: a partition of the topic, wherever it is led.
                return t != null && !t.isDeleted() && (cluster ? t.state(partition) != null
                    : t.partition(partition) != null);
            }, groups);
        if (offsetsTopic != null) {
            groupLoader = new GroupLoader(offsetsTopic, groups);
            topics.addLeadershipListener(groupLoader);
        }
        ctx.attach(timer, groups, offsets);
        logScheduler = new LogScheduler("zcrx-log-scheduler");
        if (cluster) {
            startReplicationLeaderSide(topics);
        }
        final long retentionCheckMs = config.getLong(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS);
        final LogManager logManager = logs;
        logScheduler.schedule("retention", retentionCheckMs, retentionCheckMs,
            () -> logManager.deleteOldSegments(System.currentTimeMillis()));
        // Deleted partitions' renamed directories go once their file.delete.delay.ms passed (Kafka's
        // deleteLogs task); checking a short list each second keeps the delay close to the setting.
        logScheduler.schedule("delete-logs", DELETE_LOGS_CHECK_MS, DELETE_LOGS_CHECK_MS,
            () -> logManager.deleteDelayedPartitions(System.currentTimeMillis()));
        final long checkpointMs = config.getInt(BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS);
        logScheduler.schedule("recovery-point-checkpoint", checkpointMs, checkpointMs, () -> {
            try {
                logManager.checkpoint();
            } catch (IOException e) {
                LOG.error("writing the recovery-point checkpoint failed; a crash now re-checks more of the log", e);
            }
        });
        final long producerExpiryMs = config.getInt(BrokerConfig.PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS);
        logScheduler.schedule("producer-id-expiry", producerExpiryMs, producerExpiryMs,
            () -> logManager.removeExpiredProducers(System.currentTimeMillis()));
        final long offsetsCheckMs = config.getLong(BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS);
        logScheduler.schedule("offset-expiry", offsetsCheckMs, offsetsCheckMs, offsets::expireOffsets);
        if (offsetStore != null) {
            final OffsetStore store = offsetStore;
            logScheduler.schedule("offsets-fsync", OffsetStore.SYNC_INTERVAL_MS, OffsetStore.SYNC_INTERVAL_MS, () -> {
                try {
                    store.sync();
                } catch (IOException e) {
                    LOG.error("fsync of the committed-offsets journal failed", e);
                }
            });
        }
    }

    /**
     * Cluster mode: the leader side of replication, told of leaderships before the first metadata image, with the
     * high watermarks checkpointed at the last stop; Kafka's {@code isr-expiration} task every
     * {@code replica.lag.time.max.ms / 2} and {@code highwatermark-checkpoint} task.
     */
    private void startReplicationLeaderSide(TopicRegistry topics) {
        leaders = new LeaderPartitions(ctx, HighWatermarkCheckpoints.read(config.logDirs()));
        topics.addLeadershipListener(leaders);
        final long isrCheckMs = Math.max(1L, leaders.replicaLagTimeMaxMs() / 2);
        logScheduler.schedule("isr-expiration", isrCheckMs, isrCheckMs, leaders::maybeShrinkIsr);
        final long hwCheckpointMs = config.getLong(BrokerConfig.REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS);
        logScheduler.schedule("highwatermark-checkpoint", hwCheckpointMs, hwCheckpointMs,
            this::checkpointHighWatermarks);
    }

    private void checkpointHighWatermarks() {
        try {
            HighWatermarkCheckpoints.write(config.logDirs(), logs.partitions(), leaders::checkpointValue);
        } catch (IOException e) {
            LOG.error("writing replication-offset-checkpoint failed; a restart may start high watermarks lower", e);
        }
    }

    /**
     * The log cleaner (docs/compaction.md): its threads compact the logs whose cleanup.policy contains compact, with
     * Kafka's cleaner metrics ({@code kafka.log:type=LogCleaner} and {@code type=LogCleanerManager}).
     */
    private void startCleaner() {
        final int threads = config.getInt(BrokerConfig.LOG_CLEANER_THREADS);
        final boolean enabled = config.getBoolean(BrokerConfig.LOG_CLEANER_ENABLE) && threads > 0;
        cleaner = new LogCleaner(logs, new CleanerConfig(enabled, Math.max(1, threads),
            config.getDouble(BrokerConfig.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND),
            config.getLong(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE),
            config.getInt(BrokerConfig.LOG_CLEANER_IO_BUFFER_SIZE),
            config.getDouble(BrokerConfig.LOG_CLEANER_IO_BUFFER_LOAD_FACTOR),
            config.getLong(BrokerConfig.LOG_CLEANER_BACKOFF_MS)), System::currentTimeMillis);
        final LogCleaner c = cleaner;
        metrics.gauge(MetricName.of("kafka.log", "LogCleaner", "max-buffer-utilization-percent"),
            c::maxBufferUtilizationPercent);
        metrics.gauge(MetricName.of("kafka.log", "LogCleaner", "cleaner-recopy-percent"), c::cleanerRecopyPercent);
        metrics.gauge(MetricName.of("kafka.log", "LogCleaner", "max-clean-time-secs"), c::maxCleanTimeSecs);
        metrics.gauge(MetricName.of("kafka.log", "LogCleanerManager", "max-dirty-percent"), c::maxDirtyPercent);
        metrics.gauge(MetricName.of("kafka.log", "LogCleanerManager", "time-since-last-run-ms"),
            c::timeSinceLastRunMs);
        metrics.gauge(MetricName.of("kafka.log", "LogCleanerManager", "uncleanable-partitions-count"),
            c::uncleanablePartitionsCount);
        cleaner.start();
        if (!enabled) {
            LOG.info("log cleaner disabled (log.cleaner.enable=false or log.cleaner.threads=0): compacted topics "
                + "are not compacted");
        }
    }

    private void stopCleaner() {
        if (cleaner != null) {
            cleaner.close();
        }
    }

    /** The log cleaner (null before start). */
    public LogCleaner cleaner() {
        return cleaner;
    }

    /** How often the log scheduler looks for deleted partitions whose files are due to go. */
    private static final long DELETE_LOGS_CHECK_MS = 1000L;

    /** Timers first (nothing new gets scheduled on the logs), then background tasks, then the journal. */
    private void stopReadPath() {
        if (groupLoader != null) {
            groupLoader.close();
        }
        if (timer != null) {
            timer.close();
        }
        if (logScheduler != null) {
            logScheduler.close();
        }
        if (offsetStore != null) {
            try {
                offsetStore.close();
            } catch (IOException e) {
                LOG.error("closing the committed-offsets journal failed", e);
            }
        }
    }

    public InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    public Transport transport() {
        return transport;
    }

    public BrokerContext context() {
        return ctx;
    }

    public LogManager logs() {
        return logs;
    }

    /** Every metric of this broker (null before start). */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /** The Prometheus endpoint's address, or null when it is off. */
    public InetSocketAddress prometheusAddress() {
        return prometheus == null ? null : prometheus.localAddress();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down");
        final ClusterMember m = member;
        long brokerEpoch = -1L;
        if (m != null) {
            // Kafka's controlled shutdown first: clients move to the new leaders while we still answer.
            m.controlledShutdown();
            brokerEpoch = m.brokerEpoch();
            // Kafka's BrokerServer removes and closes the metadata publishers right after the controlled
            // shutdown: a leadership change must not reach the group loader, the timer, the scheduler or
            // the flusher once they stop, nor create a log the clean shutdown below would not close.
            m.stopPublishing();
        }
        memberOwnsState = false;
        state = SHUTTING_DOWN;
        if (prometheus != null) {
            // First: a scrape during shutdown would read metrics of parts already stopped.
            prometheus.close();
        }
        closeOtherListeners();
        if (transport != null) {
            transport.close();
            if (transport.outstandingChunks() != 0) {
                LOG.error("{} receive chunks still outstanding after the transport stopped",
                    transport.outstandingChunks());
            }
        }
        closeTlsListeners();
        if (flusher != null) {
            // After the transport: no append can request a flush any more.
            flusher.close();
        }
        stopReadPath();
        // Before the logs close: a clean in progress stops at its next chunk and deletes its .cleaned files.
        stopCleaner();
        if (replicaFetchers != null) {
            // Before the logs close: a fetcher appends to them.
            replicaFetchers.close();
        }
        if (m != null) {
            // Before the logs: the metadata publisher creates and deletes partition logs.
            m.close();
        }
        if (leaders != null && logs != null) {
            // Clean shutdown: the high watermarks as they end (no fetch or append comes any more).
            checkpointHighWatermarks();
        }
        if (logs != null) {
            try {
                logs.close(brokerEpoch);
            } catch (IOException e) {
                LOG.error("clean shutdown of the log directories failed; recovery will run at the next start", e);
            }
        }
        state = NOT_RUNNING;
        if (metrics != null) {
            metrics.close();
        }
        LOG.info("shut down");
    }
}
