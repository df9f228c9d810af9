package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.group.CommittedOffset;
import io.zcrx.ingest.broker.group.GroupCoordinator;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
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
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/**
 * The classic consumer-group APIs (docs/kafka-protocol-notes.md#consumer-groups) between the wire and the
 * {@link GroupCoordinator}: FindCoordinator (this node for every group key), JoinGroup and
 * SyncGroup (deferred until the coordinator answers, from whichever thread ends the phase),
 * Heartbeat, LeaveGroup, OffsetCommit (v2-v9, by topic name), OffsetFetch (v1-v9, one or many
 * groups), DescribeGroups, ListGroups, DeleteGroups and OffsetDelete. Version-specific fields are
 * reconciled here (a field a version lacks must keep its default, or kafka-clients refuses to
 * write it).
 *
 * <p>Thread-safe (stateless; shared by every reactor).
 */
public final class GroupHandlers {
    private final BrokerContext ctx;

    public GroupHandlers(BrokerContext ctx) {
        this.ctx = ctx;
    }

    private GroupCoordinator gc() {
        return ctx.groups();
    }

    // ---- FindCoordinator ----------------------------------------------------------------------

    public FindCoordinatorResponseData findCoordinator(FindCoordinatorRequestData req, short version) {
        final FindCoordinatorResponseData resp = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (version < 4) {
            final Coordinator c = coordinator(req.key(), req.keyType());
            return resp.setErrorCode(c.errorCode()).setErrorMessage(version >= 1 ? c.errorMessage() : null)
                .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        }
        for (String key : req.coordinatorKeys()) {
            resp.coordinators().add(coordinator(key, req.keyType()));
        }
        return resp;
    }

    private Coordinator coordinator(String key, byte keyType) {
        final Coordinator c = new Coordinator().setKey(key);
        if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            // Transactions and share groups are not implemented: fail fast rather than have the
            // client retry until its timeout.
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setNodeId(-1).setHost("").setPort(-1)
                .setErrorMessage("coordinator key type " + keyType + " is not supported by this broker (groups only)");
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(ctx.nodeId()).setHost(ctx.advertisedHost())
            .setPort(ctx.advertisedPort()).setErrorMessage(null);
    }

    // ---- JoinGroup / SyncGroup / Heartbeat / LeaveGroup ---------------------------------------

    public void joinGroup(RequestContext req, JoinGroupRequestData data) {
        final short version = req.version();
        final PendingResponse pending = req.defer();
        gc().joinGroup(data, version, req.clientId(), req.clientHost(), resp -> pending.completeFromAnyThread(
            forVersion(resp, version)));
    }

    /** JoinGroup fields that do not exist at a version must keep their defaults. */
    static JoinGroupResponseData forVersion(JoinGroupResponseData r, short version) {
        if (version < 7) {
            r.setProtocolType(null);
            if (r.protocolName() == null) {
                r.setProtocolName("");
            }
        }
        if (version < 5) {
            r.members().forEach(m -> m.setGroupInstanceId(null));
        }
        return r;
    }

    public void syncGroup(RequestContext req, SyncGroupRequestData data) {
        final short version = req.version();
        final PendingResponse pending = req.defer();
        gc().syncGroup(data, resp -> {
            if (version < 5) {
                resp.setProtocolType(null).setProtocolName(null);
            }
            pending.completeFromAnyThread(resp);
        });
    }

    public HeartbeatResponseData heartbeat(HeartbeatRequestData data) {
        return new HeartbeatResponseData().setThrottleTimeMs(0).setErrorCode(gc().heartbeat(data).code());
    }

    public org.apache.kafka.common.message.LeaveGroupResponseData leaveGroup(LeaveGroupRequestData data, short version) {
        final List<MemberIdentity> leaving = version >= 3 ? data.members()
            : List.of(new MemberIdentity().setMemberId(data.memberId()));
        final GroupCoordinator.LeaveResult r = gc().leaveGroup(data.groupId(), leaving);
        return new LeaveGroupResponse(r.members(), r.topLevel(), 0, version).data();
    }

    // ---- offsets ------------------------------------------------------------------------------

