/**
 * The classic consumer-group coordinator of this node: {@code GroupCoordinator} runs the join and sync phases,
 * session and rebalance timeouts and static membership over {@code ClassicGroup}, {@code Member} and
 * {@code GroupState} (docs/kafka-protocol-notes.md#consumer-groups); {@code OffsetManager} commits, fetches,
 * deletes and expires committed offsets against that membership and keeps them in {@code OffsetStore}, an
 * append-only journal in the first log dir. Called from any thread (reactors, the timer);
 * each group is guarded by its own monitor. Depends on {@code runtime} (timers) only: the handlers in
 * {@code handler} translate between the wire and the coordinator.
 */
package io.zcrx.ingest.broker.group;
