/**
 * Idempotent-producer state per partition: {@code ProducerStateTable} maps producer ids to {@code ProducerEntry}
 * (the epoch and the last five batches) and applies Kafka's duplicate, epoch and sequence checks in Kafka's order
 * (docs/kafka-protocol-notes.md#idempotence); it also reads and writes the {@code .snapshot} files
 * ({@code ProducerSnapshotLayout}, version 1 with CRC-32C). Used under the partition's append lock. Depends on
 * nothing else of the project.
 */
package io.zcrx.ingest.log.producer;
