/**
 * The classic consumer-group coordinator of this node: {@code GroupCoordinator} runs the join and sync phases,
 * session and rebalance timeouts and static membership over {@code ClassicGroup}, {@code Member} and
 * {@code GroupState} (docs/kafka-protocol-notes.md#consumer-groups); {@code OffsetManager} commits, fetches,
 * deletes and expires committed offsets against that membership. Both keep what outlives a session in a
 * {@code GroupStore}: standalone, {@code OffsetStore}, an append-only journal in the first log dir; in cluster
 * mode, {@code OffsetsTopicStore}, the {@code __consumer_offsets} partitions led here, in Apache Kafka's record
 * format ({@code GroupRecords}, {@code OffsetsTopicLog}), loaded and unloaded with their leadership by
 * {@code GroupLoader} (docs/design.md, "Consumer groups in a cluster"). Called from any thread (reactors, the
 * timer, the loader); each group is guarded by its own monitor. Depends on {@code runtime} (timers),
 * {@code metadata} (leadership) and the log store: the handlers in {@code handler} translate between the wire
 * and the coordinator.
 */
package io.zcrx.ingest.broker.group;
