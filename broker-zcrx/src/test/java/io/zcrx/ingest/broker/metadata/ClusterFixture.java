package io.zcrx.ingest.broker.metadata;

import io.zcrx.ingest.broker.config.BrokerConfig;
import io.zcrx.ingest.broker.config.TopicConfigs;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.ControllerChannel;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;

/**
 * A real broker context (log manager, topic registry, producer ids) on a temp dir, for handler
 * tests, plus what the KRaft core will do in cluster mode without it: topics whose partitions are
 * led here or elsewhere ({@link TopicInfo#replacePartitions}, the package-private way the metadata
 * publisher changes leadership), a published {@link ClusterView} and a leadership lease. Node 1 is
 * this broker.
 */
public final class ClusterFixture implements AutoCloseable {
    public static final int SELF = 1;

    private final MetricsRegistry metrics = new MetricsRegistry(1, false);
    private final LogManager logs;
    private final BrokerContext ctx;
    private ClusterState cluster;

    public ClusterFixture(Path dir, String... settings) throws IOException {
        final Map<String, String> m = new HashMap<>();
        m.put(BrokerConfig.NODE_ID, String.valueOf(SELF));
        m.put(BrokerConfig.LOG_DIRS, dir.toString());
        m.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:9092");
        for (int i = 0; i < settings.length; i += 2) {
            m.put(settings[i], settings[i + 1]);
        }
        final BrokerConfig config = new BrokerConfig(m);
        logs = LogManager.open(config.logDirs(), SELF, TopicConfigs.logConfig(config, Collections.emptyMap()),
            config.getInt(BrokerConfig.PRODUCER_ID_EXPIRATION_MS), System::currentTimeMillis);
        final TopicRegistry topics = new TopicRegistry(config, logs, metrics);
        ctx = new BrokerContext(config, logs, topics, new ProducerIdManager(dir, logs.largestProducerId()),
            System::currentTimeMillis, metrics);
    }

    public BrokerContext ctx() {
        return ctx;
    }

    /** The cluster state attached by {@link #joinCluster} (null while standalone). */
    public ClusterState cluster() {
        return cluster;
    }

    /** This broker as clients reach it. */
    public static BrokerNode node(int id) {
        return new BrokerNode(id, "broker" + id + ".test", 9090 + id, id == 2 ? "rack-b" : null);
    }

    /**
     * Cluster mode: a published view where {@code alive} are the live brokers (this one included
     * if listed), controller id for clients {@code alive[0]}, a lease for an hour, the channel.
     */
    public void joinCluster(ControllerChannel controller, int... alive) {
        final Map<Integer, BrokerNode> nodes = new HashMap<>();
        for (int id : alive) {
            nodes.put(id, node(id));
        }
        cluster = ClusterState.clusterMember(node(SELF));
        cluster.publish(new ClusterView(SELF, nodes, alive[0], true));
        cluster.setBrokerEpoch(42L);
        cluster.extendLease(System.nanoTime() + 3_600_000_000_000L);
        ctx.attachCluster(cluster, controller);
    }

    /** A partition led by {@code leader} at {@code epoch}, replicas = ISR = {@code replicas}. */
    public static PartitionState state(int leader, int epoch, int... replicas) {
        return new PartitionState(leader, epoch, epoch, replicas, replicas);
    }

    /**
     * A topic with one partition per state: created with real logs, then the partitions whose
     * leader is not this node lose theirs (not led here), the others keep them under their state.
     */
    public TopicInfo topic(String name, PartitionState... states) {
        final TopicRegistry.CreateResult r = ctx.topics().create(name, states.length, Map.of(), false);
        if (r.errorCode() != Errors.NONE.code()) {
            throw new IllegalStateException("cannot create " + name + ": " + r.errorMessage());
        }
        final TopicInfo t = r.topic();
        final PartitionLog[] local = t.partitions().clone();
        for (int p = 0; p < states.length; p++) {
            if (states[p].leader() != SELF) {
                local[p] = null;
            }
        }
        t.replacePartitions(local, states.clone());
        return t;
    }

    /** The metadata publishes new partition states for {@code t}; the logs led here stay (replication tests). */
    public static void republish(TopicInfo t, PartitionState... states) {
        t.replacePartitions(t.partitions(), states.clone());
    }

    @Override
    public void close() throws IOException {
        logs.close();
        metrics.close();
    }
}
