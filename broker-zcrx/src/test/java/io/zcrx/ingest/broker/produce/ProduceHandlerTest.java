package io.zcrx.ingest.broker.produce;

import static io.zcrx.ingest.broker.metadata.ClusterFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.testkit.FakeController;
import io.zcrx.ingest.broker.testkit.RecordingChannel;
import io.zcrx.ingest.protocol.bytes.RxChunk;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.frame.Frame;
import io.zcrx.ingest.protocol.frame.FrameAssembler;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import io.zcrx.ingest.protocol.produce.ProduceRequests;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Produce hot path against partition states: a partition led elsewhere is
 * NOT_LEADER_OR_FOLLOWER with the KIP-951 hint (v10+) when its leader is alive, a broker without
 * its leadership lease acknowledges nothing, and standalone appends as before. Requests are real
 * producer frames through the frame assembler; answers are parsed with kafka-clients.
 */
class ProduceHandlerTest {
    @TempDir
    Path dir;
    private ClusterFixture fx;
    private final RecordingChannel channel = new RecordingChannel();
    private final TestChunks chunks = new TestChunks();

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private static ProduceRequestData request(String topic, int... partitions) {
        final ProduceRequestData data = ProduceRequests.request(null, (short) 1, 30_000);
        final ProduceRequestData.TopicProduceData t = ProduceRequests.addTopic(data, topic);
        for (int p : partitions) {
            ProduceRequests.addPartition(t, p, ProduceRequests.batch(CompressionType.NONE,
                new SimpleRecord(("value-" + p).getBytes(StandardCharsets.UTF_8))));
        }
        return data;
    }

    /** Sends the request through a handler as a reactor would, and parses the answer with kafka-clients. */
    private ProduceResponseData produce(ProduceHandler handler, ProduceRequestData data, short version) {
        return produce(handler, data, version, "producer-1");
    }

    private ProduceResponseData produce(ProduceHandler handler, ProduceRequestData data, short version,
                                        String clientId) {
        final byte[] bytes = ProduceRequests.frame(data, version, 7, clientId, true);
        final Frame[] frame = new Frame[1];
        try (FrameAssembler assembler = new FrameAssembler(1 << 20)) {
            for (RxChunk c : chunks.chunks(bytes)) {
                assertEquals(FrameAssembler.OK, assembler.onChunk(c, f -> frame[0] = f));
                c.release();
            }
            assertNotNull(frame[0]);
            final SliceCursor cursor = new SliceCursor().wrap(frame[0].body(), 0, frame[0].size());
            final RequestHeaderView header = new RequestHeaderView();
            assertTrue(header.parse(cursor));
            handler.handle(channel, frame[0], header, cursor);
            frame[0].close();
        }
        assertEquals(0, chunks.outstanding(), "chunks not given back");
        final ByteBuffer out = channel.frames.remove(0);
        assertEquals(out.remaining() - 4, out.getInt());
        assertEquals(7, ResponseHeader.parse(out, ApiKeys.PRODUCE.responseHeaderVersion(version)).correlationId());
        final ProduceResponseData r = ProduceResponse.parse(new ByteBufferAccessor(out), version).data();
        assertFalse(out.hasRemaining());
        return r;
    }

    private static List<PartitionProduceResponse> partitions(ProduceResponseData r) {
        return r.responses().iterator().next().partitionResponses();
    }

