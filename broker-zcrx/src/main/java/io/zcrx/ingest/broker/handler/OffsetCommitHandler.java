package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.group.OffsetManager;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetCommit, v2-v9 by topic name (docs/kafka-protocol-notes.md#consumer-groups): the leader epoch from v6, the
 * static instance id from v7, the retention time only in v2-v4; one error per partition named.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class OffsetCommitHandler {
    private final BrokerContext ctx;

    public OffsetCommitHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * After the group's READ ({@link ApiAuthorization}), READ on each topic (Kafka's
     * {@code handleOffsetCommitRequest}): a topic the client may not read answers TOPIC_AUTHORIZATION_FAILED for
     * each of its partitions and none of them is committed.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public OffsetCommitResponseData handle(OffsetCommitRequestData data, short version, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final List<OffsetManager.OffsetCommit> commits = new ArrayList<>();
        final Set<String> refused = new HashSet<>();
        for (OffsetCommitRequestTopic t : data.topics()) {
            if (refused.contains(t.name())
                    || !authz.authorize(who, AclOperation.READ, ResourceType.TOPIC, t.name())) {
                refused.add(t.name());
                continue;
            }
            for (OffsetCommitRequestPartition p : t.partitions()) {
                commits.add(new OffsetManager.OffsetCommit(new TopicPartition(t.name(), p.partitionIndex()),
                    p.committedOffset(), version >= 6 ? p.committedLeaderEpoch() : -1, p.committedMetadata()));
            }
        }
        final Map<TopicPartition, Errors> result = ctx.offsets().commitOffsets(data.groupId(), data.memberId(),
            version >= 7 ? data.groupInstanceId() : null, data.generationIdOrMemberEpoch(),
            version <= 4 ? data.retentionTimeMs() : -1L, commits, version);
        final OffsetCommitResponseData resp = new OffsetCommitResponseData().setThrottleTimeMs(0);
        for (OffsetCommitRequestTopic t : data.topics()) {
            final OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic().setName(t.name());
            resp.topics().add(rt);
            for (OffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setErrorCode(refused.contains(t.name()) ? Errors.TOPIC_AUTHORIZATION_FAILED.code()
                        : result.get(new TopicPartition(t.name(), p.partitionIndex())).code()));
            }
        }
        return resp;
    }
}
