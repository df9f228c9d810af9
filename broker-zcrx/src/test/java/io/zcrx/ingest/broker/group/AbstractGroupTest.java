package io.zcrx.ingest.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.testkit.ManualTimer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group coordinator and its committed offsets on a manual clock, driven the way the Java
 * consumer drives them: every timer (initial delay, rebalance, session, sync) fires exactly when a
 * test moves time. Offsets go to a real journal in a temp dir. Assertions run with -ea, so the
 * group invariants are checked after every change.
 */
abstract class AbstractGroupTest {
    static final short V = 9;
    static final int SESSION = 10_000;
    static final int REBALANCE = 30_000;

    @TempDir
    Path tmp;
    ManualTimer timer;
    OffsetStore store;
    GroupCoordinator gc;
    OffsetManager offsets;

    @BeforeEach
    void setUp() throws Exception {
        timer = new ManualTimer(1_000_000L);
        store = OffsetStore.open(tmp);
        startCoordinator(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
    }

    /** A new coordinator and offset manager on {@link #store} (a broker start). */
    void startCoordinator(int initialDelayMs) {
        gc = new GroupCoordinator(new GroupCoordinator.Settings(initialDelayMs, 6000, 1_800_000, 100), store, timer);
        offsets = new OffsetManager(new OffsetManager.Settings(7L * 24 * 3600 * 1000, 4096), store, timer,
            (topic, p) -> topic.startsWith("t") && p >= 0 && p < 4, gc);
    }

    static byte[] subscription(String... topics) {
        final ByteBuffer b = ConsumerProtocol.serializeSubscription(new Subscription(List.of(topics)));
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    JoinGroupRequestData joinRequest(String group, String memberId, String instanceId, byte[] meta,
            String... protocols) {
        final JoinGroupRequestProtocolCollection c = new JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            c.add(new JoinGroupRequestProtocol().setName(p).setMetadata(meta));
        }
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setGroupInstanceId(instanceId)
            .setSessionTimeoutMs(SESSION).setRebalanceTimeoutMs(REBALANCE).setProtocolType("consumer").setProtocols(c);
    }

    AtomicReference<JoinGroupResponseData> join(String group, String memberId) {
        return join(joinRequest(group, memberId, null, subscription("t1"), "range", "cooperative-sticky"));
    }

    AtomicReference<JoinGroupResponseData> join(JoinGroupRequestData req) {
        final AtomicReference<JoinGroupResponseData> r = new AtomicReference<>();
        gc.joinGroup(req, V, "client", "/127.0.0.1", resp -> assertNull(r.getAndSet(resp), "answered twice"));
        return r;
    }

    /** The KIP-394 handshake: an id first, then the real join (which may wait). */
    AtomicReference<JoinGroupResponseData> joinNew(String group) {
        final JoinGroupResponseData first = join(group, "").get();
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        assertTrue(first.memberId().startsWith("client-"), first.memberId());
        return join(group, first.memberId());
    }

    AtomicReference<SyncGroupResponseData> sync(String group, String memberId, int generation,
            Map<String, byte[]> assign) {
        final SyncGroupRequestData req = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
            .setGenerationId(generation).setProtocolType("consumer").setProtocolName("range");
        assign.forEach((m, a) -> req.assignments()
            .add(new SyncGroupRequestAssignment().setMemberId(m).setAssignment(a)));
        final AtomicReference<SyncGroupResponseData> r = new AtomicReference<>();
        gc.syncGroup(req, resp -> assertNull(r.getAndSet(resp), "answered twice"));
        return r;
    }

    Errors heartbeat(String group, String memberId, int generation) {
        return gc.heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
            .setGenerationId(generation));
    }

    Map<TopicPartition, Errors> commit(String group, String member, int generation, TopicPartition tp, long offset) {
        return offsets.commitOffsets(group, member, null, generation, -1,
            List.of(new OffsetManager.OffsetCommit(tp, offset, 0, "meta")), (short) 8);
    }
}