    // Goal: a partition led elsewhere is NOT_LEADER_OR_FOLLOWER; from v10 it names the live leader
    // and its epoch, and the response carries that leader's endpoint (once), so the Java producer
    // moves without Metadata; a dead leader gives no hint; v9 has no such fields; the local
    // partition is appended; an index out of range is UNKNOWN_TOPIC_OR_PARTITION.
    @Test
    void partitionsLedElsewhereNameTheirLeader() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        final TopicInfo t = fx.topic("t", state(1, 4, 1), state(2, 7, 2), state(3, 2, 3), state(2, 8, 2));
        final ProduceHandler handler = new ProduceHandler(fx.ctx(), 0);
        for (short version : new short[] {9, 10, 12}) {
            final ProduceResponseData r = produce(handler, request("t", 0, 1, 2, 3, 9), version);
            final List<PartitionProduceResponse> ps = partitions(r);
            final boolean hints = version >= 10;
            assertEquals(Errors.NONE.code(), ps.get(0).errorCode());
            assertEquals(-1, ps.get(0).currentLeader().leaderId());
            assertLeader(ps.get(1), hints ? 2 : -1, hints ? 7 : -1);
            assertLeader(ps.get(2), -1, -1);
            assertLeader(ps.get(3), hints ? 2 : -1, hints ? 8 : -1);
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), ps.get(4).errorCode());
            assertEquals(hints ? 1 : 0, r.nodeEndpoints().size(), "v" + version);
            if (hints) {
                final ProduceResponseData.NodeEndpoint two = r.nodeEndpoints().find(2);
                assertEquals("broker2.test", two.host());
                assertEquals(9092, two.port());
                assertEquals("rack-b", two.rack());
            }
        }
        assertEquals(3, t.partition(0).logEndOffset(), "the local partition took each request's batch");
    }

    private static void assertLeader(PartitionProduceResponse p, int leader, int epoch) {
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), p.errorCode(), "partition " + p.index());
        assertEquals(leader, p.currentLeader().leaderId(), "partition " + p.index());
        assertEquals(epoch, p.currentLeader().leaderEpoch(), "partition " + p.index());
    }

    // Goal: without the leadership lease (session lost or fenced) nothing is acknowledged: every
    // partition is NOT_LEADER_OR_FOLLOWER and nothing is appended; once the lease is back the
    // same request is appended.
    @Test
    void noLeaseNoAcknowledgement() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        final TopicInfo t = fx.topic("t", state(1, 4, 1), state(1, 4, 1));
        final ProduceHandler handler = new ProduceHandler(fx.ctx(), 0);
        fx.cluster().revokeLease();
        List<PartitionProduceResponse> ps = partitions(produce(handler, request("t", 0, 1), (short) 12));
        for (PartitionProduceResponse p : ps) {
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), p.errorCode());
            assertEquals(-1, p.currentLeader().leaderId(), "no better leader known");
        }
        assertEquals(0, t.partition(0).logEndOffset());
        assertEquals(0, t.partition(1).logEndOffset());

        fx.cluster().extendLease(System.nanoTime() + 60_000_000_000L);
        ps = partitions(produce(handler, request("t", 0, 1), (short) 12));
        assertEquals(Errors.NONE.code(), ps.get(0).errorCode());
        assertEquals(Errors.NONE.code(), ps.get(1).errorCode());
        assertEquals(1, t.partition(1).logEndOffset());
    }

    // Goal: a reactor that found the log before the metadata thread took it away cannot append: the log resigned
    // (PartitionLog.resign, under its append lock), so the partition is NOT_LEADER_OR_FOLLOWER, naming the new
    // leader (v10+), and nothing is written. Method: the log stays in the topic's array, as in that race, and the
    // state already names broker 2.
    @Test
    void aResignedLogIsNotLeaderAndTakesNothing() throws Exception {
        fx = new ClusterFixture(dir);
        fx.joinCluster(new FakeController(), 1, 2);
        final TopicInfo t = fx.topic("t", state(1, 4, 1), state(1, 4, 1));
        final ProduceHandler handler = new ProduceHandler(fx.ctx(), 0);
        t.partition(0).resign();
        final List<PartitionProduceResponse> ps = partitions(produce(handler, request("t", 0, 1), (short) 12));
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), ps.get(0).errorCode());
        assertEquals(Errors.NONE.code(), ps.get(1).errorCode());
        assertEquals(0, t.partition(0).logEndOffset(), "nothing appended after resigning");
        assertEquals(1, t.partition(1).logEndOffset());
    }

    // Goal: as Kafka's ReplicaManager.appendToLocalLog, a produce to an internal topic is INVALID_TOPIC_EXCEPTION
    // (before the partition is looked at: also for one out of range) and writes nothing, unless the request's
    // client id is __admin_client; other topics are unaffected.
    @Test
    void internalTopicsTakeOnlyTheAdminClient() throws Exception {
        fx = new ClusterFixture(dir);
        final TopicInfo offsets = fx.ctx().topics().create("__consumer_offsets", 1, Map.of(), false).topic();
        assertTrue(offsets.isInternal());
        assertFalse(fx.ctx().topics().create("t", 1, Map.of(), false).topic().isInternal());
        final ProduceHandler handler = new ProduceHandler(fx.ctx(), 0);
        List<PartitionProduceResponse> ps =
            partitions(produce(handler, request("__consumer_offsets", 0, 5), (short) 12, "producer-1"));
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), ps.get(0).errorCode());
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), ps.get(1).errorCode());
        assertNull(ps.get(0).errorMessage(), "Kafka gives no custom message");
        assertEquals(0, offsets.partition(0).logEndOffset());

        ps = partitions(produce(handler, request("__consumer_offsets", 0), (short) 12,
            ProduceHandler.ADMIN_CLIENT_ID));
        assertEquals(Errors.NONE.code(), ps.get(0).errorCode());
        assertEquals(1, offsets.partition(0).logEndOffset());
        ps = partitions(produce(handler, request("t", 0), (short) 12, "producer-1"));
        assertEquals(Errors.NONE.code(), ps.get(0).errorCode());
    }

    // Goal: standalone appends as before and writes no leader hints.
    @Test
    void standaloneAppendsWithoutHints() throws Exception {
        fx = new ClusterFixture(dir);
        fx.ctx().topics().create("t", 2, Map.of(), false);
        final ProduceHandler handler = new ProduceHandler(fx.ctx(), 0);
        final ProduceResponseData r = produce(handler, request("t", 0, 1, 2), (short) 12);
        final List<PartitionProduceResponse> ps = partitions(r);
        assertEquals(Errors.NONE.code(), ps.get(0).errorCode());
        assertEquals(Errors.NONE.code(), ps.get(1).errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), ps.get(2).errorCode());
        assertTrue(r.nodeEndpoints().isEmpty());
        assertNull(channel.closed);
    }
}
