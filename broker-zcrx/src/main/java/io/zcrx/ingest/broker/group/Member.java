package io.zcrx.ingest.broker.group;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group: who it is, the protocols it offered (in its order of
 * preference, with their metadata), its assignment, the response it is waiting for (a JoinGroup
 * or a SyncGroup held until the rebalance gets there) and when it last proved alive.
 *
 * <p>Guarded by its group's lock.
 */
final class Member {
    final String memberId;
    /** Static membership (KIP-345): the stable instance id, or null for a dynamic member. */
    final String groupInstanceId;
    final String clientId;
    final String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    String protocolType;
    /** Protocol name to metadata, in the member's order of preference. */
    Map<String, byte[]> protocols;
    byte[] assignment = new byte[0];
    Consumer<JoinGroupResponseData> awaitingJoin;
    Consumer<SyncGroupResponseData> awaitingSync;
    long lastHeartbeatMs;
    /** The version of the JoinGroup being held (its response is encoded for it). */
    short joinVersion;

    Member(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
           int sessionTimeoutMs, String protocolType, Map<String, byte[]> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = new LinkedHashMap<>(protocols);
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    /** Same protocol names with the same metadata, in the same order. */
    boolean matches(Map<String, byte[]> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        final var a = protocols.entrySet().iterator();
        final var b = other.entrySet().iterator();
        while (a.hasNext()) {
            final var x = a.next();
            final var y = b.next();
            if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The member's first preference among {@code candidates}. */
    String vote(Set<String> candidates) {
        for (String p : protocols.keySet()) {
            if (candidates.contains(p)) {
                return p;
            }
        }
        throw new IllegalStateException("member supports none of the candidate protocols: member=" + memberId
            + ", candidates=" + candidates + ", protocols=" + protocols.keySet());
    }

    @Override
    public String toString() {
        return "member " + memberId + (groupInstanceId == null ? "" : " (instance " + groupInstanceId + ")");
    }
}
