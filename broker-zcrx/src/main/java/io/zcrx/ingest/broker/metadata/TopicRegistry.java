package io.zcrx.ingest.broker.metadata;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metrics.MetricName;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.protocol.record.BatchValidationConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's topics: rebuilt at start from the partition directories (their
 * {@code partition.metadata} carries the persistent topic id) plus the per-topic setting overrides
 * kept in {@code <first log dir>/zcrx-topic-configs/<topic>.properties}; created by CreateTopics
 * and Metadata auto-creation. Each partition's Kafka log gauges
 * ({@code kafka.log:type=Log,name=Size|LogEndOffset|LogStartOffset|NumLogSegments,topic=T,partition=P})
 * live as long as the partition; a deleted topic's metrics go with it.
 *
 * <p>Thread safety: lookups are lock-free (concurrent maps of immutable {@link TopicInfo}s);
 * creation and deletion are serialised on this object.
 */
public final class TopicRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(TopicRegistry.class);
    static final String CONFIG_DIR = "zcrx-topic-configs";

    /** The effective broker settings: replaced by {@link #applyBrokerConfig} after a dynamic change. */
    private volatile BrokerConfig config;
    private final LogManager logs;
    private final Path configDir;
    private final MetricsRegistry metrics;
    private final PartitionState standaloneState;
    private final ConcurrentHashMap<String, TopicInfo> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Uuid, TopicInfo> byId = new ConcurrentHashMap<>();
    /** Ids of deleted topics (persisted): a new topic never gets one, so clients never confuse the two. */
    private final Set<Uuid> deletedIds = ConcurrentHashMap.newKeySet();
    static final String DELETED_IDS_FILE = "deleted-topic-ids";
    /** Cluster mode: topics change only through the controller (the handlers forward to it). */
    static final String CLUSTER_MODE_ADMIN = "In cluster mode topics are created, deleted and extended by the KRaft "
        + "controller; this request must be forwarded to it";
    private final boolean clusterMode;
    private final List<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();
    /** Cluster mode: topic configs from the controller that this broker does not apply, each logged once. */
    private final Set<String> loggedIgnoredConfigs = ConcurrentHashMap.newKeySet();
    /**
     * Cluster mode: the partitions this broker follows (a replica, another broker leads); their logs are open but
     * never in a TopicInfo, so clients get NOT_LEADER_OR_FOLLOWER. Changed under this object's lock.
     */
    private final Set<TopicPartition> following = ConcurrentHashMap.newKeySet();
    /** Cluster mode: partition logs not yet matched against a metadata image (strays are set aside at the first). */
    private boolean firstClusterImage = true;
    /**
     * Cluster mode: failures while applying the controller's metadata (a topic, a listener), Kafka's
     * {@code metadata-apply-error-count}. The publisher reads it to know that the next update must
     * apply the whole image, since a delta only carries its own changes.
     */
    private final AtomicLong applyErrors = new AtomicLong();

    /** Outcome of a create: the topic, or an error code and message. */
    public record CreateResult(TopicInfo topic, short errorCode, String errorMessage) {
        static CreateResult error(Errors e, String message) {
            return new CreateResult(null, e.code(), message);
        }
    }

    public TopicRegistry(BrokerConfig config, LogManager logs, MetricsRegistry metrics) throws IOException {
        this.config = config;
        this.logs = logs;
        this.metrics = metrics;
        this.standaloneState = PartitionState.standalone(config.nodeId());
        this.configDir = config.logDirs().get(0).resolve(CONFIG_DIR);
        this.clusterMode = config.clusterMode();
        if (clusterMode) {
            // The controller's metadata is the truth: topics appear with the first image
            // (applyCluster); the partition directories on disk are only candidates to recover.
            LOG.info("cluster mode: {} partition logs on disk wait for the cluster metadata", logs.partitions().size());
            // A recovered log leads nothing until the controller's epoch says so (becomeLeader): no
            // append can reach it before then, whatever a client believes.
            for (PartitionLog p : logs.partitions()) {
                p.resign();
            }
            return;
        }
        Files.createDirectories(configDir);
        loadDeletedIds();
        load();
    }

    private void load() throws IOException {
        final Map<String, List<PartitionLog>> grouped = new TreeMap<>();
        for (PartitionLog p : logs.partitions()) {
            grouped.computeIfAbsent(p.topic(), k -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<String, List<PartitionLog>> e : grouped.entrySet()) {
            final String name = e.getKey();
            final List<PartitionLog> parts = e.getValue();
            final Uuid id = parts.get(0).topicId();
            if (deletedIds.contains(id)) {
                LOG.warn("topic {} (id {}) was deleted but {} partition directories remain; not loading them", name, id,
                    parts.size());
                continue;
            }
            int max = -1;
            for (PartitionLog p : parts) {
                if (!p.topicId().equals(id)) {
                    throw new IOException("topic " + name + ": partition " + p.partition() + " has topic id "
                        + p.topicId() + " but partition " + parts.get(0).partition() + " has " + id
                        + "; refusing to guess which directory is stray");
                }
                max = Math.max(max, p.partition());
            }
            final Map<String, String> overrides = readOverrides(name);
            final LogConfig logConfig = TopicConfigs.logConfig(config, overrides);
            final PartitionLog[] array = new PartitionLog[max + 1];
            for (PartitionLog p : parts) {
                // The log manager opened every partition with the broker's defaults; the topic's own
                // settings (segment.bytes, retention, flush.messages, ...) apply from here on.
                p.updateConfig(logConfig);
                array[p.partition()] = p;
            }
            for (int i = 0; i < array.length; i++) {
                if (array[i] == null) {
                    // A partition directory went missing (deleted by hand?): recreate it empty so the
                    // topic stays addressable by every partition index clients know.
                    LOG.warn("topic {}: partition {} directory is missing; creating it empty", name, i);
                    array[i] = logs.createPartition(name, i, id, logConfig);
                }
            }
            final TopicInfo t = new TopicInfo(name, id, array, standaloneStates(array.length), overrides, logConfig,
                TopicConfigs.validationConfig(config, overrides), metrics);
            registerLogGauges(array, 0);
            byName.put(name, t);
            byId.put(id, t);
        }
        LOG.info("loaded {} topics with {} partitions", byName.size(), logs.partitions().size());
    }

    public TopicInfo get(String name) {
        return byName.get(name);
    }

    public TopicInfo get(Uuid id) {
        return byId.get(id);
    }

    public Collection<TopicInfo> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /**
     * Registers a listener told when this broker starts or stops leading a partition (cluster mode:
     * from {@link #applyCluster}; standalone: never, every partition is led for ever).
     */
    public void addLeadershipListener(LeadershipListener listener) {
        leadershipListeners.add(listener);
    }

    /** True in cluster mode: topics come from the controller, CreateTopics and the like go there. */
    public boolean clusterMode() {
        return clusterMode;
    }

    /**
     * Cluster mode: makes the topics those of the controller's metadata image ({@code topics} is every
     * topic of the image). For each partition this node leads, the log is opened (the one recovered at
     * start when its topic id matches) or created, the leader epoch is started, listeners are told, and
     * only then does the {@link TopicInfo} show the log; a partition led elsewhere has no log in its
     * TopicInfo (and its listeners are told of the resignation after the swap). Topics gone from the
     * image are deleted with their logs; so are the logs of partitions whose replicas no longer include
     * this node. At the first image, logs on disk that the image does not assign here (deleted or moved
     * while this broker was down) are strays: renamed {@code -stray} and left on disk, as Kafka does.
     * A partition with more than one replica is led like any other when the controller names this broker (the
     * leader side of replication serves its followers and holds its high watermark, issue 12). A partition this
     * broker is a replica of but another broker leads is followed: its log is opened outside the
     * TopicInfo and the listeners (the replica fetchers) are told ({@code onBecomeFollower}). A topic
     * or listener that fails is logged and counted ({@link #applyErrorCount}), the others are applied;
     * applying the whole image again is how a caller retries. Called on the metadata loader's thread;
     * returns the partitions led here.
     */
    public synchronized int applyCluster(Collection<ClusterTopic> topics) {
        final int self = config.nodeId();
        final Map<Uuid, ClusterTopic> next = new HashMap<>();
        for (ClusterTopic c : topics) {
            next.put(c.id(), c);
        }
        for (TopicInfo t : new ArrayList<>(byId.values())) {
            if (!next.containsKey(t.id())) {
                removeClusterTopicSafely(t);
            }
        }
        for (ClusterTopic c : topics) {
            applyClusterTopicSafely(c, self);
        }
        if (firstClusterImage) {
            firstClusterImage = false;
            try {
                setAsideStrayLogs(next, self);
            } catch (RuntimeException e) {
                applyFailed("setting aside the stray partition logs failed", e);
            }
        }
        return countLeading();
    }

    /**
     * Failures applying the cluster metadata since start (Kafka's {@code metadata-apply-error-count}):
     * each was logged, the rest of the update was applied, and the caller applies the whole image
     * next ({@link #applyCluster}) to retry what the failure skipped.
     */
    public long applyErrorCount() {
        return applyErrors.get();
    }

    private void applyFailed(String what, RuntimeException e) {
        applyErrors.incrementAndGet();
        LOG.error("{}; the rest of the metadata update is applied, the whole image again at the next update", what,
            e);
    }

    /** One topic of an update; a failure is logged and counted, never aborts the others (Kafka's publishers). */
    private void applyClusterTopicSafely(ClusterTopic c, int self) {
        try {
            applyClusterTopic(c, self);
        } catch (RuntimeException e) {
            applyFailed("applying topic " + c.name() + " (id " + c.id() + ") from the cluster metadata failed", e);
        }
    }

    private void removeClusterTopicSafely(TopicInfo t) {
        try {
            removeClusterTopic(t);
        } catch (RuntimeException e) {
            applyFailed("removing topic " + t.name() + " (id " + t.id() + ", deleted by the controller) failed", e);
        }
    }

    /**
     * Cluster mode, after the first image ({@link #applyCluster}): applies only what a metadata delta
     * changed, the topics created or changed ({@code changed}, as in the new image) and the ids of
     * the topics deleted. Returns the partitions led here.
     */
    public synchronized int applyClusterChanges(Collection<ClusterTopic> changed, Set<Uuid> deletedIds) {
        for (Uuid id : deletedIds) {
            final TopicInfo t = byId.get(id);
            if (t != null) {
                removeClusterTopicSafely(t);
            }
        }
        for (ClusterTopic c : changed) {
            applyClusterTopicSafely(c, config.nodeId());
        }
        return countLeading();
    }

    private int countLeading() {
        int n = 0;
        for (TopicInfo t : byId.values()) {
            for (PartitionLog log : t.partitions()) {
                if (log != null) {
                    n++;
                }
            }
        }
        return n;
    }

    private void applyClusterTopic(ClusterTopic c, int self) {
        final TopicInfo old = byId.get(c.id());
        final TopicInfo sameName = byName.get(c.name());
        if (old == null && sameName != null) {
            // The name now belongs to a new topic id: the old topic was deleted and recreated.
            removeClusterTopic(sameName);
        }
        final Map<String, String> overrides = clusterOverrides(c);
        final LogConfig logConfig = TopicConfigs.logConfig(config, overrides);
        final BatchValidationConfig validation = TopicConfigs.validationConfig(config, overrides);
        final PartitionState[] states = c.partitions();
        final PartitionLog[] oldLogs = old == null ? new PartitionLog[0] : old.partitions();
        final PartitionState[] oldStates = old == null ? new PartitionState[0] : old.states();
        final PartitionLog[] logsNow = new PartitionLog[states.length];
        // A new topic's TopicInfo exists (unpublished, no logs yet) so that listeners get it.
        final TopicInfo t = old != null ? old : new TopicInfo(c.name(), c.id(), new PartitionLog[states.length],
            states, overrides, logConfig, validation, metrics);
        final List<Integer> resigned = new ArrayList<>();
        final List<Integer> created = new ArrayList<>();
        final Map<Integer, PartitionLog> followNow = new TreeMap<>();
        final List<Integer> ledChanged = new ArrayList<>();
        int ledNow = 0;
        for (int p = 0; p < states.length; p++) {
            final PartitionState st = states[p];
            final PartitionLog had = p < oldLogs.length ? oldLogs[p] : null;
            final TopicPartition tp = new TopicPartition(c.name(), p);
            if (st.leader() == self) {
                final boolean newEpoch = had == null || p >= oldStates.length
                    || oldStates[p].leaderEpoch() != st.leaderEpoch();
                // A followed partition's fetcher stops before the log becomes leader (Kafka's makeLeader removes
                // the fetcher first): no leader's batch lands after becomeLeader's epoch entry.
                final boolean wasFollowing = following.remove(tp);
                if (wasFollowing) {
                    stopFollowing(c.name(), p);
                }
                PartitionLog log = had;
                final boolean opened = log == null;
                if (opened) {
                    log = openOrCreate(c, p, logConfig);
                    if (log == null) {
                        applyErrors.incrementAndGet();
                        continue;
                    }
                } else if (old != null && !old.logConfig().equals(logConfig)) {
                    log.updateConfig(logConfig);
                }
                if (newEpoch) {
                    // Batches appended from now on carry the controller's epoch; the epoch history
                    // (leader-epoch-checkpoint) records where it starts, before any client sees the log.
                    try {
                        log.becomeLeader(st.leaderEpoch());
                    } catch (RuntimeException e) {
                        applyErrors.incrementAndGet();
                        log.resign();
                        LOG.error("partition {}-{}: starting leader epoch {} failed; not leading it", c.name(), p,
                            st.leaderEpoch(), e);
                        if (had != null) {
                            resigned.add(p);
                        }
                        continue;
                    }
                    for (LeadershipListener l : leadershipListeners) {
                        try {
                            l.onBecomeLeader(t, p, log, st);
                        } catch (RuntimeException e) {
                            applyErrors.incrementAndGet();
                            LOG.error("leadership listener {} failed on partition {}-{}", l, c.name(), p, e);
                        }
                    }
                }
                if (!newEpoch && oldStates[p].partitionEpoch() != st.partitionEpoch()) {
                    ledChanged.add(p);
                }
                if (opened && !wasFollowing) {
                    created.add(p);
                }
                logsNow[p] = log;
                ledNow++;
            } else {
                if (had != null) {
                    // Under the log's append lock: an append racing this change is refused, not acknowledged.
                    had.resign();
                    resigned.add(p);
                }
                if (!contains(st.replicas(), self)) {
                    if (following.remove(tp)) {
                        stopFollowing(c.name(), p);
                    }
                    deleteLocalLog(c.name(), p, c.id());
                } else {
                    final boolean configChanged = old != null && !old.logConfig().equals(logConfig);
                    final PartitionLog log = becomeFollower(c, p, had, logConfig,
                        p < oldStates.length ? oldStates[p] : null, st, configChanged);
                    if (log != null) {
                        followNow.put(p, log);
                    }
                }
            }
        }
        if (old == null) {
            t.replacePartitions(logsNow, states);
            byId.put(c.id(), t);
            byName.put(c.name(), t);
            LOG.info("topic {} (id {}): {} partitions, {} led here", c.name(), c.id(), states.length, ledNow);
        } else {
            old.replaceSettings(overrides, logConfig, validation);
            old.replacePartitions(logsNow, states);
        }
        for (int p : created) {
            registerLogGauges(logsNow, p, p + 1);
        }
        for (int p : resigned) {
            for (LeadershipListener l : leadershipListeners) {
                try {
                    l.onResign(t, p, states[p].leaderEpoch());
                } catch (RuntimeException e) {
                    applyErrors.incrementAndGet();
                    LOG.error("leadership listener {} failed on partition {}-{}", l, c.name(), p, e);
                }
            }
        }
        for (int p : ledChanged) {
            for (LeadershipListener l : leadershipListeners) {
                try {
                    l.onLeaderStateChanged(t, p, logsNow[p], states[p]);
                } catch (RuntimeException e) {
                    applyErrors.incrementAndGet();
                    LOG.error("leadership listener {} failed on partition {}-{}", l, c.name(), p, e);
                }
            }
        }
        // After the swap and the resignations: a former leader's log is out of every TopicInfo before it follows.
        for (Map.Entry<Integer, PartitionLog> e : followNow.entrySet()) {
            for (LeadershipListener l : leadershipListeners) {
                try {
                    l.onBecomeFollower(t, e.getKey(), e.getValue(), states[e.getKey()]);
                } catch (RuntimeException ex) {
                    LOG.error("leadership listener {} failed on partition {}-{}", l, c.name(), e.getKey(), ex);
                }
            }
        }
    }

    /**
     * A partition this broker holds a replica of and another broker leads (or none does): its log is opened or
     * created (kept out of the TopicInfo) and returned when the leadership changed since the fetchers last heard,
     * so that they follow the new leader; null when nothing changed (or the log could not be opened).
     */
    private PartitionLog becomeFollower(ClusterTopic c, int p, PartitionLog had, LogConfig logConfig,
                                        PartitionState oldState, PartitionState st, boolean configChanged) {
        final TopicPartition tp = new TopicPartition(c.name(), p);
        final boolean changed = had != null || !following.contains(tp) || oldState == null
            || oldState.leaderEpoch() != st.leaderEpoch() || oldState.leader() != st.leader();
        if (!changed) {
            if (configChanged) {
                final PartitionLog log = logs.partition(c.name(), p);
                if (log != null) {
                    log.updateConfig(logConfig);
                }
            }
            return null;
        }
        final PartitionLog log = had != null ? had : openOrCreate(c, p, logConfig);
        if (log == null) {
            return null;
        }
        // A follower's log takes only the leader's batches (appendAsFollower), never a client's append.
        log.resign();
        if (had == null && following.add(tp)) {
            registerLogGauges(new PartitionLog[] {log}, 0, 1);
        } else {
            following.add(tp);
        }
        return log;
    }

    private void stopFollowing(String topic, int p) {
        for (LeadershipListener l : leadershipListeners) {
            try {
                l.onStopFollowing(topic, p);
            } catch (RuntimeException e) {
                LOG.error("leadership listener {} failed to stop following {}-{}", l, topic, p, e);
            }
        }
    }

    /** Opens the partition's log (recovered at start, same topic id) or creates it; null when that failed. */
    private PartitionLog openOrCreate(ClusterTopic c, int p, LogConfig logConfig) {
        try {
            final PartitionLog existing = logs.partition(c.name(), p);
            if (existing != null && !existing.topicId().equals(c.id())) {
                // An older topic of the same name: Kafka's stray log, set aside rather than deleted.
                setAsideStray(existing, "it belongs to topic id " + existing.topicId() + ", the cluster's topic "
                    + c.name() + " is " + c.id());
            } else if (existing != null) {
                existing.updateConfig(logConfig);
                return existing;
            }
            return logs.createPartition(c.name(), p, c.id(), logConfig);
        } catch (IOException | RuntimeException e) {
            LOG.error("partition {}-{}: opening the log to lead it failed; not leading it", c.name(), p, e);
            return null;
        }
    }

    private void deleteLocalLog(String topic, int p, Uuid id) {
        final PartitionLog existing = logs.partition(topic, p);
        if (existing == null || !existing.topicId().equals(id)) {
            return;
        }
        try {
            logs.deletePartition(topic, p);
            removeLogGauges(topic, p);
            LOG.info("partition {}-{} moved away from this broker; deleted its log", topic, p);
        } catch (IOException e) {
            LOG.error("deleting the log of partition {}-{} (moved away) failed", topic, p, e);
        }
    }

    /** A topic the controller deleted: gone for clients first, then its logs. */
    private void removeClusterTopic(TopicInfo t) {
        t.markDeleted();
        byName.remove(t.name(), t);
        byId.remove(t.id(), t);
        final PartitionLog[] parts = t.partitions();
        for (int p = 0; p < parts.length; p++) {
            if (parts[p] != null) {
                parts[p].resign();
                for (LeadershipListener l : leadershipListeners) {
                    try {
                        l.onResign(t, p, -1);
                    } catch (RuntimeException e) {
                        applyErrors.incrementAndGet();
                        LOG.error("leadership listener {} failed on partition {}-{} of deleted topic {}", l, t.name(),
                            p, t.id(), e);
                    }
                }
            }
        }
        // Followed partitions: the fetchers stop before the logs are deleted.
        for (int p = 0; p < t.partitionCount(); p++) {
            if (following.remove(new TopicPartition(t.name(), p))) {
                stopFollowing(t.name(), p);
            }
        }
        metrics.removeTagged("topic", t.name());
        int deleted = 0;
        for (int p = 0; p < parts.length; p++) {
            final PartitionLog existing = logs.partition(t.name(), p);
            if (existing != null && existing.topicId().equals(t.id())) {
                try {
                    logs.deletePartition(t.name(), p);
                    deleted++;
                } catch (IOException e) {
                    LOG.error("deleting partition {}-{} of deleted topic {} failed", t.name(), p, t.id(), e);
                }
            }
        }
        LOG.info("topic {} (id {}) deleted by the controller; {} local partition logs deleted", t.name(), t.id(),
            deleted);
    }

    /**
     * First image: a log on disk whose topic id the cluster does not know, or that is not assigned
     * here, is a stray (Kafka's {@code LogManager.isStray}): renamed {@code <topic>-<partition>.<uuid>-stray}
     * and left for an operator, never loaded again, never deleted by the broker (it may be the only
     * copy of data the metadata lost).
     */
    private void setAsideStrayLogs(Map<Uuid, ClusterTopic> image, int self) {
        for (PartitionLog log : new ArrayList<>(logs.partitions())) {
            final ClusterTopic c = image.get(log.topicId());
            final boolean assigned = c != null && c.name().equals(log.topic())
                && log.partition() < c.partitions().length
                && contains(c.partitions()[log.partition()].replicas(), self);
            if (!assigned) {
                setAsideStray(log, c == null ? "the cluster metadata has no topic with its topic id"
                    : "the cluster metadata does not assign it to this broker");
            }
        }
    }

    private void setAsideStray(PartitionLog log, String why) {
        try {
            final Path to = logs.renameStray(log.topic(), log.partition());
            removeLogGauges(log.topic(), log.partition());
            LOG.warn("partition log {}-{} (topic id {}) is a stray: {}; renamed {} and left on disk (delete it when "
                + "its data is not needed)", log.topic(), log.partition(), log.topicId(), why, to);
        } catch (IOException | RuntimeException e) {
            applyErrors.incrementAndGet();
            LOG.error("setting aside the stray partition log {}-{} failed", log.topic(), log.partition(), e);
        }
    }

    /**
     * The controller's topic configs that this broker applies. The controller validated them
     * against Kafka's rules; what this broker does not implement is ignored (logged once), never
     * refused; other unknown keys fall back to the broker's settings. {@code cleanup.policy=compact}
     * (e.g. {@code __consumer_offsets}) is served by the log cleaner.
     */
    private Map<String, String> clusterOverrides(ClusterTopic c) {
        final Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : c.configs().entrySet()) {
            final String key = e.getKey();
            final String value = e.getValue();
            if (!TopicConfigs.isSupported(key)) {
                if (loggedIgnoredConfigs.add(c.name() + "/" + key)) {
                    LOG.info("topic {}: config {}={} from the controller is not implemented here; ignored", c.name(),
                        key, value);
                }
                continue;
            }
            try {
                out.putAll(TopicConfigs.validate(Map.of(key, value)));
            } catch (ConfigException | NullPointerException bad) {
                if (loggedIgnoredConfigs.add(c.name() + "/" + key)) {
                    LOG.warn("topic {}: config {}={} from the controller is outside what this broker supports ({}); "
                        + "the broker setting applies", c.name(), key, value, bad.getMessage());
                }
            }
        }
        return out;
    }

    private static boolean contains(int[] ids, int id) {
        for (int i : ids) {
            if (i == id) {
                return true;
            }
        }
        return false;
    }

    private void removeLogGauges(String topic, int partition) {
        final String p = Integer.toString(partition);
        for (String name : new String[] {"Size", "LogEndOffset", "LogStartOffset", "NumLogSegments"}) {
            metrics.remove(logMetric(name, topic, p));
        }
    }

    /** Standalone: every partition led by this node at epoch 0 (one shared state object). */
    private PartitionState[] standaloneStates(int count) {
        final PartitionState[] s = new PartitionState[count];
        Arrays.fill(s, standaloneState);
        return s;
    }

    /** Checks a topic name with Kafka's rules; returns null when valid, else why not. */
    public static String invalidNameReason(String name) {
        if (name == null) {
            return "topic name is null";
        }
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return e.getMessage();
        }
        return null;
    }

    /**
     * Creates a topic (or, with {@code validateOnly}, checks that it could be created).
     *
     * @param partitions     -1 for {@code num.partitions}
     * @param overrides      topic settings (validated here)
     */
    public synchronized CreateResult create(String name, int partitions, Map<String, String> overrides,
                                            boolean validateOnly) {
        if (clusterMode) {
            return CreateResult.error(Errors.NOT_CONTROLLER, CLUSTER_MODE_ADMIN);
        }
        final String bad = invalidNameReason(name);
        if (bad != null) {
            return CreateResult.error(Errors.INVALID_TOPIC_EXCEPTION, bad);
        }
        final TopicInfo existing = byName.get(name);
        if (existing != null) {
            return new CreateResult(existing, Errors.TOPIC_ALREADY_EXISTS.code(),
                "Topic '" + name + "' already exists.");
        }
        for (TopicInfo t : byName.values()) {
            if (Topic.hasCollision(name, t.name())) {
                return CreateResult.error(Errors.INVALID_TOPIC_EXCEPTION, "Topic '" + name
                    + "' collides with existing topic '" + t.name() + "' ('.' and '_' are equivalent in metric names)");
            }
        }
        final int count = partitions == -1 ? config.numPartitions() : partitions;
        if (count < 1 || count > 100_000) {
            return CreateResult.error(Errors.INVALID_PARTITIONS,
                "Number of partitions must be in [1, 100000]: partitions=" + partitions);
        }
        final Map<String, String> normalized;
        try {
            normalized = TopicConfigs.validate(overrides);
        } catch (ConfigException e) {
            return CreateResult.error(Errors.INVALID_CONFIG, e.getMessage());
        }
        final LogConfig logConfig;
        try {
            logConfig = TopicConfigs.logConfig(config, normalized);
        } catch (IllegalArgumentException e) {
            return CreateResult.error(Errors.INVALID_CONFIG, e.getMessage());
        }
        final TopicInfo preview = new TopicInfo(name, Uuid.ZERO_UUID, new PartitionLog[0], new PartitionState[0],
            normalized, logConfig, TopicConfigs.validationConfig(config, normalized), metrics);
        if (validateOnly) {
            return new CreateResult(preview, Errors.NONE.code(), null);
        }
        Uuid id = Uuid.randomUuid();
        while (byId.containsKey(id) || deletedIds.contains(id)) {
            id = Uuid.randomUuid();
        }
        final PartitionLog[] array = new PartitionLog[count];
        try {
            writeOverrides(name, normalized);
            for (int i = 0; i < count; i++) {
                array[i] = logs.createPartition(name, i, id, logConfig);
            }
        } catch (IOException e) {
            LOG.error("creating topic {} failed", name, e);
            return CreateResult.error(Errors.KAFKA_STORAGE_ERROR,
                "creating topic " + name + " failed: " + e.getMessage());
        }
        final TopicInfo t = new TopicInfo(name, id, array, standaloneStates(count), normalized, logConfig,
            TopicConfigs.validationConfig(config, normalized), metrics);
        registerLogGauges(array, 0);
        byId.put(id, t);
        byName.put(name, t);
        LOG.info("created topic {} with id {}, {} partitions, overrides {}", name, id, count, normalized);
        return new CreateResult(t, Errors.NONE.code(), null);
    }

    /**
     * Replaces a topic's own settings (IncrementalAlterConfigs / AlterConfigs on a TOPIC, standalone): validated as
     * CreateTopics validates them, written crash-safely to the topic's settings file, then applied live: the
     * partitions' storage settings ({@link PartitionLog#updateConfig}) and the batch checks.
     *
     * @param overrides the topic's complete new overrides
     */
    public synchronized ChangeResult alterConfigs(String name, Map<String, String> overrides, boolean validateOnly) {
        if (clusterMode) {
            return ChangeResult.error(Errors.NOT_CONTROLLER, CLUSTER_MODE_ADMIN);
        }
        final TopicInfo t = byName.get(name);
        if (t == null || t.isDeleted()) {
            return ChangeResult.error(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
        }
        final Map<String, String> normalized;
        final LogConfig logConfig;
        try {
            normalized = TopicConfigs.validate(overrides);
            logConfig = TopicConfigs.logConfig(config, normalized);
        } catch (ConfigException | IllegalArgumentException e) {
            return ChangeResult.error(Errors.INVALID_CONFIG, e.getMessage());
        }
        if (validateOnly) {
            return ChangeResult.OK;
        }
        try {
            writeOverrides(name, normalized);
        } catch (IOException e) {
            LOG.error("writing the settings of topic {} failed", name, e);
            return ChangeResult.error(Errors.KAFKA_STORAGE_ERROR, "writing the settings of topic " + name
                + " failed: " + e.getMessage());
        }
        applySettings(t, normalized, logConfig);
        LOG.info("topic {}: settings {}", name, normalized);
        return ChangeResult.OK;
    }

    /**
     * A dynamic broker setting changed ({@code DynamicBrokerConfig}; in cluster mode from the metadata log): every
     * topic's settings are recomputed from the new broker defaults under its own overrides and applied live; new
     * topics get them too.
     */
    public synchronized void applyBrokerConfig(BrokerConfig effective) {
        this.config = effective;
        for (TopicInfo t : byName.values()) {
            applySettings(t, t.overrides(), TopicConfigs.logConfig(effective, t.overrides()));
        }
    }

    private void applySettings(TopicInfo t, Map<String, String> overrides, LogConfig logConfig) {
        t.replaceSettings(overrides, logConfig, TopicConfigs.validationConfig(config, overrides));
        for (PartitionLog p : t.partitions()) {
            if (p != null) {
                p.updateConfig(logConfig);
            }
        }
    }

    /** Outcome of a delete or a partition increase: NONE, or an error code and message. */
    public record ChangeResult(short errorCode, String errorMessage) {
        static final ChangeResult OK = new ChangeResult(Errors.NONE.code(), null);

        static ChangeResult error(Errors e, String message) {
            return new ChangeResult(e.code(), message);
        }
    }

    /**
     * Deletes a topic (DeleteTopics): it disappears from lookups at once (Metadata stops listing it,
     * Produce and Fetch answer unknown topic), its partition directories are deleted, its settings
     * file too, and its id is remembered so that no later topic gets it.
     */
    public synchronized ChangeResult delete(TopicInfo t) {
        if (clusterMode) {
            return ChangeResult.error(Errors.NOT_CONTROLLER, CLUSTER_MODE_ADMIN);
        }
        if (t.isDeleted() || byName.get(t.name()) != t) {
            return ChangeResult.error(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + t.name() + " does not exist");
        }
        t.markDeleted();
        byName.remove(t.name());
        byId.remove(t.id());
        IOException failure = null;
        try {
            rememberDeletedId(t.id());
        } catch (IOException e) {
            failure = e;
        }
        final PartitionLog[] parts = t.partitions();
        // Kafka removes a deleted topic's metrics: its BrokerTopicMetrics and its logs' gauges.
        metrics.removeTagged("topic", t.name());
        for (int i = 0; i < parts.length; i++) {
            try {
                logs.deletePartition(t.name(), i);
            } catch (IOException e) {
                failure = e;
                LOG.error("deleting partition {}-{} failed", t.name(), i, e);
            }
        }
        try {
            Files.deleteIfExists(configDir.resolve(t.name() + ".properties"));
        } catch (IOException e) {
            failure = e;
        }
        LOG.info("deleted topic {} (id {}, {} partitions)", t.name(), t.id(), parts.length);
        if (failure != null) {
            // The topic is gone for clients; what is left on disk is logged and will not be loaded
            // as this topic again (its id is retired).
            return ChangeResult.error(Errors.KAFKA_STORAGE_ERROR,
                "topic " + t.name() + " deleted, but removing its files failed: " + failure.getMessage());
        }
        return ChangeResult.OK;
    }

    /**
     * Raises a topic's partition count (CreatePartitions). Partitions are only ever added; the new
     * ones are empty and use the topic's settings.
     */
    public synchronized ChangeResult addPartitions(String name, int count, boolean validateOnly) {
        if (clusterMode) {
            return ChangeResult.error(Errors.NOT_CONTROLLER, CLUSTER_MODE_ADMIN);
        }
        final TopicInfo t = byName.get(name);
        if (t == null) {
            return ChangeResult.error(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        }
        final int current = t.partitionCount();
        if (count <= current) {
            return ChangeResult.error(Errors.INVALID_PARTITIONS, "Topic currently has " + current
                + " partitions, which is higher than the requested " + count + ".");
        }
        if (count > 100_000) {
            return ChangeResult.error(Errors.INVALID_PARTITIONS,
                "Number of partitions must be at most 100000: count=" + count);
        }
        if (validateOnly) {
            return ChangeResult.OK;
        }
        final PartitionLog[] next = Arrays.copyOf(t.partitions(), count);
        for (int i = current; i < count; i++) {
            try {
                next[i] = logs.createPartition(name, i, t.id(), t.logConfig());
            } catch (IOException e) {
                LOG.error("adding partition {}-{} failed", name, i, e);
                t.replacePartitions(Arrays.copyOf(next, i), standaloneStates(i));
                return ChangeResult.error(Errors.KAFKA_STORAGE_ERROR, "creating partition " + i + " of " + name
                    + " failed: " + e.getMessage());
            }
        }
        t.replacePartitions(next, standaloneStates(count));
        registerLogGauges(next, current);
        LOG.info("topic {}: partitions {} -> {}", name, current, count);
        return ChangeResult.OK;
    }

    /**
     * Kafka's gauges of one partition log (UnifiedLog's), read on the JMX and status threads from
     * the log's volatile fields: {@code Size} (bytes of its segments), {@code LogEndOffset},
     * {@code LogStartOffset}, {@code NumLogSegments}.
     */
    private void registerLogGauges(PartitionLog[] parts, int from) {
        registerLogGauges(parts, from, parts.length);
    }

    private void registerLogGauges(PartitionLog[] parts, int from, int to) {
        for (int i = from; i < to; i++) {
            final PartitionLog p = parts[i];
            final String partition = Integer.toString(p.partition());
            metrics.gauge(logMetric("Size", p.topic(), partition), p::sizeInBytes);
            metrics.gauge(logMetric("LogEndOffset", p.topic(), partition), p::logEndOffset);
            metrics.gauge(logMetric("LogStartOffset", p.topic(), partition), p::logStartOffset);
            metrics.gauge(logMetric("NumLogSegments", p.topic(), partition), p::segmentCount);
        }
    }

    /** {@code kafka.log:type=Log,name=N,topic=T,partition=P}. */
    public static MetricName logMetric(String name, String topic, String partition) {
        return MetricName.of("kafka.log", "Log", name, "topic", topic, "partition", partition);
    }

    private void loadDeletedIds() throws IOException {
        final Path f = configDir.resolve(DELETED_IDS_FILE);
        if (!Files.exists(f)) {
            return;
        }
        for (String line : Files.readAllLines(f)) {
            final String id = line.trim();
            if (!id.isEmpty()) {
                try {
                    deletedIds.add(Uuid.fromString(id));
                } catch (IllegalArgumentException e) {
                    // A torn last line (crash while appending): the id it held was never handed out again
                    // in this run and is 128 random bits; skipping it is safe.
                    LOG.warn("ignoring unreadable line in {}: {}", f, id);
                }
            }
        }
    }

    private void rememberDeletedId(Uuid id) throws IOException {
        deletedIds.add(id);
        final Path f = configDir.resolve(DELETED_IDS_FILE);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(false);
        }
    }

    private Map<String, String> readOverrides(String topic) throws IOException {
        final Path f = configDir.resolve(topic + ".properties");
        if (!Files.exists(f)) {
            return Collections.emptyMap();
        }
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(f)) {
            p.load(in);
        }
        final Map<String, String> m = new HashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        try {
            return TopicConfigs.validate(m);
        } catch (ConfigException e) {
            throw new IOException("topic settings file " + f + " is invalid: " + e.getMessage(), e);
        }
    }

    private void writeOverrides(String topic, Map<String, String> overrides) throws IOException {
        final Path f = configDir.resolve(topic + ".properties");
        if (overrides.isEmpty()) {
            Files.deleteIfExists(f);
            return;
        }
        final Properties p = new Properties();
        p.putAll(overrides);
        final Path tmp = configDir.resolve(topic + ".properties.tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "topic settings of " + topic);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
