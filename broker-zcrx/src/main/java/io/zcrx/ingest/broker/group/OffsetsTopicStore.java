package io.zcrx.ingest.broker.group;

import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's {@link GroupStore}: the groups of the {@code __consumer_offsets} partitions this
 * broker leads (docs/design.md, "Consumer groups in a cluster"). A group belongs to partition
 * {@code Utils.abs(groupId.hashCode()) % partitionCount} (Kafka's {@code partitionFor}); every
 * change is appended to that partition in Kafka's record format ({@link GroupRecords}) before it is
 * applied in memory and answered, and a partition's groups are rebuilt from its records when this
 * broker becomes its leader ({@link GroupLoader}), so Kafka's brokers and ours can take over each
 * other's partitions.
 *
 * <p>Per partition a {@link Slot}: loading (requests answer COORDINATOR_LOAD_IN_PROGRESS), then
 * active; no slot: NOT_COORDINATOR.
 *
 * <p>Leadership: a write goes only to a partition led here while this broker holds its leadership lease
 * ({@code mayLead}, Kafka's rule that a fenced broker acknowledges nothing): without it requests answer
 * NOT_COORDINATOR and appends fail before anything is written; a log that resigned refuses the append itself
 * ({@code PartitionLog.resign}).
 *
 * <p>Thread safety: the slot map is concurrent; each slot's maps and its appends are guarded by
 * the slot's monitor (commits of groups in different partitions do not wait for each other).
 */
public final class OffsetsTopicStore implements GroupStore {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopicStore.class);

    private final IntSupplier partitionCount;
    private final LongSupplier clockMs;
    /** Cluster mode's leadership lease ({@code ClusterState.mayLead} now). */
    private final BooleanSupplier mayLead;
    private final ConcurrentHashMap<Integer, Slot> slots = new ConcurrentHashMap<>();

    /**
     * @param partitionCount partitions of {@code __consumer_offsets}: the topic's count once it
     *                       exists, else {@code offsets.topic.num.partitions}
     */
    public OffsetsTopicStore(IntSupplier partitionCount, LongSupplier clockMs) {
        this(partitionCount, clockMs, () -> true);
    }

    /**
     * @param mayLead whether this broker holds its leadership lease now (cluster mode:
     *                {@code () -> cluster.mayLead(System.nanoTime())})
     */
    public OffsetsTopicStore(IntSupplier partitionCount, LongSupplier clockMs, BooleanSupplier mayLead) {
        this.partitionCount = partitionCount;
        this.clockMs = clockMs;
        this.mayLead = mayLead;
    }

    /** Kafka's group-to-partition mapping. */
    public static int partitionFor(String groupId, int partitionCount) {
        return Utils.abs(groupId.hashCode()) % partitionCount;
    }

    public int partitionFor(String groupId) {
        return partitionFor(groupId, partitionCount.getAsInt());
    }

    /** One led partition: its log, its groups' offsets, the groups with a GroupMetadata record. */
    static final class Slot {
        final int partition;
        final int leaderEpoch;
        final OffsetsTopicLog log;
        /** Set once the replay is done and the coordinator holds the groups (volatile: read unlocked). */
        volatile boolean active;
        final Map<String, Map<TopicPartition, CommittedOffset>> offsets = new HashMap<>();
        final Set<String> storedGroups = new HashSet<>();

        Slot(int partition, int leaderEpoch, PartitionLog log) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
            this.log = new OffsetsTopicLog(log);
        }

        @Override
        public String toString() {
            return "__consumer_offsets-" + partition + " (leader epoch " + leaderEpoch + ")";
        }
    }

    /** What a replay found: the groups with metadata and the newest commit of every group with offsets. */
    record Loaded(List<StoredGroup> groups, Map<String, Long> newestCommitMs, int records, int skipped) {
    }

    // ---- leadership (GroupLoader) -------------------------------------------------------------

    /** This broker now leads {@code partition}: a loading slot replaces whatever was there. */
    Slot begin(int partition, PartitionLog log, int leaderEpoch) {
        final Slot s = new Slot(partition, leaderEpoch, log);
        slots.put(partition, s);
        return s;
    }

    /** True while {@code s} is the partition's current slot (not resigned or replaced meanwhile). */
    boolean isCurrent(Slot s) {
        return slots.get(s.partition) == s;
    }

    /**
     * Replays the slot's partition (later records win, tombstones delete) into the slot; the
     * loading thread calls it before the slot is active, so nothing else touches the slot.
     */
    Loaded load(Slot s) throws IOException {
        final Map<String, StoredGroup> groups = new LinkedHashMap<>();
        final int[] counts = new int[2];
        synchronized (s) {
            s.log.replay((key, value) -> {
                counts[0]++;
                if (key == null) {
                    counts[1]++;
                    return;
                }
                apply(s, groups, GroupRecords.decode(key, value), counts);
            });
            final Map<String, Long> newest = new HashMap<>();
            for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> e : s.offsets.entrySet()) {
                long n = 0;
                for (CommittedOffset c : e.getValue().values()) {
                    n = Math.max(n, c.commitTimestampMs());
                }
                newest.put(e.getKey(), n);
            }
            s.storedGroups.addAll(groups.keySet());
            return new Loaded(new ArrayList<>(groups.values()), newest, counts[0], counts[1]);
        }
    }

    private void apply(Slot s, Map<String, StoredGroup> groups, GroupRecords.Replayed r, int[] counts) {
        if (r instanceof GroupRecords.OffsetCommitted c) {
            s.offsets.computeIfAbsent(c.groupId(), k -> new HashMap<>()).put(c.partition(), c.offset());
        } else if (r instanceof GroupRecords.OffsetRemoved c) {
            final Map<TopicPartition, CommittedOffset> m = s.offsets.get(c.groupId());
            if (m != null) {
                m.remove(c.partition());
                if (m.isEmpty()) {
                    s.offsets.remove(c.groupId());
                }
            }
        } else if (r instanceof GroupRecords.GroupStored g) {
            groups.put(g.groupId(), g.group());
        } else if (r instanceof GroupRecords.GroupRemoved g) {
            groups.remove(g.groupId());
        } else {
            counts[1]++;
        }
    }

    /** The loaded slot serves requests from now on. */
    void activate(Slot s) {
        s.active = true;
    }

    /** This broker no longer leads {@code partition}: its slot goes (its groups are the coordinator's to drop). */
    Slot end(int partition) {
        return slots.remove(partition);
    }

    // ---- GroupStore ---------------------------------------------------------------------------

    @Override
    public Errors coordinatorError(String group) {
        final Slot s = slots.get(partitionFor(group));
        if (s == null || !mayLead.getAsBoolean()) {
            return Errors.NOT_COORDINATOR;
        }
        return s.active ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    private Slot active(String group) throws IOException {
        final int p = partitionFor(group);
        final Slot s = slots.get(p);
        if (s == null || !s.active) {
            throw new IOException("group " + group + ": partition __consumer_offsets-" + p + " is "
                + (s == null ? "not led by this broker" : "still loading"));
        }
        return s;
    }

    /** Appends {@code records} to the slot's partition if this broker still holds its lease (slot monitor held). */
    private void append(Slot s, List<SimpleRecord> records, long now) throws IOException {
        if (!mayLead.getAsBoolean()) {
            throw new IOException("not appending to " + s + ": this broker's leadership lease is lost");
        }
        s.log.append(records, now);
    }

    private Slot slotOrNull(String group) {
        final Slot s = slots.get(partitionFor(group));
        return s != null && s.active ? s : null;
    }

    @Override
    public List<String> groupIds() {
        final List<String> out = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.active) {
                synchronized (s) {
                    out.addAll(s.offsets.keySet());
                }
            }
        }
        return out;
    }

    @Override
    public Map<TopicPartition, CommittedOffset> offsets(String group) {
        final Slot s = slotOrNull(group);
        if (s == null) {
            return Collections.emptyMap();
        }
        synchronized (s) {
            final Map<TopicPartition, CommittedOffset> m = s.offsets.get(group);
            return m == null ? Collections.emptyMap() : new HashMap<>(m);
        }
    }

    @Override
    public CommittedOffset offset(String group, TopicPartition tp) {
        final Slot s = slotOrNull(group);
        if (s == null) {
            return null;
        }
        synchronized (s) {
            final Map<TopicPartition, CommittedOffset> m = s.offsets.get(group);
            return m == null ? null : m.get(tp);
        }
    }

    @Override
    public boolean hasOffsets(String group) {
        final Slot s = slotOrNull(group);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.offsets.containsKey(group);
        }
    }

    @Override
    public void commit(String group, Map<TopicPartition, CommittedOffset> offsets) throws IOException {
        if (offsets.isEmpty()) {
            return;
        }
        final Slot s = active(group);
        final long now = clockMs.getAsLong();
        final List<SimpleRecord> records = new ArrayList<>(offsets.size());
        for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
            records.add(GroupRecords.offsetCommit(now, group, e.getKey(), e.getValue()));
        }
        synchronized (s) {
            append(s, records, now);
            s.offsets.computeIfAbsent(group, k -> new HashMap<>()).putAll(offsets);
        }
    }

    @Override
    public void delete(String group, Collection<TopicPartition> partitions) throws IOException {
        final Slot s = slotOrNull(group);
        if (s == null) {
            return;
        }
        final long now = clockMs.getAsLong();
        synchronized (s) {
            final Map<TopicPartition, CommittedOffset> m = s.offsets.get(group);
            if (m == null) {
                return;
            }
            final List<SimpleRecord> records = new ArrayList<>();
            final List<TopicPartition> present = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (m.containsKey(tp)) {
                    present.add(tp);
                    records.add(GroupRecords.offsetCommitTombstone(now, group, tp));
                }
            }
            if (records.isEmpty()) {
                return;
            }
            append(s, records, now);
            for (TopicPartition tp : present) {
                m.remove(tp);
            }
            if (m.isEmpty()) {
                s.offsets.remove(group);
            }
        }
    }

    /** As Kafka's DeleteGroups: a tombstone for every committed offset, then one for the group. */
    @Override
    public void deleteGroup(String group) throws IOException {
        final Slot s = active(group);
        final long now = clockMs.getAsLong();
        synchronized (s) {
            final Map<TopicPartition, CommittedOffset> m = s.offsets.getOrDefault(group, Map.of());
            final List<SimpleRecord> records = new ArrayList<>(m.size() + 1);
            for (TopicPartition tp : m.keySet()) {
                records.add(GroupRecords.offsetCommitTombstone(now, group, tp));
            }
            records.add(GroupRecords.groupMetadataTombstone(now, group));
            append(s, records, now);
            s.offsets.remove(group);
            s.storedGroups.remove(group);
        }
    }

    @Override
    public void storeGroup(StoredGroup group) throws IOException {
        final Slot s = active(group.groupId());
        final long now = clockMs.getAsLong();
        final List<SimpleRecord> records = List.of(GroupRecords.groupMetadata(now, group));
        synchronized (s) {
            append(s, records, now);
            s.storedGroups.add(group.groupId());
        }
    }

    @Override
    public void groupRemoved(String group) throws IOException {
        final Slot s = slotOrNull(group);
        if (s == null) {
            return;
        }
        final long now = clockMs.getAsLong();
        synchronized (s) {
            if (s.storedGroups.contains(group) && !s.offsets.containsKey(group)) {
                append(s, List.of(GroupRecords.groupMetadataTombstone(now, group)), now);
                s.storedGroups.remove(group);
                LOG.debug("group {}: empty without offsets; tombstone written to {}", group, s);
            }
        }
    }
}