    public OffsetCommitResponseData offsetCommit(OffsetCommitRequestData data, short version) {
        final List<GroupCoordinator.OffsetCommit> commits = new ArrayList<>();
        for (OffsetCommitRequestTopic t : data.topics()) {
            for (OffsetCommitRequestPartition p : t.partitions()) {
                commits.add(new GroupCoordinator.OffsetCommit(new TopicPartition(t.name(), p.partitionIndex()),
                    p.committedOffset(), version >= 6 ? p.committedLeaderEpoch() : -1, p.committedMetadata()));
            }
        }
        final Map<TopicPartition, Errors> result = gc().commitOffsets(data.groupId(), data.memberId(),
            version >= 7 ? data.groupInstanceId() : null, data.generationIdOrMemberEpoch(),
            version <= 4 ? data.retentionTimeMs() : -1L, commits, version);
        final OffsetCommitResponseData resp = new OffsetCommitResponseData().setThrottleTimeMs(0);
        for (OffsetCommitRequestTopic t : data.topics()) {
            final OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic().setName(t.name());
            resp.topics().add(rt);
            for (OffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setErrorCode(result.get(new TopicPartition(t.name(), p.partitionIndex())).code()));
            }
        }
        return resp;
    }

    public OffsetFetchResponseData offsetFetch(OffsetFetchRequestData data, short version) {
        final OffsetFetchResponseData resp = new OffsetFetchResponseData().setThrottleTimeMs(0);
        if (version >= 8) {
            for (OffsetFetchRequestGroup g : data.groups()) {
                final OffsetFetchResponseGroup rg = new OffsetFetchResponseGroup().setGroupId(g.groupId())
                    .setErrorCode(Errors.NONE.code());
                resp.groups().add(rg);
                final List<TopicPartition> wanted = g.topics() == null ? null : partitionsOf8(g.topics());
                for (Map.Entry<String, List<OffsetFetchResponsePartitions>> e
                        : byTopic8(gc().fetchOffsets(g.groupId(), wanted), wanted).entrySet()) {
                    rg.topics().add(new OffsetFetchResponseTopics().setName(e.getKey()).setPartitions(e.getValue()));
                }
            }
            return resp;
        }
        final List<TopicPartition> wanted = data.topics() == null ? null : partitionsOf(data.topics());
        final Map<TopicPartition, CommittedOffset> found = gc().fetchOffsets(data.groupId(), wanted);
        final Map<String, OffsetFetchResponseTopic> topics = new LinkedHashMap<>();
        for (TopicPartition tp : wanted == null ? found.keySet() : wanted) {
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

    private static Map<String, List<OffsetFetchResponsePartitions>> byTopic8(Map<TopicPartition, CommittedOffset> found,
                                                                            List<TopicPartition> wanted) {
        final Map<String, List<OffsetFetchResponsePartitions>> out = new LinkedHashMap<>();
        for (TopicPartition tp : wanted == null ? found.keySet() : wanted) {
            final CommittedOffset c = found.get(tp);
            out.computeIfAbsent(tp.topic(), n -> new ArrayList<>()).add(new OffsetFetchResponsePartitions()
                .setPartitionIndex(tp.partition()).setCommittedOffset(c == null ? -1 : c.offset())
                .setCommittedLeaderEpoch(c == null ? -1 : c.leaderEpoch()).setMetadata(c == null ? "" : c.metadata())
                .setErrorCode(Errors.NONE.code()));
        }
        return out;
    }

    public OffsetDeleteResponseData offsetDelete(OffsetDeleteRequestData data) {
        final OffsetDeleteResponseData resp = new OffsetDeleteResponseData().setThrottleTimeMs(0);
        final List<TopicPartition> existing = new ArrayList<>();
        for (OffsetDeleteRequestTopic t : data.topics()) {
            final TopicInfo topic = ctx.topics().get(t.name());
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                if (topic != null && !topic.isDeleted() && topic.partition(p.partitionIndex()) != null) {
                    existing.add(new TopicPartition(t.name(), p.partitionIndex()));
                }
            }
        }
        final GroupCoordinator.OffsetDeleteResult r = gc().deleteOffsets(data.groupId(), existing);
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
                    .setErrorCode((e == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : e).code()));
            }
        }
        return resp;
    }

    // ---- admin --------------------------------------------------------------------------------

    public DescribeGroupsResponseData describeGroups(DescribeGroupsRequestData data, short version) {
        final DescribeGroupsResponseData resp = new DescribeGroupsResponseData().setThrottleTimeMs(0);
        for (String g : data.groups()) {
            final DescribeGroupsResponseData.DescribedGroup d = gc().describeGroup(g, version);
            if (version < 4) {
                d.members().forEach(m -> m.setGroupInstanceId(null));
            }
            resp.groups().add(d);
        }
        return resp;
    }

    public ListGroupsResponseData listGroups(ListGroupsRequestData data, short version) {
        return new ListGroupsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
            .setGroups(gc().listGroups(version >= 4 ? data.statesFilter() : null, version >= 5 ? data.typesFilter() : null));
    }

    public DeleteGroupsResponseData deleteGroups(DeleteGroupsRequestData data) {
        return new DeleteGroupsResponseData().setThrottleTimeMs(0).setResults(gc().deleteGroups(data.groupsNames()));
    }
}
