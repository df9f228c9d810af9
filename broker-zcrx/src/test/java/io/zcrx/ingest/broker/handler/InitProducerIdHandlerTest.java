package io.zcrx.ingest.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zcrx.ingest.broker.metadata.ClusterFixture;
import io.zcrx.ingest.broker.testkit.Await;
import io.zcrx.ingest.broker.testkit.FakeController;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AllocateProducerIdsRequest;
import org.apache.kafka.common.requests.AllocateProducerIdsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InitProducerId in cluster mode takes ids only from blocks the controller allocated
 * (AllocateProducerIds with broker id and epoch), as Kafka's RPCProducerIdManager: the first request
 * and an exhausted block without a successor answer COORDINATOR_LOAD_IN_PROGRESS; the next block is
 * asked for at 90% of the current one; a refused allocation is retried.
 */
class InitProducerIdHandlerTest {
    @TempDir
    Path dir;
    private ClusterFixture fx;

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private static AllocateProducerIdsResponse block(long start, int length) {
        return new AllocateProducerIdsResponse(new AllocateProducerIdsResponseData().setErrorCode(Errors.NONE.code())
            .setProducerIdStart(start).setProducerIdLen(length));
    }

    private static InitProducerIdResponseData init(InitProducerIdHandler h) {
        return h.handle(new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000),
            "producer-1");
    }

    // Goal: ids come from the controller's blocks in order, with prefetch at 90% and a wait
    // (COORDINATOR_LOAD_IN_PROGRESS) only when no block is there; never a local block file.
    @Test
    void idsComeFromControllerBlocks() throws Exception {
        fx = new ClusterFixture(dir);
        final FakeController controller = new FakeController();
        fx.joinCluster(controller, 1);
        final InitProducerIdHandler h = new InitProducerIdHandler(fx.ctx());

        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), init(h).errorCode());
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), init(h).errorCode());
        assertEquals(1, controller.calls.size(), "one allocation in flight");
        final AllocateProducerIdsRequestData sent =
            assertInstanceOf(AllocateProducerIdsRequest.class, controller.last().request()).data();
        assertEquals(ClusterFixture.SELF, sent.brokerId());
        assertEquals(42L, sent.brokerEpoch());
        controller.last().answer().complete(block(1000, 10));

        final Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            final InitProducerIdResponseData r = init(h);
            assertEquals(Errors.NONE.code(), r.errorCode());
            assertEquals(1000 + i, r.producerId());
            assertEquals(0, r.producerEpoch());
            ids.add(r.producerId());
            assertEquals(i < 9 ? 1 : 2, controller.calls.size(), "prefetch when id 1009 (90%) is handed out, i=" + i);
        }
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), init(h).errorCode(), "block used up, next not here");
        controller.last().answer().complete(block(5000, 10));
        assertEquals(5000, init(h).producerId());
        assertEquals(10, ids.size());
        assertTrue(Files.notExists(dir.resolve("zcrx-producer-id-block")), "no local block in cluster mode");
    }

    // Goal: a refused allocation (the controller does not know this broker epoch yet) is retried
    // after the back-off, and ids flow once the controller gives a block.
    @Test
    void refusedAllocationIsRetried() throws Exception {
        fx = new ClusterFixture(dir);
        final FakeController controller = new FakeController();
        fx.joinCluster(controller, 1);
        final InitProducerIdHandler h = new InitProducerIdHandler(fx.ctx());
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), init(h).errorCode());
        final long refusedAt = System.currentTimeMillis();
        controller.last().answer().complete(new AllocateProducerIdsResponse(new AllocateProducerIdsResponseData()
            .setErrorCode(Errors.STALE_BROKER_EPOCH.code())));
        Await.until("the allocation is asked for again", () ->
            init(h).errorCode() == Errors.COORDINATOR_LOAD_IN_PROGRESS.code() && controller.calls.size() == 2);
        assertTrue(System.currentTimeMillis() >= refusedAt + ControllerProducerIds.RETRY_BACKOFF_MS,
            "not retried before the back-off");
        controller.last().answer().complete(block(0, 1000));
        assertEquals(0, init(h).producerId());
    }

    // Goal: standalone keeps its local durable blocks.
    @Test
    void standaloneUsesLocalBlocks() throws Exception {
        fx = new ClusterFixture(dir);
        final InitProducerIdHandler h = new InitProducerIdHandler(fx.ctx());
        assertEquals(0, init(h).producerId());
        assertEquals(1, init(h).producerId());
        assertTrue(Files.exists(dir.resolve("zcrx-producer-id-block")));
    }
}
