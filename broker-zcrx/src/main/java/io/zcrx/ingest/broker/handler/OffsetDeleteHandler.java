package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.group.OffsetManager;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetDelete (docs/kafka-protocol-notes.md#consumer-groups): removes a group's committed offsets of topics no member
 * subscribes to; partitions that do not exist answer UNKNOWN_TOPIC_OR_PARTITION.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class OffsetDeleteHandler {
    private final BrokerContext ctx;

    public OffsetDeleteHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * After the group's DELETE ({@link ApiAuthorization}), READ on each topic (Kafka's
     * {@code handleOffsetDeleteRequest}): the partitions of a topic the client may not read answer
     * TOPIC_AUTHORIZATION_FAILED and keep their offsets.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public OffsetDeleteResponseData handle(OffsetDeleteRequestData data, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final OffsetDeleteResponseData resp = new OffsetDeleteResponseData().setThrottleTimeMs(0);
        final List<TopicPartition> existing = new ArrayList<>();
        final Set<String> refused = new HashSet<>();
        for (OffsetDeleteRequestTopic t : data.topics()) {
            if (!authz.authorize(who, AclOperation.READ, ResourceType.TOPIC, t.name())) {
                refused.add(t.name());
                continue;
            }
            final TopicInfo topic = ctx.topics().get(t.name());
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                // state, not partition(): in cluster mode the partition may be led by another broker.
                if (topic != null && !topic.isDeleted() && topic.state(p.partitionIndex()) != null) {
                    existing.add(new TopicPartition(t.name(), p.partitionIndex()));
                }
            }
        }
        final OffsetManager.OffsetDeleteResult r = ctx.offsets().deleteOffsets(data.groupId(), existing);
        resp.setErrorCode(r.groupError().code());
        if (r.groupError() != Errors.NONE) {
            return resp;
        }
        for (OffsetDeleteRequestTopic t : data.topics()) {
            final OffsetDeleteResponseTopic rt = new OffsetDeleteResponseTopic().setName(t.name());
            resp.topics().add(rt);
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                final Errors e = r.partitions().get(new TopicPartition(t.name(), p.partitionIndex()));
                rt.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setErrorCode(refused.contains(t.name()) ? Errors.TOPIC_AUTHORIZATION_FAILED.code()
                        : (e == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : e).code()));
            }
        }
        return resp;
    }
}
