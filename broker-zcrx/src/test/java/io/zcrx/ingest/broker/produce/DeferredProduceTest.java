package io.zcrx.ingest.broker.produce;

import io.zcrx.ingest.broker.metadata.BrokerNode;
import io.zcrx.ingest.broker.metadata.ClusterState;
import io.zcrx.ingest.broker.metrics.MetricsRegistry;
import io.zcrx.ingest.broker.replica.LogAppender;
import io.zcrx.ingest.broker.request.PendingResponse;
import io.zcrx.ingest.broker.request.ResponseWriter;
import io.zcrx.ingest.broker.runtime.LogFlusher;
import io.zcrx.ingest.broker.runtime.TimerService;
import io.zcrx.ingest.broker.transport.ReactorIo;
import io.zcrx.ingest.log.LogConfig;
import io.zcrx.ingest.log.LogManager;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.protocol.bytes.SliceCursor;
import io.zcrx.ingest.protocol.bytes.SliceList;
import io.zcrx.ingest.protocol.bytes.TestChunks;
import io.zcrx.ingest.protocol.header.RequestHeaderView;
import io.zcrx.ingest.protocol.produce.ProduceDecoder;
import io.zcrx.ingest.protocol.produce.ProduceRequestView;
import io.zcrx.ingest.protocol.produce.ProduceRequests;
import io.zcrx.ingest.protocol.produce.ProduceResponseEncoder;
import io.zcrx.ingest.protocol.produce.ProduceResults;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeferredProduceTest {
    @TempDir
    Path tmp;

    @Test
    void aSlotWhoseFsyncFailedIsPatchedInPlaceAtEveryVersion() throws Exception {
        // Goal: a response parked for group commit settles per slot from the partition's own state
        // (recovery point past the batch = durable; partition offline or deleted = failed, patched to
        // KAFKA_STORAGE_ERROR with offsets -1 without changing the frame's length; otherwise it keeps
        // waiting), and kafka-clients parses the patched frame at every Produce version.
        // Method: a real two-topic Produce frame decoded over chunks, encoded as all-success into a
        // DeferredProduce; slots bound to real partition logs: one deleted, one whose recovery point
        // is past the batch, one online but not yet flushed.
        final LogConfig config = LogConfig.builder().build();
        try (LogManager logs = LogManager.open(List.of(tmp), 1, config, 86_400_000L, System::currentTimeMillis)) {
            final PartitionLog gone = logs.createPartition("gone", 0, Uuid.randomUuid(), config);
            final PartitionLog durable = logs.createPartition("durable", 0, Uuid.randomUuid(), config);
            final PartitionLog pending = logs.createPartition("pending", 0, Uuid.randomUuid(), config);
            logs.deletePartition("gone", 0);
            for (short v = ProduceRequests.OLDEST; v <= ProduceRequests.LATEST; v++) {
                final ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
                for (String topic : new String[] {"gone", "durable"}) {
                    final ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData()
                        .setName(topic).setTopicId(Uuid.randomUuid());
                    t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))));
                    data.topicData().add(t);
                }
                final byte[] request = ProduceRequests.frame(data, v, 42, "c", false);
                final TestChunks chunks = new TestChunks();
                final SliceList body = chunks.slices(request, 3, 17, request.length / 2);
                final SliceCursor cursor = new SliceCursor().wrap(body, 0, request.length);
                final RequestHeaderView header = new RequestHeaderView();
                assertTrue(header.parse(cursor));
                final ProduceRequestView view = new ProduceRequestView();
                new ProduceDecoder().decode(cursor, v, view);
                final ProduceResults results = new ProduceResults();
                results.reset(view.partitionCount());
                results.setSuccess(0, 10, -1, 0);
                results.setSuccess(1, 20, -1, 0);
                final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
                final int length = encoder.encodedLength(view, results, body);
                final DeferredProduce d = new DeferredProduce(null);
                encoder.encode(42, view, results, body, d.begin(length, v));
                body.releaseAll();
                assertEquals(0, chunks.outstanding());

                d.addSlot(gone, 10, encoder.errorCodeIndex(0));
                d.addSlot(durable, durable.recoveryPoint() - 1, encoder.errorCodeIndex(1));
                assertTrue(d.settle(), "v" + v);
                assertEquals(length, d.frame().remaining());
                final ProduceResponseData parsed = parse(d.frame(), v);
                final List<ProduceResponseData.TopicProduceResponse> topics = List.copyOf(parsed.responses());
                final ProduceResponseData.PartitionProduceResponse failed = topics.get(0).partitionResponses().get(0);
                assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), failed.errorCode(), "v" + v);
                assertEquals(-1L, failed.baseOffset());
                assertEquals(-1L, failed.logAppendTimeMs());
                assertEquals(-1L, failed.logStartOffset());
                final ProduceResponseData.PartitionProduceResponse ok = topics.get(1).partitionResponses().get(0);
                assertEquals(Errors.NONE.code(), ok.errorCode(), "v" + v);
                assertEquals(20L, ok.baseOffset());

                d.clear();
                d.begin(length, v);
                d.addSlot(pending, 0, encoder.errorCodeIndex(1));
                assertFalse(d.settle(), "an online partition not flushed past the batch keeps waiting");
            }
        }
    }

    // Goal: an acks=all response held for an fsync is never released as a success once this broker lost its
    // leadership lease or the partition's log resigned: its waiting slots answer NOT_LEADER_OR_FOLLOWER (Kafka's
    // DelayedProduce after a leader change); with the lease and the leadership it keeps waiting for the fsync.
    // Method: a real one-topic frame encoded as a success; DeferredProduce.settle with and without the lease, with a
    // resigned log; then DurableAcks completing a parked response before and after the lease is revoked.
    @Test
    void aHeldResponseIsNotLeaderOnceTheLeaseIsGoneOrTheLogResigned() throws Exception {
        final LogConfig config = LogConfig.builder().build();
        final short v = ProduceRequests.LATEST;
        try (LogManager logs = LogManager.open(List.of(tmp), 1, config, 86_400_000L, System::currentTimeMillis);
             MetricsRegistry metrics = new MetricsRegistry(1, false)) {
            final PartitionLog log = logs.createPartition("t", 0, Uuid.randomUuid(), config);
            DeferredProduce d = encodedSuccess(new DeferredProduce(null), v);
            d.addSlot(log, 0, errorIndex);
            assertFalse(d.settle(true), "led, leased, not yet flushed: waits");
            assertTrue(d.settle(false));
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), onlyPartition(d, v).errorCode());
            assertEquals(-1L, onlyPartition(d, v).baseOffset());

            final ClusterState cluster = ClusterState.clusterMember(new BrokerNode(1, "127.0.0.1", 9092, null));
            cluster.extendLease(System.nanoTime() + 3_600_000_000_000L);
            final DurableAcks acks = new DurableAcks(null, null,
                metrics.histogram(LogFlusher.GROUP_COMMIT_BATCH_SIZE, 1 << 20), 0, cluster);
            final CapturedResponse pending = new CapturedResponse();
            d = encodedSuccess(acks.take(), v);
            d.addSlot(log, 0, errorIndex);
            d.pending = pending;
            acks.park(d);
            acks.completeDurable();
            assertNull(pending.writer, "leased and leading: still waiting for the fsync");
            assertEquals(1, acks.parkedCount());
            cluster.revokeLease();
            acks.completeDurable();
            assertTrue(pending.writer == d, "released once the lease is gone");
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), onlyPartition(d, v).errorCode());
            assertEquals(0, acks.parkedCount());

            d = encodedSuccess(new DeferredProduce(null), v);
            d.addSlot(log, 0, errorIndex);
            log.resign();
            assertTrue(d.settle(true));
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), onlyPartition(d, v).errorCode());
        }
    }

    // Goal: an acks=all answer on a replicated partition (Kafka's DelayedProduce) waits for the high watermark, not
    // the local write: it stays parked while the followers have not fetched the batch, is released as a success once
    // the high watermark passes the batch, and answers REQUEST_TIMED_OUT (offsets -1) when the request's TimeoutMs
    // passes first; the reactor's timer is armed for that deadline, one timer at a time.
    // Method: a real log whose high watermark is held (the leader of a replicated partition), a batch appended
    // through the leader path, DurableAcks with a timer that records what it is asked to schedule; the high
    // watermark moved as a follower fetch would move it.
    @Test
    void anAcksAllAnswerWaitsForTheHighWatermarkOrItsTimeout() throws Exception {
        final LogConfig config = LogConfig.builder().build();
        final short v = ProduceRequests.LATEST;
        try (LogManager logs = LogManager.open(List.of(tmp), 1, config, 86_400_000L, System::currentTimeMillis);
             MetricsRegistry metrics = new MetricsRegistry(1, false)) {
            final PartitionLog log = logs.createPartition("t", 0, Uuid.randomUuid(), config);
            log.holdHighWatermark(0);
            final long end = new LogAppender().append(log, 3);
            assertEquals(3, end);
            assertEquals(0, log.highWatermark(), "held: the followers have not fetched");
            final List<Long> scheduled = new ArrayList<>();
            final TimerService timer = new TimerService() {
                @Override
                public Cancellable schedule(long delayMs, Runnable task) {
                    scheduled.add(delayMs);
                    return () -> { };
                }

                @Override
                public long nowMs() {
                    return System.currentTimeMillis();
                }
            };
            // The reactor's task queue: park queues one re-check (a high watermark may have moved before the
            // waiter was marked); the test runs it like the reactor would.
            final List<Runnable> queued = new ArrayList<>();
            final ReactorIo reactor = new ReactorIo() {
                @Override
                public boolean execute(Runnable task) {
                    queued.add(task);
                    return true;
                }

                @Override
                public boolean inReactorThread() {
                    return true;
                }

                @Override
                public int receiveMemoryFreePermille() {
                    return 1000;
                }
            };
            final DurableAcks acks = new DurableAcks(null, reactor,
                metrics.histogram(LogFlusher.GROUP_COMMIT_BATCH_SIZE, 1 << 20), 0, null, null, timer);

            // Committed once the high watermark passes the batch's last offset (2).
            final CapturedResponse first = new CapturedResponse();
            DeferredProduce d = encodedSuccess(acks.take(), v);
            d.addSlot(log, 2, errorIndex, DeferredProduce.WAIT_REPLICATION);
            d.deadline(System.nanoTime() + 3_600_000_000_000L);
            d.pending = first;
            acks.park(d);
            assertTrue(acks.awaitsReplication());
            assertEquals(1, queued.size(), "one re-check queued after the waiter was marked");
            queued.remove(0).run();
            assertNull(first.writer, "re-checked: still not committed");
            assertEquals(1, scheduled.size(), "a timer for the deadline");
            assertTrue(scheduled.get(0) > 3_500_000L, "about an hour: " + scheduled);
            acks.completeDurable();
            assertNull(first.writer, "the high watermark is not past the batch");
            assertTrue(log.maybeIncrementHighWatermark(2));
            acks.completeDurable();
            assertNull(first.writer, "offset 2 is not committed yet");
            assertTrue(log.maybeIncrementHighWatermark(3));
            acks.completeDurable();
            assertTrue(first.writer == d, "released when the high watermark passed the batch");
            assertEquals(Errors.NONE.code(), onlyPartition(d, v).errorCode());
            assertEquals(0L, onlyPartition(d, v).baseOffset());
            assertFalse(acks.awaitsReplication());

            // Not committed before the deadline: REQUEST_TIMED_OUT, as Kafka's DelayedProduce.onExpire answers.
            new LogAppender().append(log, 1);
            final CapturedResponse second = new CapturedResponse();
            d = encodedSuccess(acks.take(), v);
            d.addSlot(log, 3, errorIndex, DeferredProduce.WAIT_REPLICATION);
            d.deadline(System.nanoTime() - 1);
            d.pending = second;
            acks.park(d);
            assertEquals(2, scheduled.size(), "the earlier timer's deadline is later: a new one, due now");
            assertEquals(0L, scheduled.get(1));
            acks.completeDurable();
            assertTrue(second.writer == d);
            assertEquals(Errors.REQUEST_TIMED_OUT.code(), onlyPartition(d, v).errorCode());
            assertEquals(-1L, onlyPartition(d, v).baseOffset());
            assertEquals(0, acks.parkedCount());
        }
    }

    private int errorIndex;

    /** {@code d} holding a one-partition Produce response at {@code v} encoded as a success (offset 0). */
    private DeferredProduce encodedSuccess(DeferredProduce d, short v) {
        final ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
        final ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData()
            .setName("t").setTopicId(Uuid.randomUuid());
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))));
        data.topicData().add(t);
        final byte[] request = ProduceRequests.frame(data, v, 42, "c", false);
        final TestChunks chunks = new TestChunks();
        final SliceList body = chunks.slices(request, request.length / 2);
        final SliceCursor cursor = new SliceCursor().wrap(body, 0, request.length);
        final RequestHeaderView header = new RequestHeaderView();
        assertTrue(header.parse(cursor));
        final ProduceRequestView view = new ProduceRequestView();
        new ProduceDecoder().decode(cursor, v, view);
        final ProduceResults results = new ProduceResults();
        results.reset(view.partitionCount());
        results.setSuccess(0, 0, -1, 0);
        final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
        encoder.encode(42, view, results, body, d.begin(encoder.encodedLength(view, results, body), v));
        errorIndex = encoder.errorCodeIndex(0);
        body.releaseAll();
        return d;
    }

    private static ProduceResponseData.PartitionProduceResponse onlyPartition(DeferredProduce d, short v) {
        return parse(d.frame(), v).responses().iterator().next().partitionResponses().get(0);
    }

    /** The connection's side of a deferred response: records the writer it was completed with. */
    private static final class CapturedResponse implements PendingResponse {
        ResponseWriter writer;

        @Override
        public void complete(Message body) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void completeEncoded(byte[] encodedFrame) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void completeWith(ResponseWriter w) {
            writer = w;
        }

        @Override
        public void completeFromAnyThread(Message body) {
            throw new UnsupportedOperationException();
        }

        @Override
        public short version() {
            return 0;
        }

        @Override
        public int correlationId() {
            return 42;
        }

        @Override
        public boolean isAbandoned() {
            return false;
        }
    }

    private static ProduceResponseData parse(ByteBuffer frame, short version) {
        frame.getInt();
        final RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "c", 42);
        final ProduceResponse r = (ProduceResponse) AbstractResponse.parseResponse(frame, header);
        return r.data();
    }
}
