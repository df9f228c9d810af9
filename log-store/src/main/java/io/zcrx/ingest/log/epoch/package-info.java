/**
 * A partition's leader epoch history (Kafka's {@code LeaderEpochFileCache}): which leader epoch wrote which offsets,
 * as ordered (epoch, start offset) entries, and the OffsetForLeaderEpoch answer computed from them
 * (docs/kafka-protocol-notes.md#partition-files). Kept in memory here; the partition log persists it in
 * {@code leader-epoch-checkpoint} through the checkpoint package. Depends on nothing else of the project.
 */
package io.zcrx.ingest.log.epoch;
