/**
 * Log compaction (Kafka's log cleaner; docs/compaction.md): {@code LogCleaner} runs {@code log.cleaner.threads}
 * background threads that pick the filthiest log with {@code cleanup.policy} containing {@code compact}
 * ({@code LogCleanerManager}, with the per-directory {@code cleaner-offset-checkpoint}), map each key of its dirty
 * section to its last offset ({@code OffsetMap}), rewrite the segments below it keeping the last record of each key
 * ({@code Cleaner}, filtering with kafka-clients' {@code MemoryRecords.filterTo}) and swap each cleaned group in
 * through {@code PartitionLog.replaceSegments}; all their I/O is limited by one {@code Throttler}
 * ({@code log.cleaner.io.max.bytes.per.second}). Depends on the {@code log} package's public API
 * ({@code LogManager}, {@code PartitionLog}, {@code CleanableSegment}, {@code CleanedSegment}, {@code LogConfig}),
 * on {@code log.checkpoint} for the checkpoint file, and on kafka-clients' record classes; nothing in {@code log}
 * depends on it.
 */
package io.zcrx.ingest.log.cleaner;
