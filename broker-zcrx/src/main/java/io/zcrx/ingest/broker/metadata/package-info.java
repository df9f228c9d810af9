/**
 * What the broker knows about its topics and producers: {@code TopicRegistry} (the topics, rebuilt at start from
 * the partition directories and per-topic overrides, created and deleted by the admin APIs and auto-creation),
 * {@code TopicInfo} (one topic as handlers see it, immutable and replaced on change) and {@code ProducerIdManager}
 * (producer ids, never reused across restarts), and the cluster as handlers see it: {@code PartitionState} (a
 * partition's leader, epoch, replicas, ISR), {@code ClusterView} and {@code ClusterState} (live brokers, the
 * leadership lease), {@code LeadershipListener}; in cluster mode {@code TopicRegistry.applyCluster} makes the
 * topics those of the controller's metadata ({@code ClusterTopic}). Lookups are lock-free from any thread; changes
 * are serialised. Depends on {@code config} and {@code log-store}.
 */
package io.zcrx.ingest.broker.metadata;
