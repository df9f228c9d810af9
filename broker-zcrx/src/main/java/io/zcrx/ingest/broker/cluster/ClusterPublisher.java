package io.zcrx.ingest.broker.cluster;

import io.zcrx.ingest.broker.config.DynamicBrokerConfig;
import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metadata.ClusterTopic;
import io.zcrx.ingest.broker.metadata.ClusterView;
import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicRegistry;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.broker.security.ScramCredentials;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.Endpoint;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.image.MetadataDelta;
import org.apache.kafka.image.MetadataImage;
import org.apache.kafka.image.TopicImage;
import org.apache.kafka.image.AclsDelta;
import org.apache.kafka.image.loader.LoaderManifest;
import org.apache.kafka.image.publisher.MetadataPublisher;
import org.apache.kafka.metadata.BrokerRegistration;
import org.apache.kafka.metadata.PartitionRegistration;
import org.apache.kafka.metadata.authorizer.StandardAcl;
import org.apache.kafka.metadata.ScramCredentialData;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our {@link MetadataPublisher}: Kafka's {@code MetadataLoader} calls it with every new metadata
 * image, on the loader's thread. It checks the finalized features against {@link SupportedFeatures}
 * (a level outside our range is fatal), publishes a new immutable {@link ClusterView} (the live
 * brokers with their endpoints by listener name), the SCRAM credentials into the broker's
 * {@link ScramCredentials} (Kafka's {@code ScramPublisher}), and applies the topics to the
 * {@link TopicRegistry} (which opens, creates and deletes the partition logs this node leads). The
 * reactors read the results by reference, without a lock.
 *
 * <p>Failures are not fatal (Kafka's brokers report each publishing step to a non-fatal fault
 * handler): a step that throws, or a topic the registry could not apply, is logged and counted
 * ({@code metadata-apply-error-count}), the rest of the update is applied, and the next update
 * applies the whole image rather than its delta ({@link #requestResync}), since a delta carries only
 * its own changes and what the failure skipped would otherwise wait for a restart. Only a finalized
 * feature level outside this broker's range is fatal.
 *
 * <p>Thread safety: one thread (the loader's) calls it; what it publishes is immutable or volatile.
 */
final class ClusterPublisher implements MetadataPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPublisher.class);

    private final int nodeId;
    private final String listenerName;
    private final ClusterState cluster;
    private final TopicRegistry topics;
    private final Consumer<String> fatal;
    /** The offset of the last image published; -1 before the first. */
    private volatile long publishedOffset = -1L;
    /** Finalized feature levels of the last image (metadata.version included), for refusal messages. */
    private volatile Map<String, Short> finalized = Map.of();
    private volatile boolean failed;
    private volatile int leading = -1;
    /** Set when an update was not fully applied (here or while loading): the next applies the whole image. */
    private volatile boolean resync;
    /** Publishing steps that threw (the registry counts its own per-topic failures). */
    private final AtomicLong stepErrors = new AtomicLong();
    /** Where the metadata's dynamic broker configs are applied; null until attached (then none are). */
    private volatile DynamicBrokerConfig brokerConfigs;
    /** The authorizer the metadata log's ACLs feed; {@link Authorization#NONE} without one. */
    private volatile Authorization authorization = Authorization.NONE;
    /** Live brokers lacking some of this broker's listeners, as last logged (loader thread only). */
    private Map<Integer, Set<String>> missingListeners = Map.of();
    private final ScramCredentials scram;

    ClusterPublisher(int nodeId, String listenerName, ClusterState cluster, TopicRegistry topics,
                     ScramCredentials scram, Consumer<String> fatal) {
        this.nodeId = nodeId;
        this.scram = scram;
        this.listenerName = listenerName;
        this.cluster = cluster;
        this.topics = topics;
        this.fatal = fatal;
    }

    @Override
    public String name() {
        return "ZcrxClusterPublisher";
    }

    @Override
    public void onMetadataUpdate(MetadataDelta delta, MetadataImage image, LoaderManifest manifest) {
        if (failed) {
            return;
        }
        final boolean first = publishedOffset < 0;
        if (first || delta.featuresDelta() != null) {
            final Map<String, Short> levels = new HashMap<>(image.features().finalizedVersions());
            image.features().metadataVersion().ifPresent(mv -> levels.put(MetadataVersion.FEATURE_NAME,
                mv.featureLevel()));
            finalized = Map.copyOf(levels);
            final String problem = SupportedFeatures.incompatibility(levels);
            if (problem != null) {
                failed = true;
                cluster.revokeForGood();
                fatal.accept(problem);
                return;
            }
        }
        final boolean full = first || resync;
        resync = false;
        if (full || delta.clusterDelta() != null) {
            try {
                publishView(image);
            } catch (RuntimeException e) {
                stepFailed("publishing the live brokers", e);
            }
        }
        // Before the topics: a topic changed by the same update gets the new broker defaults.
        if (full || delta.configsDelta() != null) {
            try {
                publishBrokerConfigs(image, full ? null : delta);
            } catch (RuntimeException e) {
                stepFailed("applying the dynamic broker configs", e);
            }
        }
        if (full || delta.scramDelta() != null) {
            try {
                publishScram(delta, image, full);
            } catch (RuntimeException e) {
                stepFailed("publishing the SCRAM credentials", e);
            }
        }
        int nowLeading = leading;
        final long errorsBefore = topics.applyErrorCount();
        try {
            if (full) {
                if (!first) {
                    LOG.info("applying the whole metadata image at offset {} (an earlier update was not fully "
                        + "applied)", manifest.provenance().lastContainedOffset());
                }
                nowLeading = topics.applyCluster(clusterTopics(image, image.topics().topicsById().values()));
            } else if (delta.topicsDelta() != null || delta.configsDelta() != null) {
                nowLeading = topics.applyClusterChanges(clusterTopics(image, changedTopics(delta, image)),
                    delta.topicsDelta() == null ? Set.of() : delta.topicsDelta().deletedTopicIds());
            }
        } catch (RuntimeException e) {
            stepFailed("applying the topics", e);
        }
        try {
            publishAcls(delta, image, full, first);
        } catch (RuntimeException e) {
            stepFailed("loading the ACLs", e);
        }
        if (topics.applyErrorCount() != errorsBefore) {
            resync = true;
        }
        if (nowLeading != leading) {
            LOG.info("leading {} partitions", nowLeading);
            leading = nowLeading;
        }
        publishedOffset = manifest.provenance().lastContainedOffset();
    }

    private void stepFailed(String step, RuntimeException e) {
        stepErrors.incrementAndGet();
        resync = true;
        LOG.error("{} at metadata offset {} failed; the next update applies the whole image", step,
            publishedOffset, e);
    }

    /** The authorizer to feed with the metadata log's ACLs; before {@code MetadataLoader} calls this publisher. */
    void attachAuthorization(Authorization authorization) {
        this.authorization = authorization;
    }

    /**
     * The ACLs of the metadata log into the authorizer, as Kafka's {@code AclPublisher} does it: the whole set
     * ({@code image.acls()}) with the first image or a resync, then each {@link AclsDelta} change (an ACL added by
     * id, or removed: an empty value); after the first image the authorizer's initial load is complete, and from
     * then on it decides for non-super users (before, it refuses them: {@code AuthorizerNotReadyException}).
     * The first image is published before the broker asks to be unfenced, so no client is served before.
     */
    private void publishAcls(MetadataDelta delta, MetadataImage image, boolean full, boolean first) {
        final Authorization authz = authorization;
        if (!authz.enabled()) {
            return;
        }
        if (full) {
            authz.load(image.acls().acls());
            if (first) {
                authz.completeInitialLoad();
                LOG.info("loaded {} ACL(s) from the cluster metadata", image.acls().acls().size());
            }
            return;
        }
        final AclsDelta acls = delta.aclsDelta();
        if (acls == null) {
            return;
        }
        for (Map.Entry<Uuid, Optional<StandardAcl>> e : acls.changes().entrySet()) {
            if (e.getValue().isPresent()) {
                authz.add(e.getKey(), e.getValue().get());
            } else {
                authz.remove(e.getKey());
            }
        }
    }

    /** The next update applies the whole image (an update was lost or not fully applied, e.g. while loading). */
    void requestResync() {
        resync = true;
    }

    /** Kafka's {@code metadata-apply-error-count}: publishing failures, the registry's included. */
    long applyErrorCount() {
        return stepErrors.get() + topics.applyErrorCount();
    }

    /**
     * The live brokers (registered, not fenced): their endpoint on the inter-broker listener (what the replica
     * fetchers and the ISR rules use) and their endpoints by listener name (what clients of each listener are
     * told). A live broker without one of this broker's listeners is left out of the answers to that
     * listener's clients, as Kafka's brokers do: said once per change, not per request.
     */
    private void publishView(MetadataImage image) {
        final ClusterView before = cluster.view();
        final Map<Integer, BrokerNode> alive = new HashMap<>();
        final Map<String, Map<Integer, BrokerNode>> byListener = new HashMap<>();
        final Map<Integer, Long> epochs = new HashMap<>();
        final Set<Integer> shuttingDown = new HashSet<>();
        final BrokerRegistration self = image.cluster().brokers().get(nodeId);
        final Set<String> ours = self == null ? Set.of() : self.listeners().keySet();
        final Map<Integer, Set<String>> missing = new HashMap<>();
        for (BrokerRegistration b : image.cluster().brokers().values()) {
            if (b.fenced()) {
                continue;
            }
            epochs.put(b.id(), b.epoch());
            if (b.inControlledShutdown()) {
                shuttingDown.add(b.id());
            }
            final String rack = b.rack().orElse(null);
            for (Map.Entry<String, Endpoint> l : b.listeners().entrySet()) {
                final Endpoint e = l.getValue();
                byListener.computeIfAbsent(l.getKey(), k -> new HashMap<>())
                    .put(b.id(), new BrokerNode(b.id(), e.host(), e.port(), rack));
            }
            final Set<String> lacks = new TreeSet<>(ours);
            lacks.removeAll(b.listeners().keySet());
            if (!lacks.isEmpty()) {
                missing.put(b.id(), lacks);
            }
            final Endpoint e = b.listeners().get(listenerName);
            if (e == null) {
                if (!Set.of(listenerName).equals(missingListeners.get(b.id()))) {
                    LOG.warn("broker {} has no listener named {} (it has {}); replicas cannot fetch from it", b.id(),
                        listenerName, b.listeners().keySet());
                }
                continue;
            }
            alive.put(b.id(), new BrokerNode(b.id(), e.host(), e.port(), rack));
        }
        for (Map.Entry<Integer, Set<String>> m : missing.entrySet()) {
            if (!m.getValue().equals(missingListeners.get(m.getKey()))) {
                LOG.warn("broker {} has no listener {} (it has {}): clients connected on {} are not told about it",
                    m.getKey(), m.getValue(), image.cluster().brokers().get(m.getKey()).listeners().keySet(),
                    m.getValue().size() == 1 ? "that listener" : "those listeners");
            }
        }
        missingListeners = missing;
        // Kafka's brokers name a random live broker as "controller" to clients (they cannot reach the
        // quorum); the lowest id keeps the answer stable between requests.
        int controllerId = alive.isEmpty() ? nodeId : Integer.MAX_VALUE;
        for (int id : alive.keySet()) {
            controllerId = Math.min(controllerId, id);
        }
        final ClusterView next = new ClusterView(nodeId, alive, controllerId, true, epochs, shuttingDown,
            byListener);
        cluster.publish(next);
        for (BrokerNode b : next.aliveBrokers()) {
            if (before.broker(b.id()) == null) {
                LOG.info("broker {} is live at {}{}", b.id(), endpoints(image.cluster().brokers().get(b.id())),
                    b.id() == nodeId ? " (this broker)" : "");
            }
        }
        for (BrokerNode b : before.aliveBrokers()) {
            if (next.broker(b.id()) == null) {
                LOG.info("broker {} is no longer live (fenced, shut down or unregistered)", b.id());
            }
        }
    }

    /** Applies the dynamic broker configs from the metadata here (before the first image). */
    void brokerConfigs(DynamicBrokerConfig dynamic) {
        this.brokerConfigs = dynamic;
    }

    /**
     * Kafka's {@code DynamicConfigPublisher} for BROKER resources: the cluster default ("") and this node's own
     * layer, as the image holds them, to {@link DynamicBrokerConfig#applyFromMetadata} (which ignores, logged, what
     * it cannot apply). With a delta, only when it changed one of them.
     */
    private void publishBrokerConfigs(MetadataImage image, MetadataDelta delta) {
        final DynamicBrokerConfig dynamic = brokerConfigs;
        if (dynamic == null) {
            return;
        }
        final ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        final ConfigResource own = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(nodeId));
        if (delta != null && !delta.configsDelta().changes().containsKey(clusterDefault)
            && !delta.configsDelta().changes().containsKey(own)) {
            return;
        }
        dynamic.applyFromMetadata(image.configs().configMapForResource(clusterDefault),
            image.configs().configMapForResource(own));
    }

    private static String endpoints(BrokerRegistration b) {
        final StringBuilder sb = new StringBuilder();
        for (Endpoint e : b.listeners().values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.listener()).append("://").append(e.host()).append(':')
                .append(e.port());
        }
        return sb.toString();
    }

    /**
     * The SCRAM credentials of the metadata log (UserScramCredentialRecord, RemoveUserScramCredentialRecord) into
     * the cache SASL listeners authenticate against, as Kafka's {@code ScramPublisher} does: the whole image on
     * the first update or a resync, else the delta's changes.
     */
    private void publishScram(MetadataDelta delta, MetadataImage image, boolean full) {
        if (full) {
            final Map<String, Map<ScramMechanism, ScramCredential>> all = new HashMap<>();
            // var: the image keys by the admin API's ScramMechanism, the cache by the internal one (same names).
            for (var m : image.scram().mechanisms().entrySet()) {
                final ScramMechanism mechanism = ScramMechanism.forMechanismName(m.getKey().mechanismName());
                for (Map.Entry<String, ScramCredentialData> u : m.getValue().entrySet()) {
                    all.computeIfAbsent(u.getKey(), k -> new EnumMap<>(ScramMechanism.class))
                        .put(mechanism, u.getValue().toCredential());
                }
            }
            scram.replaceAll(all);
            return;
        }
        if (delta.scramDelta() == null) {
            return;
        }
        for (var m : delta.scramDelta().changes().entrySet()) {
            final ScramMechanism mechanism = ScramMechanism.forMechanismName(m.getKey().mechanismName());
            for (Map.Entry<String, Optional<ScramCredentialData>> u : m.getValue().entrySet()) {
                if (u.getValue().isPresent()) {
                    scram.put(u.getKey(), mechanism, u.getValue().get().toCredential());
                    LOG.info("SCRAM credential of user {} for {} set by the controller", u.getKey(),
                        mechanism.mechanismName());
                } else if (scram.remove(u.getKey(), mechanism)) {
                    LOG.info("SCRAM credential of user {} for {} removed by the controller", u.getKey(),
                        mechanism.mechanismName());
                }
            }
        }
    }

    /** Topics created or changed by the delta, and topics whose configs it changed. */
    private static Collection<TopicImage> changedTopics(MetadataDelta delta, MetadataImage image) {
        final Map<Uuid, TopicImage> changed = new HashMap<>();
        if (delta.topicsDelta() != null) {
            for (Uuid id : delta.topicsDelta().changedTopics().keySet()) {
                final TopicImage t = image.topics().getTopic(id);
                if (t != null) {
                    changed.put(id, t);
                }
            }
        }
        if (delta.configsDelta() != null) {
            for (ConfigResource r : delta.configsDelta().changes().keySet()) {
                if (r.type() == ConfigResource.Type.TOPIC) {
                    final TopicImage t = image.topics().getTopic(r.name());
                    if (t != null) {
                        changed.put(t.id(), t);
                    }
                }
            }
        }
        return changed.values();
    }

    private static List<ClusterTopic> clusterTopics(MetadataImage image, Collection<TopicImage> topicImages) {
        final List<ClusterTopic> out = new ArrayList<>(topicImages.size());
        for (TopicImage t : topicImages) {
            final PartitionState[] states = new PartitionState[t.partitions().size()];
            for (Map.Entry<Integer, PartitionRegistration> e : t.partitions().entrySet()) {
                final PartitionRegistration p = e.getValue();
                if (e.getKey() < states.length) {
                    states[e.getKey()] = new PartitionState(p.leader, p.leaderEpoch, p.partitionEpoch,
                        p.replicas.clone(), p.isr.clone());
                }
            }
            final Map<String, String> configs = image.configs().configMapForResource(
                new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
            out.add(new ClusterTopic(t.name(), t.id(), states, configs));
        }
        return out;
    }

    /** Partitions this broker led in the last image applied (-1 before the first). */
    int leading() {
        return leading;
    }

    long publishedOffset() {
        return publishedOffset;
    }

    Map<String, Short> finalized() {
        return finalized;
    }
}
