package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.LeaderEpochs;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata, v0-v13 (docs/kafka-protocol-notes.md#metadata): this node as the only broker, controller and leader
 * of every partition (leader epoch 0, replicas = ISR = [node]); persistent topic ids (v10+);
 * topic-id lookups (v12+); auto-creation with {@code num.partitions} when the request allows it
 * (v4+) and {@code auto.create.topics.enable} is on.
 */
public final class MetadataHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);

    private final BrokerContext ctx;

    public MetadataHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public MetadataResponseData handle(MetadataRequestData req, short version) {
        final MetadataResponseData resp = new MetadataResponseData()
            .setThrottleTimeMs(0)
            .setClusterId(ctx.clusterId())
            .setControllerId(ctx.nodeId())
            .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        resp.brokers().add(new MetadataResponseBroker()
            .setNodeId(ctx.nodeId())
            .setHost(ctx.advertisedHost())
            .setPort(ctx.advertisedPort())
            .setRack(null));
        final boolean all = req.topics() == null || (version == 0 && req.topics().isEmpty());
        final boolean allowAuto = version < 4 || req.allowAutoTopicCreation();
        if (all) {
            for (TopicInfo t : ctx.topics().all()) {
                resp.topics().add(describe(t, version));
            }
            return resp;
        }
        for (MetadataRequestData.MetadataRequestTopic rt : req.topics()) {
            final String name = rt.name();
            final Uuid id = rt.topicId();
            if (name == null) {
                // v12+: lookup by id.
                final TopicInfo t = id == null || Uuid.ZERO_UUID.equals(id) ? null : ctx.topics().get(id);
                if (t == null) {
                    resp.topics().add(new MetadataResponseTopic().setName(null)
                        .setTopicId(id == null ? Uuid.ZERO_UUID : id)
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()).setIsInternal(false)
                        .setTopicAuthorizedOperations(Integer.MIN_VALUE));
                } else {
                    resp.topics().add(describe(t, version));
                }
                continue;
            }
            TopicInfo t = ctx.topics().get(name);
            if (t == null) {
                final String bad = TopicRegistry.invalidNameReason(name);
                if (bad != null) {
                    resp.topics().add(error(name, Errors.INVALID_TOPIC_EXCEPTION));
                    continue;
                }
                if (allowAuto && ctx.config().autoCreateTopics()) {
                    final TopicRegistry.CreateResult r = ctx.topics().create(name, -1, Collections.emptyMap(), false);
                    if (r.topic() != null) {
                        t = r.topic();
                    } else {
                        LOG.warn("auto-creating topic {} failed: {} {}",
                            name, Errors.forCode(r.errorCode()), r.errorMessage());
                        resp.topics().add(error(name, Errors.forCode(r.errorCode())));
                        continue;
                    }
                } else {
                    resp.topics().add(error(name, Errors.UNKNOWN_TOPIC_OR_PARTITION));
                    continue;
                }
            }
            resp.topics().add(describe(t, version));
        }
        return resp;
    }

    private static MetadataResponseTopic error(String name, Errors e) {
        return new MetadataResponseTopic().setName(name).setErrorCode(e.code()).setIsInternal(false)
            .setTopicAuthorizedOperations(Integer.MIN_VALUE);
    }

    private MetadataResponseTopic describe(TopicInfo t, short version) {
        final MetadataResponseTopic mt = new MetadataResponseTopic()
            .setName(t.name())
            .setTopicId(t.id())
            .setErrorCode(Errors.NONE.code())
            .setIsInternal(false)
            .setTopicAuthorizedOperations(Integer.MIN_VALUE);
        final List<Integer> self = List.of(ctx.nodeId());
        final int n = t.partitionCount();
        for (int p = 0; p < n; p++) {
            mt.partitions().add(new MetadataResponsePartition()
                .setErrorCode(Errors.NONE.code())
                .setPartitionIndex(p)
                .setLeaderId(ctx.nodeId())
                .setLeaderEpoch(LeaderEpochs.CURRENT)
                .setReplicaNodes(self)
                .setIsrNodes(self)
                .setOfflineReplicas(Collections.emptyList()));
        }
        return mt;
    }
}
