/**
 * Cluster mode ({@code process.roles=broker}): this broker as a KRaft broker under Apache Kafka's controller
 * quorum, built from Kafka's own Java artifacts (kafka-raft, kafka-metadata, kafka-server, kafka-server-common,
 * pinned to one version) and isolated here, so that a Kafka upgrade touches this package only.
 * {@code ClusterMember} runs the parts: {@code MetadataRaft} (Kafka's {@code KafkaRaftClient} as an observer of
 * {@code __cluster_metadata}, with its local log in {@code metadata.log.dir}), Kafka's {@code MetadataLoader} with
 * our {@code ClusterPublisher} (the cluster view and the topics, applied to the {@code TopicRegistry}), Kafka's
 * {@code BrokerLifecycleManager} (registration, heartbeats, controlled shutdown) through {@code LeaseChannel}
 * (which keeps the leadership lease from the heartbeat answers), and {@code ForwardingChannel} (requests to the
 * active controller). {@code ClientChannels} builds the client side of the broker's own connections (replica
 * fetchers, controllers) for the listener's protocol, PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, with Kafka's
 * {@code ChannelBuilders}. {@code SupportedFeatures} says which feature levels this broker implements;
 * {@code StorageCheck} and {@code StorageTool} handle {@code meta.properties}. Depends on {@code config},
 * {@code metadata}, {@code request}, {@code metrics} and {@code log-store}; only {@code server} uses it.
 */
package io.zcrx.ingest.broker.cluster;
