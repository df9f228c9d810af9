package io.zcrx.ingest.broker.metadata;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This broker's standing in its cluster, read by the request handlers without a lock: the current
 * {@link ClusterView} (swapped by reference) and the leadership lease. A KRaft broker may act as a
 * partition leader only while the controller considers it alive: each heartbeat the controller
 * answers unfenced extends the lease to {@code broker.session.timeout.ms} after the heartbeat was
 * sent; when it runs out (controller unreachable) or the controller fences the broker, Produce is
 * refused (NOT_LEADER_OR_FOLLOWER) until a heartbeat succeeds again, so a broker cut off from the
 * quorum never acknowledges writes that a new leader could not see. Standalone mode holds the
 * lease for ever. Once the broker leaves the cluster (a fatal condition, controlled shutdown) the
 * lease is {@link #revokeForGood revoked for good}: a heartbeat answered "unfenced" afterwards (one
 * already in flight) does not bring it back.
 *
 * <p>Thread-safe: volatile fields and a CAS on the deadline, written by the cluster's threads (the
 * heartbeat channel's, the loader's, the lifecycle thread), read by the reactors.
 */
public final class ClusterState {
    private volatile ClusterView view;
    /** Standalone: the lease never ends. */
    private final boolean forever;
    /**
     * System.nanoTime() until which this broker may lead (cluster mode). Compared by difference, as
     * nanoTime values must be: "no lease" is a moment in the past, never a sentinel like
     * Long.MIN_VALUE, whose difference to now overflows.
     */
    private final AtomicLong leaseDeadlineNanos;
    /** Set once, never cleared: this incarnation left the cluster and never leads again. */
    private volatile boolean revokedForGood;
    /** The broker epoch the controller gave this incarnation at registration; -1 before (and standalone). */
    private volatile long brokerEpoch = -1L;

    private ClusterState(ClusterView view, boolean forever) {
        this.view = view;
        this.forever = forever;
        this.leaseDeadlineNanos = new AtomicLong(System.nanoTime() - 1);
    }

    /** A standalone broker: one view for ever, a lease that never ends. */
    public static ClusterState standalone(BrokerNode self) {
        return new ClusterState(ClusterView.standalone(self), true);
    }

    /** A cluster member before registration: only itself known, no lease. */
    public static ClusterState clusterMember(BrokerNode self) {
        return new ClusterState(new ClusterView(self.id(), Map.of(), self.id(), true), false);
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

    /** True while this broker may acknowledge writes as a partition leader (two volatile reads). */
    public boolean mayLead(long nowNanos) {
        return forever || !revokedForGood && nowNanos - leaseDeadlineNanos.get() < 0;
    }

    /**
     * A heartbeat sent at {@code sentNanos} was answered unfenced: lead until sent + session timeout.
     * Never shortens the lease; a CAS, so that a concurrent {@link #revokeLease} is not overwritten by
     * a deadline read before it (the revocation wins unless this heartbeat's deadline is later than
     * the revocation's "now minus one", i.e. a heartbeat answered unfenced after it).
     */
    public void extendLease(long deadlineNanos) {
        while (!revokedForGood) {
            final long current = leaseDeadlineNanos.get();
            if (deadlineNanos - current <= 0 || leaseDeadlineNanos.compareAndSet(current, deadlineNanos)) {
                return;
            }
        }
    }

    /** Fenced, or the session is known lost: stop leading now (a later unfenced heartbeat grants again). */
    public void revokeLease() {
        leaseDeadlineNanos.set(System.nanoTime() - 1);
    }

    /**
     * This incarnation left the cluster (a fatal condition, controlled shutdown): stop leading now and
     * for ever, whatever heartbeat answers still arrive.
     */
    public void revokeForGood() {
        revokedForGood = true;
        revokeLease();
    }

    /** True once {@link #revokeForGood} was called. */
    public boolean revokedForGood() {
        return revokedForGood;
    }
}
