package io.zcrx.ingest.broker.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster as this broker last learnt it: the live (registered and unfenced) brokers with their
 * endpoints on {@code inter.broker.listener.name} (the one the replica fetchers use), the same brokers'
 * endpoints by listener name (cluster mode: every listener of their {@code BrokerRegistration}; Kafka
 * answers each client with the endpoints of the listener it connected on and leaves out a broker without
 * that listener), and the node id that Metadata and DescribeCluster name as controller (in KRaft a random
 * live broker, as Kafka's brokers answer: clients cannot reach the controllers). Standalone mode has one
 * view: this node alone (its per-listener endpoints are the request context's).
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
    /**
     * Listener name to the live brokers with an endpoint on it, in node id order (cluster mode). Empty: no
     * per-listener endpoints are known (standalone, tests) and every listener sees {@link #alive}.
     */
    private final Map<String, Map<Integer, BrokerNode>> byListener;

    public ClusterView(int selfId, Map<Integer, BrokerNode> alive, int controllerIdForClients, boolean clusterMode) {
        this(selfId, alive, controllerIdForClients, clusterMode, Map.of(), Set.of());
    }

    /**
     * @param brokerEpochs the live brokers' registration epochs
     * @param shuttingDown the live brokers in controlled shutdown
     */
    public ClusterView(int selfId, Map<Integer, BrokerNode> alive, int controllerIdForClients, boolean clusterMode,
                       Map<Integer, Long> brokerEpochs, Set<Integer> shuttingDown) {
        this(selfId, alive, controllerIdForClients, clusterMode, brokerEpochs, shuttingDown, Map.of());
    }

    /**
     * @param alive        the live brokers' endpoints on the inter-broker listener
     * @param brokerEpochs the live brokers' registration epochs
     * @param shuttingDown the live brokers in controlled shutdown
     * @param byListener   listener name to the live brokers' endpoints on it (empty: none known)
     */
    public ClusterView(int selfId, Map<Integer, BrokerNode> alive, int controllerIdForClients, boolean clusterMode,
                       Map<Integer, Long> brokerEpochs, Set<Integer> shuttingDown,
                       Map<String, Map<Integer, BrokerNode>> byListener) {
        this.selfId = selfId;
        this.alive = Collections.unmodifiableMap(new TreeMap<>(alive));
        this.controllerIdForClients = controllerIdForClients;
        this.clusterMode = clusterMode;
        this.brokerEpochs = Map.copyOf(brokerEpochs);
        this.shuttingDown = Set.copyOf(shuttingDown);
        final Map<String, Map<Integer, BrokerNode>> listeners = new HashMap<>();
        for (Map.Entry<String, Map<Integer, BrokerNode>> e : byListener.entrySet()) {
            listeners.put(e.getKey(), Collections.unmodifiableMap(new TreeMap<>(e.getValue())));
        }
        this.byListener = Map.copyOf(listeners);
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

    /**
     * The live brokers a client of {@code listener} is told about: those with an endpoint on it, with that
     * endpoint (Kafka's {@code getAliveBrokerNodes(listenerName)}). {@link #aliveBrokers()} when the
     * listener is null or no per-listener endpoints are known; empty for a listener no broker registered.
     */
    public Collection<BrokerNode> aliveBrokers(String listener) {
        if (listener == null || byListener.isEmpty()) {
            return alive.values();
        }
        final Map<Integer, BrokerNode> m = byListener.get(listener);
        return m == null ? List.of() : m.values();
    }

    /**
     * Live broker {@code id}'s endpoint on {@code listener}, or null when it is unknown, fenced or has no such
     * listener (Kafka's {@code getAliveBrokerNode(id, listenerName)}); {@link #broker(int)} when the listener
     * is null or no per-listener endpoints are known. Two hash lookups: cheap enough for the KIP-951 hints of
     * the produce path.
     */
    public BrokerNode broker(int id, String listener) {
        if (listener == null || byListener.isEmpty()) {
            return alive.get(id);
        }
        final Map<Integer, BrokerNode> m = byListener.get(listener);
        return m == null ? null : m.get(id);
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
