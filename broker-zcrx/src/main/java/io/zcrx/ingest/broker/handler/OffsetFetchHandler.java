package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.group.CommittedOffset;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * OffsetFetch, v1-v9 (docs/kafka-protocol-notes.md#consumer-groups): one group before v8, many groups from v8 (with
 * their own response shape); null topics ask for every committed partition. A partition without a
 * commit answers offset -1.
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class OffsetFetchHandler {
    private final BrokerContext ctx;

    public OffsetFetchHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * With the checks of Kafka's {@code handleOffsetFetchRequest}: v8+ answer GROUP_AUTHORIZATION_FAILED for each
     * group the client may not DESCRIBE (v0-7 name one group, checked before: {@link ApiAuthorization}); then,
     * per topic, DESCRIBE: a partition asked for by name of a topic the client may not describe answers
     * TOPIC_AUTHORIZATION_FAILED (offset -1), and "all committed offsets" leaves such topics out (unaudited).
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public OffsetFetchResponseData handle(OffsetFetchRequestData data, short version, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final OffsetFetchResponseData resp = new OffsetFetchResponseData().setThrottleTimeMs(0);
        if (version >= 8) {
            for (OffsetFetchRequestGroup g : data.groups()) {
                if (!authz.authorize(who, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
                    resp.groups().add(new OffsetFetchResponseGroup().setGroupId(g.groupId())
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
                    continue;
                }
                final Errors notHere = ctx.groups().coordinatorError(g.groupId());
                final OffsetFetchResponseGroup rg = new OffsetFetchResponseGroup().setGroupId(g.groupId())
                    .setErrorCode(notHere.code());
                resp.groups().add(rg);
                if (notHere != Errors.NONE) {
                    continue;
                }
                final List<TopicPartition> wanted = g.topics() == null ? null : partitionsOf8(g.topics());
                final Predicate<String> described = describable(authz, who, wanted != null);
                for (Map.Entry<String, List<OffsetFetchResponsePartitions>> e : byTopic8(ctx.offsets()
                        .fetchOffsets(g.groupId(), allowed(wanted, described)), wanted, described).entrySet()) {
                    rg.topics().add(new OffsetFetchResponseTopics().setName(e.getKey()).setPartitions(e.getValue()));
                }
            }
            return resp;
        }
        final Errors notHere = ctx.groups().coordinatorError(data.groupId());
        if (notHere != Errors.NONE) {
            return groupError(data, version, notHere);
        }
        final List<TopicPartition> wanted = data.topics() == null ? null : partitionsOf(data.topics());
        final Predicate<String> described = describable(authz, who, wanted != null);
        final Map<TopicPartition, CommittedOffset> found =
            ctx.offsets().fetchOffsets(data.groupId(), allowed(wanted, described));
        final Map<String, OffsetFetchResponseTopic> topics = new LinkedHashMap<>();
        for (TopicPartition tp : wanted == null ? found.keySet() : wanted) {
            if (!described.test(tp.topic())) {
                if (wanted != null) {
                    topics.computeIfAbsent(tp.topic(), n -> new OffsetFetchResponseTopic().setName(n)).partitions()
                        .add(new OffsetFetchResponsePartition().setPartitionIndex(tp.partition())
                            .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("")
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                }
                continue;
            }
            final CommittedOffset c = found.get(tp);
            topics.computeIfAbsent(tp.topic(), n -> new OffsetFetchResponseTopic().setName(n)).partitions()
                .add(new OffsetFetchResponsePartition().setPartitionIndex(tp.partition())
                    .setCommittedOffset(c == null ? -1 : c.offset())
                    .setCommittedLeaderEpoch(c == null || version < 5 ? -1 : c.leaderEpoch())
                    .setMetadata(c == null ? "" : c.metadata()).setErrorCode(Errors.NONE.code()));
        }
        resp.setTopics(new ArrayList<>(topics.values()));
        if (version >= 2) {
            resp.setErrorCode(Errors.NONE.code());
        }
        return resp;
    }

    /**
     * v1-v7 for a group not coordinated here: from v2 the top-level error; v1 has none, so (as Kafka)
     * every partition asked carries it.
     */
    private static OffsetFetchResponseData groupError(OffsetFetchRequestData data, short version, Errors e) {
        final OffsetFetchResponseData resp = new OffsetFetchResponseData().setThrottleTimeMs(0);
        if (version >= 2) {
            return resp.setErrorCode(e.code());
        }
        if (data.topics() != null) {
            for (OffsetFetchRequestTopic t : data.topics()) {
                final OffsetFetchResponseTopic rt = new OffsetFetchResponseTopic().setName(t.name());
                resp.topics().add(rt);
                for (int p : t.partitionIndexes()) {
                    rt.partitions().add(new OffsetFetchResponsePartition().setPartitionIndex(p).setCommittedOffset(-1)
                        .setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode(e.code()));
                }
            }
        }
        return resp;
    }

    private static List<TopicPartition> partitionsOf(List<OffsetFetchRequestTopic> topics) {
        final List<TopicPartition> out = new ArrayList<>();
        for (OffsetFetchRequestTopic t : topics) {
            for (int p : t.partitionIndexes()) {
                out.add(new TopicPartition(t.name(), p));
            }
        }
        return out;
    }

    private static List<TopicPartition> partitionsOf8(List<OffsetFetchRequestTopics> topics) {
        final List<TopicPartition> out = new ArrayList<>();
        for (OffsetFetchRequestTopics t : topics) {
            for (int p : t.partitionIndexes()) {
                out.add(new TopicPartition(t.name(), p));
            }
        }
        return out;
    }

    /**
     * Topic name to "may DESCRIBE", each asked once per request; a denial is audited only for topics asked for by
     * name ({@code named}), as Kafka's {@code filterByAuthorized} for "all committed offsets" is not.
     */
    private static Predicate<String> describable(Authorization authz, RequestContext who, boolean named) {
        final Map<String, Boolean> seen = new HashMap<>();
        return topic -> seen.computeIfAbsent(topic,
            t -> authz.authorize(who, AclOperation.DESCRIBE, ResourceType.TOPIC, t, true, named));
    }

    /** The partitions of {@code wanted} whose topic passes; null (all) stays null, filtered afterwards. */
    private static List<TopicPartition> allowed(List<TopicPartition> wanted, Predicate<String> described) {
        if (wanted == null) {
            return null;
        }
        final List<TopicPartition> out = new ArrayList<>(wanted.size());
        for (TopicPartition tp : wanted) {
            if (described.test(tp.topic())) {
                out.add(tp);
            }
        }
        return out;
    }

    private static Map<String, List<OffsetFetchResponsePartitions>> byTopic8(Map<TopicPartition, CommittedOffset> found,
            List<TopicPartition> wanted, Predicate<String> described) {
        final Map<String, List<OffsetFetchResponsePartitions>> out = new LinkedHashMap<>();
        for (TopicPartition tp : wanted == null ? found.keySet() : wanted) {
            if (!described.test(tp.topic())) {
                if (wanted != null) {
                    out.computeIfAbsent(tp.topic(), n -> new ArrayList<>()).add(new OffsetFetchResponsePartitions()
                        .setPartitionIndex(tp.partition()).setCommittedOffset(-1).setCommittedLeaderEpoch(-1)
                        .setMetadata("").setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                }
                continue;
            }
            final CommittedOffset c = found.get(tp);
            out.computeIfAbsent(tp.topic(), n -> new ArrayList<>()).add(new OffsetFetchResponsePartitions()
                .setPartitionIndex(tp.partition()).setCommittedOffset(c == null ? -1 : c.offset())
                .setCommittedLeaderEpoch(c == null ? -1 : c.leaderEpoch()).setMetadata(c == null ? "" : c.metadata())
                .setErrorCode(Errors.NONE.code()));
        }
        return out;
    }
}
