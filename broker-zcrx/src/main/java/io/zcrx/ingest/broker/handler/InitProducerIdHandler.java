package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.ProducerIdManager;
import io.zcrx.ingest.broker.request.BrokerContext;
import java.io.IOException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId, v0-v5 (docs/kafka-protocol-notes.md#initproducerid), for idempotent producers: a producer id never
 * handed out before, epoch 0. Like the real broker, the request's ProducerId/ProducerEpoch are
 * ignored when there is no transactional id (a fresh id is always returned). Transactional ids are
 * refused: this broker implements no transaction coordinator.
 *
 * <p>Where the ids come from: standalone, the local durable blocks of {@link ProducerIdManager};
 * in cluster mode only blocks the controller allocated ({@link ControllerProducerIds}), and while
 * none is available the answer is COORDINATOR_LOAD_IN_PROGRESS (retriable), as Kafka answers.
 */
public final class InitProducerIdHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final BrokerContext ctx;
    /** Cluster mode's source, created at the first request (cluster mode is known by then). */
    private volatile ControllerProducerIds fromController;

    public InitProducerIdHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public InitProducerIdResponseData handle(InitProducerIdRequestData req, String clientId) {
        final InitProducerIdResponseData resp = new InitProducerIdResponseData().setThrottleTimeMs(0)
            .setProducerId(-1L).setProducerEpoch((short) -1);
        if (req.transactionalId() != null) {
            LOG.warn("refusing InitProducerId from client {} for transactional.id={}: transactions are not supported",
                clientId, req.transactionalId());
            return resp.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        }
        if (ctx.clusterMode()) {
            final long id = controllerIds().nextId();
            if (id < 0) {
                return resp.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
            }
            return resp.setErrorCode(Errors.NONE.code()).setProducerId(id).setProducerEpoch((short) 0);
        }
        try {
            return resp.setErrorCode(Errors.NONE.code()).setProducerId(ctx.producerIds().nextId())
                .setProducerEpoch((short) 0);
        } catch (IOException e) {
            LOG.error("cannot allocate a producer id for client {}: {}", clientId, e.toString());
            return resp.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
    }

    private ControllerProducerIds controllerIds() {
        final ControllerProducerIds c = fromController;
        return c != null ? c : createControllerIds();
    }

    private synchronized ControllerProducerIds createControllerIds() {
        if (fromController == null) {
            fromController = new ControllerProducerIds(ctx);
        }
        return fromController;
    }
}
