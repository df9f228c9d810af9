package io.zcrx.ingest.broker.produce;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metrics.BrokerTopicMetrics;
import io.zcrx.ingest.broker.metrics.Histogram;
import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.FetchWaiters;
import io.zcrx.ingest.broker.request.RequestChannel;
import io.zcrx.ingest.broker.runtime.LogFlusher;
import io.zcrx.ingest.broker.runtime.RateLimitedLog;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.broker.security.authz.Requester;
import io.zcrx.ingest.broker.security.authz.TopicGrants;
import io.zcrx.ingest.log.AppendBatch;
import io.zcrx.ingest.log.AppendResult;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import io.zcrx.ingest.protocol.produce.ProduceDecoder;
import io.zcrx.ingest.protocol.produce.ProduceRequestView;
import io.zcrx.ingest.protocol.produce.ProduceResponseEncoder;
import io.zcrx.ingest.protocol.produce.ProduceResults;
import io.zcrx.ingest.protocol.record.BatchValidator;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce, v3-v13: the hot path (docs/design.md, "The data path"). The request is decoded over the frame's slices
 * (nothing copied), each partition's batch is checked in place, appended with one gather write of
 * the patched header copy plus the payload slices, and the response is encoded straight into the
 * connection's outbound blocks. The frame (and so the receive memory) is released by the caller
 * after this returns, i.e. after every append's write has completed.
 *
 * <p>Order of checks (docs/kafka-protocol-notes.md#order-of-checks): transactional id (no transactions here), acks,
 * topic and partition, then the batch (validator) and the log (idempotence, I/O). acks=0 gets no response; if any
 * partition failed the connection is closed so the producer notices.
 *
 * <p>Cluster mode: a partition of a known topic whose log is not here (led by another broker) is
 * NOT_LEADER_OR_FOLLOWER, and so is every partition while this broker may not lead (its session
 * with the controller is lost or fenced: {@code ClusterState.mayLead}, read once per request), so
 * nothing is acknowledged that a new leader could not see. From v10 the answer names the partition's
 * current leader and its endpoint (KIP-951) where that leader is alive, so the Java producer moves
 * without a Metadata round trip; without a known leader (or with the lease lost, when this broker
 * knows no better) no hint is given and the client refreshes its metadata. A reactor may still hold a log that
 * the metadata thread has just taken away: the log itself refuses the append once it resigned
 * ({@code PartitionLog.resign}, checked under its append lock), answered NOT_LEADER_OR_FOLLOWER with the hint.
 *
 * <p>Internal topics ({@code __consumer_offsets}, {@code __transaction_state}) are INVALID_TOPIC_EXCEPTION, before
 * the partition is looked at, unless the request's client id is {@value #ADMIN_CLIENT_ID}, as Kafka's
 * {@code ReplicaManager.appendToLocalLog}: only the group coordinator writes them. One field read per topic; the
 * client id is compared only for an internal topic.
 *
 * <p>Durability: with {@code log.flush.group.commit.enable} an acks=all response, and with
 * {@code flush.messages} the response to the append that reaches it, waits for the flusher's fsync
 * ({@link DurableAcks}): it is encoded now, parked, and sent when the partition's recovery point has
 * passed the batch (KAFKA_STORAGE_ERROR if the fsync failed; NOT_LEADER_OR_FOLLOWER if the lease was lost or the
 * log resigned meanwhile).
 *
 * <p>Replication (cluster mode), as Kafka's {@code Partition.appendRecordsToLeader} and {@code DelayedProduce}: an
 * acks=all batch for a partition whose ISR is under its effective {@code min.insync.replicas} is refused before the
 * append (NOT_ENOUGH_REPLICAS); an acks=all answer whose batch is above the partition's high watermark after the
 * append is parked the same way until the in-sync followers have fetched it (the high watermark passes it), or until
 * the request's TimeoutMs (REQUEST_TIMED_OUT). acks=1 answers after the local write. Standalone and single-replica
 * partitions commit every append at once (their high watermark is the log end), so nothing waits there.
 *
 * <p>Metrics, per partition of a request as Kafka counts them: the topic's and all topics'
 * {@code TotalProduceRequestsPerSec}, {@code FailedProduceRequestsPerSec} when the partition's
 * answer is an error, and for each batch appended (duplicates excepted: nothing is written)
 * {@code BytesInPerSec} (the whole batch, header included, as stored) and {@code MessagesInPerSec};
 * the append's duration in {@code zcrx:type=Log,name=AppendLatencyMs}.
 *
 * <p>Authorization (with {@code authorizer.class.name}), as Kafka's {@code handleProduceRequest}: WRITE on each topic,
 * checked before the topic's existence, else TOPIC_AUTHORIZATION_FAILED for its partitions. A grant is cached per
 * connection ({@link TopicGrants}: keyed by the topic object, valid while the ACL version it was taken at is
 * current), so an authorized connection pays one volatile read per request and a table probe per topic; only a
 * miss (the first request, an ACL change, a denial) asks the authorizer.
 *
 * <p>One per reactor thread; allocates nothing per request unless something fails (a response that
 * waits for an fsync costs its connection's {@code PendingResponse}). Not thread-safe.
 */
public final class ProduceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);
    /**
     * Kafka's {@code AdminUtils.ADMIN_CLIENT_ID}: the one client id allowed to produce to internal topics
     * ({@code KafkaApis.handleProduceRequest}'s {@code internalTopicsAllowed}).
     */
    static final String ADMIN_CLIENT_ID = "__admin_client";
    private static final String NO_LEASE =
        "This broker's session with the controller is lost; it may not lead until a heartbeat succeeds";

    private final BrokerContext ctx;
    private final ProduceDecoder decoder = new ProduceDecoder();
    private final ProduceRequestView view = new ProduceRequestView();
    private final ProduceResults results = new ProduceResults();
    private final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
    private final BatchValidator validator;
    private final AppendBatch batch = new AppendBatch();
    private final AppendResult appendResult = new AppendResult();
    private final TopicLookupCache topics;
    private final Authorization authorization;
    /** Fetch long polls to wake after an append (one volatile read when nobody waits). */
    private final FetchWaiters fetchWaiters;
    private final RateLimitedLog rejections = new RateLimitedLog(LOG, 10);
    /** This reactor's id: its stripe in every metric. */
    private final int stripe;
    private final BrokerTopicMetrics allTopics;
    private final Histogram appendLatency;
    /** False under metrics.enable=false: the clock is not read for the append latency either. */
    private final boolean timing;
    private long batchesAppended;
    private long bytesAppended;
    /** log.flush.group.commit.enable: acks=all answers wait for an fsync covering their batches. */
    private final boolean groupCommit;
    /** Created on the first request that must wait for an fsync (it needs the reactor). */
    private DurableAcks durable;
    /** This request's slots that must be durable before it is answered: [0, syncCount). */
    private int syncCount;
    private int[] syncSlots = new int[16];
    private PartitionLog[] syncLogs = new PartitionLog[16];
    private long[] syncLastOffsets = new long[16];
    private byte[] syncWaits = new byte[16];
    /** Whether some slot of this request waits for replication (the response then has a deadline). */
    private boolean syncReplication;
    /** Cluster mode: the leader side of replication (ISR checks, acks=all wake-ups); null standalone. */
    private final LeaderPartitions replicas;

    /** A standalone broker's handler: no replication. */
    public ProduceHandler(BrokerContext ctx, int stripe) {
        this(ctx, stripe, null);
    }

    /**
     * @param stripe   the reactor's id (its stripe in the metrics)
     * @param replicas the leader side of replication in cluster mode, null standalone
     */
    public ProduceHandler(BrokerContext ctx, int stripe, LeaderPartitions replicas) {
        this.ctx = ctx;
        this.replicas = replicas;
        this.stripe = stripe;
        this.allTopics = ctx.allTopicsMetrics();
        this.appendLatency = ctx.appendLatency();
        this.timing = ctx.metrics().recording();
        this.validator = new BatchValidator(ctx.config().getInt(
            BrokerConfig.MESSAGE_DECOMPRESSED_MAX_BYTES));
        this.topics = new TopicLookupCache(ctx.topics());
        this.authorization = ctx.authorization();
        this.fetchWaiters = ctx.fetchWaiters();
        this.groupCommit = ctx.config().getBoolean(BrokerConfig.LOG_FLUSH_GROUP_COMMIT_ENABLE);
        decoder.limits(ctx.config().getInt(BrokerConfig.REQUEST_MAX_TOPICS),
            ctx.config().getInt(BrokerConfig.REQUEST_MAX_PARTITIONS));
    }

    /**
     * @param cursor positioned at the first body byte of {@code frame}, limited to its end
     * @throws io.zcrx.ingest.protocol.bytes.ProtocolException when the body is malformed (the caller
     *     closes the connection; nothing was appended)
     */
    public void handle(RequestChannel channel, Frame frame, RequestHeaderView header, SliceCursor cursor) {
        final short version = header.apiVersion();
        decoder.decode(cursor, version, view);
        final int partitions = view.partitionCount();
        results.reset(partitions);
        final long nowMs = ctx.nowMs();
        final short acks = view.acks();
        final SliceList body = frame.body();
        syncCount = 0;
        syncReplication = false;

        if (view.hasTransactionalId()) {
            failAll(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "transactions are not supported by this broker");
        } else if (acks != 0 && acks != 1 && acks != -1) {
            failAll(Errors.INVALID_REQUIRED_ACKS, "acks must be -1, 0 or 1: acks=" + acks);
        } else {
            // One clock read per request, and only in cluster mode (standalone leads for ever).
            final boolean mayLead = !ctx.clusterMode() || ctx.cluster().mayLead(System.nanoTime());
            final boolean byId = version >= 13;
            final boolean checked = authorization.enabled();
            final long aclVersion = checked ? authorization.version() : 0;
            for (int t = 0, topicCount = view.topicCount(); t < topicCount; t++) {
                final TopicInfo topic = byId
                    ? topics.byId(view.topicIdMsb(t), view.topicIdLsb(t))
                    : topics.byName(body, view.topicNamePosition(t), view.topicNameLength(t));
                final int first = view.topicFirstPartition(t);
                final int end = first + view.topicPartitionCount(t);
                final BrokerTopicMetrics topicMetrics = topic == null ? null : topic.metrics();
                final boolean denied = checked && !mayWrite(channel, header, body, topic, t, byId, aclVersion);
                for (int slot = first; slot < end; slot++) {
                    if (denied) {
                        results.setError(slot, Errors.TOPIC_AUTHORIZATION_FAILED.code(), null, -1);
                        continue;
                    }
                    if (topic == null) {
                        // Kafka counts no topic metric for a topic it does not have.
                        results.setError(slot,
                            (byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code(), null, -1);
                        continue;
                    }
                    topicMetrics.totalProduceRequests.mark(stripe, 1);
                    allTopics.totalProduceRequests.mark(stripe, 1);
                    if (topic.isInternal() && !ADMIN_CLIENT_ID.equals(header.clientId(body))) {
                        // ReplicaManager.appendToLocalLog: checked before the partition (no custom message).
                        results.setError(slot, Errors.INVALID_TOPIC_EXCEPTION.code(), null, -1);
                        if (rejections.tryAcquire(nowMs)) {
                            LOG.warn("refused produce to internal topic {} from {} ({})", topic.name(),
                                channel.describe(), header.clientId(body));
                        }
                    } else {
                        final int index = view.partitionIndex(slot);
                        final PartitionLog log = topic.partition(index);
                        if (log == null) {
                            notHere(topic, index, slot, channel.listener());
                        } else if (!mayLead) {
                            results.setError(slot, Errors.NOT_LEADER_OR_FOLLOWER.code(), NO_LEASE, -1);
                        } else if (acks == -1 && replicas != null && replicas.minIsrShortfall(log) > 0) {
                            notEnoughReplicas(channel, topic, log, slot, nowMs);
                        } else {
                            append(channel, body, topic, log, slot, version, acks, nowMs);
                        }
                    }
                    if (results.errorCode(slot) != 0) {
                        topicMetrics.failedProduceRequests.mark(stripe, 1);
                        allTopics.failedProduceRequests.mark(stripe, 1);
                    }
                }
            }
        }

        if (acks == 0) {
            if (results.anyError()) {
                channel.closeAfterFailure("acks=0 produce failed for at least one partition: " + firstError());
            }
            return;
        }
        final int length = encoder.encodedLength(view, results, body);
        if (syncCount > 0) {
            deferUntilDurable(channel, header, body, length);
            return;
        }
        final ByteBuffer out = channel.beginResponse(length);
        encoder.encode(header.correlationId(), view, results, body, out);
        channel.commitResponse();
    }

    /**
     * WRITE on the request's topic {@code t}: a cached grant of this connection, else the authorizer (a grant is
     * cached; a denial is not, so each one is audited). A topic unknown by id has no name to check: it stays
     * UNKNOWN_TOPIC_ID, as Kafka resolves ids before authorizing.
     */
    private boolean mayWrite(RequestChannel channel, RequestHeaderView header, SliceList body, TopicInfo topic, int t,
                             boolean byId, long aclVersion) {
        final TopicGrants grants = channel.topicGrants();
        final KafkaPrincipal principal = channel.principal();
        if (topic != null && grants != null && grants.granted(principal, topic, aclVersion)) {
            return true;
        }
        if (topic == null && byId) {
            return true;
        }
        final String name = topic != null ? topic.name()
            : TopicLookupCache.decode(body, view.topicNamePosition(t), view.topicNameLength(t));
        final Requester who = new Requester(channel.listener() == null ? "" : channel.listener(),
            channel.securityProtocol(), principal, channel.clientAddress(), ApiKeys.PRODUCE.id, header.apiVersion(),
            header.clientId(body), header.correlationId());
        if (!authorization.authorize(who, AclOperation.WRITE, ResourceType.TOPIC, name)) {
            return false;
        }
        if (topic != null && grants != null) {
            grants.grant(principal, topic, aclVersion);
        }
        return true;
    }

    /**
     * The response waits for the flusher: encoded now as a success (the request frame is released
     * when this returns), parked, and completed on this reactor once every slot that needed an
     * fsync is below its partition's recovery point; a slot whose fsync failed is then patched to
     * KAFKA_STORAGE_ERROR.
     */
    private void deferUntilDurable(RequestChannel channel, RequestHeaderView header, SliceList body, int length) {
        final DurableAcks acks = durableAcks(channel);
        final DeferredProduce d = acks.take();
        encoder.encode(header.correlationId(), view, results, body, d.begin(length, view.version()));
        for (int i = 0; i < syncCount; i++) {
            d.addSlot(syncLogs[i], syncLastOffsets[i], encoder.errorCodeIndex(syncSlots[i]), syncWaits[i]);
            syncLogs[i] = null;
        }
        if (syncReplication) {
            // Kafka's DelayedProduce times out after the request's TimeoutMs (the producer's request.timeout.ms).
            d.deadline(System.nanoTime() + Math.max(0, view.timeoutMs()) * 1_000_000L);
        }
        // The header version is irrelevant: the frame is complete, header included.
        d.pending = channel.defer(header.correlationId(), (short) 0, view.version());
        acks.park(d);
    }

    private DurableAcks durableAcks(RequestChannel channel) {
        if (durable == null) {
            durable = new DurableAcks(ctx.flusher(), channel.reactor(),
                ctx.metrics().histogram(LogFlusher.GROUP_COMMIT_BATCH_SIZE, 1 << 20), stripe,
                ctx.clusterMode() ? ctx.cluster() : null, replicas, ctx.timer());
            ctx.flusher().attach(durable);
            if (replicas != null) {
                replicas.register(durable);
            }
        }
        return durable;
    }

    /**
     * After a successful append (or a duplicate): whether the answer must wait. For an fsync: acks=all with group
     * commit, and any acknowledged append that brings the partition's unflushed offsets to {@code flush.messages}, as
     * Kafka flushes inline before it answers (an acks=0 append reaching it asks for the flush without anyone
     * waiting). For replication: acks=all while the partition's high watermark is not past the batch.
     */
    private void afterAppend(RequestChannel channel, PartitionLog log, int slot, short acks, long lastOffset) {
        final boolean flushMessagesReached = log.unflushedMessages() >= log.config().flushMessages;
        if (acks == 0) {
            if (flushMessagesReached) {
                durableAcks(channel).requestFlush(log);
            }
            return;
        }
        byte waits = 0;
        if ((flushMessagesReached || (groupCommit && acks == -1)) && log.recoveryPoint() <= lastOffset) {
            durableAcks(channel).requestFlush(log);
            waits |= DeferredProduce.WAIT_FLUSH;
        }
        if (acks == -1) {
            // High watermark first, then the leadership (see DeferredProduce.settle): a leadership lost after the
            // append may have released the high watermark to the log end; such a batch is not committed.
            final long highWatermark = log.highWatermark();
            if (!log.isLeading()) {
                results.setError(slot, Errors.NOT_LEADER_OR_FOLLOWER.code(), null, -1);
                return;
            }
            if (highWatermark <= lastOffset) {
                waits |= DeferredProduce.WAIT_REPLICATION;
                syncReplication = true;
            }
        }
        if (waits == 0) {
            return;
        }
        if (syncCount == syncSlots.length) {
            syncSlots = Arrays.copyOf(syncSlots, syncCount * 2);
            syncLogs = Arrays.copyOf(syncLogs, syncCount * 2);
            syncLastOffsets = Arrays.copyOf(syncLastOffsets, syncCount * 2);
            syncWaits = Arrays.copyOf(syncWaits, syncCount * 2);
        }
        syncSlots[syncCount] = slot;
        syncLogs[syncCount] = log;
        syncLastOffsets[syncCount] = lastOffset;
        syncWaits[syncCount] = waits;
        syncCount++;
    }

    /**
     * Kafka's {@code NotEnoughReplicasException} before the append: the partition's ISR is under its effective
     * {@code min.insync.replicas}, so an acks=all write could not be committed (acks=1 and 0 still append).
     */
    private void notEnoughReplicas(RequestChannel channel, TopicInfo topic, PartitionLog log, int slot, long nowMs) {
        final String why = replicas.minIsrMessage(log);
        results.setError(slot, Errors.NOT_ENOUGH_REPLICAS.code(), why, -1);
        if (rejections.tryAcquire(nowMs)) {
            LOG.warn("refused acks=all produce to {}-{} from {}: {}", topic.name(), log.partition(),
                channel.describe(), why);
        }
    }

    private void append(RequestChannel channel, SliceList body, TopicInfo topic, PartitionLog log, int slot,
                        short version, short acks, long nowMs) {
        final int position = view.recordsPosition(slot);
        final int length = view.recordsLength(slot);
        final short code =
            validator.validate(body, position, length, version, topic.validation(), nowMs, batch.header());
        if (code != Errors.NONE.code()) {
            results.setError(slot, code, validator.errorMessage(), validator.recordIndex());
            if (rejections.tryAcquire(nowMs)) {
                LOG.warn("rejected batch for {}-{} from {} ({}): {}: {}", topic.name(), log.partition(),
                    channel.describe(), channel.clientId(), Errors.forCode(code), validator.errorMessage());
            }
            return;
        }
        batch.payload().clear();
        batch.payload().addRange(body, position + RecordBatchLayout.RECORD_BATCH_OVERHEAD,
            length - RecordBatchLayout.RECORD_BATCH_OVERHEAD);
        final long t0 = timing ? System.nanoTime() : 0L;
        log.append(batch, nowMs, appendResult);
        if (timing) {
            appendLatency.record(stripe, (System.nanoTime() - t0) / 1000);
        }
        if (appendResult.errorCode != Errors.NONE.code()) {
            results.setError(slot, appendResult.errorCode, appendResult.errorMessage, -1);
            if (appendResult.errorCode == Errors.NOT_LEADER_OR_FOLLOWER.code()) {
                // The log resigned after this reactor found it (PartitionLog.resign): point at the new leader.
                hintLeader(topic.state(log.partition()), slot, channel.listener());
            }
            if (rejections.tryAcquire(nowMs)) {
                LOG.warn("append to {}-{} from {} failed: {}: {}", topic.name(), log.partition(), channel.describe(),
                    Errors.forCode(appendResult.errorCode), appendResult.errorMessage);
            }
            return;
        }
        // LogAppendTime topics: the validator stamped nowMs into the batch; the response reports it
        // (Kafka's LogAppendTimeMs), CreateTime topics report -1.
        results.setSuccess(slot, appendResult.baseOffset, topic.validation().logAppendTime ? nowMs : -1L,
            appendResult.logStartOffset);
        afterAppend(channel, log, slot, acks,
            appendResult.baseOffset + batch.header().getInt(RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET));
        if (!appendResult.duplicate) {
            batchesAppended++;
            bytesAppended += length;
            final BrokerTopicMetrics m = topic.metrics();
            final int records = batch.header().getInt(RecordBatchLayout.RECORDS_COUNT_OFFSET);
            m.bytesIn.mark(stripe, length);
            allTopics.bytesIn.mark(stripe, length);
            m.messagesIn.mark(stripe, records);
            allTopics.messagesIn.mark(stripe, records);
            fetchWaiters.onAppend(log);
        }
    }

    /**
     * A partition without a local log: unknown (out of range), or led elsewhere (NOT_LEADER_OR_FOLLOWER
     * with the current leader where it is alive, as Kafka's {@code ReplicaManager.getCurrentLeader}).
     */
    private void notHere(TopicInfo topic, int index, int slot, String listener) {
        final PartitionState state = topic.state(index);
        if (state == null) {
            results.setError(slot, Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), null, -1);
            return;
        }
        results.setError(slot, Errors.NOT_LEADER_OR_FOLLOWER.code(), null, -1);
        hintLeader(state, slot, listener);
    }

    /**
     * KIP-951 (v10+): the partition's current leader and its endpoint on the client's listener, where that leader
     * is alive (with such a listener) and not us. Two map lookups, on the error path only.
     */
    private void hintLeader(PartitionState state, int slot, String listener) {
        if (state == null) {
            return;
        }
        final ClusterView cluster = ctx.cluster().view();
        final BrokerNode leader = state.hasLeader() ? cluster.broker(state.leader(), listener) : null;
        if (leader != null && leader.id() != cluster.selfId()) {
            results.setCurrentLeader(slot, leader.id(), state.leaderEpoch());
            results.addNodeEndpoint(leader.id(), leader.host(), leader.port(), leader.rack());
        }
    }

    private void failAll(Errors e, String message) {
        for (int slot = 0, n = view.partitionCount(); slot < n; slot++) {
            results.setError(slot, e.code(), message, -1);
        }
    }

    private String firstError() {
        for (int slot = 0, n = view.partitionCount(); slot < n; slot++) {
            if (results.errorCode(slot) != 0) {
                final String m = results.errorMessage(slot);
                return "partition " + view.partitionIndex(slot) + ": " + Errors.forCode(results.errorCode(slot))
                    + (m == null ? "" : " (" + m + ")");
            }
        }
        return "none";
    }

    public long batchesAppended() {
        return batchesAppended;
    }

    public long bytesAppended() {
        return bytesAppended;
    }
}
