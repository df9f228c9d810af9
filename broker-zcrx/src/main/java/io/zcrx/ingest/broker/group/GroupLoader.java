package io.zcrx.ingest.broker.group;

import io.zcrx.ingest.broker.metadata.LeadershipListener;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.log.PartitionLog;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves groups in and out with the leadership of the {@code __consumer_offsets} partitions
 * (Kafka's {@code onElection}/{@code onResignation} of the group coordinator): on becoming leader
 * of one, its records are replayed on this loader's own thread (requests for its groups answer
 * COORDINATOR_LOAD_IN_PROGRESS meanwhile) and the groups handed to the {@link GroupCoordinator};
 * on resigning, its groups are dropped at once (requests answer NOT_COORDINATOR; members waiting
 * in a join or sync are told so and find the new coordinator).
 *
 * <p>As Kafka's loading: groups come back with their generation, protocol, leader and the members
 * of their last generation with their assignments (Stable, sessions restarted from the load) or
 * Empty; offsets with the commit they last had. A record that does not parse fails the load (the
 * partition's groups stay unavailable here, as in Kafka); one of an unknown or unsupported group
 * type is skipped.
 *
 * <p>Thread safety: the listener methods come from the metadata thread, loads run on the loader
 * thread; the hand-over of a loaded partition and a resignation exclude each other on this object.
 */
public final class GroupLoader implements LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLoader.class);

    private final OffsetsTopicStore store;
    private final GroupCoordinator coordinator;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        final Thread t = new Thread(r, "group-loader");
        t.setDaemon(true);
        return t;
    });

    public GroupLoader(OffsetsTopicStore store, GroupCoordinator coordinator) {
        this.store = store;
        this.coordinator = coordinator;
    }

    @Override
    public void onBecomeLeader(TopicInfo topic, int partition, PartitionLog log, int leaderEpoch) {
        if (!Topic.GROUP_METADATA_TOPIC_NAME.equals(topic.name())) {
            return;
        }
        final OffsetsTopicStore.Slot slot;
        synchronized (this) {
            // A partition led again before its old groups went: drop them first.
            coordinator.unloadGroups(g -> store.partitionFor(g) == partition);
            slot = store.begin(partition, log, leaderEpoch);
        }
        LOG.info("loading groups of {}", slot);
        thread.execute(() -> load(slot));
    }

    private void load(OffsetsTopicStore.Slot slot) {
        final long start = System.nanoTime();
        final OffsetsTopicStore.Loaded loaded;
        try {
            loaded = store.load(slot);
        } catch (Exception e) {
            LOG.error("loading groups of {} failed; its groups are unavailable on this broker until it leads the "
                + "partition again", slot, e);
            return;
        }
        synchronized (this) {
            if (!store.isCurrent(slot)) {
                LOG.info("loaded {} after it was resigned; discarded", slot);
                return;
            }
            coordinator.loadGroups(loaded.groups(), loaded.newestCommitMs());
            store.activate(slot);
        }
        LOG.info("loaded groups of {}: groups={}, groupsWithOffsets={}, records={}, skipped={}, ms={}", slot,
            loaded.groups().size(), loaded.newestCommitMs().size(), loaded.records(), loaded.skipped(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Override
    public void onResign(TopicInfo topic, int partition, int newLeaderEpoch) {
        if (!Topic.GROUP_METADATA_TOPIC_NAME.equals(topic.name())) {
            return;
        }
        final int dropped;
        synchronized (this) {
            store.end(partition);
            dropped = coordinator.unloadGroups(g -> store.partitionFor(g) == partition);
        }
        LOG.info("resigned __consumer_offsets-{} (new leader epoch {}): {} groups unloaded", partition,
            newLeaderEpoch, dropped);
    }

    /** Stops the thread after the load in progress, if any (broker stop). */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a group load still runs after 30 s; leaving it to the JVM's exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until every load submitted so far is done (tests). */
    void awaitLoads() throws Exception {
        thread.submit(() -> { }).get(30, TimeUnit.SECONDS);
    }
}
