package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.config.ListenerSpec;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.request.ControllerChannel;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.broker.security.ScramCredentials;
import io.zcrx.ingest.log.checkpoint.DirectoryLock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.image.loader.MetadataLoader;
import org.apache.kafka.server.BrokerLifecycleManager;
import org.apache.kafka.server.NodeToControllerChannelManagerImpl;
import org.apache.kafka.server.RaftControllerNodeProvider;
import org.apache.kafka.server.fault.FaultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker as a member of a KRaft cluster: the parts of Kafka's {@code BrokerServer} and
 * {@code SharedServer} that a broker without replication needs, in Kafka's order. {@link #start}
 * starts the Raft observer ({@link MetadataRaft}), Kafka's {@link MetadataLoader} with our
 * {@link ClusterPublisher}, the controller channels and Kafka's {@link BrokerLifecycleManager}
 * (registration with a new incarnation id, every listener with its security protocol, rack, log dir ids,
 * {@link SupportedFeatures}
 * and the previous broker epoch), then waits, as Kafka's broker does, until the controller says the
 * broker caught up with the metadata, until that metadata is published to the topics, and until the
 * controller unfenced the broker: STARTING, RECOVERY, RUNNING. {@link #controlledShutdown} is Kafka's
 * controlled shutdown (PENDING_CONTROLLED_SHUTDOWN until the controller moved the leaderships away);
 * {@link #stopPublishing} detaches the publisher (no leadership change after the broker's read path
 * stopped); {@link #close} stops the parts.
 *
 * <p>Faults: the Raft client's are fatal (as in Kafka); the metadata loader's are not (Kafka's
 * brokers count them, {@code kafka.server:type=broker-metadata-metrics} {@code metadata-load-error-count},
 * next to {@code metadata-apply-error-count} of the publisher): a record that cannot be loaded must
 * not crash-loop every broker of the cluster. Only a metadata.version this broker cannot read is fatal.
 *
 * <p>Threads (besides {@link MetadataRaft}'s): {@code <prefix>-metadata-loader-event-handler}
 * (the loader and our publisher), {@code <prefix>-lifecycle-manager-event-handler}, and one
 * network thread per controller channel ({@code heartbeat}, {@code forwarding}).
 *
 * <p>Thread safety: start, controlledShutdown and close are called by the broker's lifecycle thread;
 * the state read by others ({@link #brokerState}, the ClusterState) is volatile.
 */
public final class ClusterMember {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    private static final String PREFIX = "zcrx-kraft";

    private final BrokerConfig config;
    private final KafkaSettings settings;
    private final ClientChannels interBrokerChannels;
    private final ClientChannels controllerChannels;
    private final StorageCheck.Formatted storage;
    private final ClusterState cluster;
    private final Metrics kafkaMetrics = new Metrics();
    private final DirectoryLock metadataDirLock;
    private final MetadataRaft raft;
    private final MetadataLoader loader;
    private final ClusterPublisher publisher;
    private final NodeToControllerChannelManagerImpl heartbeatChannel;
    private final NodeToControllerChannelManagerImpl forwardingChannel;
    private final ForwardingChannel controller;
    private final BrokerLifecycleManager lifecycle;
    /** Completed with the reason when this broker cannot be a member (refused, incompatible features). */
    private final CompletableFuture<String> fatal = new CompletableFuture<>();
    private volatile Runnable onFatalAfterStart = () -> { };
    private volatile boolean started;
    private LeaseChannel leaseChannel;
    /** True once {@link BrokerLifecycleManager#start} ran: from then on its close shuts the heartbeat channel. */
    private boolean lifecycleStarted;
    private volatile boolean publisherInstalled;
    private boolean closed;
    private final MetricsRegistry metrics;
    /** Kafka's {@code metadata-load-error-count}: records or batches the loader could not load. */
    private final AtomicLong loadErrors = new AtomicLong();
    static final MetricName LOAD_ERRORS = MetricName.attribute("kafka.server", "broker-metadata-metrics",
        "metadata-load-error-count");
    static final MetricName APPLY_ERRORS = MetricName.attribute("kafka.server", "broker-metadata-metrics",
        "metadata-apply-error-count");

    /**
     * Checks the storage and builds the parts (the metadata log is opened, nothing runs yet).
     *
     * @throws IOException when the storage is not formatted for this node (the message says how to)
     */
    public ClusterMember(BrokerConfig config, TopicRegistry topics, Map<String, Uuid> logDirIds,
                         ScramCredentials scramCredentials, MetricsRegistry metrics) throws IOException {
        this.config = config;
        this.metrics = metrics;
        this.storage = StorageCheck.verify(config);
        this.settings = new KafkaSettings(config);
        this.interBrokerChannels = ClientChannels.interBroker(config, settings);
        // Kafka's NodeToControllerChannelManagerImpl builds the same channels itself from the same settings;
        // building them here first makes a bad controller listener setting a configuration error at start.
        this.controllerChannels = ClientChannels.controller(config, settings);
        this.cluster = ClusterState.clusterMember(new BrokerNode(config.nodeId(), config.advertisedHost(),
            config.advertisedPort(), config.rack()));
        final Path metadataDir = config.metadataLogDir();
        // Kafka locks metadata.log.dir itself only when it is not one of the log dirs (those the log manager locks).
        this.metadataDirLock = config.logDirs().contains(metadataDir) ? null : DirectoryLock.acquire(metadataDir);
        // What is built is closed again, in reverse order, when a later part fails: a failed start
        // must leave no thread, no open metadata log and no directory lock behind.
        final Deque<AutoCloseable> built = new ArrayDeque<>();
        built.push(kafkaMetrics::close);
        built.push(this::unlockMetadataDir);
        try {
            final FaultHandler raftFaults = (message, cause) -> {
                LOG.error("cluster metadata fault: {}", message, cause);
                reportFatal(SupportedFeatures.isUnreadableMetadataVersion(cause)
                    ? SupportedFeatures.unreadableMetadataVersion()
                    : "cluster metadata fault: " + message + (cause == null ? "" : ": " + cause));
                return new RuntimeException(message, cause);
            };
            this.raft = new MetadataRaft(settings, controllerChannels, storage.clusterId(), storage.metadataDirId(),
                metadataDir, kafkaMetrics, PREFIX, raftFaults);
            built.push(raft::close);
            this.publisher = new ClusterPublisher(config.nodeId(), config.interBrokerListenerName(), cluster, topics,
                scramCredentials, this::reportFatal);
            this.loader = new MetadataLoader.Builder().setNodeId(config.nodeId()).setTime(Time.SYSTEM)
                .setThreadNamePrefix(PREFIX + "-").setFaultHandler(this::loaderFault)
                .setHighWaterMarkAccessor(() -> raft.client().highWatermark())
                .build();
            built.push(() -> {
                loader.beginShutdown();
                loader.close();
            });
            final RaftControllerNodeProvider controllers = RaftControllerNodeProvider.create(raft, settings);
            this.heartbeatChannel = new NodeToControllerChannelManagerImpl(controllers, Time.SYSTEM, kafkaMetrics,
                // Kafka's retry timeout for heartbeats: half the session, so a retried heartbeat still counts.
                settings, "heartbeat", PREFIX + "-", config.getInt(BrokerConfig.BROKER_SESSION_TIMEOUT_MS) / 2L);
            built.push(heartbeatChannel::shutdown);
            this.forwardingChannel = new NodeToControllerChannelManagerImpl(controllers, Time.SYSTEM, kafkaMetrics,
                settings, "forwarding", PREFIX + "-", (long) settings.requestTimeoutMs());
            built.push(forwardingChannel::shutdown);
            this.controller = new ForwardingChannel(forwardingChannel);
            this.lifecycle = new BrokerLifecycleManager(settings, Time.SYSTEM, PREFIX + "-", logDirIds,
                () -> reportFatal("the broker lifecycle manager gave up (see the log above)"), () -> false);
            built.push(lifecycle::close);
            metrics.gauge(LOAD_ERRORS, loadErrors::get);
            metrics.gauge(APPLY_ERRORS, publisher::applyErrorCount);
        } catch (IOException | RuntimeException e) {
            while (!built.isEmpty()) {
                try {
                    built.pop().close();
                } catch (Exception suppressed) {
                    if (suppressed instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The loader's fault handler: not fatal for a broker (Kafka's SharedServer), except for a
     * metadata.version this broker cannot read. The update is counted, logged and the next one
     * applies the whole image.
     */
    private RuntimeException loaderFault(String message, Throwable cause) {
        if (SupportedFeatures.isUnreadableMetadataVersion(cause)) {
            LOG.error("cluster metadata fault: {}", message, cause);
            reportFatal(SupportedFeatures.unreadableMetadataVersion());
            return new RuntimeException(message, cause);
        }
        loadErrors.incrementAndGet();
        LOG.error("loading the cluster metadata failed (not fatal, metadata-load-error-count={}): {}",
            loadErrors.get(), message, cause);
        publisher.requestResync();
        return new RuntimeException(message, cause);
    }

    /**
     * Checks that the storage is formatted for this node (cluster mode needs it before the log
     * manager opens the directories).
     *
     * @throws IOException naming the directory and the command to run
     */
    public static void verifyStorage(BrokerConfig config) throws IOException {
        StorageCheck.verify(config);
    }

    /**
     * The dynamic broker configs the metadata log holds (BROKER "" and this node's id) are applied to
     * {@code dynamic} from the first image on; call before {@link #start}.
     */
    public void applyBrokerConfigsTo(DynamicBrokerConfig dynamic) {
        publisher.brokerConfigs(dynamic);
    }

    /** Feeds {@code authorization} with the metadata log's ACLs (call before {@link #start}). */
    public void attachAuthorization(Authorization authorization) {
        publisher.attachAuthorization(authorization);
    }

    /** This broker's cluster view and leadership lease, kept by the publisher and the heartbeats. */
    public ClusterState cluster() {
        return cluster;
    }

    /** The way to the active controller (admin requests). */
    public ControllerChannel controller() {
        return controller;
    }

    /**
     * The replica fetchers' client channel builders for {@code inter.broker.listener.name} (PLAINTEXT, SSL, or
     * SASL_PLAINTEXT / SASL_SSL with {@code sasl.mechanism.inter.broker.protocol} and the listener's JAAS client
     * login), Kafka's.
     */
    public Function<LogContext, ChannelBuilder> interBrokerChannels() {
        return interBrokerChannels;
    }

    /** The cluster id of the formatted storage. */
    public String clusterId() {
        return storage.clusterId();
    }

    /** Kafka's BrokerState value of the lifecycle manager (the BrokerState gauge). */
    public byte brokerState() {
        return lifecycle.state().value();
    }

    /** Called (on some cluster thread) when a fatal condition arises after {@link #start} returned. */
    public void onFatalAfterStart(Runnable action) {
        onFatalAfterStart = action;
    }

    /**
     * Joins the cluster: registers every listener with its advertised endpoint ({@code advertised}: listener
     * name to this node's endpoint on it, the bound port where the listener had port 0) and security protocol,
     * catches up with the metadata, publishes it and waits to be unfenced.
     *
     * @throws IOException when the controller refused the registration, the cluster's features are
     *                     not this broker's, or the registration did not succeed in
     *                     {@code initial.broker.registration.timeout.ms}
     */
    public void start(Map<String, BrokerNode> advertised, OptionalLong previousBrokerEpoch) throws IOException {
        final long t0 = System.nanoTime();
        raft.start(loader);
        loader.installPublishers(List.of(publisher));
        publisherInstalled = true;
        forwardingChannel.start();
        leaseChannel = new LeaseChannel(heartbeatChannel, cluster,
            config.getInt(BrokerConfig.BROKER_SESSION_TIMEOUT_MS), this::registrationRefused);
        final BrokerRegistrationRequestData.ListenerCollection listeners =
            new BrokerRegistrationRequestData.ListenerCollection();
        final StringBuilder described = new StringBuilder();
        for (ListenerSpec l : config.listeners()) {
            final BrokerNode endpoint = advertised.get(l.name());
            if (endpoint == null) {
                throw new IOException("listener " + l.name() + " is not bound: cannot register it");
            }
            listeners.add(new BrokerRegistrationRequestData.Listener().setName(l.name())
                .setHost(endpoint.host()).setPort(endpoint.port())
                .setSecurityProtocol(SecurityProtocol.forName(l.securityProtocol()).id));
            described.append(described.length() == 0 ? "" : ", ").append(l.name()).append("://")
                .append(endpoint.host()).append(':').append(endpoint.port());
        }
        LOG.info("joining the cluster {} as broker {}: controllers {} ({}: {}), listeners {} (inter-broker {}: {}){}, "
                + "previous broker epoch {}", storage.clusterId(), config.nodeId(), config.controllerBootstrapServers(),
            controllerChannels.listener().value(), controllerChannels.describe(), described,
            config.interBrokerListenerName(), interBrokerChannels.describe(),
            config.rack() == null ? "" : ", rack " + config.rack(),
            previousBrokerEpoch.isPresent() ? previousBrokerEpoch.getAsLong() : "none (last stop unclean or first)");
        lifecycleStarted = true;
        lifecycle.start(loader::lastAppliedOffset, leaseChannel, storage.clusterId(), listeners,
            SupportedFeatures.ranges(), previousBrokerEpoch);
        final long deadline = System.nanoTime()
            + TimeUnit.MILLISECONDS.toNanos(config.getInt(BrokerConfig.INITIAL_BROKER_REGISTRATION_TIMEOUT_MS));
        await(lifecycle.initialCatchUpFuture(), deadline, "catching up with the cluster metadata");
        // Kafka's broker publishes the metadata it caught up to before asking to be unfenced: the
        // partitions it leads must be open before the controller sends it clients.
        final long caughtUpTo = loader.lastAppliedOffset();
        while (publisher.publishedOffset() < caughtUpTo) {
            checkFatal();
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the cluster metadata up to offset " + caughtUpTo + " was not published within "
                    + BrokerConfig.INITIAL_BROKER_REGISTRATION_TIMEOUT_MS);
            }
            sleepMs(5);
        }
        checkFatal();
        await(lifecycle.setReadyToUnfence(), deadline, "being unfenced by the controller");
        // The controller answered "unfenced"; its UnfenceBrokerRecord reaches our metadata a moment
        // later. Until then Metadata would not list this broker: wait for it (bounded).
        while (cluster.view().broker(config.nodeId()) == null && System.nanoTime() - deadline < 0) {
            checkFatal();
            sleepMs(5);
        }
        started = true;
        LOG.info("unfenced: broker {} is RUNNING in cluster {} with broker epoch {}, {} ms after joining",
            config.nodeId(), storage.clusterId(), lifecycle.brokerEpoch(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void await(CompletableFuture<Void> step, long deadlineNanos, String what) throws IOException {
        while (true) {
            checkFatal();
            final long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new IOException("gave up " + what + " after "
                    + BrokerConfig.INITIAL_BROKER_REGISTRATION_TIMEOUT_MS + "="
                    + config.getInt(BrokerConfig.INITIAL_BROKER_REGISTRATION_TIMEOUT_MS) + " ms (controllers "
                    + config.controllerBootstrapServers() + " unreachable, or refusing this broker: see the log)");
            }
            try {
                step.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                // check for a fatal condition, then wait on
            } catch (ExecutionException e) {
                throw new IOException(what + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + what, e);
            }
        }
    }

    private void checkFatal() throws IOException {
        final String reason = fatal.getNow(null);
        if (reason != null) {
            throw new IOException(reason);
        }
    }

    private static void sleepMs(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The controller answered our BrokerRegistration with an error (on the heartbeat channel's thread). */
    private void registrationRefused(Errors error) {
        switch (error) {
            case UNSUPPORTED_VERSION -> {
                final String known = SupportedFeatures.incompatibility(publisher.finalized());
                reportFatal("the controller refused the registration (UNSUPPORTED_VERSION): " + (known != null ? known
                    : "a feature level the cluster finalized lies outside this broker's ranges "
                        + SupportedFeatures.ranges() + ". Run the controllers on a cluster formatted with features "
                        + "this broker supports: " + SupportedFeatures.COMPATIBLE_FORMAT));
            }
            case INCONSISTENT_CLUSTER_ID -> reportFatal("the controller refused the registration "
                + "(INCONSISTENT_CLUSTER_ID): this broker's storage has cluster.id=" + storage.clusterId()
                + ", the controllers' cluster differs; " + StorageCheck.formatHint() + " into empty directories");
            default -> {
                // DUPLICATE_BROKER_REGISTRATION (the previous incarnation's session has not expired yet),
                // NOT_CONTROLLER, ...: the lifecycle manager retries until the registration timeout.
            }
        }
    }

    private void reportFatal(String reason) {
        if (!fatal.complete(reason)) {
            return;
        }
        cluster.revokeForGood();
        LOG.error("cannot stay in the cluster: {}", reason);
        if (started) {
            onFatalAfterStart.run();
        }
    }

    /**
     * Kafka's controlled shutdown: the broker asks to shut down (PENDING_CONTROLLED_SHUTDOWN), the
     * controller moves its leaderships to other replicas (or leaves them leaderless) and says
     * ShouldShutDown. Bounded by the session timeout plus one heartbeat: by then a controller that
     * did not answer has fenced this broker anyway, which moves the leaderships too.
     */
    public void controlledShutdown() {
        if (!started || fatal.isDone() || closed) {
            return;
        }
        final long t0 = System.nanoTime();
        LOG.info("controlled shutdown: asking the controller to move this broker's leaderships");
        leaseChannel.shuttingDown();
        lifecycle.beginControlledShutdown();
        final long boundMs = config.getInt(BrokerConfig.BROKER_SESSION_TIMEOUT_MS)
            + (long) config.getInt(BrokerConfig.BROKER_HEARTBEAT_INTERVAL_MS);
        try {
            lifecycle.controlledShutdownFuture().get(boundMs, TimeUnit.MILLISECONDS);
            // Wait until our own metadata shows it (the partitions resigned here, logs no longer served).
            final long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(boundMs);
            while (leadsAnything() && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            LOG.info("controlled shutdown done in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (TimeoutException e) {
            LOG.warn("controlled shutdown did not complete within {} ms; stopping anyway (the controller fences "
                + "this broker after broker.session.timeout.ms)", boundMs);
        } catch (ExecutionException e) {
            LOG.warn("controlled shutdown failed: {}; stopping anyway", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // For good: a heartbeat answered "unfenced" while the shutdown went on does not bring the lease back.
        cluster.revokeForGood();
    }

    /**
     * Detaches and closes the metadata publisher (Kafka's {@code loader.removeAndClosePublisher}
     * right after the controlled shutdown): once it returns, no metadata update opens, creates or
     * deletes a partition log or tells the leadership listeners, so the broker may stop the parts
     * they use (group loader, timers, scheduler, flusher). Waits for an update in progress.
     */
    public void stopPublishing() {
        cluster.revokeForGood();
        synchronized (this) {
            if (closed || !publisherInstalled) {
                return;
            }
            publisherInstalled = false;
        }
        try {
            loader.removeAndClosePublisher(publisher).get(PUBLISHER_CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("the metadata publisher did not stop within {} ms; going on with the shutdown",
                PUBLISHER_CLOSE_TIMEOUT_MS);
        } catch (ExecutionException e) {
            LOG.warn("removing the metadata publisher failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bound on waiting for a metadata update in progress at shutdown (applying it opens or deletes logs). */
    private static final long PUBLISHER_CLOSE_TIMEOUT_MS = 60_000L;

    private boolean leadsAnything() {
        return publisher.leading() > 0;
    }

    /** The broker epoch of this incarnation (-1 when it never registered): written at clean shutdown. */
    public long brokerEpoch() {
        return cluster.brokerEpoch();
    }

    /** Stops every part, Kafka's order: lifecycle, channels, loader, Raft client; then the lock. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cluster.revokeForGood();
        metrics.remove(LOAD_ERRORS);
        metrics.remove(APPLY_ERRORS);
        try {
            lifecycle.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!lifecycleStarted) {
            // Kafka's lifecycle manager shuts the heartbeat channel only if it started; the channel built
            // its thread and network client when constructed (a start failing before the join leaks them).
            shutdownQuietly(heartbeatChannel);
        }
        shutdownQuietly(forwardingChannel);
        loader.beginShutdown();
        try {
            loader.close();
        } catch (Exception e) {
            LOG.warn("closing the metadata loader failed", e);
        }
        raft.close();
        kafkaMetrics.close();
        unlockMetadataDir();
        LOG.info("left the cluster");
    }

    private static void shutdownQuietly(NodeToControllerChannelManagerImpl channel) {
        try {
            channel.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("stopping a controller channel failed", e);
        }
    }

    private void unlockMetadataDir() {
        if (metadataDirLock != null) {
            try {
                metadataDirLock.close();
            } catch (IOException e) {
                LOG.warn("releasing the lock of {} failed", metadataDirLock.dir(), e);
            }
        }
    }
}
