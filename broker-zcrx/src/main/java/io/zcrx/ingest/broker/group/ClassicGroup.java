package io.zcrx.ingest.broker.group;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The membership state of one classic group: state, generation, chosen protocol, leader, members
 * (in join order), members that were handed an id and must rejoin with it ({@code pending}),
 * static instance ids, and the members that have not yet sent their SyncGroup for the current
 * generation. Committed offsets live in the {@link GroupStore}, not here.
 *
 * <p>Not thread-safe: every access holds the group's monitor ({@code synchronized (group)}); the
 * {@link GroupCoordinator} owns it; the {@link OffsetManager} reads it to check commits and expire offsets.
 */
final class ClassicGroup {
    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generationId;
    /** Null until the first member joins (and for groups that only hold offsets). */
    String protocolType;
    /** Chosen at the end of each join phase; null while Empty. */
    String protocolName;
    String leaderId;
    final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined with them yet. */
    final Set<String> pending = new HashSet<>();
    final Map<String, String> staticMembers = new HashMap<>();
    /** Members that got the current generation's JoinGroup response but have not sent SyncGroup. */
    final Set<String> pendingSync = new HashSet<>();
    /** When the group last became Empty (offset retention counts from here). */
    long emptySinceMs;
    /** Bumped by every prepareRebalance; a join timer carrying an older value is stale. */
    int rebalanceSeq;
    /** The initial rebalance delay is running (joins do not complete the phase early). */
    boolean initialDelay;
    boolean newMemberAdded;
    long initialRemainingMs;

    ClassicGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.emptySinceMs = nowMs;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    void add(Member m) {
        if (members.isEmpty()) {
            protocolType = m.protocolType;
        }
        members.put(m.memberId, m);
        if (m.groupInstanceId != null) {
            staticMembers.put(m.groupInstanceId, m.memberId);
        }
        if (leaderId == null) {
            leaderId = m.memberId;
        }
    }

    Member remove(String memberId) {
        final Member m = members.remove(memberId);
        if (m == null) {
            return null;
        }
        pendingSync.remove(memberId);
        if (m.groupInstanceId != null && memberId.equals(staticMembers.get(m.groupInstanceId))) {
            staticMembers.remove(m.groupInstanceId);
        }
        if (isLeader(memberId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
        return m;
    }

    /** True when the static instance is known under a different member id (KIP-345 fencing). */
    boolean isStaticMemberFenced(String groupInstanceId, String memberId) {
        if (groupInstanceId == null) {
            return false;
        }
        final String current = staticMembers.get(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    /**
     * Whether a member offering {@code protocols} of {@code type} could be in this group: the first
     * member defines the type; later ones must share it and at least one protocol with everyone.
     */
    boolean supportsProtocols(String type, Set<String> protocols) {
        if (type == null || type.isEmpty() || protocols.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        for (String p : protocols) {
            if (supportedByAll(p)) {
                return true;
            }
        }
        return false;
    }

    private boolean supportedByAll(String protocol) {
        for (Member m : members.values()) {
            if (!m.protocols.containsKey(protocol)) {
                return false;
            }
        }
        return true;
    }

    /** Every member's first preference among the protocols all support; the most votes wins. */
    String selectProtocol() {
        final Set<String> candidates = new HashSet<>();
        final Member first = members.values().iterator().next();
        for (String p : first.protocols.keySet()) {
            if (supportedByAll(p)) {
                candidates.add(p);
            }
        }
        final Map<String, Integer> votes = new LinkedHashMap<>();
        for (Member m : members.values()) {
            votes.merge(m.vote(candidates), 1, Integer::sum);
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    boolean hasAllMembersJoined() {
        if (!pending.isEmpty()) {
            return false;
        }
        for (Member m : members.values()) {
            if (!m.isAwaitingJoin()) {
                return false;
            }
        }
        return true;
    }

    /** The join phase waits at most the largest rebalance timeout of its members. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (Member m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    /** Invariants after every change; throws IllegalStateException naming the broken one. */
    void checkInvariants() {
        if (leaderId != null && !members.containsKey(leaderId)) {
            throw new IllegalStateException("group " + groupId + ": leader " + leaderId + " is not a member");
        }
        if (!members.isEmpty() && leaderId == null) {
            throw new IllegalStateException("group " + groupId + ": members=" + members.size() + " but no leader");
        }
        if ((state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE) && protocolName == null) {
            throw new IllegalStateException("group " + groupId + ": state=" + state + " without a protocol");
        }
        if (state == GroupState.EMPTY && !members.isEmpty()) {
            throw new IllegalStateException("group " + groupId + ": Empty with members=" + members.size());
        }
        for (String id : pendingSync) {
            if (!members.containsKey(id)) {
                throw new IllegalStateException("group " + groupId + ": pending sync of non-member " + id);
            }
        }
        for (Map.Entry<String, String> e : staticMembers.entrySet()) {
            final Member m = members.get(e.getValue());
            if (m == null || !e.getKey().equals(m.groupInstanceId)) {
                throw new IllegalStateException("group " + groupId + ": instance " + e.getKey() + " maps to "
                    + e.getValue() + " which is not that instance's member");
            }
        }
        for (Member m : members.values()) {
            if (state != GroupState.PREPARING_REBALANCE && m.isAwaitingJoin()) {
                throw new IllegalStateException("group " + groupId + ": " + m + " awaits join in state " + state);
            }
            if (state != GroupState.COMPLETING_REBALANCE && m.isAwaitingSync()) {
                throw new IllegalStateException("group " + groupId + ": " + m + " awaits sync in state " + state);
            }
        }
    }
}
