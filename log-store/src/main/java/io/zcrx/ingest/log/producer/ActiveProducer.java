package io.zcrx.ingest.log.producer;

/**
 * A copy of one producer's state as DescribeProducers reports it (Kafka's
 * {@code DescribeProducersResponseData.ProducerState}): id, epoch, last sequence and timestamp of its newest batch,
 * the transaction coordinator's epoch (-1: no transactions here) and the first offset of its open transaction (-1).
 *
 * <p>Immutable; taken under the partition lock, read on any thread.
 */
public record ActiveProducer(long producerId, short epoch, int lastSequence, long lastTimestamp,
                             int coordinatorEpoch, long currentTxnStartOffset) {
}
