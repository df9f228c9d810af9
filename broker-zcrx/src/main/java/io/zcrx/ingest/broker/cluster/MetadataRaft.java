package io.zcrx.ingest.broker.cluster;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.network.NetworkReceive;
import org.apache.kafka.common.network.Selectable;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.MetadataRecordSerde;
import org.apache.kafka.raft.Endpoints;
import org.apache.kafka.raft.FileQuorumStateStore;
import org.apache.kafka.raft.KafkaNetworkChannel;
import org.apache.kafka.raft.KafkaRaftClient;
import org.apache.kafka.raft.KafkaRaftClientDriver;
import org.apache.kafka.raft.MetadataLogConfig;
import org.apache.kafka.raft.QuorumConfig;
import org.apache.kafka.raft.RaftClient;
import org.apache.kafka.raft.RaftLog;
import org.apache.kafka.raft.RaftManager;
import org.apache.kafka.raft.TimingWheelExpirationService;
import org.apache.kafka.raft.internals.KafkaRaftLog;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.serialization.RecordSerde;
import org.apache.kafka.server.fault.FaultHandler;
import org.apache.kafka.server.util.KafkaScheduler;
import org.apache.kafka.server.util.timer.SystemTimer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's replica of {@code __cluster_metadata}: Kafka's {@link KafkaRaftClient} as an observer
 * (a node id, no voter endpoints: it fetches from the quorum leader, never votes), with its local
 * {@link KafkaRaftLog} and quorum-state file in {@code metadata.log.dir/__cluster_metadata-0},
 * reached over a {@link KafkaNetworkChannel} on the first {@code controller.listener.names} (with that listener's
 * security protocol: {@link ClientChannels#controller}, as Kafka's {@code KafkaRaftManager} builds it). The glue
 * Kafka keeps in {@code KafkaRaftManager} (Scala), made of the same Java parts.
 *
 * <p>Threads: {@code <prefix>-raft-io-thread} ({@link KafkaRaftClientDriver}: polls the Raft client, which
 * also calls the registered listener, i.e. Kafka's {@code MetadataLoader}, that hands batches to its
 * own thread), {@code <prefix>-raft-outbound-request-thread} (the network channel),
 * {@code <prefix>-raft-scheduler} (log maintenance) and the expiration timer's reaper.
 *
 * <p>Thread safety: {@link #start} and {@link #close} are called by the lifecycle thread; the rest is
 * Kafka's and thread-safe where Kafka says so.
 */
final class MetadataRaft implements RaftManager<ApiMessageAndVersion> {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataRaft.class);

    private final Path dataDir;
    private final KafkaScheduler scheduler;
    private final KafkaRaftLog raftLog;
    private final KafkaNetworkChannel netChannel;
    private final SystemTimer expirationTimer;
    private final TimingWheelExpirationService expirationService;
    private final KafkaRaftClient<ApiMessageAndVersion> client;
    private final KafkaRaftClientDriver<ApiMessageAndVersion> driver;
    private final Metrics metrics;
    private boolean started;

    /**
     * Opens (or creates) the local metadata log. Nothing runs until {@link #start}.
     *
     * @param metadataDirId the {@code directory.id} of {@code metadata.log.dir}
     * @param controllerChannels the controller listener's client channels (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)
     */
    MetadataRaft(KafkaSettings settings, ClientChannels controllerChannels, String clusterId, Uuid metadataDirId,
                 Path metadataLogDir, Metrics metrics, String threadPrefix, FaultHandler fatal) throws IOException {
        final int nodeId = settings.nodeId();
        final Time time = Time.SYSTEM;
        final LogContext logContext = new LogContext("[RaftManager id=" + nodeId + "] ");
        this.metrics = metrics;
        final QuorumConfig quorum = new QuorumConfig(settings);
        this.dataDir = metadataLogDir.resolve(Topic.CLUSTER_METADATA_TOPIC_PARTITION.topic() + "-"
            + Topic.CLUSTER_METADATA_TOPIC_PARTITION.partition());
        Files.createDirectories(dataDir);
        this.scheduler = new KafkaScheduler(1, true, threadPrefix + "-raft-scheduler");
        scheduler.startup();
        try {
            this.raftLog = KafkaRaftLog.createLog(Topic.CLUSTER_METADATA_TOPIC_PARTITION, Uuid.METADATA_TOPIC_ID,
                dataDir.toFile(), time, scheduler, new MetadataLogConfig(settings), nodeId);
        } catch (IOException | RuntimeException e) {
            shutdownQuietly(scheduler);
            throw e;
        }
        // From here a failure closes what was built, in reverse order, and rethrows: the log, its
        // scheduler thread, the network client and the timer's threads must not outlive a failed start.
        NetworkClient netClient = null;
        KafkaNetworkChannel channel = null;
        SystemTimer timer = null;
        TimingWheelExpirationService expiration = null;
        try {
            netClient = networkClient(settings, controllerChannels, metrics, time, logContext, quorum);
            channel = new KafkaNetworkChannel(time, controllerChannels.listener(), netClient, quorum.requestTimeoutMs(),
                threadPrefix + "-raft");
            timer = new SystemTimer(threadPrefix + "-raft-expiration");
            expiration = new TimingWheelExpirationService(timer);
            final List<InetSocketAddress> bootstrap = QuorumConfig.parseBootstrapServers(quorum.bootstrapServers());
            this.client = new KafkaRaftClient<>(OptionalInt.of(nodeId), metadataDirId, MetadataRecordSerde.INSTANCE,
                channel, raftLog, time, expiration, logContext,
                // Kafka flushes on replication only on controllers (they may become voters); a broker never votes.
                false, clusterId, bootstrap, Endpoints.empty(), Feature.KRAFT_VERSION.supportedVersionRange(), quorum);
            this.driver = new KafkaRaftClientDriver<>(client, threadPrefix + "-raft", fatal, logContext);
        } catch (RuntimeException e) {
            closeBuilt(e, netClient, channel, timer, expiration);
            throw e;
        }
        this.netChannel = channel;
        this.expirationTimer = timer;
        this.expirationService = expiration;
    }

    /** Closes the parts of a construction that failed, in reverse order, then the log and its scheduler. */
    private void closeBuilt(RuntimeException failure, NetworkClient netClient, KafkaNetworkChannel channel,
                            SystemTimer timer, TimingWheelExpirationService expiration) {
        try {
            if (expiration != null) {
                expiration.shutdown();
            }
            if (timer != null) {
                timer.close();
            }
            if (channel != null) {
                // Closes the network client too.
                channel.close();
            } else if (netClient != null) {
                netClient.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
        try {
            raftLog.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        shutdownQuietly(scheduler);
    }

    /** Kafka's raft network client: one in-flight request per connection, no metadata of its own. */
    private static NetworkClient networkClient(KafkaSettings settings, ClientChannels controllerChannels,
                                               Metrics metrics, Time time, LogContext logContext, QuorumConfig quorum) {
        // Kafka's builder for the controller listener's protocol; the Selector owns and closes it.
        final ChannelBuilder channels = controllerChannels.apply(logContext);
        final Selector selector = new Selector(NetworkReceive.UNLIMITED, settings.getLong("connections.max.idle.ms"),
            metrics, time, "raft-channel", Map.of(), false, channels, logContext);
        return new NetworkClient(selector, new ManualMetadataUpdater(), "raft-client-" + settings.nodeId(), 1, 50L,
            500L, Selectable.USE_DEFAULT_BUFFER_SIZE, Selectable.USE_DEFAULT_BUFFER_SIZE, quorum.requestTimeoutMs(),
            settings.getLong("socket.connection.setup.timeout.ms"),
            settings.getLong("socket.connection.setup.timeout.max.ms"), time, true, new ApiVersions(), logContext,
            MetadataRecoveryStrategy.NONE);
    }

    /** Registers the listener (the metadata loader) and starts fetching from the quorum. */
    void start(RaftClient.Listener<ApiMessageAndVersion> listener) {
        // A broker has no static voters: it learns the quorum from controller.quorum.bootstrap.servers.
        client.initialize(Map.of(), new FileQuorumStateStore(dataDir.resolve(FileQuorumStateStore.DEFAULT_FILE_NAME)
            .toFile()), metrics, ignored -> { });
        client.register(listener);
        netChannel.start();
        driver.start();
        started = true;
        LOG.info("Raft client running as an observer of {} in {}", Topic.CLUSTER_METADATA_TOPIC_NAME, dataDir);
    }

    /** Kafka's order: expiration, the driver (the client's graceful shutdown), scheduler, channel, log. */
    void close() {
        try {
            expirationService.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        expirationTimer.close();
        if (started) {
            try {
                driver.shutdown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("stopping the Raft client failed", e);
            }
        }
        shutdownQuietly(scheduler);
        try {
            netChannel.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            raftLog.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the metadata log failed; it is recovered at the next start", e);
        }
    }

    private static void shutdownQuietly(KafkaScheduler scheduler) {
        try {
            scheduler.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public CompletableFuture<ApiMessage> handleRequest(RequestContext context, RequestHeader header, ApiMessage request,
                                                       long createdTimeMs) {
        // Inbound Raft requests go to voters; an observer broker never receives any.
        return driver.handleRequest(context, header, request, createdTimeMs);
    }

    @Override
    public KafkaRaftClient<ApiMessageAndVersion> client() {
        return client;
    }

    @Override
    public RaftLog raftLog() {
        return raftLog;
    }

    @Override
    public RecordSerde<ApiMessageAndVersion> recordSerde() {
        return MetadataRecordSerde.INSTANCE;
    }

    File dataDir() {
        return dataDir.toFile();
    }
}
