package io.zcrx.ingest.log.cleaner;

import io.zcrx.ingest.log.PartitionLog;

/**
 * A compacted log and where its dirty section lies (Kafka's {@code LogToClean}): offsets below
 * {@code firstDirtyOffset} were cleaned before, {@code [firstDirtyOffset, firstUncleanableOffset)} may be cleaned now.
 *
 * @param cleanBytes        bytes of the segments below the first dirty offset
 * @param cleanableBytes    bytes of the segments of the cleanable section
 * @param needCompactionNow {@code max.compaction.lag.ms} passed for some dirty record: clean whatever the ratio
 */
record LogToClean(PartitionLog log, long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes,
                  long cleanableBytes, boolean needCompactionNow) {

    /** Kafka's {@code cleanableRatio}: dirty bytes over all bytes. */
    double cleanableRatio() {
        final long total = cleanBytes + cleanableBytes;
        return total == 0 ? 0 : (double) cleanableBytes / total;
    }

    long totalBytes() {
        return cleanBytes + cleanableBytes;
    }
}
