package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.LeaderEpochs;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.log.PartitionLog;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetForLeaderEpoch, v2-v4 (docs/kafka-protocol-notes.md#offsetforleaderepoch): how consumers validate their
 * position after a leader change (KIP-320). A partition of a known topic not led here is
 * NOT_LEADER_OR_FOLLOWER; CurrentLeaderEpoch is fenced against the partition's leader epoch as in
 * Fetch. The answer comes from {@link #endOffsetForEpoch}: the partition's current epoch ends at the
 * log end offset (a standalone broker has had one epoch, 0, since each partition was created);
 * any other epoch is unknown here (UNDEFINED epoch and offset, -1/-1, as Kafka answers for an
 * epoch newer than any it has).
 */
public final class OffsetForLeaderEpochHandler {
    private final BrokerContext ctx;

    public OffsetForLeaderEpochHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public OffsetForLeaderEpochResponseData handle(OffsetForLeaderEpochRequestData req) {
        final OffsetForLeaderEpochResponseData resp = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        for (OffsetForLeaderTopic t : req.topics()) {
            final OffsetForLeaderTopicResult tr = new OffsetForLeaderTopicResult().setTopic(t.topic());
            resp.topics().add(tr);
            final TopicInfo topic = ctx.topics().get(t.topic());
            for (OffsetForLeaderPartition p : t.partitions()) {
                final EpochEndOffset r =
                    new EpochEndOffset().setPartition(p.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                tr.partitions().add(r);
                final boolean known = topic != null && !topic.isDeleted();
                final PartitionState state = known ? topic.state(p.partition()) : null;
                final PartitionLog log = known ? topic.partition(p.partition()) : null;
                if (state == null || log == null) {
                    r.setErrorCode((state == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NOT_LEADER_OR_FOLLOWER)
                        .code());
                    continue;
                }
                final Errors e = LeaderEpochs.check(p.currentLeaderEpoch(), state.leaderEpoch());
                if (e != Errors.NONE) {
                    r.setErrorCode(e.code());
                    continue;
                }
                endOffsetForEpoch(log, p.leaderEpoch(), state.leaderEpoch(), r);
            }
        }
        return resp;
    }

    /**
     * The largest epoch at or below {@code requested} and the offset where it ended. Until the log
     * keeps its epoch cache ({@code leader-epoch-checkpoint}), only the partition's current epoch is
     * known: it ends at the log end offset.
     */
    static void endOffsetForEpoch(PartitionLog log, int requested, int current, EpochEndOffset r) {
        if (requested == current) {
            r.setLeaderEpoch(current).setEndOffset(log.logEndOffset());
        }
    }
}
