/**
 * Kafka's small per-directory and per-partition files, each in Kafka's exact format: {@code meta.properties}, the
 * {@code .lock} file lock, the {@code .kafka_cleanshutdown} marker, the recovery-point and log-start offset
 * checkpoints, {@code leader-epoch-checkpoint} and {@code partition.metadata}
 * (docs/kafka-protocol-notes.md#partition-files). Every write goes to a temporary file, is fsynced, renamed over
 * the old one and followed by a directory fsync ({@code AtomicFiles}), so a crash leaves either the old or the new
 * content. Depends on nothing else of the project; called from the log manager's threads.
 */
package io.zcrx.ingest.log.checkpoint;
