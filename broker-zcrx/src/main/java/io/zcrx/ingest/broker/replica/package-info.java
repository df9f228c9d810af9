/**
 * The leader side of Kafka's replication protocol (issue 12), following Kafka 4.x's {@code Partition}
 * and {@code Replica}: for every partition led here that has more than one replica, each follower's
 * position as its Fetch requests report it ({@link io.zcrx.ingest.broker.replica.FollowerState}), the
 * ISR the leader works with (committed by the controller, or a pending change in flight), the high
 * watermark rule, ISR expansion and shrink through AlterPartition ({@link io.zcrx.ingest.broker.replica.IsrUpdater})
 * and the {@code replication-offset-checkpoint} files.
 *
 * <pre>
 *   follower Fetch (reactor) -- FetchHandler --&gt; LeaderPartitions.follower(...) --&gt; LeaderPartition
 *        records a follower's log end, maybe expands the ISR, maybe advances the high watermark
 *   log scheduler --&gt; LeaderPartitions.maybeShrinkIsr / checkpointHighWatermarks
 *   metadata thread --&gt; onBecomeLeader / onResign (LeadershipListener)
 *   controller channel thread --&gt; AlterPartition answers
 * </pre>
 *
 * <p>Standalone mode and single-replica partitions never get here: their high watermark is the log end
 * offset, as before replication. Nothing here is on the Produce path: one lock per replicated partition,
 * taken by follower fetches, the scheduler and the controller's answers.
 */
package io.zcrx.ingest.broker.replica;
