package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.LeaderEpochs;
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
 * position after a leader change (KIP-320). This node has had one leader epoch, 0, for every partition since it was
 * created (batches are stamped 0), so epoch 0 ends at the log end offset; any other requested epoch is unknown here
 * (UNDEFINED epoch and offset, -1/-1, as Kafka answers for an epoch newer than any it has). CurrentLeaderEpoch
 * fences as in Fetch.
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
                final PartitionLog log = topic == null || topic.isDeleted() ? null : topic.partition(p.partition());
                if (log == null) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                final Errors e = LeaderEpochs.check(p.currentLeaderEpoch());
                if (e != Errors.NONE) {
                    r.setErrorCode(e.code());
                    continue;
                }
                if (p.leaderEpoch() == LeaderEpochs.CURRENT) {
                    r.setLeaderEpoch(LeaderEpochs.CURRENT).setEndOffset(log.logEndOffset());
                }
            }
        }
        return resp;
    }
}
