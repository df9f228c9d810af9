/**
 * Replication between brokers (cluster mode). Follower side: {@link ReplicaFetcherManager} (a
 * {@link io.zcrx.ingest.broker.metadata.LeadershipListener} told by the topic registry which partitions this broker
 * follows) and its {@link ReplicaFetcher} threads, which copy the leader's batches into the local logs as they are
 * ({@code PartitionLog.appendAsFollower}), following Kafka's {@code ReplicaFetcherThread}.
 */
package io.zcrx.ingest.broker.replica;
