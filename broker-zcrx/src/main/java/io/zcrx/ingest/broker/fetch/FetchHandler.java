package io.zcrx.ingest.broker.fetch;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.LeaderEpochs;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metrics.BrokerTopicMetrics;
import io.zcrx.ingest.broker.replica.LeaderPartition;
import io.zcrx.ingest.broker.replica.LeaderPartitions;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.FetchWaiters;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.runtime.TimerService;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.broker.transport.outbound.FileRegionRecords;
import io.zcrx.ingest.broker.transport.outbound.OutboundWritable;
import io.zcrx.ingest.log.FetchRegion;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.SegmentChannel;
import io.zcrx.ingest.log.epoch.EpochEndOffset;
import io.zcrx.ingest.protocol.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.NodeEndpoint;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Fetch, v4-v18 (docs/kafka-protocol-notes.md#fetch). Each partition's data is a region of its segment file
 * (whole batches from the one holding the fetch offset, {@link PartitionLog#read}); the response
 * is encoded by {@link OutboundWritable} with those regions as file entries of the outbound queue,
 * so records go to the socket with sendfile and never enter the heap.
 *
 * <p>Limits: {@code PartitionMaxBytes} per partition and {@code min(MaxBytes, fetch.max.bytes)}
 * in all, except that the first partition with data always gets one whole batch (KIP-74).
 * Long polling: when less than {@code MinBytes} is available the response is deferred; appends to
 * any of its partitions wake it ({@link FetchWaiters}), and {@code MaxWaitMs} ends it.
 *
 * <p>Fetch sessions (KIP-227) are declined: every response says SessionId 0, so the Java client
 * keeps sending full requests, and a full response lists exactly the requested partitions. A
 * request naming a session gets FETCH_SESSION_ID_NOT_FOUND; the client then starts over.
 *
 * <p>Leadership, in Kafka's order: for a partition this broker holds a replica of, a CurrentLeaderEpoch above the
 * partition's leader epoch ({@link PartitionState#leaderEpoch()}, 0 standalone) is UNKNOWN_LEADER_EPOCH, below it
 * (other than -1) FENCED_LEADER_EPOCH ({@link LeaderEpochs#checkLocalReplica}); then a partition of a known topic
 * whose log is not here (in cluster mode, led by another broker) is NOT_LEADER_OR_FOLLOWER. From v16, as Kafka
 * does (KIP-951), NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH carry the partition's CurrentLeader and the
 * response that leader's NodeEndpoint, where the leader is alive. Clients older
 * than v10 cannot read zstd: a region holding a zstd batch is UNSUPPORTED_COMPRESSION_TYPE for them,
 * as in Kafka.
 *
 * <p>Follower fetches (a broker's replica fetcher: {@code ReplicaState.ReplicaId} from v15, {@code ReplicaId}
 * before, &gt;= 0), as Kafka's {@code Partition.fetchRecords}: only from a replica of a partition led here
 * ({@link LeaderPartition#checkFollower}), CurrentLeaderEpoch fenced as for consumers; a LastFetchedEpoch the
 * leader's epoch history does not end at or after the fetch offset gets DivergingEpoch (the largest epoch at or
 * below it and where it ends) and no records, answered at once; otherwise the follower's position is recorded
 * (which may expand the ISR and advance the high watermark) and records are read up to the log end offset, not
 * the high watermark. Consumers read up to the high watermark. Long polling is the same for both.
 *
 * <p>Metrics, per partition of the answer as Kafka counts them: the topic's and all topics'
 * {@code TotalFetchRequestsPerSec}, {@code FailedFetchRequestsPerSec} when the partition's answer is
 * an error, and {@code BytesOutPerSec}, the record bytes the answer carries. Counted once, when the
 * request is answered (a long poll re-reads, but answers once). Unknown topics count nowhere.
 *
 * <p>Shared by every reactor (thread-safe): per-thread scratch is thread-local, and a deferred
 * fetch re-reads on the reactor of its connection.
 */
public final class FetchHandler {
    private static final ThreadLocal<FetchRegion> REGION = ThreadLocal.withInitial(FetchRegion::new);
    private static final ThreadLocal<OutboundWritable> WRITABLE = ThreadLocal.withInitial(OutboundWritable::new);
    private static final ThreadLocal<ByteBuffer> BATCH_HEADER = ThreadLocal.withInitial(
        () -> ByteBuffer.allocate(RecordBatchLayout.RECORD_BATCH_OVERHEAD).order(ByteOrder.BIG_ENDIAN));

    /** KIP-951: CurrentLeader and NodeEndpoints are filled from v16, as Kafka does. */
    static final short FIRST_LEADER_HINT_VERSION = 16;

    private final BrokerContext ctx;
    /** The leader side of replication; null: follower fetches are refused (NOT_LEADER_OR_FOLLOWER). */
    private final LeaderPartitions leaders;

    public FetchHandler(BrokerContext ctx) {
        this(ctx, null);
    }

    public FetchHandler(BrokerContext ctx, LeaderPartitions leaders) {
        this.ctx = ctx;
        this.leaders = leaders;
    }

    public void handle(RequestContext req, Readable body) {
        final short version = req.version();
        final FetchRequestData data = new FetchRequestData(body, version);
        final Errors sessionError = sessionError(data, version);
        if (sessionError != Errors.NONE) {
            req.respond(new FetchResponseData().setThrottleTimeMs(0).setErrorCode(sessionError.code()).setSessionId(0));
            return;
        }
        final Plan plan = plan(data, version, req);
        final int bytes = read(plan);
        if (plan.error || plan.answerNow || bytes >= plan.minBytes || data.maxWaitMs() <= 0
            || plan.logs.length == 0) {
            countAnswer(plan, req.stripe());
            req.respond(writer(plan, req.correlationId()));
            return;
        }
        final LongPoll poll = new LongPoll(plan, req.defer(), req.reactor(), req.correlationId(), req.stripe());
        poll.start(data.maxWaitMs());
    }

    /** Sessions are declined: only sessionless requests, (0, 0) and (0, -1), are answered. */
    private static Errors sessionError(FetchRequestData data, short version) {
        if (version < 7) {
            return Errors.NONE;
        }
        if (data.sessionId() != 0) {
            return Errors.FETCH_SESSION_ID_NOT_FOUND;
        }
        if (data.sessionEpoch() != 0 && data.sessionEpoch() != -1) {
            return Errors.INVALID_FETCH_SESSION_EPOCH;
        }
        return Errors.NONE;
    }

    /** What one request asks for, with the response skeleton that every read refills. */
    static final class Plan {
        final short version;
        final int maxBytes;
        final int minBytes;
        final FetchResponseData response = new FetchResponseData().setThrottleTimeMs(0)
            .setErrorCode(Errors.NONE.code()).setSessionId(0);
        PartitionLog[] logs;
        PartitionData[] parts;
        /** The topic's metrics per entry; null for an unknown topic. */
        BrokerTopicMetrics[] topicMetrics;
        long[] fetchOffsets;
        int[] partitionMaxBytes;
        /** Log end offsets seen by the last read: a long poll re-checks them after registering. */
        long[] seenEnd;
        /** Some partition failed (answered at once, as Kafka does). */
        boolean error;
        /** Some partition has a DivergingEpoch answer (answered at once, as Kafka does). */
        boolean answerNow;
        /** A follower's fetch: reads go up to the log end offset, not the high watermark. */
        final boolean follower;

        Plan(short version, int maxBytes, int minBytes, boolean follower) {
            this.follower = follower;
            this.version = version;
            this.maxBytes = maxBytes;
            this.minBytes = minBytes;
        }
    }

    Plan plan(FetchRequestData data, short version) {
        return plan(data, version, null);
    }

    /**
     * @param req the request, for the authorizer (Kafka's checks: a follower needs CLUSTER_ACTION on the cluster, a
     *            consumer READ on each topic, else TOPIC_AUTHORIZATION_FAILED); null: no checks (tests)
     */
    Plan plan(FetchRequestData data, short version, RequestContext req) {
        final Authorization authz = ctx.authorization();
        final boolean checked = req != null && authz.enabled();
        final String listener = req == null ? null : req.listener();
        final int brokerMax = ctx.config().getInt(BrokerConfig.FETCH_MAX_BYTES);
        final int replicaId = version >= 15 ? data.replicaState().replicaId() : data.replicaId();
        final long replicaEpoch = version >= 15 ? data.replicaState().replicaEpoch() : -1L;
        final Plan plan = new Plan(version, Math.min(version >= 3 ? data.maxBytes() : Integer.MAX_VALUE, brokerMax),
            data.minBytes(), replicaId >= 0);
        final boolean readCommitted = version >= 4 && data.isolationLevel() == 1;
        final int self = ctx.nodeId();
        final boolean clusterAction = !checked || replicaId < 0
            || authz.authorize(req, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, Resource.CLUSTER_NAME);
        final List<PartitionLog> logs = new ArrayList<>();
        final List<PartitionData> parts = new ArrayList<>();
        final List<BrokerTopicMetrics> metrics = new ArrayList<>();
        final List<long[]> offsets = new ArrayList<>();
        for (FetchTopic ft : data.topics()) {
            final TopicInfo topic = version >= 13 ? lookup(ft.topicId()) : lookup(ft.topic());
            final FetchableTopicResponse tr =
                new FetchableTopicResponse().setTopic(ft.topic()).setTopicId(ft.topicId());
            plan.response.responses().add(tr);
            final String name = version >= 13 ? topic == null ? null : topic.name() : ft.topic();
            final boolean denied = checked && (replicaId >= 0 ? !clusterAction
                : name != null && !authz.authorize(req, AclOperation.READ, ResourceType.TOPIC, name));
            for (FetchPartition fp : ft.partitions()) {
                final PartitionData pd = new PartitionData().setPartitionIndex(fp.partition())
                    .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                    .setAbortedTransactions(readCommitted ? Collections.emptyList() : null)
                    .setPreferredReadReplica(-1).setRecords(MemoryRecords.EMPTY);
                tr.partitions().add(pd);
                PartitionLog log = null;
                final PartitionState state = topic == null ? null : topic.state(fp.partition());
                Errors e = Errors.NONE;
                if (denied) {
                    e = Errors.TOPIC_AUTHORIZATION_FAILED;
                } else if (state == null) {
                    e = topic == null && version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if ((e = LeaderEpochs.checkLocalReplica(fp.currentLeaderEpoch(), state, self)) != Errors.NONE) {
                    // Kafka's order: the epoch of a partition held here is fenced before leadership.
                    log = null;
                } else if ((log = topic.partition(fp.partition())) == null) {
                    e = Errors.NOT_LEADER_OR_FOLLOWER;
                } else if (replicaId >= 0) {
                    e = followerFetch(plan, pd, log, state, replicaId, replicaEpoch, fp);
                    if (e == Errors.NONE && pd.divergingEpoch().epoch() >= 0) {
                        // Answered without records: nothing to read for this partition.
                        log = null;
                    }
                }
                if (e != Errors.NONE) {
                    pd.setErrorCode(e.code());
                    plan.error = true;
                    log = null;
                    if (version >= FIRST_LEADER_HINT_VERSION
                        && (e == Errors.NOT_LEADER_OR_FOLLOWER || e == Errors.FENCED_LEADER_EPOCH)) {
                        leaderHint(plan.response, pd, state, ctx.cluster().view(), listener);
                    }
                }
                logs.add(log);
                parts.add(pd);
                metrics.add(topic == null ? null : topic.metrics());
                offsets.add(new long[] {fp.fetchOffset(), fp.partitionMaxBytes()});
            }
        }
        final int n = logs.size();
        plan.logs = logs.toArray(new PartitionLog[0]);
        plan.parts = parts.toArray(new PartitionData[0]);
        plan.topicMetrics = metrics.toArray(new BrokerTopicMetrics[0]);
        plan.fetchOffsets = new long[n];
        plan.partitionMaxBytes = new int[n];
        plan.seenEnd = new long[n];
        for (int i = 0; i < n; i++) {
            plan.fetchOffsets[i] = offsets.get(i)[0];
            plan.partitionMaxBytes[i] = (int) offsets.get(i)[1];
        }
        return plan;
    }

    /**
     * The leader side of a follower's fetch of one partition (Kafka's {@code Partition.fetchRecords} with
     * {@code readRecords}): checks the follower is a replica, compares LastFetchedEpoch with the epoch history
     * (DivergingEpoch filled into {@code pd} when the follower's log diverged), else records the follower's fetch
     * offset as its log end. Returns the partition's error.
     */
    private Errors followerFetch(Plan plan, PartitionData pd, PartitionLog log, PartitionState state, int replicaId,
                                 long replicaEpoch, FetchPartition fp) {
        final LeaderPartition leader = leaders == null ? null : leaders.leaderOf(log, state.leaderEpoch());
        if (leader == null) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        final long now = ctx.nowMs();
        final Errors e = leader.checkFollower(replicaId, fp.currentLeaderEpoch() >= 0, now);
        if (e != Errors.NONE) {
            return e;
        }
        // Kafka reads these before the read so that appends after it cannot keep a follower out of sync.
        final long hw = log.highWatermark();
        final long end = log.logEndOffset();
        final long start = log.logStartOffset();
        final long fetchOffset = fp.fetchOffset();
        if (fp.lastFetchedEpoch() >= 0) {
            final EpochEndOffset eeo = log.endOffsetForEpoch(fp.lastFetchedEpoch());
            if (eeo.epoch() < 0 || eeo.endOffset() < 0 || fetchOffset < start) {
                return Errors.OFFSET_OUT_OF_RANGE;
            }
            if (eeo.epoch() < fp.lastFetchedEpoch() || eeo.endOffset() < fetchOffset) {
                pd.divergingEpoch().setEpoch(eeo.epoch()).setEndOffset(eeo.endOffset());
                pd.setHighWatermark(hw).setLastStableOffset(hw).setLogStartOffset(start);
                plan.answerNow = true;
                return Errors.NONE;
            }
        }
        if (fetchOffset >= start && fetchOffset <= end
            && leader.onFollowerFetch(replicaId, fetchOffset, fp.logStartOffset(), replicaEpoch, end, now)) {
            leaders.onHighWatermarkAdvanced(log);
        }
        return Errors.NONE;
    }

    /**
     * KIP-951 as Kafka's {@code KafkaApis.handleFetchRequest} does it: the partition's current
     * leader and epoch, and the leader's endpoint on the client's {@code listener} in the response, when the
     * leader is alive (with such a listener).
     */
    static void leaderHint(FetchResponseData response, PartitionData pd, PartitionState state, ClusterView view,
                           String listener) {
        final BrokerNode leader = state.hasLeader() ? view.broker(state.leader(), listener) : null;
        if (leader == null) {
            return;
        }
        pd.currentLeader().setLeaderId(leader.id()).setLeaderEpoch(state.leaderEpoch());
        if (response.nodeEndpoints().find(leader.id()) == null) {
            response.nodeEndpoints().add(new NodeEndpoint().setNodeId(leader.id()).setHost(leader.host())
                .setPort(leader.port()).setRack(leader.rack()));
        }
    }

    private TopicInfo lookup(String name) {
        final TopicInfo t = name == null ? null : ctx.topics().get(name);
        return t == null || t.isDeleted() ? null : t;
    }

    private TopicInfo lookup(Uuid id) {
        final TopicInfo t = id == null || Uuid.ZERO_UUID.equals(id) ? null : ctx.topics().get(id);
        return t == null || t.isDeleted() ? null : t;
    }

    /**
     * Reads every partition of the plan into its response entry (on a reactor thread) and returns
     * the record bytes found.
     */
    static int read(Plan plan) {
        final FetchRegion r = REGION.get();
        int budget = plan.maxBytes;
        int total = 0;
        boolean minOneBatch = true;
        for (int i = 0; i < plan.logs.length; i++) {
            final PartitionLog log = plan.logs[i];
            if (log == null) {
                continue;
            }
            final PartitionData pd = plan.parts[i];
            final int limit = Math.max(0, Math.min(plan.partitionMaxBytes[i], budget));
            if (plan.follower) {
                log.readForFollower(plan.fetchOffsets[i], limit, minOneBatch, r);
                plan.seenEnd[i] = r.logEndOffset;
            } else {
                log.read(plan.fetchOffsets[i], limit, minOneBatch, r);
                plan.seenEnd[i] = r.highWatermark;
            }
            if (r.errorCode != Errors.NONE.code()) {
                fail(plan, pd, r.errorCode);
                continue;
            }
            if (r.length > 0 && plan.version < 10 && containsZstd(r.channel, r.position, r.length)) {
                fail(plan, pd, Errors.UNSUPPORTED_COMPRESSION_TYPE.code());
                continue;
            }
            pd.setErrorCode(Errors.NONE.code()).setHighWatermark(r.highWatermark)
                // No transactions here: the last stable offset is the high watermark.
                .setLastStableOffset(r.highWatermark).setLogStartOffset(r.logStartOffset)
                .setRecords(r.length > 0 ? new FileRegionRecords(r.channel, r.position, r.length, pinnable(r.segment))
                    : MemoryRecords.EMPTY);
            if (r.length > 0) {
                minOneBatch = false;
                budget -= r.length;
                total += r.length;
            }
        }
        // The region holds its last segment open; the response pins each region again when queued.
        r.reset();
        return total;
    }

    /** Kafka's per-partition Fetch counts of the answer about to be sent, on the reactor {@code stripe}. */
    private void countAnswer(Plan plan, int stripe) {
        final BrokerTopicMetrics all = ctx.allTopicsMetrics();
        for (int i = 0; i < plan.parts.length; i++) {
            final BrokerTopicMetrics m = plan.topicMetrics[i];
            if (m == null) {
                continue;
            }
            m.totalFetchRequests.mark(stripe, 1);
            all.totalFetchRequests.mark(stripe, 1);
            final PartitionData pd = plan.parts[i];
            if (pd.errorCode() != Errors.NONE.code()) {
                m.failedFetchRequests.mark(stripe, 1);
                all.failedFetchRequests.mark(stripe, 1);
            } else {
                final int bytes = pd.records().sizeInBytes();
                m.bytesOut.mark(stripe, bytes);
                all.bytesOut.mark(stripe, bytes);
            }
        }
    }

    /** The log's segment as a file the outbound queue pins while a region of it is queued. */
    private static FileRegionRecords.Source pinnable(SegmentChannel segment) {
        return new FileRegionRecords.Source() {
            @Override
            public FileChannel pin() throws IOException {
                return segment.acquire();
            }

            @Override
            public void unpin() {
                segment.release();
            }
        };
    }

    private static void fail(Plan plan, PartitionData pd, short code) {
        pd.setErrorCode(code).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
            .setRecords(MemoryRecords.EMPTY);
        plan.error = true;
    }

    /** Walks the batch headers of a region (only for pre-v10 clients) looking for a zstd batch. */
    private static boolean containsZstd(FileChannel channel, long position, int length) {
        final ByteBuffer h = BATCH_HEADER.get();
        long p = position;
        final long end = position + length;
        try {
            while (p + RecordBatchLayout.RECORD_BATCH_OVERHEAD <= end) {
                h.clear();
                while (h.hasRemaining()) {
                    if (channel.read(h, p + h.position()) < 0) {
                        return false;
                    }
                }
                final int codec = h.getShort(RecordBatchLayout.ATTRIBUTES_OFFSET)
                    & RecordBatchLayout.COMPRESSION_CODEC_MASK;
                if (codec == RecordBatchLayout.CODEC_ZSTD) {
                    return true;
                }
                p += RecordBatchLayout.LOG_OVERHEAD + h.getInt(RecordBatchLayout.BATCH_LENGTH_OFFSET);
            }
        } catch (IOException e) {
            // The send will fail on the same file and close the connection; nothing to decide here.
            return false;
        }
        return false;
    }

    private static ResponseWriter writer(Plan plan, int correlationId) {
        final short headerVersion = ApiKeys.FETCH.responseHeaderVersion(plan.version);
        return out -> WRITABLE.get().writeResponse(out, correlationId, headerVersion, plan.response, plan.version);
    }

    /**
     * A deferred Fetch. States: WAITING (registered, nothing queued), QUEUED (a re-read is queued
     * on the reactor), DONE (answered or abandoned). Wakes come from appends (any reactor) and the
     * timeout (timer thread); the re-read and the answer happen on the connection's reactor.
     */
    private final class LongPoll implements FetchWaiters.Waiter, Runnable {
        private static final int WAITING = 0;
        private static final int QUEUED = 1;
        private static final int DONE = 2;

        private final Plan plan;
        private final PendingResponse pending;
        private final ReactorIo reactor;
        private final int correlationId;
        private final int stripe;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private volatile boolean expired;
        private TimerService.Cancellable timeout;

        LongPoll(Plan plan, PendingResponse pending, ReactorIo reactor, int correlationId, int stripe) {
            this.stripe = stripe;
            this.plan = plan;
            this.pending = pending;
            this.reactor = reactor;
            this.correlationId = correlationId;
        }

        /** On the reactor thread, right after the first read found too little. */
        void start(int maxWaitMs) {
            final FetchWaiters waiters = ctx.fetchWaiters();
            for (PartitionLog log : plan.logs) {
                waiters.register(log, this);
            }
            timeout = ctx.timer().schedule(maxWaitMs, this::expire);
            // An append (or a high watermark move) between the first read and the registration woke nobody: look
            // again. Followers read up to the log end, consumers up to the high watermark.
            for (int i = 0; i < plan.logs.length; i++) {
                final PartitionLog log = plan.logs[i];
                if (log != null && (plan.follower ? log.logEndOffset() : log.highWatermark()) != plan.seenEnd[i]) {
                    wake();
                    break;
                }
            }
        }

        @Override
        public void wake() {
            if (state.compareAndSet(WAITING, QUEUED) && !reactor.execute(this)) {
                // The reactor stopped (shutdown): nobody will read the answer.
                state.set(DONE);
                release();
            }
        }

        private void expire() {
            expired = true;
            wake();
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, WAITING)) {
                return;
            }
            final boolean last = expired || pending.isAbandoned();
            final int bytes = read(plan);
            if (last || plan.error || bytes >= plan.minBytes) {
                state.set(DONE);
                release();
                if (!pending.isAbandoned()) {
                    countAnswer(plan, stripe);
                    pending.completeWith(writer(plan, correlationId));
                }
            }
        }

        private void release() {
            final FetchWaiters waiters = ctx.fetchWaiters();
            for (PartitionLog log : plan.logs) {
                waiters.unregister(log, this);
            }
            if (timeout != null) {
                timeout.cancel();
            }
        }
    }
}
