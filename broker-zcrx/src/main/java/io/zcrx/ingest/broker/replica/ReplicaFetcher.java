package io.zcrx.ingest.broker.replica;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.log.AppendResult;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.epoch.EpochEndOffset;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.NetworkClientUtils;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.network.NetworkReceive;
import org.apache.kafka.common.network.Selectable;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica fetcher thread (Kafka's {@code ReplicaFetcherThread} with its {@code RemoteLeaderEndPoint} and
 * {@code BrokerBlockingSender}): one connection to one source broker, fetching the partitions that broker leads and
 * that {@link ReplicaFetcherManager} gave this fetcher, and appending the answers to the local logs as they are.
 *
 * <p>Each round is one full Fetch (session id 0, epoch -1: no incremental sessions) at the highest version both
 * sides support (negotiated by kafka-clients' {@link NetworkClient} through ApiVersions), with
 * {@code ReplicaState{ReplicaId = node.id, ReplicaEpoch = broker epoch}} and per partition our log end offset, our
 * latest epoch as LastFetchedEpoch (v12+: the leader answers DivergingEpoch when our log went its own way, so
 * becoming a follower needs no OffsetForLeaderEpoch round trip and no upfront truncation), the controller's leader
 * epoch and our log start offset. Answers are applied under {@link #partitionLock}, which
 * {@link #removePartition} also takes: once removal returned, this thread no longer touches that log.
 *
 * <p>Errors: DivergingEpoch truncates (Kafka's {@code getOffsetTruncationState}) and fetching goes on;
 * OFFSET_OUT_OF_RANGE asks the leader for its log end and start (ListOffsets) and truncates, or restarts the log
 * at the leader's start when ours ends before it; NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH
 * and the unknown-topic errors hold the partition for {@code replica.fetch.backoff.ms} (the metadata log brings the
 * new leadership, which replaces it); a connection failure or timeout closes the connection and backs every
 * partition off. A follower never sends AlterPartition: the leader adds it to the ISR.
 */
final class ReplicaFetcher extends Thread {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    /** DivergingEpoch and LastFetchedEpoch need Fetch v12; the leader picks the highest we both speak. */
    private static final short MIN_FETCH_VERSION = 12;

    private final int sourceBrokerId;
    private final int fetcherId;
    private final BrokerConfig config;
    private final ClusterState cluster;
    private final int selfId;
    private final ConcurrentHashMap<TopicPartition, FollowerPartition> partitions = new ConcurrentHashMap<>();
    /** Held while a partition's answer is applied and while a partition is removed. */
    private final ReentrantLock partitionLock = new ReentrantLock();
    private final Object idle = new Object();
    private final Time time = Time.SYSTEM;
    private final Metrics clientMetrics = new Metrics();
    private final NetworkClient client;
    private final AppendResult appendResult = new AppendResult();
    private volatile boolean running = true;
    private Node connectedTo;

    /**
     * @param channels the inter-broker listener's client channel builder (Kafka's, for its security protocol:
     *                 PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, SASL with
     *                 {@code sasl.mechanism.inter.broker.protocol})
     */
    ReplicaFetcher(int sourceBrokerId, int fetcherId, BrokerConfig config, ClusterState cluster,
                   Function<LogContext, ChannelBuilder> channels) {
        super("ReplicaFetcherThread-" + fetcherId + "-" + sourceBrokerId);
        setDaemon(true);
        this.sourceBrokerId = sourceBrokerId;
        this.fetcherId = fetcherId;
        this.config = config;
        this.cluster = cluster;
        this.selfId = config.nodeId();
        this.client = networkClient(channels);
    }

    /** Kafka's BrokerBlockingSender's client: one connection, no metadata, versions negotiated. */
    private NetworkClient networkClient(Function<LogContext, ChannelBuilder> channelBuilders) {
        final LogContext logContext = new LogContext("[ReplicaFetcher replicaId=" + selfId + ", leaderId="
            + sourceBrokerId + ", fetcherId=" + fetcherId + "] ");
        final ChannelBuilder channels = channelBuilders.apply(logContext);
        final Selector selector = new Selector(NetworkReceive.UNLIMITED, 10 * 60 * 1000L, clientMetrics, time,
            "replica-fetcher", Map.of("broker-id", Integer.toString(sourceBrokerId), "fetcher-id",
            Integer.toString(fetcherId)), false, channels, logContext);
        final int socketTimeout = config.getInt(BrokerConfig.REPLICA_SOCKET_TIMEOUT_MS);
        return new NetworkClient(selector, new ManualMetadataUpdater(), "broker-" + selfId + "-fetcher-" + fetcherId,
            1, 0L, 0L, Selectable.USE_DEFAULT_BUFFER_SIZE, 64 * 1024, socketTimeout, 10_000L, 30_000L, time, true,
            new ApiVersions(), logContext, MetadataRecoveryStrategy.NONE);
    }

    int sourceBrokerId() {
        return sourceBrokerId;
    }

    /** Adds or replaces (new leader epoch) a partition; fetching starts at the next round. */
    void addPartition(FollowerPartition p) {
        partitionLock.lock();
        try {
            partitions.put(p.topicPartition, p);
        } finally {
            partitionLock.unlock();
        }
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    /** Stops fetching a partition; when this returns, this thread no longer reads or writes its log. */
    FollowerPartition removePartition(TopicPartition tp) {
        partitionLock.lock();
        try {
            return partitions.remove(tp);
        } finally {
            partitionLock.unlock();
        }
    }

    int partitionCount() {
        return partitions.size();
    }

    long maxLag() {
        long max = 0;
        for (FollowerPartition p : partitions.values()) {
            max = Math.max(max, p.lag);
        }
        return max;
    }

    /** Asks the thread to stop; it closes its connection on the way out. */
    void initiateShutdown() {
        running = false;
        client.wakeup();
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    /** Stops the thread and waits for it (at most one fetch in flight, bounded by replica.socket.timeout.ms). */
    void shutdown() {
        initiateShutdown();
        try {
            join(Math.max(1000L, config.getInt(BrokerConfig.REPLICA_SOCKET_TIMEOUT_MS)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        LOG.info("Replica fetcher started: leaderId={}, fetcherId={}", sourceBrokerId, fetcherId);
        while (running) {
            try {
                doWork();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.error("Replica fetcher round failed: leaderId={}, fetcherId={}", sourceBrokerId, fetcherId, e);
                    backOffAll();
                }
            }
        }
        client.close();
        clientMetrics.close();
        LOG.info("Replica fetcher stopped: leaderId={}, fetcherId={}", sourceBrokerId, fetcherId);
    }

    private void doWork() {
        final long now = time.milliseconds();
        final Map<TopicPartition, FollowerPartition> fetching = new LinkedHashMap<>();
        final Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        final int maxBytes = config.getInt(BrokerConfig.REPLICA_FETCH_MAX_BYTES);
        for (FollowerPartition p : partitions.values()) {
            if (p.delayedUntilMs > now || !p.log.isOnline()) {
                continue;
            }
            final PartitionLog log = p.log;
            final int latestEpoch = log.latestEpoch();
            fetching.put(p.topicPartition, p);
            data.put(p.topicPartition, new FetchRequest.PartitionData(p.topicId, log.logEndOffset(),
                log.logStartOffset(), maxBytes, Optional.of(p.leaderEpoch),
                latestEpoch < 0 ? Optional.empty() : Optional.of(latestEpoch)));
        }
        if (fetching.isEmpty()) {
            pause(Math.min(100L, config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS)));
            return;
        }
        final Node leader = leaderNode();
        if (leader == null) {
            pause(config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS));
            return;
        }
        final FetchRequest.Builder builder = new FetchRequest.Builder(MIN_FETCH_VERSION,
            ApiKeys.FETCH.latestVersion(), selfId, cluster.brokerEpoch(),
            config.getInt(BrokerConfig.REPLICA_FETCH_WAIT_MAX_MS), config.getInt(BrokerConfig.REPLICA_FETCH_MIN_BYTES),
            data).setMaxBytes(config.getInt(BrokerConfig.REPLICA_FETCH_RESPONSE_MAX_BYTES));
        final ClientResponse response;
        try {
            response = sendAndReceive(leader, builder);
        } catch (IOException e) {
            if (running) {
                LOG.info("Error sending fetch request to the leader: leaderId={}, endpoint={}:{}, partitions={}: {}",
                    sourceBrokerId, leader.host(), leader.port(), fetching.size(), e.toString());
                backOffAll();
            }
            return;
        }
        final FetchResponse fetchResponse = (FetchResponse) response.responseBody();
        if (fetchResponse.error() != Errors.NONE) {
            LOG.warn("Fetch request failed as a whole: leaderId={}, error={}", sourceBrokerId, fetchResponse.error());
            backOffAll();
            return;
        }
        final Map<Uuid, String> names = new HashMap<>();
        for (FollowerPartition p : fetching.values()) {
            names.put(p.topicId, p.topicPartition.topic());
        }
        final short version = response.requestHeader().apiVersion();
        for (Map.Entry<TopicPartition, FetchResponseData.PartitionData> e
                : fetchResponse.responseData(names, version).entrySet()) {
            final FollowerPartition sent = fetching.get(e.getKey());
            if (sent == null) {
                continue;
            }
            partitionLock.lock();
            try {
                // Removed or replaced (new leader epoch) while the fetch was in flight: the answer is stale.
                if (running && partitions.get(e.getKey()) == sent) {
                    processPartition(sent, e.getValue(), leader);
                }
            } finally {
                partitionLock.unlock();
            }
        }
    }

    private ClientResponse sendAndReceive(Node leader, AbstractRequest.Builder<?> builder) throws IOException {
        final int timeout = config.getInt(BrokerConfig.REPLICA_SOCKET_TIMEOUT_MS);
        if (!NetworkClientUtils.awaitReady(client, leader, time, timeout)) {
            throw new IOException("connection to " + leader + " was not ready within " + timeout + " ms");
        }
        final ClientRequest request = client.newClientRequest(leader.idString(), builder, time.milliseconds(), true,
            timeout, null);
        return NetworkClientUtils.sendAndReceive(client, request, time);
    }

    /** The leader's endpoint from the current cluster view; reconnects when it moved (a restarted broker). */
    private Node leaderNode() {
        final BrokerNode b = cluster.view().broker(sourceBrokerId);
        if (b == null) {
            return null;
        }
        final Node node = new Node(b.id(), b.host(), b.port());
        if (connectedTo != null && !connectedTo.equals(node)) {
            client.close(connectedTo.idString());
        }
        connectedTo = node;
        return node;
    }

    /** Applies one partition's answer (partition lock held). */
    private void processPartition(FollowerPartition p, FetchResponseData.PartitionData pd, Node leader) {
        final Errors error = Errors.forCode(pd.errorCode());
        final PartitionLog log = p.log;
        final long now = time.milliseconds();
        try {
            switch (error) {
                case NONE -> {
                    if (FetchResponse.isDivergingEpoch(pd)) {
                        truncateOnDivergence(p, pd.divergingEpoch(), now);
                        return;
                    }
                    final Records records = FetchResponse.recordsOrFail(pd);
                    if (records instanceof MemoryRecords memory && memory.sizeInBytes() > 0) {
                        final ByteBuffer buffer = memory.buffer();
                        log.appendAsFollower(buffer, now, appendResult);
                        if (appendResult.errorCode == Errors.OFFSET_OUT_OF_RANGE.code()
                                && restartAtFirstBatch(log, buffer, now)) {
                            log.appendAsFollower(buffer, now, appendResult);
                        }
                        if (appendResult.errorCode != 0) {
                            LOG.warn("Appending the leader's batches failed: partition={}, leaderId={}, error={}: {}",
                                p.topicPartition, sourceBrokerId, Errors.forCode(appendResult.errorCode),
                                appendResult.errorMessage);
                            p.delayedUntilMs = now + config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS);
                            return;
                        }
                    }
                    log.updateFollowerHighWatermark(pd.highWatermark());
                    followLeaderLogStart(log, pd.logStartOffset(), now);
                    p.lag = Math.max(0L, pd.highWatermark() - log.logEndOffset());
                }
                case OFFSET_OUT_OF_RANGE -> handleOutOfRange(p, leader, now);
                case NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION,
                    UNKNOWN_TOPIC_ID, INCONSISTENT_TOPIC_ID, OFFSET_MOVED_TO_TIERED_STORAGE -> {
                    // The leadership moved, or the leader has not applied it yet: wait for the metadata log.
                    LOG.info("Partition {} is not fetchable from broker {} now ({}); retrying after {} ms",
                        p.topicPartition, sourceBrokerId, error, config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS));
                    p.delayedUntilMs = now + config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS);
                }
                default -> {
                    LOG.warn("Error fetching partition {} from broker {}: {}", p.topicPartition, sourceBrokerId,
                        error);
                    p.delayedUntilMs = now + config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Replicating partition {} from broker {} failed", p.topicPartition, sourceBrokerId, e);
            p.delayedUntilMs = now + config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS);
        }
    }

    /**
     * Kafka's {@code ReplicaFetcherThread.processPartitionData} tail: the leader's log start offset (moved by
     * DeleteRecords or its retention) becomes ours, so records deleted on the leader are gone here too and a later
     * leadership change does not bring them back. Kafka caps it at the follower's high watermark; ours is the
     * leader's capped at our log end, so the part of the log we have not fetched yet is never skipped.
     */
    private static void followLeaderLogStart(PartitionLog log, long leaderLogStart, long now) {
        final long cap = Math.min(log.followerHighWatermark(), log.logEndOffset());
        final long target = Math.min(leaderLogStart, cap);
        if (target > log.logStartOffset()) {
            log.maybeIncrementLogStartOffset(target, cap, now);
        }
    }

    /**
     * Kafka's {@code Partition.doAppendRecordsToFollowerOrFutureReplica} case: an empty log restarted at the leader's
     * log start (which may lie inside a batch) gets the batch holding that offset, whose base lies below it; the log
     * restarts at that base so the batch lands as it is. True when it did.
     */
    private boolean restartAtFirstBatch(PartitionLog log, ByteBuffer records, long now) {
        final int pos = records.position();
        if (records.remaining() < RecordBatchLayout.RECORD_BATCH_OVERHEAD) {
            return false;
        }
        final long base = records.getLong(pos + RecordBatchLayout.BASE_OFFSET_OFFSET);
        final long last = base + records.getInt(pos + RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
        final long end = log.logEndOffset();
        if (end != log.logStartOffset() || base >= end || last < end) {
            return false;
        }
        LOG.info("Partition {}: the leader's first batch starts at {}, below our empty log's start {}; restarting the "
            + "log at {}", log.topicPartition(), base, end, base);
        log.truncateFullyAndStartAt(base, now);
        return true;
    }

    /**
     * Kafka's {@code getOffsetTruncationState} for a DivergingEpoch answer: where the leader's epoch ends, cut
     * our log there, or where our own copy of that epoch ends when we hold an older one (the next fetch then
     * compares again).
     */
    private void truncateOnDivergence(FollowerPartition p, FetchResponseData.EpochEndOffset diverging, long now) {
        final PartitionLog log = p.log;
        final long ourEnd = log.logEndOffset();
        final long target = divergenceTruncationOffset(log, diverging.epoch(), diverging.endOffset());
        LOG.info("Truncating partition {} to offset {} after a diverging epoch from leader {}: leader's epoch {} ends "
            + "at {}, our log end offset {}", p.topicPartition, target, sourceBrokerId, diverging.epoch(),
            diverging.endOffset(), ourEnd);
        log.truncateTo(target, now);
    }

    /**
     * Where a DivergingEpoch answer (the leader's {@code leaderEpoch} ends at {@code leaderEndOffset}) makes
     * {@code log} truncate, never past its end: no end known, the follower high watermark; no epoch known, the
     * leader's end offset; an epoch we do not hold, where our largest older epoch ends; the same epoch, the smaller
     * of both ends.
     */
    static long divergenceTruncationOffset(PartitionLog log, int leaderEpoch, long leaderEndOffset) {
        final long ourEnd = log.logEndOffset();
        if (leaderEndOffset < 0) {
            return Math.min(ourEnd, Math.max(0L, log.followerHighWatermark()));
        }
        if (leaderEpoch < 0) {
            return Math.min(leaderEndOffset, ourEnd);
        }
        final EpochEndOffset ours = log.endOffsetForEpoch(leaderEpoch);
        if (ours.isUndefined()) {
            return Math.min(leaderEndOffset, ourEnd);
        }
        if (ours.epoch() != leaderEpoch) {
            return Math.min(ours.endOffset(), ourEnd);
        }
        return Math.min(Math.min(leaderEndOffset, ours.endOffset()), ourEnd);
    }

    /**
     * Kafka's {@code fetchOffsetAndTruncate}: a leader whose log ends before ours (an unclean election) makes us
     * truncate to its end; a leader whose log starts after our end (retention ran while we were away) makes us
     * restart empty at its start.
     */
    private void handleOutOfRange(FollowerPartition p, Node leader, long now) {
        final PartitionLog log = p.log;
        final long ourEnd = log.logEndOffset();
        try {
            final long leaderEnd = listOffset(p, leader, ListOffsetsRequest.LATEST_TIMESTAMP);
            if (leaderEnd < ourEnd) {
                LOG.warn("Truncating partition {} to the leader's log end offset {} (ours {}): leader {}",
                    p.topicPartition, leaderEnd, ourEnd, sourceBrokerId);
                log.truncateTo(leaderEnd, now);
                return;
            }
            final long leaderStart = listOffset(p, leader, ListOffsetsRequest.EARLIEST_TIMESTAMP);
            if (leaderStart > ourEnd) {
                LOG.info("Partition {}: our log end offset {} is below the leader's log start offset {}; restarting "
                    + "the log there", p.topicPartition, ourEnd, leaderStart);
                log.truncateFullyAndStartAt(leaderStart, now);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Handling an out-of-range fetch offset for {} failed: {}", p.topicPartition, e.toString());
            p.delayedUntilMs = now + config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS);
        }
    }

    /** ListOffsets as a replica for one timestamp (earliest/latest) at the leader; the offset or an exception. */
    private long listOffset(FollowerPartition p, Node leader, long timestamp) throws IOException {
        final ListOffsetsTopic topic = new ListOffsetsTopic().setName(p.topicPartition.topic()).setPartitions(List.of(
            new ListOffsetsPartition().setPartitionIndex(p.topicPartition.partition())
                .setCurrentLeaderEpoch(p.leaderEpoch).setTimestamp(timestamp)));
        final ListOffsetsRequest.Builder builder =
            ListOffsetsRequest.Builder.forReplica(ApiKeys.LIST_OFFSETS.latestVersion(), selfId)
                .setTargetTimes(new ArrayList<>(List.of(topic)));
        final ListOffsetsResponse answer = (ListOffsetsResponse) sendAndReceive(leader, builder).responseBody();
        for (ListOffsetsTopicResponse t : answer.data().topics()) {
            for (ListOffsetsPartitionResponse r : t.partitions()) {
                final Errors error = Errors.forCode(r.errorCode());
                if (error != Errors.NONE) {
                    throw error.exception();
                }
                return r.offset();
            }
        }
        throw new IOException("ListOffsets answer without partition " + p.topicPartition);
    }

    private void backOffAll() {
        final long until = time.milliseconds() + config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS);
        for (FollowerPartition p : partitions.values()) {
            p.delayedUntilMs = Math.max(p.delayedUntilMs, until);
        }
        if (connectedTo != null) {
            client.close(connectedTo.idString());
        }
    }

    private void pause(long ms) {
        synchronized (idle) {
            if (running && ms > 0) {
                try {
                    idle.wait(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }
}
