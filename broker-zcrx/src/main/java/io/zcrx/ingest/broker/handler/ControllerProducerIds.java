package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.request.BrokerContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AllocateProducerIdsRequest;
import org.apache.kafka.common.requests.AllocateProducerIdsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: producer ids from blocks the active controller allocates (AllocateProducerIds, with
 * this broker's id and broker epoch), as Kafka's {@code RPCProducerIdManager} takes them: ids are
 * claimed from the current block without a lock; when 90% of it is used the next block is asked
 * for; when the current block is used up and the next has not arrived (or at the very first
 * request) InitProducerId is answered COORDINATOR_LOAD_IN_PROGRESS, which producers retry (Kafka
 * answers that rather than REQUEST_TIMED_OUT because older clients treat the latter as fatal).
 * A refused or unanswered request is retried no sooner than {@link #RETRY_BACKOFF_MS} later. No id
 * is ever taken from a local block: the controller's are unique across the cluster.
 *
 * <p>Thread-safe (atomics; the controller's answer arrives on the channel's thread).
 */
final class ControllerProducerIds {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerProducerIds.class);
    /** Kafka's {@code RPCProducerIdManager.RetryBackoffMs}. */
    static final long RETRY_BACKOFF_MS = 50;
    /** Kafka's {@code ProducerIdManager.PidPrefetchThreshold}: ask for the next block at 90% used. */
    static final double PREFETCH_THRESHOLD = 0.90;
    private static final long NO_RETRY = -1L;

    /** One block: ids [first, first + size), the next one to hand out in {@code next}. */
    record Block(long first, int size, AtomicLong next) {
        Block(long first, int size) {
            this(first, size, new AtomicLong(first));
        }

        /** The next id of the block, or -1 when it is used up. */
        long claim() {
            final long id = next.getAndIncrement();
            return id < first + size ? id : -1L;
        }

        long last() {
            return first + size - 1;
        }
    }

    private static final Block EMPTY = new Block(-1L, 0);

    private final BrokerContext ctx;
    private final AtomicReference<Block> current = new AtomicReference<>(EMPTY);
    private final AtomicReference<Block> nextBlock = new AtomicReference<>();
    private final AtomicBoolean requestInFlight = new AtomicBoolean();
    private final AtomicLong backoffDeadlineMs = new AtomicLong(NO_RETRY);

    ControllerProducerIds(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /** A producer id never handed out in the cluster, or -1 while no block is available (asked for). */
    long nextId() {
        for (int iteration = 0; iteration < 2; iteration++) {
            final Block block = current.get();
            final long id = block.claim();
            if (id >= 0) {
                if (id == block.first() + (long) (block.size() * PREFETCH_THRESHOLD)) {
                    maybeRequestNextBlock();
                }
                return id;
            }
            final Block next = nextBlock.getAndSet(null);
            if (next == null) {
                maybeRequestNextBlock();
                return -1L;
            }
            current.set(next);
            requestInFlight.set(false);
        }
        return -1L;
    }

    private void maybeRequestNextBlock() {
        final long retryAt = backoffDeadlineMs.get();
        if ((retryAt == NO_RETRY || ctx.nowMs() >= retryAt) && nextBlock.get() == null
            && requestInFlight.compareAndSet(false, true)) {
            backoffDeadlineMs.set(NO_RETRY);
            final AllocateProducerIdsRequestData data = new AllocateProducerIdsRequestData()
                .setBrokerId(ctx.nodeId()).setBrokerEpoch(ctx.cluster().brokerEpoch());
            try {
                ctx.controller().send(new AllocateProducerIdsRequest.Builder(data)).whenComplete(this::onAnswer);
            } catch (RuntimeException e) {
                onAnswer(null, e);
            }
        }
    }

    private void onAnswer(AbstractResponse response, Throwable failure) {
        boolean ok = false;
        if (failure != null || !(response instanceof AllocateProducerIdsResponse r)) {
            LOG.warn("AllocateProducerIds: no answer from the controller: {}",
                failure != null ? failure.toString() : "unexpected response " + response);
        } else {
            final AllocateProducerIdsResponseData data = r.data();
            final Errors e = Errors.forCode(data.errorCode());
            final long start = data.producerIdStart();
            final int length = data.producerIdLen();
            if (e != Errors.NONE) {
                // STALE_BROKER_EPOCH, BROKER_ID_NOT_REGISTERED: registration is catching up; retried.
                LOG.warn("AllocateProducerIds refused by the controller: {} (broker epoch {})", e,
                    ctx.cluster().brokerEpoch());
            } else if (start < current.get().last()) {
                LOG.error("AllocateProducerIds: block not after the current one: current={}, start={}, length={}",
                    current.get(), start, length);
            } else if (start < 0 || length <= 0 || start > Long.MAX_VALUE - length) {
                LOG.error("AllocateProducerIds: invalid id range: start={}, length={}", start, length);
            } else {
                nextBlock.set(new Block(start, length));
                ok = true;
                LOG.debug("AllocateProducerIds: next block [{}, {})", start, start + length);
            }
        }
        if (!ok) {
            backoffDeadlineMs.set(ctx.nowMs() + RETRY_BACKOFF_MS);
            requestInFlight.set(false);
        }
    }
}
