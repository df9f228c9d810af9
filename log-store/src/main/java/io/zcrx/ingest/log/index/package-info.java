/**
 * A segment's sparse indexes, {@code .index} (offset to file position) and {@code .timeindex} (timestamp to
 * offset), as memory-mapped files in Kafka's format: preallocated sparse, with real blocks reserved ahead of the
 * entries before they are written so a store into the mapping can never hit a hole on a full disk, trimmed to their
 * entries when the segment is sealed, expanded when an active segment is reopened
 * (docs/kafka-protocol-notes.md#offset-index). Appends come from the partition's append lock; lookups from readers
 * on any thread, with a {@code StampedLock} guarding remaps. Depends on native-io's
 * {@code Fallocate} for {@code posix_fallocate}.
 */
package io.zcrx.ingest.log.index;
