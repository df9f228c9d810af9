package io.zcrx.ingest.broker.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster as this broker last learnt it: the live (registered and unfenced) brokers with their
 * client endpoints on this broker's listener, and the node id that Metadata and DescribeCluster
 * name as controller (in KRaft a random live broker, as Kafka's brokers answer: clients cannot reach
 * the controllers). Standalone mode has one view: this node alone.
 *
 * <p>Immutable; a new view replaces the old one by reference ({@link ClusterState#publish}).
 */
public final class ClusterView {
    private final int selfId;
    private final Map<Integer, BrokerNode> alive;
    private final int controllerIdForClients;
    private final boolean clusterMode;
    /** The live brokers' registration epochs (cluster mode); a broker missing here has an unknown epoch. */
    private final Map<Integer, Long> brokerEpochs;
    /** Live brokers in controlled shutdown: still serving, but no longer eligible to join an ISR. */
    private final Set<Integer> shuttingDown;

    public ClusterView(int selfId, Map<Integer, BrokerNode> alive, int controllerIdForClients, boolean clusterMode) {
        this(selfId, alive, controllerIdForClients, clusterMode, Map.of(), Set.of());
    }

    /**
     * @param brokerEpochs the live brokers' registration epochs
     * @param shuttingDown the live brokers in controlled shutdown
     */
    public ClusterView(int selfId, Map<Integer, BrokerNode> alive, int controllerIdForClients, boolean clusterMode,
                       Map<Integer, Long> brokerEpochs, Set<Integer> shuttingDown) {
        this.selfId = selfId;
        this.alive = Collections.unmodifiableMap(new TreeMap<>(alive));
        this.controllerIdForClients = controllerIdForClients;
        this.clusterMode = clusterMode;
        this.brokerEpochs = Map.copyOf(brokerEpochs);
        this.shuttingDown = Set.copyOf(shuttingDown);
    }

    /** The view of a standalone broker: itself, its own controller. */
    public static ClusterView standalone(BrokerNode self) {
        return new ClusterView(self.id(), Map.of(self.id(), self), self.id(), false);
    }

    public int selfId() {
        return selfId;
    }

    /** True when this broker is a member of a KRaft cluster ({@code process.roles=broker}). */
    public boolean clusterMode() {
        return clusterMode;
    }

    /** Live brokers in node id order. */
    public Collection<BrokerNode> aliveBrokers() {
        return alive.values();
    }

    /** The live broker with this id, or null when it is unknown or fenced. */
    public BrokerNode broker(int id) {
        return alive.get(id);
    }

    /** The registration epoch of live broker {@code id}, or -1 when unknown. */
    public long brokerEpoch(int id) {
        final Long e = brokerEpochs.get(id);
        return e == null ? -1L : e;
    }

    /** True while live broker {@code id} is in controlled shutdown (its registration says so). */
    public boolean isShuttingDown(int id) {
        return shuttingDown.contains(id);
    }

    public int controllerIdForClients() {
        return controllerIdForClients;
    }

    @Override
    public String toString() {
        return "ClusterView{self=" + selfId + ", alive=" + alive.keySet() + ", clusterMode=" + clusterMode + "}";
    }
}
