package io.zcrx.ingest.broker.handler;

import io.zcrx.ingest.broker.metadata.PartitionState;
import io.zcrx.ingest.broker.metadata.TopicInfo;
import java.util.List;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;

/**
 * Cluster mode, until this broker replicates partitions: the topics it asks the controller for must have one
 * replica per partition. A partition with more replicas would be led here without any follower ever fetching
 * it, so an acknowledged write would exist on one disk while the controller and the clients believe it has
 * several copies: worse than Kafka's own answer when a factor cannot be met (INVALID_REPLICATION_FACTOR), which
 * is what such a topic gets here, before the request reaches the controller.
 *
 * <p>Stateless.
 */
final class SingleReplica {
    /** The ErrorMessage of every refusal: what is wrong and what to do. */
    static final String MESSAGE = "This broker does not replicate partitions yet: use replication factor 1";

    private SingleReplica() {
    }

    /**
     * Why {@code t} (a CreateTopics entry) cannot be created here, or null: a replication factor other than -1
     * (this broker's {@code default.replication.factor}, always 1) and 1, or a manual assignment giving a partition
     * more than one replica.
     */
    static String refuseTopic(CreatableTopic t) {
        if (t.replicationFactor() != -1 && t.replicationFactor() != 1) {
            return MESSAGE + " (replication factor " + t.replicationFactor() + " requested for topic " + t.name()
                + ")";
        }
        for (CreatableReplicaAssignment a : t.assignments()) {
            if (a.brokerIds().size() > 1) {
                return manyReplicas(t.name(), a.partitionIndex(), a.brokerIds());
            }
        }
        return null;
    }

    /**
     * Why new partitions of {@code t} (a CreatePartitions entry) cannot be created here, or null: a manual
     * assignment with more than one replica for a partition, or an existing topic whose partitions have
     * several replicas (the controller gives new partitions the replication factor of the existing ones).
     *
     * @param existing the topic as this broker knows it, or null (the controller answers for an unknown topic)
     */
    static String refusePartitions(CreatePartitionsTopic t, TopicInfo existing) {
        if (t.assignments() != null) {
            int p = existing == null ? 0 : existing.partitionCount();
            for (CreatePartitionsAssignment a : t.assignments()) {
                if (a.brokerIds().size() > 1) {
                    return manyReplicas(t.name(), p, a.brokerIds());
                }
                p++;
            }
        }
        final boolean assigned = t.assignments() != null && !t.assignments().isEmpty();
        final PartitionState first = existing == null ? null : existing.state(0);
        if (!assigned && first != null && first.replicas().length > 1) {
            return MESSAGE + " (topic " + t.name() + " has replication factor " + first.replicas().length
                + ", which new partitions would get)";
        }
        return null;
    }

    private static String manyReplicas(String topic, int partition, List<Integer> brokerIds) {
        return MESSAGE + " (partition " + topic + "-" + partition + " assigned to brokers " + brokerIds + ")";
    }
}
