package io.zcrx.ingest.broker.metadata;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * One topic as the controller's metadata image has it (cluster mode): name, topic id, each
 * partition's state in index order, and the topic's config overrides as the controller stores them
 * (not yet checked against what this broker supports: {@link TopicRegistry#applyCluster} does that).
 *
 * <p>Immutable; the array must not be modified after construction.
 */
public record ClusterTopic(String name, Uuid id, PartitionState[] partitions, Map<String, String> configs) {
}
