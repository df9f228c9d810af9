package io.zcrx.ingest.broker.metadata;

import java.util.Map;

/**
 * This broker's standing in its cluster, read by the request handlers without a lock: the current
 * {@link ClusterView} (swapped by reference) and the leadership lease. A KRaft broker may act as a
 * partition leader only while the controller considers it alive: each heartbeat the controller
 * answers unfenced extends the lease to {@code broker.session.timeout.ms} after the heartbeat was
 * sent; when it runs out (controller unreachable) or the controller fences the broker, Produce is
 * refused (NOT_LEADER_OR_FOLLOWER) until a heartbeat succeeds again, so a broker cut off from the
 * quorum never acknowledges writes that a new leader could not see. Standalone mode holds the
 * lease for ever.
 *
 * <p>Thread-safe: volatile fields, written by the cluster's threads, read by the reactors.
 */
public final class ClusterState {
    private volatile ClusterView view;
    /** System.nanoTime() until which this broker may lead; Long.MAX_VALUE for ever. */
    private volatile long leaseDeadlineNanos;
    /** The broker epoch the controller gave this incarnation at registration; -1 before (and standalone). */
    private volatile long brokerEpoch = -1L;

    private ClusterState(ClusterView view, long leaseDeadlineNanos) {
        this.view = view;
        this.leaseDeadlineNanos = leaseDeadlineNanos;
    }

    /** A standalone broker: one view for ever, a lease that never ends. */
    public static ClusterState standalone(BrokerNode self) {
        return new ClusterState(ClusterView.standalone(self), Long.MAX_VALUE);
    }

    /** A cluster member before registration: only itself known, no lease. */
    public static ClusterState clusterMember(BrokerNode self) {
        return new ClusterState(new ClusterView(self.id(), Map.of(), self.id(), true), Long.MIN_VALUE);
    }

    public ClusterView view() {
        return view;
    }

    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** Set by the lifecycle manager once the controller accepted the registration. */
    public void setBrokerEpoch(long epoch) {
        brokerEpoch = epoch;
    }

    public void publish(ClusterView next) {
        view = next;
    }

    /**
     * True while this broker may acknowledge writes as a partition leader. The two sentinels are
     * compared, not subtracted: {@code now - Long.MIN_VALUE} overflows and would read as a lease.
     */
    public boolean mayLead(long nowNanos) {
        final long deadline = leaseDeadlineNanos;
        return deadline == Long.MAX_VALUE || deadline != Long.MIN_VALUE && nowNanos - deadline < 0;
    }

    /** A heartbeat sent at {@code sentNanos} was answered unfenced: lead until sent + session timeout. */
    public void extendLease(long deadlineNanos) {
        final long current = leaseDeadlineNanos;
        if (current != Long.MAX_VALUE && (current == Long.MIN_VALUE || deadlineNanos - current > 0)) {
            leaseDeadlineNanos = deadlineNanos;
        }
    }

    /** Fenced, shutting down, or the session is known lost: stop leading now. */
    public void revokeLease() {
        leaseDeadlineNanos = Long.MIN_VALUE;
    }
}
