/**
 * Replication between brokers (cluster mode), Kafka's replication protocol on both sides.
 *
 * <p>Follower side: {@link ReplicaFetcherManager} (a {@link io.zcrx.ingest.broker.metadata.LeadershipListener} told
 * by the topic registry which partitions this broker follows) and its {@link ReplicaFetcher} threads, which copy
 * the leader's batches into the local logs as they are ({@code PartitionLog.appendAsFollower}), following Kafka's
 * {@code ReplicaFetcherThread}.
 *
 * <p>Leader side, following Kafka 4.x's {@code Partition} and {@code Replica}: for every partition led here, each
 * follower's position as its Fetch requests report it ({@link FollowerState}), the ISR the leader works with
 * (committed by the controller, or a pending change in flight), the high watermark rule, ISR expansion and shrink
 * through AlterPartition ({@link IsrUpdater}) and the {@code replication-offset-checkpoint} files
 * ({@link HighWatermarkCheckpoints}).
 *
 * <pre>
 *   follower Fetch (reactor) -- FetchHandler --&gt; LeaderPartitions.leaderOf(...) --&gt; LeaderPartition
 *        records a follower's log end, maybe expands the ISR, maybe advances the high watermark
 *   log scheduler --&gt; LeaderPartitions.maybeShrinkIsr, Broker's highwatermark-checkpoint task
 *   metadata thread --&gt; onBecomeLeader / onResign (LeadershipListener)
 *   controller channel thread --&gt; AlterPartition answers
 * </pre>
 *
 * <p>Standalone mode never gets to the leader side, and a single-replica partition's high watermark is its log end
 * offset, as before replication. Nothing of the leader side is on the Produce path: one lock per led partition,
 * taken by follower fetches, the scheduler and the controller's answers.
 */
package io.zcrx.ingest.broker.replica;
