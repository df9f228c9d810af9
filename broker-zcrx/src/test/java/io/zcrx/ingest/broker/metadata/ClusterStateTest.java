package io.zcrx.ingest.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The leadership lease at its edges: no lease, a granted one, a revoked one, standalone's for ever. */
class ClusterStateTest {
    private static final BrokerNode SELF = new BrokerNode(1, "localhost", 9092, null);

    // Goal: a member without a lease may not lead, now or later; a heartbeat grants until its
    // deadline; an older heartbeat never shortens the lease; revoking ends it at once and a later
    // heartbeat grants again; standalone leads for ever. Deadlines are System.nanoTime() values,
    // compared by difference (nanoTime may be negative or wrap).
    @Test
    void leaseEdges() {
        final long s1 = 1_000_000_000L;
        final ClusterState s = ClusterState.clusterMember(SELF);
        final long base = System.nanoTime();
        for (long later : new long[] {0, 1, s1, 3600 * s1}) {
            assertFalse(s.mayLead(base + later), "no lease yet, now=base+" + later);
        }
        s.extendLease(base + 10 * s1);
        assertTrue(s.mayLead(base + 9 * s1));
        assertFalse(s.mayLead(base + 10 * s1));
        s.extendLease(base + 5 * s1);
        assertTrue(s.mayLead(base + 9 * s1), "an older heartbeat does not shorten the lease");
        s.revokeLease();
        assertFalse(s.mayLead(System.nanoTime()));
        s.extendLease(base + 20 * s1);
        assertTrue(s.mayLead(base + 19 * s1), "a heartbeat after revocation grants again");

        final ClusterState standalone = ClusterState.standalone(SELF);
        standalone.revokeLease();
        for (long now : new long[] {Long.MIN_VALUE + 1, -5, 0, 5, Long.MAX_VALUE - 1}) {
            assertTrue(standalone.mayLead(now), "standalone leads for ever, now=" + now);
        }
    }

    // Goal: after the broker left the cluster (fatal condition, controlled shutdown), no heartbeat
    // answer (one in flight when it left) brings the lease back, however late its deadline.
    @Test
    void revocationForGoodSticks() {
        final long s1 = 1_000_000_000L;
        final ClusterState s = ClusterState.clusterMember(SELF);
        final long base = System.nanoTime();
        s.extendLease(base + 10 * s1);
        assertTrue(s.mayLead(base + s1));
        assertFalse(s.revokedForGood());
        s.revokeForGood();
        assertTrue(s.revokedForGood());
        assertFalse(s.mayLead(base + s1));
        s.extendLease(base + 3600 * s1);
        for (long later : new long[] {0, 1, s1, 3599 * s1}) {
            assertFalse(s.mayLead(base + later), "revoked for good, a later heartbeat ignored, now=base+" + later);
        }
        s.revokeLease();
        s.extendLease(base + 7200 * s1);
        assertFalse(s.mayLead(base + 7000 * s1));

        final ClusterState standalone = ClusterState.standalone(SELF);
        standalone.revokeForGood();
        assertTrue(standalone.mayLead(base), "standalone leads for ever");
    }
}
