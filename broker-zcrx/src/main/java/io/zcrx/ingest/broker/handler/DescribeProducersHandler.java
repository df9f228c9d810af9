package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.TopicInfo;
import io.zcrx.ingest.broker.request.BrokerContext;
import io.zcrx.ingest.broker.request.RequestContext;
import io.zcrx.ingest.broker.security.authz.Authorization;
import io.zcrx.ingest.log.PartitionLog;
import io.zcrx.ingest.log.producer.ActiveProducer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeProducers, v0 ({@code kafka-transactions describe-producers}, Admin {@code describeProducers}), as Kafka's
 * {@code ReplicaManager.activeProducerState}: for each partition led here, the idempotent producers its producer
 * state holds (id, epoch, last sequence and timestamp of the newest batch; coordinator epoch and current transaction
 * start offset -1, as there are no transactions here). A partition of an unknown topic is UNKNOWN_TOPIC_OR_PARTITION,
 * one not led here NOT_LEADER_OR_FOLLOWER.
 *
 * <p>Thread-safe (stateless; each partition's state is copied under its lock).
 */
public final class DescribeProducersHandler {
    private final BrokerContext ctx;

    public DescribeProducersHandler(BrokerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * READ on each topic (Kafka's {@code handleDescribeProducersRequest}), else TOPIC_AUTHORIZATION_FAILED for its
     * partitions.
     *
     * @param who the request (the authorizer's view of the client), null: no checks
     */
    public DescribeProducersResponseData handle(DescribeProducersRequestData req, RequestContext who) {
        final Authorization authz = who == null ? Authorization.NONE : ctx.authorization();
        final DescribeProducersResponseData resp = new DescribeProducersResponseData().setThrottleTimeMs(0);
        for (TopicRequest t : req.topics()) {
            final TopicResponse tr = new TopicResponse().setName(t.name());
            resp.topics().add(tr);
            final TopicInfo topic = ctx.topics().get(t.name());
            final boolean read = authz.authorize(who, AclOperation.READ, ResourceType.TOPIC, t.name());
            for (int p : t.partitionIndexes()) {
                final PartitionResponse pr = new PartitionResponse().setPartitionIndex(p)
                    .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
                tr.partitions().add(pr);
                if (!read) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                if (topic == null || topic.isDeleted() || topic.state(p) == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                final PartitionLog log = topic.partition(p);
                if (log == null || !log.isLeading()) {
                    pr.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                        .setErrorMessage("Leader not local for partition " + t.name() + "-" + p + " on broker "
                            + ctx.nodeId());
                    continue;
                }
                for (ActiveProducer a : log.activeProducers()) {
                    pr.activeProducers().add(new ProducerState().setProducerId(a.producerId())
                        .setProducerEpoch(a.epoch()).setLastSequence(a.lastSequence())
                        .setLastTimestamp(a.lastTimestamp()).setCoordinatorEpoch(a.coordinatorEpoch())
                        .setCurrentTxnStartOffset(a.currentTxnStartOffset()));
                }
            }
        }
        return resp;
    }
}
