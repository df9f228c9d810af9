package io.zcrx.ingest.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The leadership lease at its edges: no lease, a granted one, a revoked one, standalone's for ever. */
class ClusterStateTest {
    private static final BrokerNode SELF = new BrokerNode(1, "localhost", 9092, null);

    // Goal: a member without a lease may not lead at any clock value (System.nanoTime may be
    // negative or large); a heartbeat grants until the deadline; revoking ends it at once.
    @Test
    void leaseEdges() {
        final ClusterState s = ClusterState.clusterMember(SELF);
        for (long now : new long[] {Long.MIN_VALUE + 1, -5, 0, 5, Long.MAX_VALUE - 1}) {
            assertFalse(s.mayLead(now), "no lease yet, now=" + now);
        }
        s.extendLease(1_000L);
        assertTrue(s.mayLead(999L));
        assertFalse(s.mayLead(1_000L));
        s.extendLease(500L);
        assertTrue(s.mayLead(999L), "an older heartbeat does not shorten the lease");
        s.revokeLease();
        assertFalse(s.mayLead(999L));
        s.extendLease(2_000L);
        assertTrue(s.mayLead(1_999L), "a heartbeat after revocation grants again");

        final ClusterState standalone = ClusterState.standalone(SELF);
        standalone.extendLease(10L);
        for (long now : new long[] {Long.MIN_VALUE + 1, -5, 0, 5, Long.MAX_VALUE - 1}) {
            assertTrue(standalone.mayLead(now), "standalone leads for ever, now=" + now);
        }
    }
}
