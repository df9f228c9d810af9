package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.LeaderEpochs;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.log.OffsetLookup;
import io.zcrx.ingest.log.PartitionLog;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListOffsets, v1-v8 (docs/kafka-protocol-notes.md#listoffsets): LATEST (-1) is the high watermark (the log end
 * unless the partition has followers in its ISR;
 * with no transactions also the last stable offset), EARLIEST (-2) and EARLIEST_LOCAL (-4, no
 * tiered storage here) the log start offset, MAX_TIMESTAMP (-3) the first record with the largest
 * timestamp, and a timestamp &gt;= 0 the first record at or after it through the time index
 * ({@link PartitionLog#offsetForTimestamp}); none found: offset and timestamp -1. A special
 * timestamp below the version that introduced it, or a partition listed twice, is an error for
 * that partition. CurrentLeaderEpoch (v4+) of a partition this broker holds a replica of is fenced against the
 * partition's leader epoch first ({@link LeaderEpochs#checkLocalReplica}, Kafka's order); then a partition of a
 * known topic not led here is NOT_LEADER_OR_FOLLOWER; found offsets carry the epoch that wrote them (v4+; 0
 * standalone), the epoch a consumer then validates its position with.
 *
 * <p>v9-v11 (tiered-storage timestamps, async remote lookups) are not advertised: there is no
 * tiered storage to answer them about.
 */
public final class ListOffsetsHandler {
    private static final ThreadLocal<OffsetLookup> LOOKUP = ThreadLocal.withInitial(OffsetLookup::new);
    static final long EARLIEST_LOCAL_TIMESTAMP = -4L;

    private final BrokerContext ctx;

    public ListOffsetsHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The offsets asked for, each topic first checked for DESCRIBE (Kafka's {@code handleListOffsetRequest}): every
     * partition of a topic the client may not describe is TOPIC_AUTHORIZATION_FAILED, whether the topic exists or not.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public ListOffsetsResponseData handle(ListOffsetsRequestData req, short version, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final ListOffsetsResponseData resp = new ListOffsetsResponseData().setThrottleTimeMs(0);
        final Set<TopicPartition> seen = new HashSet<>();
        final Set<TopicPartition> twice = new HashSet<>();
        for (ListOffsetsTopic t : req.topics()) {
            for (ListOffsetsPartition p : t.partitions()) {
                final TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                if (!seen.add(tp)) {
                    twice.add(tp);
                }
            }
        }
        final OffsetLookup lookup = LOOKUP.get();
        for (ListOffsetsTopic t : req.topics()) {
            final ListOffsetsTopicResponse tr = new ListOffsetsTopicResponse().setName(t.name());
            resp.topics().add(tr);
            final TopicInfo topic = ctx.topics().get(t.name());
            final boolean described = authz.authorize(who, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name());
            for (ListOffsetsPartition p : t.partitions()) {
                final ListOffsetsPartitionResponse pr = new ListOffsetsPartitionResponse()
                    .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
                tr.partitions().add(pr);
                final boolean known = topic != null && !topic.isDeleted();
                final PartitionState state = known ? topic.state(p.partitionIndex()) : null;
                final PartitionLog log = known ? topic.partition(p.partitionIndex()) : null;
                final Errors e;
                if (!described) {
                    e = Errors.TOPIC_AUTHORIZATION_FAILED;
                } else if (twice.contains(new TopicPartition(t.name(), p.partitionIndex()))) {
                    e = Errors.INVALID_REQUEST;
                } else if (state == null) {
                    e = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else {
                    // Kafka's order: the epoch of a partition held here is fenced before leadership.
                    final Errors fenced = LeaderEpochs.checkLocalReplica(
                        version >= 4 ? p.currentLeaderEpoch() : LeaderEpochs.NONE, state, ctx.nodeId());
                    if (fenced != Errors.NONE) {
                        e = fenced;
                    } else if (log == null) {
                        e = Errors.NOT_LEADER_OR_FOLLOWER;
                    } else if (!timestampAllowed(p.timestamp(), version)) {
                        e = Errors.UNSUPPORTED_VERSION;
                    } else {
                        e = Errors.NONE;
                    }
                }
                if (e != Errors.NONE) {
                    pr.setErrorCode(e.code());
                    continue;
                }
                final long ts =
                    p.timestamp() == EARLIEST_LOCAL_TIMESTAMP ? OffsetLookup.EARLIEST_TIMESTAMP : p.timestamp();
                log.offsetForTimestamp(ts, lookup);
                if (ts == OffsetLookup.LATEST_TIMESTAMP && req.replicaId() < 0
                    && lookup.errorCode == Errors.NONE.code()) {
                    // Consumers see committed records only (Kafka's lastFetchableOffset): the high watermark,
                    // which is the log end offset unless the partition has followers in its ISR. A replica
                    // (ReplicaId >= 0, a follower's fetcher) gets the log end, as Kafka answers it.
                    lookup.offset = log.highWatermark();
                }
                pr.setErrorCode(lookup.errorCode);
                if (lookup.errorCode == Errors.NONE.code() && lookup.offset >= 0) {
                    pr.setOffset(lookup.offset).setTimestamp(lookup.timestamp)
                        .setLeaderEpoch(version >= 4 ? epochOf(log, lookup.offset, state) : LeaderEpochs.NONE);
                }
            }
        }
        return resp;
    }

    /**
     * The leader epoch that wrote {@code offset} per the log's epoch history (as Kafka's
     * {@code UnifiedLog.fetchOffsetByTimestamp} answers); the partition's current epoch where the
     * history does not reach (an empty standalone log, whose first append records epoch 0).
     */
    private static int epochOf(PartitionLog log, long offset, PartitionState state) {
        final int epoch = log.epochForOffset(offset);
        return epoch >= 0 ? epoch : state.leaderEpoch();
    }

    /** Special timestamps exist only from the version that introduced them (clients never send earlier). */
    static boolean timestampAllowed(long timestamp, short version) {
        if (timestamp >= OffsetLookup.EARLIEST_TIMESTAMP) {
            return true;
        }
        if (timestamp == OffsetLookup.MAX_TIMESTAMP) {
            return version >= 7;
        }
        if (timestamp == EARLIEST_LOCAL_TIMESTAMP) {
            return version >= 8;
        }
        return false;
    }
}
