/**
 * Partition logs in Apache Kafka's on-disk format, so Kafka's own tools read them: {@code LogManager} owns the log
 * directories (open, recover, create and delete partitions, flush, checkpoints, retention, producer expiry, clean
 * shutdown), {@code PartitionLog} is one partition (append under one lock per partition; zero-copy reads as file
 * regions in {@code LogReader}, ListOffsets lookups in {@code TimestampLookup}, retention in {@code LogRetention},
 * flush in {@code PartitionFlush}), {@code Segment} one {@code .log} with its indexes, reference counted so that
 * {@code OpenSegmentCache} can close inactive segments beyond {@code log.open.segments.max}, and {@code LogLoader}
 * the start-up and crash recovery of a partition; the {@code epoch} subpackage holds a partition's leader epoch
 * history ({@code LeaderEpochCache}, kept in {@code leader-epoch-checkpoint}). Reactor threads append; readers use
 * any thread without the append lock; fsync, checkpoints and retention run on the broker's flusher and scheduler
 * threads, never under the append lock. The public API the broker uses is {@code LogManager}, {@code PartitionLog},
 * {@code LogConfig}, {@code AppendBatch}/{@code AppendResult}, {@code FetchRegion} (with {@code SegmentChannel}, to
 * pin a region's file while it is sent), {@code OffsetLookup} and {@code epoch.EpochEndOffset}. {@code GatherWriter}
 * appends a batch with one {@code pwritev} of the patched header copy plus the payload ranges still in receive
 * memory (per-thread iovec scratch, splits at IOV_MAX, short writes and EINTR handled). Depends on
 * {@code protocol.bytes} and {@code protocol.record}, on its own subpackages, on native-io for the libc calls
 * ({@code open}, {@code pwritev}, {@code close}) and errno names, on Caffeine for the open-segment cache, and on
 * kafka-clients for ids and error codes
 * (docs/kafka-protocol-notes.md#log-directory-layout).
 */
package io.zcrx.ingest.log;
