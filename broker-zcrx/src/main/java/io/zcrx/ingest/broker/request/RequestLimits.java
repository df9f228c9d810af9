package io.zcrx.ingest.broker.request;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * {@code request.max.topics} and {@code request.max.partitions} for control-plane requests (Produce
 * checks them in its decoder). A request naming more topics, or more partitions summed over its
 * topics, closes the connection like an oversized frame; for CreateTopics and CreatePartitions the
 * partitions counted are those the request would create, so a small request cannot make the broker
 * create a million partition directories.
 *
 * <p>Counting needs kafka-clients' parse, which the handler then repeats; so only bodies that could
 * exceed a limit are looked at: every topic entry takes at least one byte and every partition entry
 * at least four, so a body shorter than both limits' minimum sizes cannot break them. CreateTopics
 * and CreatePartitions (rare, small, and able to ask for many partitions in a few bytes) are always
 * counted.
 *
 * <p>Stateless; any thread.
 */
public final class RequestLimits {
    private final int topicsMax;
    private final int partitionsMax;
    private final int defaultPartitions;
    private final long scanBytesMin;

    public RequestLimits(int topicsMax, int partitionsMax, int defaultPartitions) {
        this.topicsMax = topicsMax;
        this.partitionsMax = partitionsMax;
        this.defaultPartitions = defaultPartitions;
        this.scanBytesMin = Math.min((long) topicsMax + 1, 4L * partitionsMax + 4);
    }

    /**
     * Null when {@code body} (positioned at the first body byte) is within the limits or cannot be
     * parsed (the handler then refuses it as malformed); otherwise why not. {@code body}'s position
     * is left unchanged.
     */
    public String violation(ApiKeys api, short version, ByteBuffer body) {
        final boolean creates = api == ApiKeys.CREATE_TOPICS || api == ApiKeys.CREATE_PARTITIONS;
        if (!creates && body.remaining() < scanBytesMin) {
            return null;
        }
        final ApiMessage data;
        try {
            data = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(body.duplicate())).request.data();
        } catch (RuntimeException e) {
            return null;
        }
        long topics = 0;
        long partitions = 0;
        if (data instanceof MetadataRequestData m) {
            topics = m.topics() == null ? 0 : m.topics().size();
        } else if (data instanceof CreateTopicsRequestData c) {
            topics = c.topics().size();
            for (CreateTopicsRequestData.CreatableTopic t : c.topics()) {
                partitions += !t.assignments().isEmpty() ? t.assignments().size()
                    : t.numPartitions() < 0 ? defaultPartitions : t.numPartitions();
            }
        } else if (data instanceof CreatePartitionsRequestData c) {
            topics = c.topics().size();
            for (CreatePartitionsRequestData.CreatePartitionsTopic t : c.topics()) {
                partitions += Math.max(0, t.count());
            }
        } else if (data instanceof DeleteTopicsRequestData d) {
            topics = d.topicNames().size() + d.topics().size();
        } else if (data instanceof FetchRequestData f) {
            topics = f.topics().size() + f.forgottenTopicsData().size();
            for (FetchRequestData.FetchTopic t : f.topics()) {
                partitions += t.partitions().size();
            }
            for (FetchRequestData.ForgottenTopic t : f.forgottenTopicsData()) {
                partitions += t.partitions().size();
            }
        } else if (data instanceof ListOffsetsRequestData l) {
            topics = l.topics().size();
            for (ListOffsetsRequestData.ListOffsetsTopic t : l.topics()) {
                partitions += t.partitions().size();
            }
        } else if (data instanceof OffsetForLeaderEpochRequestData o) {
            topics = o.topics().size();
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t : o.topics()) {
                partitions += t.partitions().size();
            }
        } else if (data instanceof OffsetCommitRequestData o) {
            topics = o.topics().size();
            for (OffsetCommitRequestData.OffsetCommitRequestTopic t : o.topics()) {
                partitions += t.partitions().size();
            }
        } else if (data instanceof OffsetFetchRequestData o) {
            if (o.topics() != null) {
                topics += o.topics().size();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : o.topics()) {
                    partitions += t.partitionIndexes().size();
                }
            }
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : o.groups()) {
                if (g.topics() != null) {
                    topics += g.topics().size();
                    for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                        partitions += t.partitionIndexes().size();
                    }
                }
            }
        } else if (data instanceof OffsetDeleteRequestData o) {
            topics = o.topics().size();
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : o.topics()) {
                partitions += t.partitions().size();
            }
        } else if (data instanceof DescribeConfigsRequestData d) {
            topics = d.resources().size();
        }
        if (topics > topicsMax) {
            return api + " v" + version + " names more topics than request.max.topics: count=" + topics + ", limit="
                + topicsMax;
        }
        if (partitions > partitionsMax) {
            return api + " v" + version + " names more partitions than request.max.partitions: count=" + partitions
                + ", limit=" + partitionsMax;
        }
        return null;
    }
}
