package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.LeaderEpochs;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.epoch.EpochEndOffset;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetForLeaderEpoch, v2-v4 (docs/kafka-protocol-notes.md#offsetforleaderepoch): how consumers validate their
 * position after a leader change (KIP-320). As in Fetch, CurrentLeaderEpoch of a partition this broker holds a
 * replica of is fenced against the partition's leader epoch first, then a partition of a known topic not led here
 * is NOT_LEADER_OR_FOLLOWER. The answer comes from the log's leader epoch history ({@link #endOffsetForEpoch}): the
 * largest epoch at or below the requested one and where it ended, the current epoch ending at the
 * log end offset (a standalone broker has had one epoch, 0, since each partition was created); an
 * epoch the history cannot place is UNDEFINED (-1/-1), as Kafka answers.
 */
public final class OffsetForLeaderEpochHandler {
    private final BrokerContext ctx;

    public OffsetForLeaderEpochHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * A follower's request (CLUSTER_ACTION on the cluster) is answered for every topic; anyone else's per topic
     * only where the client may DESCRIBE it, else TOPIC_AUTHORIZATION_FAILED (Kafka's
     * {@code handleOffsetForLeaderEpochRequest}).
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public OffsetForLeaderEpochResponseData handle(OffsetForLeaderEpochRequestData req, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final boolean replica = authz.authorize(who, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER,
            Resource.CLUSTER_NAME, true, false);
        final OffsetForLeaderEpochResponseData resp = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        for (OffsetForLeaderTopic t : req.topics()) {
            final OffsetForLeaderTopicResult tr = new OffsetForLeaderTopicResult().setTopic(t.topic());
            resp.topics().add(tr);
            final TopicInfo topic = ctx.topics().get(t.topic());
            final boolean described = replica
                || authz.authorize(who, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic());
            for (OffsetForLeaderPartition p : t.partitions()) {
                final OffsetForLeaderEpochResponseData.EpochEndOffset r =
                    new OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(p.partition())
                        .setLeaderEpoch(-1).setEndOffset(-1);
                tr.partitions().add(r);
                if (!described) {
                    r.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                final boolean known = topic != null && !topic.isDeleted();
                final PartitionState state = known ? topic.state(p.partition()) : null;
                final PartitionLog log = known ? topic.partition(p.partition()) : null;
                if (state == null) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                // Kafka's order: the epoch of a partition held here is fenced before leadership.
                final Errors e = LeaderEpochs.checkLocalReplica(p.currentLeaderEpoch(), state, ctx.nodeId());
                if (e != Errors.NONE || log == null) {
                    r.setErrorCode((e != Errors.NONE ? e : Errors.NOT_LEADER_OR_FOLLOWER).code());
                    continue;
                }
                endOffsetForEpoch(log, p.leaderEpoch(), state.leaderEpoch(), r);
            }
        }
        return resp;
    }

    /**
     * The largest epoch at or below {@code requested} and the offset where it ended, from the log's
     * leader epoch history ({@code leader-epoch-checkpoint}, Kafka's {@code UnifiedLog.endOffsetForEpoch}).
     * A leader always knows its own current epoch, which ends at the log end offset, also before its
     * first batch entered the history (a standalone log is never told an epoch: its first append
     * records epoch 0).
     */
    static void endOffsetForEpoch(PartitionLog log, int requested, int current,
                                  OffsetForLeaderEpochResponseData.EpochEndOffset r) {
        final EpochEndOffset found = log.endOffsetForEpoch(requested);
        if (!found.isUndefined()) {
            r.setLeaderEpoch(found.epoch()).setEndOffset(found.endOffset());
        } else if (requested == current) {
            r.setLeaderEpoch(current).setEndOffset(log.logEndOffset());
        }
    }
}
