package io.zcrx.ingest.broker.group;

import io.zcrx.ingest.broker.runtime.TimerService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic-protocol group coordinator of this node (docs/kafka-protocol-notes.md#consumer-groups): membership with
 * the member-id-required handshake (JoinGroup v4+), join phases that end when every known member
 * has rejoined or the rebalance timeout passes, the initial rebalance delay of a new group,
 * session timeouts, SyncGroup timeouts, static members (KIP-345: an instance id fences older
 * member ids), ListGroups, DescribeGroups and DeleteGroups. Committed offsets are the
 * {@link OffsetManager}'s; it checks commits against the membership here, under the same per-group
 * monitors. A group lives while it has members or offsets in the {@link GroupStore}. In cluster mode
 * the store also keeps each generation's metadata ({@link #storeGroup}) and the {@link GroupLoader}
 * loads and unloads groups with the leadership of their {@code __consumer_offsets} partition.
 *
 * <p>Thread safety: any thread may call any method. Each group is guarded by its own monitor;
 * members of one group arrive on different reactors and timers fire on the {@link TimerService}
 * thread. Responses that must wait (a JoinGroup until the phase ends, a SyncGroup until the
 * leader's assignment) are handed to the caller's callback later, from whichever thread completes
 * the phase; the broker's callbacks hop back to the member's reactor
 * ({@code PendingResponse.completeFromAnyThread}). Callbacks run with the group's monitor held
 * and must not call back into the coordinator.
 *
 * <p>Longer than 500 lines on purpose: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the
 * initial-delay, rebalance, sync and session timers are the transitions of one state machine over
 * one {@link ClassicGroup}, under one monitor; split apart, every part would need every other's
 * private steps (prepareRebalance, completeJoin, removeMemberAndUpdateGroup).
 */
public final class GroupCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);
    private static final byte[] EMPTY = new byte[0];
    public static final String CONSUMER_PROTOCOL_TYPE = "consumer";
    /** ListGroups GroupType of every group here (KIP-848 names: classic, consumer, share, streams). */
    public static final String GROUP_TYPE = "classic";

    /** The group settings (Kafka's names), validated by BrokerConfig. */
    public record Settings(int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs, int maxSize) {
    }

    private final Settings settings;
    private final GroupStore store;
    private final TimerService timer;
    private final ConcurrentHashMap<String, ClassicGroup> groups = new ConcurrentHashMap<>();

    /**
     * @param store read for whether a group still holds offsets (an Empty group without any is
     *              removed), cleared by DeleteGroups, told of each new generation; the
     *              {@link OffsetManager} writes the offsets
     */
    public GroupCoordinator(Settings settings, GroupStore store, TimerService timer) {
        this.settings = settings;
        this.store = store;
        this.timer = timer;
    }

    // ---- JoinGroup ----------------------------------------------------------------------------

    public void joinGroup(JoinGroupRequestData req, short version, String clientId, String clientHost,
                          Consumer<JoinGroupResponseData> respond) {
        final String groupId = req.groupId();
        final String memberId = req.memberId() == null ? "" : req.memberId();
        if (groupId == null || groupId.isEmpty()) {
            respond.accept(joinError(version, memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        final Errors notHere = store.coordinatorError(groupId);
        if (notHere != Errors.NONE) {
            respond.accept(joinError(version, memberId, notHere));
            return;
        }
        if (req.sessionTimeoutMs() < settings.minSessionTimeoutMs
                || req.sessionTimeoutMs() > settings.maxSessionTimeoutMs) {
            respond.accept(joinError(version, memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        final Map<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol p : req.protocols()) {
            protocols.put(p.name(), p.metadata() == null ? EMPTY : p.metadata());
        }
        // v0 has no rebalance timeout: the session timeout stands in for it (as in Kafka).
        final int rebalanceTimeoutMs = req.rebalanceTimeoutMs() > 0 ? req.rebalanceTimeoutMs() : req.sessionTimeoutMs();
        final boolean unknown = memberId.isEmpty();
        final ClassicGroup g = unknown ? groupOrCreate(groupId) : groups.get(groupId);
        if (g == null) {
            respond.accept(joinError(version, memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        synchronized (g) {
            if (g.is(GroupState.DEAD)) {
                // Removed while we looked it up: the client finds the coordinator again and retries.
                respond.accept(joinError(version, memberId, Errors.COORDINATOR_NOT_AVAILABLE));
                return;
            }
            if (!g.supportsProtocols(req.protocolType(), protocols.keySet())) {
                respond.accept(joinError(version, memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
                maybeRemoveEmpty(g);
                return;
            }
            final String instanceId = req.groupInstanceId();
            if (unknown) {
                if (g.members.size() + g.pending.size() >= settings.maxSize
                        && (instanceId == null || !g.staticMembers.containsKey(instanceId))) {
                    respond.accept(joinError(version, memberId, Errors.GROUP_MAX_SIZE_REACHED));
                    maybeRemoveEmpty(g);
                    return;
                }
                final String newId = (instanceId != null ? instanceId : clientId) + "-" + UUID.randomUUID();
                if (instanceId != null) {
                    joinStaticNew(g, newId, instanceId, clientId, clientHost, rebalanceTimeoutMs, req, protocols,
                        version, respond);
                } else if (version >= 4) {
                    // KIP-394: hand out the id first; the member joins with it, so a client that times
                    // out and retries does not leave a ghost member behind.
                    g.pending.add(newId);
                    timer.schedule(req.sessionTimeoutMs(), () -> onPendingMemberExpired(g, newId));
                    respond.accept(joinError(version, newId, Errors.MEMBER_ID_REQUIRED));
                } else {
                    addMemberAndRebalance(g, newId, null, clientId, clientHost, rebalanceTimeoutMs, req, protocols,
                        version, respond);
                }
            } else if (g.pending.contains(memberId)) {
                g.pending.remove(memberId);
                addMemberAndRebalance(g, memberId, instanceId, clientId, clientHost, rebalanceTimeoutMs, req, protocols,
                    version, respond);
            } else {
                joinKnown(g, memberId, instanceId, rebalanceTimeoutMs, req, protocols, version, respond);
            }
            assert invariants(g);
        }
    }

    private void joinStaticNew(ClassicGroup g, String newId, String instanceId, String clientId, String clientHost,
                               int rebalanceTimeoutMs, JoinGroupRequestData req, Map<String, byte[]> protocols,
                               short version, Consumer<JoinGroupResponseData> respond) {
        final String oldId = g.staticMembers.get(instanceId);
        if (oldId != null) {
            // The instance restarted (or a duplicate started): its old member id is fenced. Whatever
            // the old one was waiting for is answered FENCED_INSTANCE_ID; the new id takes its place
            // and the group rebalances so every member learns the new id.
            final Member old = g.members.get(oldId);
            if (old.awaitingJoin != null) {
                old.awaitingJoin.accept(joinError(old.joinVersion, oldId, Errors.FENCED_INSTANCE_ID));
                old.awaitingJoin = null;
            }
            if (old.awaitingSync != null) {
                old.awaitingSync.accept(syncError(Errors.FENCED_INSTANCE_ID));
                old.awaitingSync = null;
            }
            final boolean wasLeader = g.isLeader(oldId);
            g.remove(oldId);
            LOG.info("group {}: static instance {} rejoined; member {} replaced by {}",
                g.groupId, instanceId, oldId, newId);
            addMember(g, newId, instanceId, clientId, clientHost, rebalanceTimeoutMs, req, protocols, version, respond);
            if (wasLeader) {
                g.leaderId = newId;
            }
            rebalanceOrTryComplete(g, "static member " + instanceId + " rejoined");
        } else {
            addMemberAndRebalance(g, newId, instanceId, clientId, clientHost, rebalanceTimeoutMs, req, protocols,
                version, respond);
        }
    }

    private void joinKnown(ClassicGroup g, String memberId, String instanceId, int rebalanceTimeoutMs,
                           JoinGroupRequestData req, Map<String, byte[]> protocols, short version,
                           Consumer<JoinGroupResponseData> respond) {
        if (g.isStaticMemberFenced(instanceId, memberId)) {
            respond.accept(joinError(version, memberId, Errors.FENCED_INSTANCE_ID));
            return;
        }
        final Member m = g.members.get(memberId);
        if (m == null || (instanceId != null && !g.staticMembers.containsKey(instanceId))) {
            respond.accept(joinError(version, memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        switch (g.state) {
            case PREPARING_REBALANCE:
                updateMemberAndRebalance(g, m, rebalanceTimeoutMs, req, protocols, version, respond, "member rejoined");
                break;
            case COMPLETING_REBALANCE:
                if (m.matches(protocols)) {
                    // A retry of a join whose response was lost: send the same generation again.
                    respond.accept(joinResponse(g, m, version));
                } else {
                    updateMemberAndRebalance(g, m, rebalanceTimeoutMs, req, protocols, version, respond,
                        "member changed its protocols");
                }
                break;
            case STABLE:
                if (g.isLeader(memberId) || !m.matches(protocols)) {
                    // The leader rejoins to force a new assignment (e.g. its subscription changed).
                    updateMemberAndRebalance(g, m, rebalanceTimeoutMs, req, protocols, version, respond,
                        g.isLeader(memberId) ? "leader rejoined" : "member changed its protocols");
                } else {
                    respond.accept(joinResponse(g, m, version));
                }
                break;
            default:
                respond.accept(joinError(version, memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void addMemberAndRebalance(ClassicGroup g, String memberId, String instanceId, String clientId,
                                       String clientHost, int rebalanceTimeoutMs, JoinGroupRequestData req,
                                       Map<String, byte[]> protocols, short version,
                                       Consumer<JoinGroupResponseData> respond) {
        addMember(g, memberId, instanceId, clientId, clientHost, rebalanceTimeoutMs, req, protocols, version, respond);
        rebalanceOrTryComplete(g, "member " + memberId + " joined");
    }

    private void addMember(ClassicGroup g, String memberId, String instanceId, String clientId, String clientHost,
                           int rebalanceTimeoutMs, JoinGroupRequestData req, Map<String, byte[]> protocols,
                           short version, Consumer<JoinGroupResponseData> respond) {
        final Member m = new Member(memberId, instanceId, clientId, clientHost, rebalanceTimeoutMs,
            req.sessionTimeoutMs(), req.protocolType(), protocols);
        m.awaitingJoin = respond;
        m.joinVersion = version;
        m.lastHeartbeatMs = timer.nowMs();
        g.add(m);
        if (g.initialDelay) {
            g.newMemberAdded = true;
        }
        scheduleSessionCheck(g, m, m.sessionTimeoutMs);
    }

    private void updateMemberAndRebalance(ClassicGroup g, Member m, int rebalanceTimeoutMs, JoinGroupRequestData req,
                                          Map<String, byte[]> protocols, short version,
                                          Consumer<JoinGroupResponseData> respond, String reason) {
        if (m.awaitingJoin != null) {
            // A second join from the same member while the first waits: the client gave up on the
            // first (its connection is usually gone); that one is answered so nothing dangles.
            m.awaitingJoin.accept(joinError(m.joinVersion, m.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        m.protocols = new LinkedHashMap<>(protocols);
        m.rebalanceTimeoutMs = rebalanceTimeoutMs;
        m.sessionTimeoutMs = req.sessionTimeoutMs();
        m.awaitingJoin = respond;
        m.joinVersion = version;
        rebalanceOrTryComplete(g, reason);
    }

    private void rebalanceOrTryComplete(ClassicGroup g, String reason) {
        if (g.is(GroupState.PREPARING_REBALANCE)) {
            tryCompleteJoin(g);
        } else {
            prepareRebalance(g, reason);
        }
    }

    private void prepareRebalance(ClassicGroup g, String reason) {
        if (g.is(GroupState.COMPLETING_REBALANCE)) {
            // Members waiting for the leader's assignment will not get it: they must rejoin.
            for (Member m : g.members.values()) {
                m.assignment = EMPTY;
                if (m.awaitingSync != null) {
                    m.awaitingSync.accept(syncError(Errors.REBALANCE_IN_PROGRESS));
                    m.awaitingSync = null;
                }
            }
        }
        g.pendingSync.clear();
        final boolean wasEmpty = g.is(GroupState.EMPTY);
        g.state = GroupState.PREPARING_REBALANCE;
        final int seq = ++g.rebalanceSeq;
        LOG.info("group {}: preparing rebalance (generation {}): {}", g.groupId, g.generationId, reason);
        if (wasEmpty && settings.initialRebalanceDelayMs > 0) {
            // A new group waits a little for more members so the first assignment is not redone at
            // once (group.initial.rebalance.delay.ms); every join in the window extends it, up to
            // the rebalance timeout.
            g.initialDelay = true;
            g.newMemberAdded = false;
            g.initialRemainingMs = Math.max(g.rebalanceTimeoutMs() - settings.initialRebalanceDelayMs, 0);
            timer.schedule(settings.initialRebalanceDelayMs, () -> onInitialDelay(g, seq));
        } else {
            g.initialDelay = false;
            timer.schedule(g.rebalanceTimeoutMs(), () -> onJoinTimeout(g, seq));
            tryCompleteJoin(g);
        }
    }

    private void onInitialDelay(ClassicGroup g, int seq) {
        synchronized (g) {
            if (seq != g.rebalanceSeq || !g.is(GroupState.PREPARING_REBALANCE) || !g.initialDelay) {
                return;
            }
            if (g.newMemberAdded && g.initialRemainingMs > 0) {
                g.newMemberAdded = false;
                final long delay = Math.min(settings.initialRebalanceDelayMs, g.initialRemainingMs);
                g.initialRemainingMs = Math.max(g.initialRemainingMs - settings.initialRebalanceDelayMs, 0);
                timer.schedule(delay, () -> onInitialDelay(g, seq));
                return;
            }
            g.initialDelay = false;
            completeJoin(g);
            assert invariants(g);
        }
    }

    private void onJoinTimeout(ClassicGroup g, int seq) {
        synchronized (g) {
            if (seq == g.rebalanceSeq && g.is(GroupState.PREPARING_REBALANCE) && !g.initialDelay) {
                completeJoin(g);
                assert invariants(g);
            }
        }
    }

    private void tryCompleteJoin(ClassicGroup g) {
        if (g.is(GroupState.PREPARING_REBALANCE) && !g.initialDelay && g.hasAllMembersJoined()) {
            completeJoin(g);
        }
    }

    /** Ends the join phase: members that did not rejoin are dropped, the next generation starts. */
    private void completeJoin(ClassicGroup g) {
        for (Member m : new ArrayList<>(g.members.values())) {
            if (!m.isAwaitingJoin()) {
                LOG.info("group {}: {} did not rejoin within the rebalance timeout; removed", g.groupId, m);
                g.remove(m.memberId);
            }
        }
        g.generationId++;
        final long now = timer.nowMs();
        if (g.members.isEmpty()) {
            g.state = GroupState.EMPTY;
            g.protocolName = null;
            g.emptySinceMs = now;
            LOG.info("group {}: generation {} has no members; group is Empty", g.groupId, g.generationId);
            // As Kafka: the Empty generation is persisted (in cluster mode), so the next coordinator
            // continues from it.
            try {
                store.storeGroup(snapshot(g, now));
            } catch (IOException e) {
                LOG.warn("group {}: persisting Empty generation {} failed: {}", g.groupId, g.generationId,
                    e.toString());
            }
            maybeRemoveEmpty(g);
            return;
        }
        g.protocolName = g.selectProtocol();
        g.state = GroupState.COMPLETING_REBALANCE;
        LOG.info("group {}: generation {} with {} members, protocol {}, leader {}", g.groupId, g.generationId,
            g.members.size(), g.protocolName, g.leaderId);
        for (Member m : g.members.values()) {
            final Consumer<JoinGroupResponseData> cb = m.awaitingJoin;
            m.awaitingJoin = null;
            m.lastHeartbeatMs = now;
            g.pendingSync.add(m.memberId);
            cb.accept(joinResponse(g, m, m.joinVersion));
        }
        final int generation = g.generationId;
        timer.schedule(g.rebalanceTimeoutMs(), () -> onSyncTimeout(g, generation));
    }

    private void onSyncTimeout(ClassicGroup g, int generation) {
        synchronized (g) {
            if (g.generationId != generation || g.pendingSync.isEmpty()
                    || !(g.is(GroupState.COMPLETING_REBALANCE) || g.is(GroupState.STABLE))) {
                return;
            }
            for (String id : new ArrayList<>(g.pendingSync)) {
                LOG.info("group {}: member {} did not send SyncGroup within the rebalance timeout; removed",
                    g.groupId, id);
                final Member m = g.remove(id);
                if (m.awaitingSync != null) {
                    m.awaitingSync.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
                    m.awaitingSync = null;
                }
            }
            prepareRebalance(g, "members missed the SyncGroup deadline");
            assert invariants(g);
        }
    }

    // ---- SyncGroup ----------------------------------------------------------------------------

    public void syncGroup(SyncGroupRequestData req, Consumer<SyncGroupResponseData> respond) {
        final Errors notHere = coordinatorError(req.groupId());
        if (notHere != Errors.NONE) {
            respond.accept(syncError(notHere));
            return;
        }
        final ClassicGroup g = req.groupId() == null ? null : groups.get(req.groupId());
        if (g == null) {
            respond.accept(syncError(req.groupId() == null || req.groupId().isEmpty() ? Errors.INVALID_GROUP_ID
                : Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        synchronized (g) {
            final Errors e = validateMember(g, req.memberId(), req.groupInstanceId(), req.generationId());
            if (e != Errors.NONE) {
                respond.accept(syncError(e));
                return;
            }
            if ((req.protocolType() != null && !req.protocolType().equals(g.protocolType))
                    || (req.protocolName() != null && !req.protocolName().equals(g.protocolName))) {
                respond.accept(syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
                return;
            }
            final Member m = g.members.get(req.memberId());
            switch (g.state) {
                case PREPARING_REBALANCE:
                    respond.accept(syncError(Errors.REBALANCE_IN_PROGRESS));
                    break;
                case COMPLETING_REBALANCE:
                    m.awaitingSync = respond;
                    g.pendingSync.remove(m.memberId);
                    m.lastHeartbeatMs = timer.nowMs();
                    if (g.isLeader(m.memberId)) {
                        final Map<String, byte[]> assignments = new HashMap<>();
                        for (SyncGroupRequestAssignment a : req.assignments()) {
                            assignments.put(a.memberId(), a.assignment() == null ? EMPTY : a.assignment());
                        }
                        for (Member x : g.members.values()) {
                            x.assignment = assignments.getOrDefault(x.memberId, EMPTY);
                        }
                        try {
                            // The generation with its assignment is persisted before anyone learns it
                            // (Kafka's storeGroup), so a new coordinator knows what the members hold.
                            store.storeGroup(snapshot(g, timer.nowMs()));
                        } catch (IOException failure) {
                            LOG.warn("group {}: persisting generation {} failed; rebalancing: {}", g.groupId,
                                g.generationId, failure.toString());
                            for (Member x : g.members.values()) {
                                if (x.awaitingSync != null) {
                                    x.awaitingSync.accept(syncError(Errors.COORDINATOR_NOT_AVAILABLE));
                                    x.awaitingSync = null;
                                }
                            }
                            prepareRebalance(g, "persisting the assignment failed");
                            break;
                        }
                        g.state = GroupState.STABLE;
                        LOG.info("group {}: generation {} is Stable", g.groupId, g.generationId);
                        for (Member x : g.members.values()) {
                            if (x.awaitingSync != null) {
                                x.awaitingSync.accept(syncResponse(g, x));
                                x.awaitingSync = null;
                            }
                        }
                    }
                    break;
                case STABLE:
                    g.pendingSync.remove(m.memberId);
                    m.lastHeartbeatMs = timer.nowMs();
                    respond.accept(syncResponse(g, m));
                    break;
                default:
                    respond.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
            assert invariants(g);
        }
    }

    // ---- Heartbeat ----------------------------------------------------------------------------

    public Errors heartbeat(HeartbeatRequestData req) {
        final Errors notHere = coordinatorError(req.groupId());
        if (notHere != Errors.NONE) {
            return notHere;
        }
        final ClassicGroup g = req.groupId() == null ? null : groups.get(req.groupId());
        if (g == null) {
            return req.groupId() == null || req.groupId().isEmpty()
                ? Errors.INVALID_GROUP_ID
                : Errors.UNKNOWN_MEMBER_ID;
        }
        synchronized (g) {
            final Errors e = validateMember(g, req.memberId(), req.groupInstanceId(), req.generationId());
            if (e != Errors.NONE) {
                return e;
            }
            g.members.get(req.memberId()).lastHeartbeatMs = timer.nowMs();
            return g.is(GroupState.PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** The checks SyncGroup and Heartbeat share, in Kafka's order. */
    private static Errors validateMember(ClassicGroup g, String memberId, String instanceId, int generationId) {
        if (g.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (g.is(GroupState.EMPTY)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (g.isStaticMemberFenced(instanceId, memberId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (memberId == null || !g.members.containsKey(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != g.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    private void scheduleSessionCheck(ClassicGroup g, Member m, long delayMs) {
        timer.schedule(Math.max(delayMs, 1), () -> onSessionCheck(g, m));
    }

    /**
     * A member's session timer. Rather than cancel and re-arm on every heartbeat (allocation per
     * heartbeat), the timer checks when it fires and re-arms for the remainder.
     */
    private void onSessionCheck(ClassicGroup g, Member m) {
        synchronized (g) {
            if (g.is(GroupState.DEAD) || g.members.get(m.memberId) != m) {
                return;
            }
            if (m.isAwaitingJoin() || m.isAwaitingSync()) {
                // A member waiting on the coordinator cannot heartbeat; it is alive by definition.
                scheduleSessionCheck(g, m, m.sessionTimeoutMs);
                return;
            }
            final long left = m.lastHeartbeatMs + m.sessionTimeoutMs - timer.nowMs();
            if (left > 0) {
                scheduleSessionCheck(g, m, left);
                return;
            }
            LOG.info("group {}: {} missed its session timeout of {} ms; removed", g.groupId, m, m.sessionTimeoutMs);
            removeMemberAndUpdateGroup(g, m.memberId, "session timeout of " + m.memberId);
            assert invariants(g);
        }
    }

    private void onPendingMemberExpired(ClassicGroup g, String memberId) {
        synchronized (g) {
            if (g.pending.remove(memberId)) {
                LOG.info("group {}: member id {} was handed out but never used; dropped", g.groupId, memberId);
                tryCompleteJoin(g);
                maybeRemoveEmpty(g);
                assert invariants(g);
            }
        }
    }

    private void removeMemberAndUpdateGroup(ClassicGroup g, String memberId, String reason) {
        final Member m = g.remove(memberId);
        if (m == null) {
            return;
        }
        if (m.awaitingJoin != null) {
            m.awaitingJoin.accept(joinError(m.joinVersion, memberId, Errors.UNKNOWN_MEMBER_ID));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null) {
            m.awaitingSync.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
            m.awaitingSync = null;
        }
        switch (g.state) {
            case STABLE:
            case COMPLETING_REBALANCE:
                prepareRebalance(g, reason);
                break;
            case PREPARING_REBALANCE:
                tryCompleteJoin(g);
                break;
            default:
                break;
        }
    }

    // ---- LeaveGroup ---------------------------------------------------------------------------

    /** Result of a LeaveGroup: the group-level error and one entry per member named. */
    public record LeaveResult(Errors topLevel, List<MemberResponse> members) {
    }

    public LeaveResult leaveGroup(String groupId, List<MemberIdentity> leaving) {
        final List<MemberResponse> out = new ArrayList<>();
        final Errors notHere = coordinatorError(groupId);
        if (notHere != Errors.NONE) {
            return new LeaveResult(notHere, out);
        }
        final ClassicGroup g = groupId == null ? null : groups.get(groupId);
        if (g == null) {
            for (MemberIdentity id : leaving) {
                out.add(memberResponse(id, Errors.UNKNOWN_MEMBER_ID));
            }
            return new LeaveResult(groupId == null || groupId.isEmpty() ? Errors.INVALID_GROUP_ID : Errors.NONE, out);
        }
        synchronized (g) {
            if (g.is(GroupState.DEAD)) {
                return new LeaveResult(Errors.COORDINATOR_NOT_AVAILABLE, out);
            }
            for (MemberIdentity id : leaving) {
                out.add(memberResponse(id, leaveOne(g, id)));
            }
            maybeRemoveEmpty(g);
            assert invariants(g);
        }
        return new LeaveResult(Errors.NONE, out);
    }

    private Errors leaveOne(ClassicGroup g, MemberIdentity id) {
        final String memberId = id.memberId() == null ? "" : id.memberId();
        final String reason = "member " + memberId + " left" + (id.reason() == null ? "" : " (" + id.reason() + ")");
        if (id.groupInstanceId() != null) {
            final String current = g.staticMembers.get(id.groupInstanceId());
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            removeMemberAndUpdateGroup(g, current, reason);
            return Errors.NONE;
        }
        if (g.pending.remove(memberId)) {
            tryCompleteJoin(g);
            return Errors.NONE;
        }
        if (!g.members.containsKey(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        removeMemberAndUpdateGroup(g, memberId, reason);
        return Errors.NONE;
    }

    private static MemberResponse memberResponse(MemberIdentity id, Errors e) {
        return new MemberResponse().setMemberId(id.memberId()).setGroupInstanceId(id.groupInstanceId())
            .setErrorCode(e.code());
    }

    // ---- admin --------------------------------------------------------------------------------

    public DescribedGroup describeGroup(String groupId, short version) {
        final Errors notHere = coordinatorError(groupId);
        if (notHere != Errors.NONE) {
            return new DescribedGroup().setGroupId(groupId).setErrorCode(notHere.code()).setGroupState("")
                .setProtocolType("").setProtocolData("");
        }
        final ClassicGroup g = groupId == null ? null : groups.get(groupId);
        if (g == null) {
            final DescribedGroup d = new DescribedGroup().setGroupId(groupId).setGroupState(GroupState.DEAD.wireName)
                .setProtocolType("").setProtocolData("").setErrorCode(Errors.NONE.code());
            if (version >= 6) {
                d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + groupId + " not found.");
            }
            return d;
        }
        synchronized (g) {
            final boolean stable = g.is(GroupState.STABLE);
            final DescribedGroup d = new DescribedGroup().setGroupId(g.groupId).setErrorCode(Errors.NONE.code())
                .setGroupState(g.state.wireName)
                .setProtocolType(g.protocolType == null ? "" : g.protocolType)
                .setProtocolData(stable ? g.protocolName : "");
            for (Member m : g.members.values()) {
                // As Kafka: metadata and assignment only once the group is Stable (before, they are
                // in flux and the assignment may not exist yet).
                d.members().add(new DescribedGroupMember().setMemberId(m.memberId).setGroupInstanceId(m.groupInstanceId)
                    .setClientId(m.clientId).setClientHost(m.clientHost)
                    .setMemberMetadata(stable ? m.protocols.get(g.protocolName) : EMPTY)
                    .setMemberAssignment(stable ? m.assignment : EMPTY));
            }
            return d;
        }
    }

    /**
     * ListGroups: every group, optionally only those in {@code states} (KIP-518, case-insensitive)
     * and of {@code types} (KIP-848; every group here is "classic").
     */
    public List<ListedGroup> listGroups(List<String> states, List<String> types) {
        final Set<String> stateSet = lower(states);
        final Set<String> typeSet = lower(types);
        final List<ListedGroup> out = new ArrayList<>();
        if (!typeSet.isEmpty() && !typeSet.contains(GROUP_TYPE)) {
            return out;
        }
        for (ClassicGroup g : new TreeMap<>(groups).values()) {
            synchronized (g) {
                if (g.is(GroupState.DEAD)) {
                    continue;
                }
                if (!stateSet.isEmpty() && !stateSet.contains(g.state.wireName.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                out.add(new ListedGroup().setGroupId(g.groupId)
                    .setProtocolType(g.protocolType == null ? "" : g.protocolType)
                    .setGroupState(g.state.wireName).setGroupType(GROUP_TYPE));
            }
        }
        return out;
    }

    private static Set<String> lower(List<String> in) {
        final Set<String> out = new HashSet<>();
        if (in != null) {
            for (String s : in) {
                out.add(s.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** DeleteGroups: only groups without members can go; their offsets go with them. */
    public DeletableGroupResultCollection deleteGroups(List<String> groupIds) {
        final DeletableGroupResultCollection out = new DeletableGroupResultCollection();
        for (String id : groupIds) {
            final DeletableGroupResult r = new DeletableGroupResult().setGroupId(id);
            if (out.find(id) != null) {
                continue;
            }
            out.add(r);
            final Errors notHere = coordinatorError(id);
            if (notHere != Errors.NONE) {
                r.setErrorCode(notHere.code());
                continue;
            }
            final ClassicGroup g = id == null ? null : groups.get(id);
            if (g == null) {
                r.setErrorCode(
                    (id == null || id.isEmpty() ? Errors.INVALID_GROUP_ID : Errors.GROUP_ID_NOT_FOUND).code());
                continue;
            }
            synchronized (g) {
                if (g.is(GroupState.DEAD)) {
                    r.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
                } else if (!g.is(GroupState.EMPTY) || !g.pending.isEmpty()) {
                    r.setErrorCode(Errors.NON_EMPTY_GROUP.code());
                } else {
                    try {
                        store.deleteGroup(g.groupId);
                        g.state = GroupState.DEAD;
                        groups.remove(g.groupId, g);
                        LOG.info("group {} deleted", g.groupId);
                        r.setErrorCode(Errors.NONE.code());
                    } catch (IOException e) {
                        LOG.error("group {}: deleting failed", g.groupId, e);
                        r.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
                    }
                }
            }
        }
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------

    ClassicGroup groupOrCreate(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, timer.nowMs()));
    }

    /** The live group, or null. */
    ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    /** Every live group (a weakly consistent view; lock each group before reading it). */
    Collection<ClassicGroup> allGroups() {
        return groups.values();
    }

    /** At start: an Empty group that holds only offsets, Empty since {@code emptySinceMs}. */
    void restore(String groupId, long emptySinceMs) {
        final ClassicGroup g = new ClassicGroup(groupId, timer.nowMs());
        g.emptySinceMs = emptySinceMs;
        groups.put(groupId, g);
    }

    /**
     * An Empty group with nobody joining and no offsets is gone (Kafka marks it Dead). The caller
     * holds the group's monitor.
     */
    void maybeRemoveEmpty(ClassicGroup g) {
        if (g.is(GroupState.EMPTY) && g.members.isEmpty() && g.pending.isEmpty() && !store.hasOffsets(g.groupId)) {
            g.state = GroupState.DEAD;
            groups.remove(g.groupId, g);
            try {
                store.groupRemoved(g.groupId);
            } catch (IOException e) {
                LOG.warn("group {}: writing its tombstone failed (it loads back Empty): {}", g.groupId, e.toString());
            }
        }
    }

    /** The group as Kafka's GroupMetadataValue records it (the caller holds the group's monitor). */
    private static StoredGroup snapshot(ClassicGroup g, long nowMs) {
        final List<StoredGroup.Member> members = new ArrayList<>(g.members.size());
        for (Member m : g.members.values()) {
            members.add(new StoredGroup.Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.protocols.get(g.protocolName), m.assignment));
        }
        return new StoredGroup(g.groupId, g.protocolType == null ? "" : g.protocolType, g.generationId,
            g.protocolName, g.leaderId, nowMs, members);
    }

    // ---- cluster mode: coordination follows __consumer_offsets leadership -----------------------

    /**
     * NONE when this node coordinates {@code groupId} now; NOT_COORDINATOR or
     * COORDINATOR_LOAD_IN_PROGRESS in cluster mode when it does not (yet). Every group request asks
     * first. Null or empty ids are the handlers' INVALID_GROUP_ID, not a coordination question.
     */
    public Errors coordinatorError(String groupId) {
        return groupId == null || groupId.isEmpty() ? Errors.NONE : store.coordinatorError(groupId);
    }

    /**
     * A {@code __consumer_offsets} partition was loaded: its groups come back as Kafka's loading
     * brings them back, Stable with the members of their last generation (each member's session
     * starts now: one that does not heartbeat here is removed after its session timeout) or Empty;
     * groups with offsets but no metadata come back Empty (offset retention from the newest commit).
     */
    void loadGroups(Collection<StoredGroup> stored, Map<String, Long> newestCommitMs) {
        final long now = timer.nowMs();
        for (StoredGroup sg : stored) {
            final ClassicGroup g = new ClassicGroup(sg.groupId(), now);
            g.generationId = sg.generation();
            g.protocolType = sg.protocolType().isEmpty() ? null : sg.protocolType();
            if (sg.members().isEmpty() || sg.protocol() == null) {
                g.emptySinceMs = sg.currentStateTimestampMs() >= 0 ? sg.currentStateTimestampMs() : now;
            } else {
                g.protocolName = sg.protocol();
                for (StoredGroup.Member sm : sg.members()) {
                    final Member m = new Member(sm.memberId(), sm.groupInstanceId(), sm.clientId(), sm.clientHost(),
                        sm.rebalanceTimeoutMs(), sm.sessionTimeoutMs(), g.protocolType,
                        Map.of(sg.protocol(), sm.subscription() == null ? EMPTY : sm.subscription()));
                    m.assignment = sm.assignment() == null ? EMPTY : sm.assignment();
                    m.lastHeartbeatMs = now;
                    g.add(m);
                }
                g.leaderId = sg.leader() != null && g.members.containsKey(sg.leader()) ? sg.leader()
                    : g.members.keySet().iterator().next();
                g.state = GroupState.STABLE;
            }
            synchronized (g) {
                g.checkInvariants();
                groups.put(g.groupId, g);
                for (Member m : g.members.values()) {
                    scheduleSessionCheck(g, m, m.sessionTimeoutMs);
                }
            }
        }
        for (Map.Entry<String, Long> e : newestCommitMs.entrySet()) {
            if (!groups.containsKey(e.getKey())) {
                restore(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * The partition of these groups moved away: they leave this node. Whoever waits on them is
     * answered NOT_COORDINATOR (the client finds the new coordinator). Returns how many went.
     */
    int unloadGroups(Predicate<String> which) {
        int n = 0;
        for (ClassicGroup g : groups.values()) {
            if (!which.test(g.groupId)) {
                continue;
            }
            synchronized (g) {
                for (Member m : g.members.values()) {
                    if (m.awaitingJoin != null) {
                        m.awaitingJoin.accept(joinError(m.joinVersion, m.memberId, Errors.NOT_COORDINATOR));
                        m.awaitingJoin = null;
                    }
                    if (m.awaitingSync != null) {
                        m.awaitingSync.accept(syncError(Errors.NOT_COORDINATOR));
                        m.awaitingSync = null;
                    }
                }
                g.state = GroupState.DEAD;
                groups.remove(g.groupId, g);
                n++;
            }
        }
        return n;
    }

    private static JoinGroupResponseData joinResponse(ClassicGroup g, Member m, short version) {
        final JoinGroupResponseData r = new JoinGroupResponseData().setErrorCode(Errors.NONE.code())
            .setGenerationId(g.generationId).setProtocolType(g.protocolType).setProtocolName(g.protocolName)
            .setLeader(g.leaderId).setMemberId(m.memberId).setSkipAssignment(false);
        if (g.isLeader(m.memberId)) {
            for (Member x : g.members.values()) {
                r.members().add(new JoinGroupResponseMember().setMemberId(x.memberId)
                    .setGroupInstanceId(x.groupInstanceId).setMetadata(x.protocols.get(g.protocolName)));
            }
        }
        return r;
    }

    static JoinGroupResponseData joinError(short version, String memberId, Errors e) {
        // ProtocolName is nullable only from v7; before that an error carries "".
        return new JoinGroupResponseData().setErrorCode(e.code()).setGenerationId(-1)
            .setProtocolType(null).setProtocolName(version >= 7 ? null : "").setLeader("")
            .setMemberId(memberId == null ? "" : memberId).setSkipAssignment(false);
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup g, Member m) {
        return new SyncGroupResponseData().setErrorCode(Errors.NONE.code()).setProtocolType(g.protocolType)
            .setProtocolName(g.protocolName).setAssignment(m.assignment);
    }

    static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(EMPTY);
    }

    private static boolean invariants(ClassicGroup g) {
        g.checkInvariants();
        return true;
    }

    /** Number of live groups (tests, logs). */
    public int groupCount() {
        return groups.size();
    }

    /** The group's state, or null when there is no such group (tests, logs). */
    public GroupState state(String groupId) {
        final ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return null;
        }
        synchronized (g) {
            return g.state;
        }
    }

    /** Member ids of a group in join order (tests). */
    public List<String> members(String groupId) {
        final ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return Collections.emptyList();
        }
        synchronized (g) {
            return new ArrayList<>(g.members.keySet());
        }
    }
}
