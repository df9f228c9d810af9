package io.zcrx.ingest.broker.group;

import static io.zcrx.ingest.broker.group.GroupCoordinator.CONSUMER_PROTOCOL_TYPE;

import io.zcrx.ingest.broker.runtime.TimerService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed offsets of this node's groups (docs/kafka-protocol-notes.md#consumer-groups):
 * OffsetCommit, OffsetFetch, OffsetDelete, the offsets of deleted topics and offset retention,
 * persisted in a {@link GroupStore} (standalone: the {@link OffsetStore} journal; cluster mode:
 * {@code __consumer_offsets}). As in Apache Kafka, offset management is kept apart from group membership:
 * join phases, sessions and static members are the {@link GroupCoordinator}'s; a commit is checked
 * against that membership under the group's monitor, so a member that was just fenced or removed
 * cannot commit.
 *
 * <p>Thread safety: any thread may call any method. Each call holds the monitor of the group it
 * touches, the one the coordinator uses; offsets of a deleted topic whose group is not live are
 * removed under this object's monitor.
 */
public final class OffsetManager {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetManager.class);

    /** The offset settings (Kafka's names), validated by BrokerConfig. */
    public record Settings(long retentionMs, int metadataMaxBytes) {
    }

    private final Settings settings;
    private final GroupStore store;
    private final TimerService timer;
    /** (topic, partition) exists: offsets are committed only for partitions that exist. */
    private final BiPredicate<String, Integer> partitionExists;
    private final GroupCoordinator groups;

    /** Restores a group (Empty, no members) for every group id with offsets in {@code store}. */
    public OffsetManager(Settings settings, GroupStore store, TimerService timer,
                         BiPredicate<String, Integer> partitionExists, GroupCoordinator groups) {
        this.settings = settings;
        this.store = store;
        this.timer = timer;
        this.partitionExists = partitionExists;
        this.groups = groups;
        for (String g : store.groupIds()) {
            // After a restart a group holds only its offsets (membership is not persisted: members
            // rejoin). Offset retention counts from the newest commit, the best "became empty" we know.
            long newest = 0;
            for (CommittedOffset c : store.offsets(g).values()) {
                newest = Math.max(newest, c.commitTimestampMs());
            }
            groups.restore(g, newest);
        }
    }

    /** One partition of an OffsetCommit. */
    public record OffsetCommit(TopicPartition partition, long offset, int leaderEpoch, String metadata) {
    }

    /**
     * OffsetCommit: validates the committer against the group (a standalone commit, generation
     * &lt; 0 and no member id, is accepted only while the group has no members), then persists every
     * partition that exists and whose metadata fits. Returns the error of each partition.
     *
     * @param retentionMs v2-v4 RetentionTimeMs (-1 = the broker's offsets.retention.minutes)
     * @param version     the OffsetCommit version (v9 answers GROUP_ID_NOT_FOUND for an unknown group)
     */
    public Map<TopicPartition, Errors> commitOffsets(String groupId, String memberId, String instanceId,
                                                     int generationId, long retentionMs, List<OffsetCommit> offsets,
                                                     short version) {
        final Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        final String member = memberId == null ? "" : memberId;
        Errors groupError = Errors.NONE;
        ClassicGroup g = null;
        final Errors notHere = groups.coordinatorError(groupId);
        if (groupId == null || groupId.isEmpty()) {
            groupError = Errors.INVALID_GROUP_ID;
        } else if (notHere != Errors.NONE) {
            groupError = notHere;
        } else {
            g = groups.group(groupId);
            if (g == null) {
                if (generationId < 0 && member.isEmpty() && instanceId == null) {
                    g = groups.groupOrCreate(groupId);
                } else {
                    groupError = version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
                }
            }
        }
        if (g == null) {
            for (OffsetCommit c : offsets) {
                result.put(c.partition(), groupError);
            }
            return result;
        }
        synchronized (g) {
            groupError = validateCommit(g, member, instanceId, generationId);
            final Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
            final long now = timer.nowMs();
            for (OffsetCommit c : offsets) {
                final TopicPartition tp = c.partition();
                if (groupError != Errors.NONE) {
                    result.put(tp, groupError);
                } else if (!partitionExists.test(tp.topic(), tp.partition())) {
                    result.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (c.metadata() != null && c.metadata().length() > settings.metadataMaxBytes()) {
                    result.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
                } else {
                    accepted.put(tp, new CommittedOffset(c.offset(), c.leaderEpoch(),
                        c.metadata() == null ? "" : c.metadata(), now, retentionMs >= 0 ? now + retentionMs : -1L));
                    result.put(tp, Errors.NONE);
                }
            }
            if (!accepted.isEmpty()) {
                try {
                    store.commit(g.groupId, accepted);
                } catch (IOException e) {
                    LOG.error("group {}: persisting {} offsets failed", g.groupId, accepted.size(), e);
                    for (TopicPartition tp : accepted.keySet()) {
                        // Retriable for the client; the journal refuses further writes if it is damaged.
                        result.put(tp, Errors.COORDINATOR_NOT_AVAILABLE);
                    }
                }
            }
            if (groupError == Errors.NONE && g.is(GroupState.STABLE) && g.members.containsKey(member)) {
                // A commit proves the member alive, as a heartbeat does.
                g.members.get(member).lastHeartbeatMs = now;
            }
            groups.maybeRemoveEmpty(g);
        }
        return result;
    }

    private static Errors validateCommit(ClassicGroup g, String memberId, String instanceId, int generationId) {
        if (g.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && g.is(GroupState.EMPTY)) {
            // The admin client, or a consumer not using group management: allowed while no member
            // could be committing for the same partitions.
            return Errors.NONE;
        }
        if (generationId >= 0 || !memberId.isEmpty() || instanceId != null) {
            if (g.isStaticMemberFenced(instanceId, memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            if (!g.members.containsKey(memberId)) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (generationId != g.generationId) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (g.is(GroupState.COMPLETING_REBALANCE)) {
            // The member has its new generation but not its assignment yet: it must not commit for
            // partitions it may be losing.
            return Errors.REBALANCE_IN_PROGRESS;
        }
        // PreparingRebalance with the current generation is accepted: consumers commit what they
        // consumed before rejoining (that is what makes synchronous commits exactly-once across a
        // rebalance).
        return Errors.NONE;
    }

    /**
     * OffsetFetch for one group: the committed offsets of {@code partitions}, or of every partition
     * with one when null. Partitions without a commit are absent from the map.
     */
    public Map<TopicPartition, CommittedOffset> fetchOffsets(String groupId, Collection<TopicPartition> partitions) {
        if (partitions == null) {
            final Map<TopicPartition, CommittedOffset> all = new TreeMap<>(
                Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            all.putAll(store.offsets(groupId));
            return all;
        }
        final Map<TopicPartition, CommittedOffset> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            final CommittedOffset c = store.offset(groupId, tp);
            if (c != null) {
                out.put(tp, c);
            }
        }
        return out;
    }

    /** OffsetDelete: per-partition errors, or a group-level error in {@link OffsetDeleteResult#groupError}. */
    public record OffsetDeleteResult(Errors groupError, Map<TopicPartition, Errors> partitions) {
    }

    public OffsetDeleteResult deleteOffsets(String groupId, List<TopicPartition> partitions) {
        final Errors notHere = groups.coordinatorError(groupId);
        if (notHere != Errors.NONE) {
            return new OffsetDeleteResult(notHere, Map.of());
        }
        final ClassicGroup g = groupId == null ? null : groups.group(groupId);
        if (g == null) {
            return new OffsetDeleteResult(groupId == null || groupId.isEmpty() ? Errors.INVALID_GROUP_ID
                : Errors.GROUP_ID_NOT_FOUND, Map.of());
        }
        synchronized (g) {
            if (g.is(GroupState.DEAD)) {
                return new OffsetDeleteResult(Errors.GROUP_ID_NOT_FOUND, Map.of());
            }
            Set<String> subscribed = Set.of();
            if (!g.is(GroupState.EMPTY)) {
                if (!CONSUMER_PROTOCOL_TYPE.equals(g.protocolType)) {
                    return new OffsetDeleteResult(Errors.NON_EMPTY_GROUP, Map.of());
                }
                subscribed = subscribedTopics(g);
            }
            final Map<TopicPartition, Errors> out = new LinkedHashMap<>();
            final List<TopicPartition> doomed = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (subscribed == null || subscribed.contains(tp.topic())) {
                    out.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
                } else {
                    doomed.add(tp);
                    out.put(tp, Errors.NONE);
                }
            }
            try {
                store.delete(g.groupId, doomed);
            } catch (IOException e) {
                LOG.error("group {}: deleting offsets failed", g.groupId, e);
                return new OffsetDeleteResult(Errors.COORDINATOR_NOT_AVAILABLE, Map.of());
            }
            groups.maybeRemoveEmpty(g);
            return new OffsetDeleteResult(Errors.NONE, out);
        }
    }

    /**
     * Topics any member subscribes to (decoded from the consumer protocol metadata), or null when
     * a subscription cannot be decoded (then every topic counts as subscribed).
     */
    private static Set<String> subscribedTopics(ClassicGroup g) {
        final Set<String> topics = new HashSet<>();
        for (Member m : g.members.values()) {
            final byte[] meta = g.protocolName != null ? m.protocols.get(g.protocolName)
                : m.protocols.values().iterator().next();
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(meta)).topics());
            } catch (RuntimeException e) {
                return null;
            }
        }
        return topics;
    }

    /** A topic was deleted: its committed offsets go with it (as in Kafka). */
    public void onTopicDeleted(String topic) {
        for (String groupId : store.groupIds()) {
            final List<TopicPartition> doomed = new ArrayList<>();
            for (TopicPartition tp : store.offsets(groupId).keySet()) {
                if (tp.topic().equals(topic)) {
                    doomed.add(tp);
                }
            }
            if (doomed.isEmpty()) {
                continue;
            }
            final ClassicGroup g = groups.group(groupId);
            final Object lock = g != null ? g : this;
            synchronized (lock) {
                try {
                    store.delete(groupId, doomed);
                } catch (IOException e) {
                    LOG.error("group {}: deleting offsets of deleted topic {} failed", groupId, topic, e);
                }
                if (g != null) {
                    groups.maybeRemoveEmpty(g);
                }
            }
        }
    }

    /**
     * Offset retention (offsets.retention.minutes, KIP-211): an Empty consumer group's offsets
     * expire once the group has been empty that long; a simple group's (offsets only) and a Stable
     * consumer group's offsets of topics nobody subscribes to any more expire that long after their
     * commit; an explicit v2-v4 expiry time wins. A group left with no member and no offset is
     * removed. Returns the number of offsets removed.
     */
    public int expireOffsets() {
        final long now = timer.nowMs();
        final long retention = settings.retentionMs();
        int removed = 0;
        for (ClassicGroup g : groups.allGroups()) {
            synchronized (g) {
                if (g.is(GroupState.DEAD)) {
                    continue;
                }
                final boolean consumerGroup = g.protocolType != null;
                Set<String> subscribed = null;
                if (consumerGroup && g.is(GroupState.STABLE) && CONSUMER_PROTOCOL_TYPE.equals(g.protocolType)) {
                    subscribed = subscribedTopics(g);
                    if (subscribed == null) {
                        continue;
                    }
                } else if (consumerGroup && !g.is(GroupState.EMPTY)) {
                    continue;
                }
                final List<TopicPartition> doomed = new ArrayList<>();
                for (Map.Entry<TopicPartition, CommittedOffset> e : store.offsets(g.groupId).entrySet()) {
                    final CommittedOffset c = e.getValue();
                    if (subscribed != null && subscribed.contains(e.getKey().topic())) {
                        continue;
                    }
                    final long base = consumerGroup && g.is(GroupState.EMPTY) ? g.emptySinceMs : c.commitTimestampMs();
                    final boolean expired = c.expireTimestampMs() >= 0 ? now >= c.expireTimestampMs()
                        : retention >= 0 && now - base >= retention;
                    if (expired) {
                        doomed.add(e.getKey());
                    }
                }
                if (!doomed.isEmpty()) {
                    try {
                        store.delete(g.groupId, doomed);
                        removed += doomed.size();
                        LOG.info("group {}: {} committed offsets expired", g.groupId, doomed.size());
                    } catch (IOException e) {
                        LOG.error("group {}: expiring offsets failed", g.groupId, e);
                    }
                }
                groups.maybeRemoveEmpty(g);
            }
        }
        return removed;
    }

    public GroupStore offsetStore() {
        return store;
    }
}
